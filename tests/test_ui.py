"""Browser tests: the real app on a free loopback port, driven by Playwright in Chromium."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant import Assistant
from dia.settings import Settings
from index import HashEmbedder, ingest
from tests.conftest import BUNDLED, free_port, write

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
XSS_DOC = """---
title: "Hostile board paper"
trust: "Calderstones"
---
## Governance

The zanzibar committee reviewed <script>window.__xss = 1</script> every ward audit monthly.

The zanzibar panel met <img src=x onerror="window.__xss = 2"> with patients each week.

The zanzibar review is at <a href="javascript:window.__xss=3">this link</a> for staff.
"""

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from ui import launch

    folder = tmp_path_factory.mktemp("ui")
    docs = folder / "docs"
    write(docs / "hostile.md", XSS_DOC)
    settings = Settings(
        store_dir=folder / "store",
        embedding_model="hash",
        abstain_threshold=0.0,
        port=free_port(),
        runs_dir=folder / "runs",
        ui_concurrency=4,
        vector_store="chroma",  # a real Chroma database for the file-route probes to look for
    )
    ingest(settings, [BUNDLED, docs], embedder=HashEmbedder())
    app = launch(settings, Assistant(settings, embedder=HashEmbedder()), block=False)
    yield f"http://127.0.0.1:{settings.port}", settings
    app.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install chromium).")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, server, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    page.goto(server[0])
    page.locator("#dia-question textarea").wait_for(timeout=30_000)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def ask(page, question: str) -> None:
    page.locator("#dia-question textarea").fill(question)
    page.locator("#dia-ask").click()


def last_answer(page):
    return page.locator("#dia-chat [data-testid='bot']").last


def test_ask_open_source_and_follow_up(page):
    ask(page, "How did Lincolnshire Partnership involve patients?")
    answer = last_answer(page)
    answer.get_by_text("[1]").first.wait_for(timeout=30_000)
    page.locator("#dia-sources").get_by_text("[1]").first.wait_for()
    page.locator("#dia-pick label").first.click()
    mark = page.locator("#dia-passage mark").first
    mark.wait_for(timeout=10_000)
    assert mark.inner_text().strip()
    ask(page, "What about Oxleas?")
    searched = page.locator("#dia-searched")
    searched.get_by_text("Oxleas NHS Foundation Trust").wait_for(timeout=30_000)
    assert "involve patients" in searched.inner_text()


def test_out_of_corpus_question_shows_abstention(page):
    ask(page, "What is the best recipe for a chocolate cake?")
    page.locator("#dia-status").get_by_text("Not covered by the case studies").wait_for(
        timeout=30_000
    )
    assert "Closest material" in last_answer(page).inner_text()


def test_themes_tab_examples_and_heatmap(page):
    page.get_by_role("tab", name="Themes").click()
    heatmap = page.locator("#dia-heatmap")
    heatmap.get_by_text("Governance").first.wait_for(timeout=15_000)
    page.locator("#dia-theme-show").click()
    examples = page.locator("#dia-examples")
    examples.get_by_text("Governance (").wait_for(timeout=15_000)
    assert "Oxleas NHS Foundation Trust" in examples.inner_text()
    heatmap.get_by_text("Culture").first.click()
    examples.get_by_text("Culture (").wait_for(timeout=15_000)


def test_document_html_never_executes(page):
    ask(page, "What did the zanzibar committee and zanzibar panel review?")
    answer = last_answer(page)
    answer.get_by_text("zanzibar", exact=False).first.wait_for(timeout=30_000)
    page.locator("#dia-pick label").first.click()
    page.locator("#dia-passage mark").first.wait_for(timeout=10_000)
    page.get_by_role("tab", name="Themes").click()
    page.locator("#dia-theme-show").click()
    page.locator("#dia-examples").get_by_text("Calderstones").first.wait_for(timeout=15_000)
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss || window.xss || null") is None and page.dialogs == []
    shown = page.locator("#dia-passage").inner_text() + answer.inner_text()
    assert "<script>" in shown or "<img" in shown
    assert page.locator("#dia-passage script, #dia-passage img, #dia-examples img").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0


def test_launch_settings_are_safe():
    from ui._app import launch_options, queue_options

    settings = Settings(ui_username="lead", ui_password="secret")
    options = launch_options(settings)
    assert options["server_name"] == "127.0.0.1" and options["share"] is False
    assert options["auth"] == ("lead", "secret") and options["strict_cors"] is True
    queue = queue_options(settings)
    assert queue["default_concurrency_limit"] == settings.ui_concurrency
    assert queue["max_size"] == settings.ui_max_queue


def test_twenty_concurrent_questions_all_answered(server):
    from gradio_client import Client

    url, _ = server
    questions = [f"How did trusts improve governance and culture? ({n})" for n in range(20)]

    def one(question: str) -> str:
        client = Client(url, verbose=False)
        job = client.submit(question, [], "Any", "Any", api_name="/ask")
        outputs = job.result(timeout=120)
        content = outputs[0][-1]["content"]
        return content if isinstance(content, str) else " ".join(p["text"] for p in content)

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(one, questions))
    assert len(answers) == 20 and all("[1]" in a for a in answers)


PROBES = [
    "/file=/etc/passwd",
    "/gradio_api/file=/etc/passwd",
    "/gradio_api/file=..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/gradio_api/file=%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/../../../../etc/passwd",
    "/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/gradio_api/file={store}/chroma/chroma.sqlite3",
    "/gradio_api/file={store}/manifest.json",
    "/gradio_api/file={cwd}/.env",
    "/file={cwd}/.env",
]


def test_file_routes_serve_nothing_outside_the_app(server):
    import os

    import httpx

    url, settings = server
    env_file = Path(os.getcwd()) / ".env"
    env_file.write_text("SECRET=do-not-serve\n")
    try:
        for probe in PROBES:
            path = probe.format(store=settings.store_dir, cwd=os.getcwd())
            response = httpx.get(url + path, timeout=10)
            assert response.status_code in (400, 403, 404), (path, response.status_code)
            assert "root:" not in response.text and "do-not-serve" not in response.text, path
            assert "SQLite format" not in response.text, path
    finally:
        env_file.unlink()


def test_cross_origin_post_is_rejected(server):
    import httpx

    url, _ = server
    response = httpx.post(
        url + "/gradio_api/queue/join",
        timeout=10,
        headers={"Origin": "http://evil.example", "Content-Type": "application/json"},
        json={
            "data": ["How did leaders engage staff?", [], "Any", "Any"],
            "fn_index": 0,
            "session_hash": "attacker",
        },
    )
    assert response.status_code in (400, 401, 403), response.status_code
    assert (
        "access-control-allow-origin" not in {k.lower() for k in response.headers}
        or response.headers.get("access-control-allow-origin") != "http://evil.example"
    )


def upload_pdf(path: Path) -> Path:
    """A one-page board paper with a word no other document has."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 10, "Oxleas NHS Foundation Trust board paper", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 8, "Listening to patients", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(
        0,
        6,
        "The zephyrine ward council met every Thursday so that patients could shape how the "
        "wards were run. Staff reported the council's ideas to the board each month.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.output(str(path))
    return path


def test_a_pdf_uploaded_in_the_browser_answers_a_question(page, tmp_path):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Corpus").click()
    pdf = upload_pdf(tmp_path / "board paper.pdf")
    page.locator("#dia-upload input[type=file]").set_input_files(str(pdf))
    page.locator("#dia-upload-add").click()
    results = page.locator("#dia-upload-results")
    expect(results).to_contain_text("added", timeout=60_000)
    assert "board paper.pdf" in results.inner_text()
    page.get_by_role("tab", name="Chat").click()
    ask(page, "What did the zephyrine ward council do?")
    answer = last_answer(page)
    answer.get_by_text("zephyrine").first.wait_for(timeout=30_000)
    assert "[1]" in answer.inner_text()


def test_a_file_that_cannot_be_read_gets_its_reason_in_the_browser(page, tmp_path):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Corpus").click()
    broken = tmp_path / "minutes.pdf"
    broken.write_bytes(b"%PDF-1.7\nthis is not a PDF at all")
    page.locator("#dia-upload input[type=file]").set_input_files(str(broken))
    page.locator("#dia-upload-add").click()
    results = page.locator("#dia-upload-results")
    expect(results).to_contain_text("rejected", timeout=60_000)
    assert "damaged" in results.inner_text() or "cannot be read" in results.inner_text()

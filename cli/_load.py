"""`dia loadtest`: simulated users against a real `dia serve` on loopback (bounded in time)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from cli._app import free_port
from dia.errors import DiaError
from dia.settings import Settings
from evals import SAMPLE_QUESTIONS, percentiles

FIRST = SAMPLE_QUESTIONS[:4]
FOLLOW_UP = "What about Oxleas?"


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DiaError("`dia serve` exited before it was ready; is the index built?")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise DiaError(f"`dia serve` did not answer on {url} within {seconds:g} s")


class MemorySampler(threading.Thread):
    """Samples the server's resident memory (with its children) until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        import psutil

        self.process = psutil.Process(pid)
        self.samples: list[float] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                rss = self.process.memory_info().rss + sum(
                    child.memory_info().rss for child in self.process.children(recursive=True)
                )
                self.samples.append(rss / 1e6)
            except Exception:  # noqa: BLE001 - the server may be exiting
                return
            self.stopped.wait(0.25)


def _user(url: str, number: int, timeout_s: float) -> dict:
    from gradio_client import Client

    client = Client(url, verbose=False)
    outcomes = []
    for question in (FIRST[number % len(FIRST)], FOLLOW_UP):
        started = time.perf_counter()
        outputs = client.submit(question, [], "Any", "Any", api_name="/ask").result(
            timeout=timeout_s
        )
        elapsed = time.perf_counter() - started
        content = outputs[0][-1]["content"]
        text = content if isinstance(content, str) else " ".join(p["text"] for p in content)
        complete = "[1]" in text or "Not covered" in text
        outcomes.append({"seconds": elapsed, "complete": complete, "searched": outputs[1]})
    return {"turns": outcomes, "follow_up_used_history": "Oxleas" in outcomes[1]["searched"]}


def run_load(settings: Settings, users: int = 20, timeout_s: float = 120) -> dict:
    """Start the UI, run `users` simulated conversations at once, report latency and memory.

    Args:
        settings: The index to serve and the UI's concurrency.
        users: Simulated users asking at the same time.
        timeout_s: Longest wait for one answer.

    Returns:
        Answers, errors, incomplete answers, follow-ups that used the history, wall time,
        latency (median, max) and the server's memory (start, peak, end).

    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = _start_server(settings, port)
    try:
        _wait_until_up(url, server, 120)
        sampler = MemorySampler(server.pid)
        sampler.start()
        started = time.perf_counter()
        results, errors = _run_users(url, users, timeout_s)
        wall = time.perf_counter() - started
        sampler.stopped.set()
        sampler.join(2)
    finally:
        server.terminate()
        server.wait(20)
    return _figures(users, results, errors, wall, sampler.samples)


def _start_server(settings: Settings, port: int) -> subprocess.Popen:
    """`python -m dia serve` on loopback at ``port``, over the settings' index."""
    env = {
        **os.environ,
        "DIA_PORT": str(port),
        "DIA_STORE_DIR": str(settings.store_dir),
        "DIA_UI_CONCURRENCY": str(settings.ui_concurrency),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "dia", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _run_users(url: str, users: int, timeout_s: float) -> tuple[list[dict], list[str]]:
    """Every simulated conversation at once: their outcomes, and each failure's message."""
    errors: list[str] = []
    results = []
    with ThreadPoolExecutor(max_workers=users) as pool:
        futures = [pool.submit(_user, url, n, timeout_s) for n in range(users)]
        for future in futures:
            try:
                results.append(future.result(timeout=timeout_s * 3))
            except Exception as error:  # noqa: BLE001 - every failure is reported
                errors.append(f"{type(error).__name__}: {error}")
    return results, errors


def _figures(
    users: int, results: list[dict], errors: list[str], wall: float, samples: list[float]
) -> dict:
    """The load test's report from the conversations' outcomes and the memory samples."""
    latencies = [t["seconds"] for r in results for t in r["turns"]]
    return {
        "users": users,
        "answers": len(latencies),
        "errors": errors,
        "incomplete": sum(1 for r in results for t in r["turns"] if not t["complete"]),
        "follow_ups_with_history": sum(r["follow_up_used_history"] for r in results),
        "wall_s": wall,
        "latency_p50_s": percentiles(latencies, (50,))["p50"],
        "latency_max_s": max(latencies) if latencies else None,
        "memory_start_mb": samples[0] if samples else None,
        "memory_peak_mb": max(samples) if samples else None,
        "memory_end_mb": samples[-1] if samples else None,
    }

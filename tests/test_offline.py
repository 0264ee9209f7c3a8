"""Offline proof: with every non-loopback connection refused, the whole product still works."""

from __future__ import annotations

import ipaddress
import json
import socket
import urllib.request

import pytest

from assistant import Assistant
from dia.settings import Settings
from evals import load_questions, run_eval
from index import ingest
from tests.conftest import BUNDLED, free_port


def _is_loopback(address) -> bool:
    if isinstance(address, tuple):
        host = address[0]
    else:
        return True  # unix sockets
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@pytest.fixture
def no_network(monkeypatch):
    """Refuse (and record) every outbound connection that is not to this machine."""
    attempts: list = []
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def guarded(method):
        def connect(self, address):
            if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
                attempts.append(address)
                raise ConnectionRefusedError(f"network blocked in test: {address}")
            return method(self, address)

        return connect

    monkeypatch.setattr(socket.socket, "connect", guarded(original_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(original_connect_ex))
    return attempts


@pytest.mark.slow
def test_ingest_ask_themes_eval_and_ui_offline(no_network, tmp_path):
    settings = Settings(
        store_dir=tmp_path / "store",
        runs_dir=tmp_path / "runs",
        cache_dir=tmp_path / "cache",
        port=free_port(),
    )
    report = ingest(settings, [BUNDLED])
    assert len(report.added) == 12
    assistant = Assistant(settings)
    answer = assistant.ask("How did the trusts react to a poor first rating?")
    assert answer.citations and not answer.abstained
    assert assistant.themes("Culture")["themes"][0]["examples"]
    items = [i for i in load_questions() if i.id in {"q001", "q036", "q074"}]
    results = run_eval(settings, items)
    assert results["aggregates"]["assistant"]["hit@5"]["mean"] is not None

    from ui import launch

    app = launch(settings, assistant, block=False)
    try:
        page = urllib.request.urlopen(f"http://127.0.0.1:{settings.port}/", timeout=30).read()
        assert b"Driving Improvement Assistant" in page
        config = urllib.request.urlopen(f"http://127.0.0.1:{settings.port}/config", timeout=30)
        assert json.loads(config.read())["title"] == "Driving Improvement Assistant"
    finally:
        app.close()
    assert no_network == [], f"tried to reach the network: {no_network}"

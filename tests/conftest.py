"""Shared fixtures: isolated settings, hand-written deterministic fakes, built indexes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from cli import free_port as free_port  # the one helper, re-exported for the tests
from dia.settings import Settings, bundled_corpus_dir
from index import HashEmbedder, ingest
from tests.fakes import DIA as DIA  # `dia` in a child process, the fakes registered
from tests.fakes import register_fakes

BUNDLED = bundled_corpus_dir()


def pytest_configure(config):
    """Register the fakes chosen by name (DIA_EMBEDDING_MODEL=hash) before any test runs.

    The memory store is also the default outside tests (``isolated`` sets it per test), so
    module and session fixtures built before a test's own settings do not import chromadb.
    """
    register_fakes()
    os.environ["DIA_VECTOR_STORE"] = "memory"


@pytest.fixture(autouse=True)
def isolated(request, tmp_path, monkeypatch):
    """Every test runs in its own folder with no DIA_* settings leaking in, offline.

    The vector store is the in-memory one (chromadb is never imported) unless the test is
    marked ``chroma``; child processes inherit the choice through DIA_VECTOR_STORE.
    """
    for name in list(os.environ):
        if name.startswith("DIA_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    chroma = request.node.get_closest_marker("chroma") is not None
    monkeypatch.setenv("DIA_VECTOR_STORE", "chroma" if chroma else "memory")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings with a fresh store, the hashing fake embedder and the test's vector store."""
    return Settings(store_dir=tmp_path / "store", embedding_model="hash")


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the bundled corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(BUNDLED, target)
    for file in target.iterdir():
        file.chmod(0o644)
    return target


@pytest.fixture(scope="session")
def hash_store(tmp_path_factory) -> Path:
    """The bundled corpus indexed once with the fake embedder (copy it before writing)."""
    store = tmp_path_factory.mktemp("hash-store")
    settings = Settings(store_dir=store, embedding_model="hash", vector_store="memory")
    ingest(settings, [BUNDLED], embedder=HashEmbedder())
    return store


@pytest.fixture
def hash_settings(hash_store) -> Settings:
    """Settings pointing at the shared fake-embedder index (read-only use, memory store)."""
    return Settings(store_dir=hash_store, embedding_model="hash", vector_store="memory")


@pytest.fixture(scope="session")
def real_store(tmp_path_factory) -> Path:
    """The bundled corpus indexed once with the real model and Chroma (slow tests only)."""
    store = tmp_path_factory.mktemp("real-store")
    ingest(Settings(store_dir=store, vector_store="chroma"), [BUNDLED])
    return store


@pytest.fixture
def real_settings(real_store) -> Settings:
    """Settings pointing at the real-model index."""
    return Settings(store_dir=real_store, vector_store="chroma")


class ScriptedChatModel(BaseChatModel):
    """A deterministic chat model: replies with whatever `script` returns for the messages.

    Attributes:
        script: Called with the prompt text (all messages joined); returns the reply.
        prompts: Every prompt it was sent, for assertions.
    """

    script: Callable[[str], str]
    prompts: list[str] = []

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs):
        prompt = "\n".join(str(m.content) for m in messages)
        self.prompts.append(prompt)
        reply = AIMessage(content=self.script(prompt))
        return ChatResult(generations=[ChatGeneration(message=reply)])


@pytest.fixture
def scripted_chat() -> Callable[[Callable[[str], str]], ScriptedChatModel]:
    """Factory for scripted fake chat models."""

    def make(script: Callable[[str], str]) -> ScriptedChatModel:
        return ScriptedChatModel(script=script, prompts=[])

    return make


def write(path: Path, text: str) -> Path:
    """Write a UTF-8 file, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome so fixtures can react to failures (screenshots)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)

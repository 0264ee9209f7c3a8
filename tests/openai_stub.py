"""A tiny OpenAI-compatible chat-completions server on loopback, for HTTP-level tests.

It speaks just enough of the protocol for ``langchain-openai`` (and the ``openai`` client it
wraps) to talk to it: ``POST /v1/chat/completions`` (plain JSON, or server-sent events when the
request asks for ``"stream": true``) and ``GET /v1/models``. What it answers is decided by a
callable the test supplies, and every request is recorded so the test can inspect what the
application actually sent over the wire.

Usage::

    with serve_openai_stub(lambda messages: "NOT COVERED") as stub:
        ...  # point the client at stub.base_url
    stub.requests[0].body["model"]
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[list[dict]], str]

HOST = "127.0.0.1"
MAX_BODY_BYTES = 4 * 1024 * 1024
SOCKET_TIMEOUT_S = 10.0
MAX_DELAY_S = 60.0


@dataclass
class RecordedRequest:
    """One request the stub received.

    Attributes:
        method: HTTP method.
        path: Request path (query string included).
        headers: Header names lower-cased, mapped to their values.
        body: The parsed JSON body, or None when there was none or it was not JSON.

    """

    method: str
    path: str
    headers: dict[str, str]
    body: dict | None


@dataclass
class OpenAIStub:
    """A running stub server (see `serve_openai_stub`).

    Attributes:
        reply: Produces the assistant's reply text from the request's ``messages``.
        models: Model ids listed by ``GET /v1/models``.
        api_key: When set, requests without ``Authorization: Bearer <api_key>`` get a 401.
        delay_s: Seconds to stall before answering a chat request (to test client timeouts);
            cut short when the server shuts down.
        requests: Every request received, in order.
        errors: Exceptions raised by `reply` (the client got a 500 for each).

    """

    reply: Reply
    models: tuple[str, ...] = ("stub-model",)
    api_key: str | None = None
    delay_s: float = 0.0
    requests: list[RecordedRequest] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _counter: int = 0

    @property
    def base_url(self) -> str:
        """The OpenAI base URL to give a client, e.g. ``http://127.0.0.1:5123/v1``."""
        return f"http://{HOST}:{self.port}/v1"

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """Only the chat-completion requests."""
        return [r for r in self.requests if r.path.split("?")[0] == "/v1/chat/completions"]

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_id(self) -> str:
        with self._lock:
            self._counter += 1
            return f"chatcmpl-stub-{self._counter}"


def message_text(message: dict) -> str:
    """The text of one chat message whose content is a string or a list of content parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def _count_tokens(text: str) -> int:
    """A rough token count (whitespace words); enough for a plausible ``usage`` block."""
    return len(text.split())


def _error_body(message: str, kind: str, code: str | None = None) -> dict:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _make_handler(stub: OpenAIStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request per connection, so a streamed reply ends when the socket closes.
        protocol_version = "HTTP/1.0"
        timeout = SOCKET_TIMEOUT_S
        server_version = "OpenAIStub/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
            """Keep test output quiet."""

        def _send_json(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _read_body(self) -> tuple[bytes | None, str]:
            """The raw body, or None with the reason it was refused."""
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                return None, "Content-Length is not a number."
            if length < 0 or length > MAX_BODY_BYTES:
                return None, f"Body of {length} bytes is outside 0..{MAX_BODY_BYTES}."
            return self.rfile.read(length), ""

        def _authorised(self) -> bool:
            if stub.api_key is None:
                return True
            if self.headers.get("Authorization") == f"Bearer {stub.api_key}":
                return True
            self._send_json(
                401,
                _error_body(
                    "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
                ),
            )
            return False

        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            stub._record(RecordedRequest("GET", self.path, _headers(self.headers), None))
            if not self._authorised():
                return
            if self.path.split("?")[0] != "/v1/models":
                self._send_json(404, _error_body(f"No route {self.path}.", "invalid_request_error"))
                return
            self._send_json(
                200,
                {
                    "object": "list",
                    "data": [
                        {"id": m, "object": "model", "created": 0, "owned_by": "stub"}
                        for m in stub.models
                    ],
                },
            )

        def do_POST(self) -> None:  # noqa: N802 - http.server naming
            raw, problem = self._read_body()
            body = None
            if raw is not None:
                try:
                    parsed = json.loads(raw.decode("utf-8") or "null")
                    body = parsed if isinstance(parsed, dict) else None
                except (UnicodeDecodeError, json.JSONDecodeError):
                    problem = "The body is not valid JSON."
            stub._record(RecordedRequest("POST", self.path, _headers(self.headers), body))
            if not self._authorised():
                return
            if self.path.split("?")[0] != "/v1/chat/completions":
                self._send_json(404, _error_body(f"No route {self.path}.", "invalid_request_error"))
                return
            if body is None or not isinstance(body.get("messages"), list):
                reason = problem or "The body needs a 'messages' list."
                self._send_json(400, _error_body(reason, "invalid_request_error"))
                return
            if stub.delay_s > 0 and stub._stopping.wait(min(stub.delay_s, MAX_DELAY_S)):
                return  # shutting down: drop the connection unanswered
            try:
                text = str(stub.reply(body["messages"]))
            except Exception as error:  # noqa: BLE001 - reported to the client as a 500
                stub.errors.append(error)
                self._send_json(500, _error_body(f"Stub reply failed: {error!r}", "server_error"))
                return
            model = str(body.get("model") or (stub.models[0] if stub.models else "stub"))
            prompt = "\n".join(message_text(m) for m in body["messages"] if isinstance(m, dict))
            usage = {
                "prompt_tokens": _count_tokens(prompt),
                "completion_tokens": _count_tokens(text),
                "total_tokens": _count_tokens(prompt) + _count_tokens(text),
            }
            if body.get("stream"):
                include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
                self._stream(model, text, usage if include_usage else None)
            else:
                self._send_json(200, _completion(stub._next_id(), model, text, usage))

        def _stream(self, model: str, text: str, usage: dict | None) -> None:
            ident, created = stub._next_id(), int(time.time())

            def chunk(delta: dict, finish: str | None) -> dict:
                return {
                    "id": ident,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": model,
                    "system_fingerprint": None,
                    "choices": [
                        {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
                    ],
                }

            events = [chunk({"role": "assistant", "content": ""}, None)]
            events += [chunk({"content": piece}, None) for piece in _pieces(text)]
            events.append(chunk({}, "stop"))
            if usage is not None:
                events.append({**chunk({}, None), "choices": [], "usage": usage})
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            for event in events:
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    return Handler


def _headers(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _pieces(text: str) -> list[str]:
    """Split text into streaming deltas that join back to exactly the text."""
    pieces: list[str] = []
    for index, word in enumerate(text.split(" ")):
        pieces.append(word if index == 0 else f" {word}")
    return [p for p in pieces if p]


def _completion(ident: str, model: str, text: str, usage: dict) -> dict:
    return {
        "id": ident,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": usage,
    }


@contextmanager
def serve_openai_stub(
    reply: Reply,
    *,
    models: tuple[str, ...] = ("stub-model",),
    api_key: str | None = None,
    delay_s: float = 0.0,
) -> Iterator[OpenAIStub]:
    """Run an `OpenAIStub` on 127.0.0.1 (a free port the OS picks) in a thread.

    Args:
        reply: Called with the request's ``messages`` (list of dicts); returns the reply text.
        models: Model ids for ``GET /v1/models``.
        api_key: Optional key the stub insists on (``Authorization: Bearer <key>``).
        delay_s: Optional stall before each chat reply (at most 60 s).

    Yields:
        The stub, already accepting connections; it is shut down on exit.

    """
    stub = OpenAIStub(reply=reply, models=models, api_key=api_key, delay_s=delay_s)
    server = ThreadingHTTPServer((HOST, 0), _make_handler(stub))
    server.daemon_threads = True
    stub.port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield stub
    finally:
        stub._stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

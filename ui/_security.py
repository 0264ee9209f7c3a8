"""What the web app may serve and write: a request guard, and a private folder for its files.

The guard is installed twice: as the outermost layer, wrapped around the finished middleware
stack when the server starts (so Gradio's CORS layer never answers a refused request), and as
ordinary middleware inside, in case the first is ever bypassed. This module does not import
gradio, so the private folder can be named to Gradio before gradio is imported.
"""

from __future__ import annotations

import atexit
import contextlib
import ipaddress
import shutil
import socket
import tempfile
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

from dia.errors import UI_HOST_REFUSED, UI_MONITORING_ELSEWHERE, UI_UPLOAD_REFUSED
from dia.settings import Settings

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_BINDS = frozenset({"", "0.0.0.0", "::"})
UPLOAD_PATH = "/gradio_api/upload"
MONITORING_PATH = "/monitoring"
_PRIVATE: dict[str, Path] = {}


def host_name(value: str) -> str:
    """The name part of a Host header or URL netloc: no port, no brackets, lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def allowed_hosts(bind_host: str) -> tuple[frozenset[str], bool]:
    """The Host names the app answers to when bound to bind_host.

    Returns:
        The loopback names and the bound name (plus this machine's names when bound to every
        interface), and whether any IP address is allowed as Host (every interface: a literal
        address cannot be rebound to another server by DNS).

    """
    names = set(LOOPBACK_NAMES)
    bound = host_name(bind_host)
    if bound in WILDCARD_BINDS:
        names |= {host_name(socket.gethostname()), host_name(socket.getfqdn())}
    else:
        names.add(bound)
    return frozenset(names), bound in WILDCARD_BINDS


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class RequestGuard:
    """Refuse what the app must never serve, before any other layer sees the request.

    * A Host header that is not one of the bound names: 400 (DNS rebinding).
    * POST/PUT/PATCH/DELETE whose Origin names another host: 403 (cross-site requests).
    * File uploads, unless ``uploads`` is on: 403 (the app has no upload component).
    * ``GET /monitoring``, which would print the monitoring key again: 404.
    """

    def __init__(
        self, app, *, hosts: frozenset[str], any_address: bool = False, uploads: bool = False
    ) -> None:
        self.app = app
        self.hosts = hosts
        self.any_address = any_address
        self.uploads = uploads

    def host_allowed(self, host: str) -> bool:
        """Whether a Host header value names this app."""
        name = host_name(host)
        return bool(name) and (name in self.hosts or (self.any_address and _is_address(name)))

    def refusal(self, scope, headers: dict[str, str]) -> tuple[int, str] | None:
        """The status and message to refuse an HTTP request with, or None to let it through."""
        if not self.host_allowed(headers.get("host", "")):
            allowed = ", ".join(sorted(self.hosts))
            return 400, UI_HOST_REFUSED.format(host=headers.get("host", ""), allowed=allowed)
        method, path = scope["method"], scope["path"].rstrip("/")
        origin = headers.get("origin")
        if method not in SAFE_METHODS and origin and urlsplit(origin).netloc != headers["host"]:
            return 403, "Cross-origin request refused"
        if path.endswith(UPLOAD_PATH) and not self.uploads:
            return 403, UI_UPLOAD_REFUSED
        if path == MONITORING_PATH:
            return 404, UI_MONITORING_ELSEWHERE
        return None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if scope["type"] == "websocket":
            if not self.host_allowed(headers.get("host", "")):
                await send({"type": "websocket.close", "code": 1008})
                return
        elif (refused := self.refusal(scope, headers)) is not None:
            await _reply(send, *refused)
            return
        await self.app(scope, receive, send)


async def _reply(send, status: int, text: str) -> None:
    """Send a short plain-text response (no CORS headers)."""
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def outermost(guard: Callable[[object], object]) -> Callable:
    """A FastAPI lifespan that wraps the app's finished middleware stack in ``guard(stack)``.

    Gradio adds its CORS layer around any middleware given to it, so a guard given as
    middleware would only ever run inside it; wrapping the built stack at startup puts the
    guard in front of everything, before the first request is served.
    """

    @asynccontextmanager
    async def lifespan(app):
        stack = app.middleware_stack or app.build_middleware_stack()
        app.middleware_stack = guard(stack)
        yield

    return lifespan


def private_dir(settings: Settings) -> Path:
    """Return the process's private folder for Gradio's file cache and exports (mode 0700).

    Made once per store, under ``<store>/tmp`` (the system temp folder when the store is not
    writable), and removed with everything in it when the process exits.
    """
    key = str(settings.store_dir.resolve())
    if key not in _PRIVATE:
        shared = settings.store_dir / "tmp"
        try:
            shared.mkdir(mode=0o700, parents=True, exist_ok=True)
            folder = Path(tempfile.mkdtemp(prefix="ui-", dir=shared))
        except OSError:
            shared, folder = None, Path(tempfile.mkdtemp(prefix="dia-ui-"))
        atexit.register(remove_private_dir, folder, shared)
        _PRIVATE[key] = folder
    return _PRIVATE[key]


def remove_private_dir(folder: Path, shared: Path | None = None) -> None:
    """Delete a private folder, and the store's ``tmp`` folder when no other process uses it."""
    shutil.rmtree(folder, ignore_errors=True)
    if shared is not None:
        with contextlib.suppress(OSError):  # not empty: another UI process on the same store
            shared.rmdir()

"""ASGI middleware: refuse state-changing requests from other origins (CSRF)."""

from __future__ import annotations

from urllib.parse import urlsplit

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class SameOriginMiddleware:
    """Reject POST/PUT/PATCH/DELETE whose Origin header names another host (403).

    Requests without an Origin header (command-line clients, gradio_client) pass; browsers
    always send Origin on cross-site POSTs.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]
            }
            origin = headers.get("origin")
            if origin and urlsplit(origin).netloc != headers.get("host", ""):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 403,
                        "headers": [(b"content-type", b"text/plain")],
                    }
                )
                await send({"type": "http.response.body", "body": b"Cross-origin request refused"})
                return
        await self.app(scope, receive, send)

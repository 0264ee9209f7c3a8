"""The Gradio UI: layout only; every event calls one core function."""

from __future__ import annotations

from dia.settings import Settings


def build_app(settings: Settings, assistant=None):
    """Build (but do not launch) the app."""
    import os

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from ui._app import build_app as build

    return build(settings, assistant)


def launch(settings: Settings, assistant=None, *, block: bool = True):
    """Build and serve the app on settings.host:settings.port (loopback by default).

    Raises:
        IndexNotBuilt, IndexMismatch, IndexCorrupt: The index cannot serve (checked first).

    """
    from assistant import Assistant
    from ui._app import launch_options

    assistant = assistant or Assistant(settings)
    assistant.open()
    app = build_app(settings, assistant)
    app.launch(prevent_thread_lock=not block, **launch_options(settings))
    return app


__all__ = ["build_app", "launch"]

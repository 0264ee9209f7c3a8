"""The Gradio UI: layout only; every event calls one core function."""

from __future__ import annotations

import threading

from dia.settings import Settings


def build_app(settings: Settings, assistant=None):
    """Build (but do not launch) the app."""
    _prepare_gradio(settings)
    from ui._app import build_app as build

    return build(settings, assistant)


def launch(settings: Settings, assistant=None, *, block: bool = True):
    """Build and serve the app on settings.host:settings.port (loopback by default).

    Raises:
        IndexNotBuilt, IndexMismatch, IndexCorrupt: The index cannot serve (checked first).

    """
    from assistant import Assistant

    assistant = assistant or Assistant(settings)
    assistant.open()
    threading.Thread(target=assistant.warm_up, name="dia-warm-up", daemon=True).start()
    app = build_app(settings, assistant)
    from ui._app import launch_options

    if block:
        _stop_on_sigterm()
    app.launch(prevent_thread_lock=not block, **launch_options(settings))
    return app


def _prepare_gradio(settings: Settings) -> None:
    """Set what gradio reads when imported: analytics off, and where it may write.

    Its temp folder is the process's private one; matplotlib (which gradio imports) keeps its
    font cache in the assistant's cache folder rather than ~/.cache and ~/.config.
    """
    import os

    from ui._security import private_dir

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ["GRADIO_TEMP_DIR"] = str(private_dir(settings) / "gradio")
    os.environ.setdefault("MPLCONFIGDIR", str(settings.cache_dir / "matplotlib"))


def _stop_on_sigterm() -> None:
    """Let SIGTERM close the server as Ctrl-C does, so the exit clean-up (temp files) runs."""
    import signal
    import threading

    def interrupt(signum, frame) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


__all__ = ["build_app", "launch"]

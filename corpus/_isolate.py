"""Parse untrusted PDFs in a child process with a time limit and a memory cap."""

from __future__ import annotations

import contextlib
import multiprocessing
import resource

from corpus._document import RawBlock
from corpus._formats import pdf_blocks

MEMORY_CAP_BYTES = 2 * 1024**3


def _worker(data: bytes, max_text_chars: int, connection) -> None:
    """Child: cap memory, parse, send (blocks, title) or an error reason back."""
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))
    try:
        blocks, title = pdf_blocks(data)
        if sum(len(block.text) for block in blocks) > max_text_chars:
            raise ValueError("the PDF expands to far more text than its size allows (a bomb?)")
        connection.send(("ok", [(b.text, b.page) for b in blocks], title))
    except MemoryError:
        connection.send(("error", "the PDF needs more memory than allowed to read (a bomb?)"))
    except ValueError as error:
        connection.send(("error", str(error)))
    except Exception as error:  # noqa: BLE001 - any parser failure is a rejection reason
        connection.send(("error", f"the PDF cannot be read ({type(error).__name__})"))
    finally:
        connection.close()


def parse_pdf_isolated(
    data: bytes, timeout_s: float, max_text_chars: int
) -> tuple[list[RawBlock], str | None]:
    """Parse a PDF in a forked child; kill it when it runs out of time.

    Raises:
        ValueError: With a user-facing reason (timeout, memory, damaged, encrypted, bomb).

    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_worker, args=(data, max_text_chars, sender), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout_s):
            raise ValueError(f"reading the PDF took longer than {timeout_s:g} s")
        message = receiver.recv()
    except EOFError:
        raise ValueError("the PDF reader crashed on this file") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()
    if message[0] == "error":
        raise ValueError(message[1])
    blocks = [RawBlock("paragraph", text, page=page) for text, page in message[1]]
    return blocks, message[2]

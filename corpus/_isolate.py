"""Parse untrusted PDF and Word files in a child process with a time limit and a memory cap."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import resource

from corpus._document import RawBlock
from corpus._docx import docx_blocks
from corpus._pdf import pdf_blocks

MEMORY_CAP_BYTES = 2 * 1024**3
_NAMES = {"pdf": "the PDF", "docx": "the Word document"}
_NOISY_LOGGERS = ("pdfminer", "pdfplumber", "pypdf", "docx")


def _parse(fmt: str, data: bytes) -> tuple[list[RawBlock], str | None]:
    """Run the parser for a format (looked up at call time, so tests can replace it)."""
    return pdf_blocks(data) if fmt == "pdf" else docx_blocks(data)


def _mapped_bytes() -> int:
    """The address space this process maps now (0 when it cannot be read)."""
    import psutil

    try:
        return int(psutil.Process().memory_info().vms)
    except psutil.Error:
        return 0


def _worker(fmt: str, data: bytes, max_text_chars: int, connection) -> None:
    """Child: cap memory, parse, send (blocks, title) or an error reason back."""
    name = _NAMES[fmt]
    with contextlib.suppress(ValueError, OSError):
        # 2 GB more than the process already maps: a parent that loaded the model (a large
        # address space, inherited by the fork) must not leave the parser no room at all.
        cap = _mapped_bytes() + MEMORY_CAP_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    for library in _NOISY_LOGGERS:  # a damaged file is reported once, as the rejection reason
        logging.getLogger(library).setLevel(logging.CRITICAL)
    try:
        blocks, title = _parse(fmt, data)
        if sum(len(block.text) for block in blocks) > max_text_chars:
            raise ValueError(f"{name} expands to far more text than its size allows (a bomb?)")
        connection.send(("ok", [_encode(block) for block in blocks], title))
    except MemoryError:
        connection.send(("error", f"{name} needs more memory than allowed to read (a bomb?)"))
    except ValueError as error:
        connection.send(("error", str(error)))
    except Exception as error:  # noqa: BLE001 - any parser failure is a rejection reason
        connection.send(("error", f"{name} cannot be read ({type(error).__name__})"))
    finally:
        connection.close()


def _encode(block: RawBlock) -> tuple:
    """A block as plain data for the pipe."""
    return (block.kind, block.text, block.level, block.urls, block.page, block.page_breaks)


def _decode(data: tuple) -> RawBlock:
    kind, text, level, urls, page, breaks = data
    return RawBlock(kind, text, level=level, urls=tuple(urls), page=page, page_breaks=breaks)


def _import_parsers(fmt: str) -> None:
    """Import the parser's libraries here, once, before forking.

    The child then imports nothing: an import in a forked child can wait for ever on a module
    lock that another thread of the parent held at the moment of the fork.
    """
    import psutil  # noqa: F401 - used by the child (memory cap)

    if fmt == "pdf":
        import pdfplumber  # noqa: F401
        import pypdf  # noqa: F401
    else:
        import docx  # noqa: F401


def parse_isolated(
    fmt: str, data: bytes, timeout_s: float, max_text_chars: int
) -> tuple[list[RawBlock], str | None]:
    """Parse a PDF ("pdf") or Word ("docx") file in a forked child; kill it when out of time.

    Returns:
        The blocks (headings with levels, paragraphs with pages and page breaks) and the title.

    Raises:
        ValueError: With a user-facing reason (timeout, memory, damaged, encrypted, bomb).

    """
    _import_parsers(fmt)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_worker, args=(fmt, data, max_text_chars, sender), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout_s):
            raise ValueError(f"reading {_NAMES[fmt]} took longer than {timeout_s:g} s")
        message = receiver.recv()
    except EOFError:
        raise ValueError(f"the reader crashed on {_NAMES[fmt]}") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()
    if message[0] == "error":
        raise ValueError(message[1])
    return [_decode(block) for block in message[1]], message[2]


def parse_pdf_isolated(
    data: bytes, timeout_s: float, max_text_chars: int
) -> tuple[list[RawBlock], str | None]:
    """Parse a PDF in a forked child (see ``parse_isolated``)."""
    return parse_isolated("pdf", data, timeout_s, max_text_chars)

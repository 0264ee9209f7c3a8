"""Documents and loaders: files in, ``Document`` objects (text, structure, sources) out."""

from corpus._document import Block, Document, RawBlock, assemble, hash_bytes
from corpus._loader import (
    SUPPORTED_SUFFIXES,
    LoadResult,
    decode_text,
    discover,
    load_file,
    load_paths,
)
from corpus._text import (
    clean_control_chars,
    compound_terms,
    normalise_space,
    split_sentences,
    word_count,
)
from corpus._vocabulary import (
    THEMES,
    TRUSTS,
    Theme,
    Trust,
    resolve_theme,
    resolve_trust,
    theme_by_key,
    theme_of_heading,
    themes_in_text,
    trust_by_key,
    trust_of_text,
    trusts_in_text,
)

__all__ = [
    "SUPPORTED_SUFFIXES",
    "THEMES",
    "TRUSTS",
    "Block",
    "Document",
    "LoadResult",
    "RawBlock",
    "Theme",
    "Trust",
    "assemble",
    "clean_control_chars",
    "compound_terms",
    "decode_text",
    "discover",
    "hash_bytes",
    "load_file",
    "load_paths",
    "normalise_space",
    "resolve_theme",
    "resolve_trust",
    "split_sentences",
    "theme_by_key",
    "theme_of_heading",
    "themes_in_text",
    "trust_by_key",
    "trust_of_text",
    "trusts_in_text",
    "word_count",
]

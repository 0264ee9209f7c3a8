"""Labels found without front matter: the trusts chunks name, and themes by similarity.

A trust's section whose heading names none of the nine themes (nor do its siblings') gets the
theme its heading and sentences are most like, or none when the best theme is hardly ahead of
the next. Two views of a section are scored against every theme and combined: its meaning (the
embedder's vectors of its heading and sentences) and its words (stemmed, weighted by how rare
they are). A theme's profile in each view joins its description (``corpus.THEME_DESCRIPTIONS``,
the report's summary of the theme in our words; for words also the theme's name and the phrases
that name it in headings) with what sets the bundled trust notes' sections on that theme apart
from the same trust's other sections. Sections are compared the same way, against the other
sections of their own document: the inspection story runs through every section of a case
study, and only what differs from it tells the sections' themes apart.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from corpus import (
    THEME_DESCRIPTIONS,
    THEMES,
    TRUSTS,
    split_sentences,
    theme_of_heading,
    trust_of_heading,
    trust_order,
    word_count,
)
from dia.settings import BUNDLED_MODEL, HASH_MODEL
from index._bm25 import tokenize
from index._chunker import Chunk, ChunkerConfig, chunk_document
from index._embedders import Embedder

THEME_KEYS: tuple[str, ...] = tuple(theme.key for theme in THEMES)
NOTES_KIND = "case-study-notes"  # the bundled trust notes, whose headings are the examples
# Sections under these headings are apparatus, not case-study content: never given a theme.
_APPARATUS_WORDS = (
    r"(?:sources?|references?|bibliography|contents|glossary|acknowledge?ments?|appendi(?:x|ces)"
    r"|notes|footnotes|endnotes|further reading|index|abbreviations)"
)
_APPARATUS = re.compile(
    rf"(?:(?:\w+\s+){{0,2}}){_APPARATUS_WORDS}(?:\s+and\s+{_APPARATUS_WORDS})?(?:\s+[\w.]+)?[.:]?",
    re.IGNORECASE,
)
_MIN_WORDS = 4  # shorter sentences (list stubs, figures) say little about a theme
_MAX_UNITS = 60  # sentences read per section (the opening of a long one is enough)
_HEADING_WEIGHT = 2.0  # a heading counts as this many sentences
_PRIOR_SECTIONS = 1.0  # a document's centre is pulled towards the notes' centre by this many
# Weights chosen on the tuning half of the bundled notes alone, each from the middle of a range
# that scored as well as any tried there (profiles from the other trusts' tuning sections; see
# evals/_themes.py): the descriptions against the notes' examples in a profile, for meaning and
# for words, and the share of meaning in a section's combined score.
DESCRIPTION_WEIGHT = 2.0
WORD_DESCRIPTION_WEIGHT = 4.0
MEANING_SHARE = 0.6


@dataclass(frozen=True)
class Cutoffs:
    """When a best theme is given: its score and its lead over the runner-up.

    Attributes:
        threshold: Least score of the best theme.
        margin: Least difference between the best and the second-best theme.

    """

    threshold: float
    margin: float


# Calibrated on the tuning half of the bundled trust notes with their headings hidden
# (evals/_themes.py; `dia eval` reports them and the held-out half's accuracy). For the bundled
# model the threshold lies below every best score on that half and the margin is half the
# smallest lead there, so only a near tie goes without a theme. Scores are in standard units of
# a section's nine scores. Models not listed use the bundled model's cutoffs.
CUTOFFS: dict[str, Cutoffs] = {
    BUNDLED_MODEL: Cutoffs(threshold=0.2804, margin=0.0415),
    HASH_MODEL: Cutoffs(threshold=1.4458, margin=0.0039),
}
DEFAULT_CUTOFFS = CUTOFFS[BUNDLED_MODEL]


@dataclass(frozen=True)
class Section:
    """What theme assignment reads of one section.

    Attributes:
        group: The document it belongs to (sections are compared within a document).
        heading: Its own heading ('' when hidden or absent).
        texts: The text of its chunks, in order.

    """

    group: str
    heading: str
    texts: tuple[str, ...]


@dataclass(frozen=True)
class WordModel:
    """Theme profiles over stemmed words, weighted by rarity (tf-idf).

    Attributes:
        vocabulary: Word -> column, the words of the examples and the descriptions.
        idf: Each column's weight (rarer among examples and descriptions: higher).
        profiles: One unit row per theme, in ``THEME_KEYS`` order.
        centre: Mean word vector of the examples.

    """

    vocabulary: dict[str, int]
    idf: np.ndarray
    profiles: np.ndarray
    centre: np.ndarray


@dataclass(frozen=True)
class ThemeModel:
    """Theme profiles and the centre a document's sections are pulled towards.

    Attributes:
        profiles: One unit vector per theme (meaning), rows in ``THEME_KEYS`` order.
        centre: Mean section vector of the examples.
        words: The profiles over words (None: meaning alone decides).

    """

    profiles: np.ndarray
    centre: np.ndarray
    words: WordModel | None = None


def cutoffs_for(embedder: Embedder) -> Cutoffs:
    """The calibrated cutoffs for an embedder (by model name; the default for others)."""
    return CUTOFFS.get(embedder.name.split("+")[0], DEFAULT_CUTOFFS)


def trusts_of(chunks: Iterable[Chunk]) -> list[str]:
    """Every trust the chunks belong to: the seven first, in their order, then others by name.

    Args:
        chunks: Any chunks (an index's, a document's).

    Returns:
        Distinct non-empty trust names.

    """
    return sorted({chunk.trust for chunk in chunks if chunk.trust}, key=trust_order)


def assign_themes(
    chunks: Sequence[Chunk],
    embedder: Embedder,
    cutoffs: Cutoffs | None = None,
    model: ThemeModel | None = None,
) -> list[Chunk]:
    """Fill in the theme of sections whose headings name none, section by section.

    Themes are what trusts did, so only sections with a trust (from front matter or a
    chapter heading) count. Sections whose siblings are labelled with the nine themes stay as
    they are (an overview beside them is deliberately unthemed), and so do apparatus
    (sources, references, contents ...) and the text directly under a chapter heading that
    names an organisation. Every chunk of a section gets the same theme, or stays '' when
    the best theme misses the cutoffs.

    Args:
        chunks: Chunks of one or more documents, in reading order.
        embedder: The index's embedder.
        cutoffs: Overrides the cutoffs calibrated for the embedder.
        model: Overrides the profiles built from the bundled notes.

    Returns:
        The chunks in the same order, with themes filled in where found.

    """
    keys = _open_sections(chunks)
    if not keys:
        return list(chunks)
    members: dict[tuple[str, str], list[Chunk]] = {key: [] for key in keys}
    for chunk in chunks:
        members.get((chunk.doc_id, chunk.section_path), []).append(chunk)
    sections = [_section(key, members[key]) for key in keys]
    scores = _section_scores(sections, embedder, model or theme_model(embedder))
    found = dict(zip(keys, decide(scores, cutoffs or cutoffs_for(embedder)), strict=True))
    return [
        dataclasses.replace(c, theme=found[(c.doc_id, c.section_path)])
        if found.get((c.doc_id, c.section_path))
        else c
        for c in chunks
    ]


def _section_scores(sections: list[Section], embedder: Embedder, model: ThemeModel) -> np.ndarray:
    """Every section's scores against the nine themes, by meaning and by words."""
    vectors = section_vectors(sections, embedder)
    groups = [section.group for section in sections]
    return theme_scores(model, vectors, groups, section_words(sections))


def _open_sections(chunks: Sequence[Chunk]) -> list[tuple[str, str]]:
    """(doc id, section path) of every section that may be given a theme, in order.

    That is a section with a trust and no theme, none of whose siblings (same document, same
    enclosing headings) has a theme either; not apparatus, and not the text directly under
    a heading naming an organisation (a whole chapter, or its opening, spans many themes).
    """
    labelled = {(c.doc_id, _parent(c.section_path)) for c in chunks if c.theme}
    keys: dict[tuple[str, str], None] = {}
    for chunk in chunks:
        if (chunk.doc_id, _parent(chunk.section_path)) in labelled or not chunk.trust:
            continue
        heading = chunk.section.strip()
        if not (_APPARATUS.fullmatch(heading) or trust_of_heading(heading)):
            keys[(chunk.doc_id, chunk.section_path)] = None
    return list(keys)


def _parent(section_path: str) -> str:
    """The enclosing headings of a section path ('' at the top)."""
    return section_path.rpartition(" > ")[0]


def _section(key: tuple[str, str], chunks: list[Chunk]) -> Section:
    """The section of a (doc id, section path): its heading and its chunks' text."""
    return Section(key[0], chunks[0].section, tuple(chunk.text for chunk in chunks))


def decide(scores: np.ndarray, cutoffs: Cutoffs) -> list[str]:
    """The theme key of each row of scores, or '' where the cutoffs are missed.

    Args:
        scores: (sections, themes) scores, from ``theme_scores``.
        cutoffs: Least best score and least lead over the second best.

    Returns:
        One theme key or '' per section.

    """
    if not len(scores):
        return []
    ordered = np.sort(scores, axis=1)
    best, lead = ordered[:, -1], ordered[:, -1] - ordered[:, -2]
    chosen = np.argmax(scores, axis=1)
    return [
        THEME_KEYS[index] if top >= cutoffs.threshold and gap >= cutoffs.margin else ""
        for index, top, gap in zip(chosen, best, lead, strict=True)
    ]


def theme_scores(
    model: ThemeModel,
    vectors: np.ndarray,
    groups: Sequence[str],
    words: Sequence[Counter[str]] | None = None,
) -> np.ndarray:
    """Score sections against every theme, each against its own document's other sections.

    Each view's nine scores of a section are put in standard units (so neither view's scale
    outweighs the other), then meaning and words are mixed with weights ``MEANING_SHARE`` and
    the rest.

    Args:
        model: Theme profiles and centre.
        vectors: Section vectors, from ``section_vectors``.
        groups: The document of each section.
        words: Section word counts, from ``section_words`` (None: meaning alone).

    Returns:
        Array (sections, nine themes), columns in ``THEME_KEYS`` order.

    """
    meaning = standardise(centre_groups(vectors, groups, model.centre) @ model.profiles.T)
    if model.words is None or words is None:
        return meaning
    rows = word_rows(model.words, words)
    lexical = centre_groups(rows, groups, model.words.centre) @ model.words.profiles.T
    return MEANING_SHARE * meaning + (1.0 - MEANING_SHARE) * standardise(lexical)


def standardise(scores: np.ndarray) -> np.ndarray:
    """Each row less its mean, over its standard deviation (rows that are all equal: zeros)."""
    spread = scores.std(axis=1, keepdims=True)
    return (scores - scores.mean(axis=1, keepdims=True)) / np.where(spread > 0, spread, np.inf)


def centre_groups(vectors: np.ndarray, groups: Sequence[str], centre: np.ndarray) -> np.ndarray:
    """Take each document's mean section vector (pulled towards ``centre``) off its sections."""
    centred = np.array(vectors, dtype=np.float64)
    names = np.array(groups)
    for name in dict.fromkeys(groups):
        rows = names == name
        mean = (centred[rows].sum(axis=0) + _PRIOR_SECTIONS * centre) / (
            rows.sum() + _PRIOR_SECTIONS
        )
        centred[rows] -= mean
    return centred


def section_vectors(sections: Sequence[Section], embedder: Embedder) -> np.ndarray:
    """One unit vector per section: the weighted mean of its heading's and sentences'.

    All sections' sentences are embedded in one call.
    """
    units = [_units(section) for section in sections]
    texts = [text for section_units in units for text, _ in section_units]
    embedded = np.asarray(embedder.embed(texts), dtype=np.float64) if texts else None
    vectors = np.zeros((len(sections), int(embedder.dim)))
    row = 0
    for index, section_units in enumerate(units):
        weights = np.array([weight for _, weight in section_units])
        if len(weights):
            vectors[index] = weights @ embedded[row : row + len(weights)]
        row += len(weights)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def _units(section: Section) -> list[tuple[str, float]]:
    """The heading and the distinct sentences of a section, each with its weight."""
    units: list[tuple[str, float]] = [(section.heading, _HEADING_WEIGHT)] if section.heading else []
    seen: set[str] = set()
    for text in section.texts:
        for start, end in split_sentences(text):
            sentence = " ".join(text[start:end].split()).lstrip("-*• ")
            if word_count(sentence) >= _MIN_WORDS and sentence not in seen:
                seen.add(sentence)
                units.append((sentence, 1.0))
    return units[: _MAX_UNITS + 1]


def section_words(sections: Sequence[Section]) -> list[Counter[str]]:
    """Each section's stemmed words (stop words dropped) over its heading and sentences.

    The same heading and sentences as ``section_vectors`` read, with the same weights.
    """
    units = [_units(section) for section in sections]
    tokens = tokenize([text for section_units in units for text, _ in section_units])
    counts: list[Counter[str]] = []
    row = 0
    for section_units in units:
        count: Counter[str] = Counter()
        for _, weight in section_units:
            for token in tokens[row]:
                count[token] += weight
            row += 1
        counts.append(count)
    return counts


def labelled_sections(chunks: Iterable[Chunk]) -> tuple[list[Section], np.ndarray]:
    """The seven trusts' notes' sections whose headings name a theme, headings hidden.

    Args:
        chunks: Chunks of the bundled corpus (others are ignored).

    Returns:
        The sections in document order (grouped by document) and the index in
        ``THEME_KEYS`` of the theme each one's heading names.

    """
    names = {trust.name for trust in TRUSTS}
    texts: dict[tuple[str, str], list[str]] = {}
    labels: dict[tuple[str, str], str] = {}
    for chunk in sorted(chunks, key=lambda c: (c.doc_id, c.ordinal)):
        if chunk.trust not in names or chunk.doc_kind != NOTES_KIND:
            continue
        theme = heading_theme(chunk.section_path)
        if theme:
            key = (chunk.doc_id, chunk.section_path)
            texts.setdefault(key, []).append(chunk.text)
            labels[key] = theme
    sections = [Section(doc_id, "", tuple(parts)) for (doc_id, _), parts in texts.items()]
    return sections, np.array([THEME_KEYS.index(labels[key]) for key in texts], dtype=int)


def heading_theme(section_path: str) -> str:
    """The theme named by the innermost heading of a section path that names one, or ''."""
    for heading in reversed(section_path.split(" > ")):
        theme = theme_of_heading(heading)
        if theme:
            return theme
    return ""


def fit_model(
    vectors: np.ndarray,
    groups: Sequence[str],
    gold: np.ndarray,
    embedder: Embedder,
    words: Sequence[Counter[str]] | None = None,
) -> ThemeModel:
    """Build theme profiles from labelled sections and the descriptions.

    Each theme's example direction is the mean of its sections' vectors once their
    document's mean is taken off; the profile adds the theme's description direction with
    weight ``DESCRIPTION_WEIGHT``. A theme without examples keeps its description alone.
    Given the sections' words, the word profiles are built the same way
    (``WORD_DESCRIPTION_WEIGHT``).

    Args:
        vectors: Labelled sections' vectors (``section_vectors``).
        groups: The document of each.
        gold: The theme index of each.
        embedder: Embeds the descriptions.
        words: Labelled sections' word counts (``section_words``); None: meaning alone.

    Returns:
        The model.

    """
    centre = vectors.mean(axis=0) if len(vectors) else np.zeros(int(embedder.dim))
    directions = _description_directions(embedder)
    profiles = _profiles(centre_groups(vectors, groups, centre), gold, directions)
    word_model = None if words is None else fit_words(words, groups, gold)
    return ThemeModel(profiles, centre, word_model)


def _profiles(
    centred: np.ndarray,
    gold: np.ndarray,
    directions: np.ndarray,
    weight: float = DESCRIPTION_WEIGHT,
) -> np.ndarray:
    """Unit theme profiles: each theme's mean centred example plus weight x its description."""
    examples = np.zeros((len(THEME_KEYS), directions.shape[1]))
    for index in range(len(THEME_KEYS)):
        if (gold == index).any():
            examples[index] = _unit(centred[gold == index].mean(axis=0))
    return _unit(examples + weight * directions)


def fit_words(words: Sequence[Counter[str]], groups: Sequence[str], gold: np.ndarray) -> WordModel:
    """Word profiles from labelled sections' words and each theme's descriptive words.

    The vocabulary and the rarity weights come from the examples and the descriptions only.

    Args:
        words: Labelled sections' word counts (``section_words``).
        groups: The document of each.
        gold: The theme index of each.

    Returns:
        The word model.

    """
    described = _description_words()
    vocabulary = {w: i for i, w in enumerate(sorted(set().union(*words, *described)))}
    counts, theirs = _counts(words, vocabulary), _counts(described, vocabulary)
    present = (counts > 0).sum(axis=0) + (theirs > 0).sum(axis=0)
    idf = np.log((len(words) + len(described) + 1) / (present + 1)) + 1.0
    rows, descriptions = _unit(np.log1p(counts) * idf), _unit(np.log1p(theirs) * idf)
    centre = rows.mean(axis=0) if len(rows) else np.zeros(len(vocabulary))
    directions = _unit(descriptions - descriptions.mean(axis=0))
    centred = centre_groups(rows, groups, centre)
    profiles = _profiles(centred, gold, directions, WORD_DESCRIPTION_WEIGHT)
    return WordModel(vocabulary, idf, profiles, centre)


def word_rows(model: WordModel, words: Sequence[Counter[str]]) -> np.ndarray:
    """Unit tf-idf rows of word counts over the model's vocabulary (other words are dropped)."""
    return _unit(np.log1p(_counts(words, model.vocabulary)) * model.idf)


def _counts(words: Sequence[Counter[str]], vocabulary: dict[str, int]) -> np.ndarray:
    """A (sections, vocabulary) matrix of word counts."""
    matrix = np.zeros((len(words), len(vocabulary)))
    for row, count in enumerate(words):
        for word, times in count.items():
            column = vocabulary.get(word)
            if column is not None:
                matrix[row, column] = times
    return matrix


_DESCRIPTION_WORDS: dict[str, list[Counter[str]]] = {}


def _description_words() -> list[Counter[str]]:
    """Per theme, the stemmed words of its descriptions, its name and the phrases naming it."""
    if "themes" not in _DESCRIPTION_WORDS:  # built whole, then stored: safe if two threads race
        texts = [
            " ".join((*THEME_DESCRIPTIONS[theme.key], theme.label, *theme.aliases))
            for theme in THEMES
        ]
        _DESCRIPTION_WORDS["themes"] = [Counter(tokens) for tokens in tokenize(texts)]
    return _DESCRIPTION_WORDS["themes"]


_DESCRIPTIONS: dict[tuple[str, int], np.ndarray] = {}


def _description_directions(embedder: Embedder) -> np.ndarray:
    """Per theme, the unit direction from the mean description centroid to the theme's."""
    key = (embedder.name, int(embedder.dim))
    if key not in _DESCRIPTIONS:
        _DESCRIPTIONS[key] = _embed_descriptions(embedder)
    return _DESCRIPTIONS[key]


def _embed_descriptions(embedder: Embedder) -> np.ndarray:
    texts = [text for theme in THEME_KEYS for text in THEME_DESCRIPTIONS[theme]]
    owners = np.array([i for i, theme in enumerate(THEME_KEYS) for _ in THEME_DESCRIPTIONS[theme]])
    vectors = np.asarray(embedder.embed(texts), dtype=np.float64)
    centroids = _unit(np.stack([vectors[owners == i].mean(axis=0) for i in range(len(THEME_KEYS))]))
    return _unit(centroids - centroids.mean(axis=0))


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


_MODELS: dict[tuple[str, int], ThemeModel] = {}
_MODELS_LOCK = threading.Lock()


def theme_model(embedder: Embedder) -> ThemeModel:
    """The model built from the bundled trust notes and the descriptions (once per model).

    Falls back to the descriptions alone when the bundled notes cannot be read.
    """
    key = (embedder.name, int(embedder.dim))
    with _MODELS_LOCK:
        if key not in _MODELS:
            sections, gold = labelled_sections(_bundled_chunks())
            vectors, words = section_vectors(sections, embedder), section_words(sections)
            groups = [s.group for s in sections]
            _MODELS[key] = fit_model(vectors, groups, gold, embedder, words)
        return _MODELS[key]


def _bundled_chunks() -> list[Chunk]:
    """Chunks of the bundled corpus's trust notes ([] when they cannot be read)."""
    from corpus import load_paths
    from dia.settings import bundled_corpus_dir

    try:
        documents = load_paths([bundled_corpus_dir()], 20_000_000).documents
    except OSError:
        return []
    config = ChunkerConfig()
    return [c for d in documents if d.kind == NOTES_KIND for c in chunk_document(d, config)]

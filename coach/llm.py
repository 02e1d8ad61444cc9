"""LLM backends behind LangChain's chat-model interface, chosen by `COACH_LLM`.

    extractive                 no LLM (the default)
    ollama:MODEL               an Ollama server (langchain-ollama, extra `[ollama]`)
    openai:MODEL               any OpenAI-compatible server (langchain-openai, extra `[openai]`)
    llamacpp:/path/model.gguf  in process through llama-cpp-python (extra `[local]`)

Everything else in the coach sees plain strings: `stream_reply` turns a chat model and a
(system, user) pair into text pieces, with one deadline for the whole reply, and raises
`LLMFailure` when the backend cannot be reached or is too slow.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from coach.errors import CoachError
from coach.settings import Settings
from coach.types import GenerationStats

# The package each backend imports, and the extra that installs it.
EXTRAS = {
    "ollama": ("langchain_ollama", "ollama"),
    "openai": ("langchain_openai", "openai"),
    "llamacpp": ("llama_cpp", "local"),
}
LLAMACPP_CONTEXT = 4096  # tokens: five passages and the prompt fit with room to answer


class LLMConfigError(CoachError):
    """The configured backend cannot be used as set up (missing extra, missing file)."""


class LLMFailure(CoachError):
    """One request failed (unreachable, refused, too slow). Callers fall back."""

    def __init__(self, message: str, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


@dataclass(frozen=True)
class Backend:
    kind: str  # extractive | ollama | openai | llamacpp
    target: str = ""  # the model name, or the .gguf path

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.target}" if self.target else self.kind


def parse_backend(spec: str) -> Backend:
    kind, _, target = spec.strip().partition(":")
    if kind == "extractive" and not target:
        return Backend("extractive")
    if kind not in EXTRAS or not target.strip():
        raise LLMConfigError(
            f"COACH_LLM={spec!r}: use extractive, ollama:MODEL, openai:MODEL or "
            "llamacpp:/path/model.gguf"
        )
    return Backend(kind, target.strip())


def require_extra(backend: Backend) -> None:
    module, extra = EXTRAS[backend.kind]
    if find_spec(module) is None:
        raise LLMConfigError(
            f"COACH_LLM={backend.label} needs the `{extra}` extra: "
            f"pip install 'mentor-coach[{extra}]' (or `pip install -e '.[{extra}]'` here)."
        )


def default_threads() -> int:
    return max(1, (os.cpu_count() or 2) - 1)


def chat_model(settings: Settings) -> BaseChatModel | None:
    """The chat model `COACH_LLM` names, or None for the extractive answerer."""
    backend = parse_backend(settings.llm)
    if backend.kind == "extractive":
        return None
    require_extra(backend)
    timeout = settings.llm_timeout
    if backend.kind == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(
            model=backend.target,
            base_url=settings.ollama_url,
            temperature=settings.llm_temperature,
            num_predict=settings.llm_max_tokens,
            client_kwargs={"timeout": timeout},
        )
    if backend.kind == "openai":
        from langchain_openai import ChatOpenAI

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        if not key and settings.openai_url:
            key = "unused"  # local servers take no key, but the client insists on one
        if not key and not os.environ.get("OPENAI_API_KEY"):
            raise LLMConfigError(
                f"COACH_LLM={backend.label} needs an API key: set COACH_OPENAI_API_KEY, or "
                "COACH_OPENAI_URL for a local server."
            )
        # langchain-openai sends the limit as `max_completion_tokens`, which OpenAI wants
        # but llama.cpp's server (among others) silently ignores: other servers get the
        # older `max_tokens`, which they all read.
        limit: dict[str, Any] = (
            {"extra_body": {"max_tokens": settings.llm_max_tokens}}
            if settings.openai_url
            else {"max_tokens": settings.llm_max_tokens}
        )
        return ChatOpenAI(
            model=backend.target,
            base_url=settings.openai_url,
            api_key=key,
            temperature=settings.llm_temperature,
            timeout=timeout,
            max_retries=0,  # a retry would only spend the user's time budget twice
            **limit,
        )
    path = Path(backend.target).expanduser()
    if not path.is_file():
        raise LLMConfigError(f"COACH_LLM={backend.label}: no model file at {path}")
    return LlamaCppChat(
        model_path=str(path),
        n_threads=settings.llm_threads or default_threads(),
        max_tokens=settings.llm_max_tokens,
        temperature=settings.llm_temperature,
    )


class LlamaCppChat(BaseChatModel):
    """A GGUF model run in process by llama-cpp-python, as a LangChain chat model.

    Small on purpose: the chat template comes from the GGUF file, and one lock keeps
    requests from different threads (the web app) off the single model instance."""

    model_path: str
    n_threads: int = 1
    n_ctx: int = LLAMACPP_CONTEXT
    max_tokens: int = 400
    temperature: float = 0.2
    _llama: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    def _model(self) -> Any:
        if self._llama is None:
            from llama_cpp import Llama

            self._llama = Llama(
                model_path=self.model_path,
                n_ctx=self.n_ctx,
                n_threads=self.n_threads,
                n_threads_batch=self.n_threads,
                verbose=False,
            )
        return self._llama

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(str(c.message.content) for c in self._stream(messages, stop, run_manager))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        roles = {"system": "system", "human": "user", "ai": "assistant"}
        chat = [{"role": roles.get(m.type, "user"), "content": str(m.content)} for m in messages]
        with self._lock:
            pieces = self._model().create_chat_completion(
                messages=chat,
                stream=True,
                max_tokens=self.max_tokens,
                temperature=self.temperature,
                stop=stop,
            )
            for piece in pieces:
                delta = piece["choices"][0].get("delta", {}).get("content")
                if not delta:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content)
    return ""


def stream_reply(
    model: BaseChatModel,
    system: str,
    user: str,
    timeout: float,
    stats: GenerationStats | None = None,
) -> Iterator[str]:
    """Yield the model's reply piece by piece, within `timeout` seconds for the whole reply.

    The model runs in a worker thread so a hung connection or a slow local model cannot
    hold the caller past the deadline; closing this generator tells the worker to stop at
    its next piece. Any backend error becomes `LLMFailure`."""
    pieces: queue.Queue[tuple[str, Any]] = queue.Queue()
    stop = threading.Event()
    messages = [SystemMessage(content=system), HumanMessage(content=user)]

    def work() -> None:
        try:
            for chunk in model.stream(messages):
                if stop.is_set():
                    return
                text = _text(chunk.content)
                if text:
                    pieces.put(("text", text))
            pieces.put(("done", None))
        except BaseException as exc:  # handed to the caller's thread, which decides
            pieces.put(("error", exc))

    started = time.perf_counter()
    threading.Thread(target=work, name="coach-llm", daemon=True).start()
    try:
        while True:
            remaining = timeout - (time.perf_counter() - started)
            try:
                kind, value = pieces.get(timeout=max(remaining, 0.0))
            except queue.Empty:
                raise LLMFailure(
                    f"the language model took longer than {timeout:g} s", timed_out=True
                ) from None
            if kind == "done":
                return
            if kind == "error":
                raise _failure(value) from value
            if stats is not None:
                now = time.perf_counter() - started
                if stats.first_token_s is None:
                    stats.first_token_s = now
                stats.seconds = now
                stats.tokens += 1
            yield value
    finally:
        stop.set()


def _failure(exc: BaseException) -> LLMFailure:
    name = exc.__class__.__name__
    if "timeout" in name.lower():
        return LLMFailure(f"the language model timed out ({name})", timed_out=True)
    if "connect" in name.lower() or isinstance(exc, ConnectionError | OSError):
        return LLMFailure(f"the language model could not be reached ({name})")
    detail = " ".join(str(exc).split())[:160]
    return LLMFailure(f"the language model failed ({name}: {detail})")

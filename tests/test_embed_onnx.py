"""The ONNX Runtime embedding backend gives the torch backend's vectors and rankings.

The tolerance: cosine >= 0.9999 between the two backends' vectors for every chunk of the
built-in corpus and every advice question, and the same top-5 passages, in the same
order, for every question in evals/cases/advice.jsonl.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from coach.embed import BACKENDS, ONNX_MIN_COSINE, Embedder
from coach.settings import PROJECT_ROOT, Settings

ADVICE = PROJECT_ROOT / "evals" / "cases" / "advice.jsonl"


def test_backend_and_cache_come_from_the_settings(monkeypatch, tmp_path: Path) -> None:
    from coach.settings import get_settings

    get_settings.cache_clear()
    monkeypatch.delenv("COACH_EMBED_BACKEND", raising=False)
    assert Settings().embed_backend == "onnx" and Embedder().backend == "onnx"
    monkeypatch.setenv("COACH_EMBED_BACKEND", "torch")
    monkeypatch.setenv("COACH_MODEL_CACHE", str(tmp_path))
    get_settings.cache_clear()
    e = Embedder()
    assert (e.backend, e.cache_dir, e.batch_size) == ("torch", tmp_path, 32)
    monkeypatch.setenv("COACH_EMBED_BACKEND", "tensorflow")
    with pytest.raises(ValueError, match="onnx"):
        Settings()
    get_settings.cache_clear()
    assert BACKENDS == ("torch", "onnx")


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown embedding backend"):
        Embedder(backend="tpu")


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def backends(model_cache: Path) -> tuple[Embedder, Embedder]:
    torch_e = Embedder(backend="torch")
    onnx_e = Embedder(backend="onnx", cache_dir=model_cache)
    onnx_e.encode(["exported once, checked against torch"])
    return torch_e, onnx_e


@pytest.mark.slow
def test_onnx_vectors_match_torch_on_the_corpus(backends, tmp_path: Path) -> None:
    from coach.facade import Coach

    torch_e, onnx_e = backends
    coach = Coach(Settings(home=tmp_path / "home", log_turns=False), embedder=onnx_e)
    coach.ingest()
    texts = [c.embed_text() for c in coach.store.chunks().values()]
    questions = [json.loads(line)["question"] for line in ADVICE.read_text().splitlines()]
    assert len(texts) > 100 and len(questions) > 100
    for batch in (texts, questions):
        a, b = torch_e.encode(batch), onnx_e.encode(batch)
        assert b.shape == a.shape and b.dtype == np.float32
        assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
        assert float(np.min(np.sum(a * b, axis=1))) >= ONNX_MIN_COSINE


def exact_dense(store, vectors: dict[str, np.ndarray]):
    """Exhaustive cosine search in place of Chroma's HNSW, whose approximate results can
    differ between two builds of the same index: the comparison is of the embedders only."""
    from coach.store import matches
    from coach.types import Filters

    def search(vector: np.ndarray, n: int, filters: Filters = Filters()):
        ids = [cid for cid, chunk in store.chunks().items() if matches(chunk, filters)]
        sims = np.array([float(vectors[cid] @ vector) for cid in ids])
        order = np.argsort(-sims, kind="stable")[:n]
        return [(ids[i], float(sims[i])) for i in order]

    return search


@pytest.mark.slow
def test_onnx_ranks_the_advice_questions_like_torch(backends, tmp_path: Path) -> None:
    from coach.facade import Coach

    questions = [json.loads(line)["question"] for line in ADVICE.read_text().splitlines()]
    home = tmp_path / "home"
    Coach(Settings(home=home, log_turns=False), embedder=backends[1]).ingest()
    tops = []
    for embedder in backends:
        coach = Coach(Settings(home=home, log_turns=False), embedder=embedder)
        chunks = coach.store.chunks()
        encoded = embedder.encode([c.embed_text() for c in chunks.values()])
        coach.store.dense_search = exact_dense(coach.store, dict(zip(chunks, encoded, strict=True)))
        tops.append([[p.id for p in coach.retrieve(q).passages[:5]] for q in questions])
    differ = [q for q, a, b in zip(questions, *tops, strict=True) if a != b]
    assert len(questions) > 100 and not differ, differ


@pytest.mark.slow
def test_onnx_backend_runs_without_torch(backends, model_cache: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from coach.embed import Embedder\n"
        f"e = Embedder(backend='onnx', cache_dir=Path({str(model_cache)!r}))\n"
        "assert e.encode(['How often should I meet my mentor?']).shape == (1, 384)\n"
        "assert e.count_tokens('How often should I meet my mentor?') == 10\n"
        "heavy = {'torch', 'transformers', 'sentence_transformers'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.slow
def test_a_bad_export_is_not_kept(
    backends, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import coach.embed as embed

    monkeypatch.setattr(embed, "ONNX_MIN_COSINE", 1.01)  # no export can pass this
    target = tmp_path / "models" / "model.onnx"
    with pytest.raises(RuntimeError, match="differs from torch"):
        embed.export_onnx(target, reference=backends[0])
    assert not target.exists() and not list(target.parent.glob("*.onnx"))


@pytest.mark.slow
def test_a_failed_export_falls_back_to_torch_with_a_note(
    backends, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    import coach.embed as embed

    monkeypatch.setattr(embed, "ONNX_MIN_COSINE", 1.01)
    e = Embedder(backend="onnx", cache_dir=tmp_path / "models")
    vector = e.encode(["How often should I meet my mentor?"])
    assert e.backend == "torch" and "ONNX embedder is unavailable" in caplog.text
    expected = backends[0].encode(["How often should I meet my mentor?"])
    np.testing.assert_allclose(vector, expected, atol=1e-6)

"""The learned section ranker: its features, its fit, and the shipped weights."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from coach.phrasings import PhrasingIndex, SectionPhrasings
from coach.rank import (
    CLASSIFIER_FLOOR,
    CLASSIFIER_SCALE,
    FEATURES,
    MODEL_FILE,
    RankModel,
    SectionClassifier,
    fit,
    load_classifier,
    load_model,
    section_features,
)
from coach.settings import PROJECT_ROOT

TRAIN = sorted((PROJECT_ROOT / "evals" / "ranking").glob("train-*.jsonl"))
PHRASINGS = sorted((PROJECT_ROOT / "corpus" / "phrasings").glob("*"))


def test_fit_learns_which_feature_picks_the_section():
    rng = np.random.default_rng(0)
    matrices, wanted = [], []
    for _ in range(60):
        x = rng.normal(size=(8, 3))
        y = np.zeros(8, dtype=bool)
        y[int(np.argmax(x[:, 1]))] = True  # only the second feature says which section
        matrices.append(x)
        wanted.append(y)
    w = fit(matrices, wanted, l2=1e-3)
    assert abs(w[1]) > 3 * max(abs(w[0]), abs(w[2]))
    hits = [bool(y[int(np.argmax(x @ w))]) for x, y in zip(matrices, wanted, strict=True)]
    assert sum(hits) >= 0.95 * len(hits)


def test_section_features_read_each_signal(fake_embedder, tmp_path):
    sections = [
        SectionPhrasings("pay", "How do I ask for a raise?", "mentee", ("raise salary ask",)),
        SectionPhrasings(
            "pay", "How do I coach a mentee on pay?", "mentor", ("mentee pay coaching", "x y")
        ),
        SectionPhrasings("trips", "Where should the offsite be?", "anyone", ("offsite venue",)),
    ]
    index = PhrasingIndex(sections, fake_embedder, tmp_path)
    vector = fake_embedder.encode(["raise salary ask"])[0]
    section_of = {"c1": "pay#How do I ask for a raise?", "c3": "trips#Where should the offsite be?"}
    dense = [("c1", 0.8), ("u9", 0.5), ("c3", 0.3)]  # u9: an upload, in no section
    bm25 = [("c3", 4.0), ("c1", 2.0)]
    keys, x = section_features(index, vector, dense, bm25, section_of, asker="mentee")
    col = {name: x[:, i] for i, name in enumerate(FEATURES)}
    assert keys == [s.key for s in sections]
    assert col["phrasing"][0] == pytest.approx(1.0, abs=1e-5)  # the question is its phrasing
    assert col["dense"].tolist() == pytest.approx([0.8, 0.3, 0.3])  # unseen: the weakest's
    assert col["bm25"].tolist() == pytest.approx([0.5, 0.0, 1.0])  # over the best BM25 score
    assert col["other_side"].tolist() == [0.0, 1.0, 0.0]  # mentor advice, a mentee asking
    # The second section's best phrasing is weaker than the first's, and a guide's own
    # features are the best of its sections.
    assert col["phrasing_2nd"][1] <= col["phrasing"][1]
    assert col["guide_phrasing"][1] == pytest.approx(col["phrasing"][0])
    assert col["guide_dense"].tolist() == pytest.approx([0.8, 0.8, 0.3])
    # Without a classifier its column is the same for every section: no say in a softmax.
    assert col["classifier"].tolist() == [CLASSIFIER_FLOOR / CLASSIFIER_SCALE] * 3

    # A classifier fitted on the phrasings and headings puts the question's section first.
    texts = [t for s in sections for t in (*s.phrasings, s.heading)]
    labels = [s.key for s in sections for _ in (*s.phrasings, s.heading)]
    learned = SectionClassifier.fit(fake_embedder.encode(texts), labels, c=30.0)
    _, x = section_features(index, vector, dense, bm25, section_of, "mentee", learned)
    scores = x[:, FEATURES.index("classifier")] * CLASSIFIER_SCALE
    assert int(np.argmax(scores)) == 0
    assert np.exp(scores).sum() == pytest.approx(1.0, abs=1e-6)  # log-probabilities


def test_the_classifier_gives_a_section_it_never_saw_the_floor():
    model = SectionClassifier(("a#x", "b#y"), np.eye(2, 3), np.zeros(2), {})
    logp = model.log_probs(np.array([5.0, 0.0, 0.0]), ["b#y", "c#new", "a#x"])
    assert logp[1] == CLASSIFIER_FLOOR
    assert logp[2] > logp[0] and np.exp(logp[[0, 2]]).sum() == pytest.approx(1.0)


def test_the_shipped_classifier_knows_every_section_and_its_training():
    """Fails when sections, phrasings or training questions change without retraining:
    run `.venv/bin/python evals/train_ranker.py --write`."""
    from coach.phrasings import load_all

    model = load_classifier()
    assert model is not None
    known = {s.key for s in load_all(PROJECT_ROOT / "corpus" / "phrasings")}
    assert set(model.keys) == known and model.weights.shape == (len(known), 384)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in TRAIN)).hexdigest()
    own = hashlib.sha256(b"".join(p.read_bytes() for p in PHRASINGS)).hexdigest()
    assert model.meta["training_sha256"] == digest and model.meta["phrasings_sha256"] == own


def test_the_shipped_ranker_is_trained_on_the_current_questions():
    """Fails when the training questions or the features change without retraining: run
    `.venv/bin/python evals/train_ranker.py --write`."""
    model = load_model()
    assert model is not None
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in TRAIN)).hexdigest()
    assert model.meta["training_sha256"] == digest
    assert len(model.weights) == len(FEATURES)
    # The evidence that a section answers weighs for it; the other side's, against it.
    w = dict(zip(FEATURES, model.weights, strict=True))
    assert w["dense"] > 0 and w["phrasing"] > 0 and w["other_side"] < 0


def test_the_training_questions_name_real_sections():
    from coach.phrasings import load_all

    known = {s.key for s in load_all(PROJECT_ROOT / "corpus" / "phrasings")}
    rows = [json.loads(ln) for p in TRAIN for ln in p.read_text("utf-8").splitlines() if ln]
    assert len(rows) >= 600
    assert {s for r in rows for s in r["sections"]} <= known


def test_a_model_for_other_features_is_refused(tmp_path):
    path = tmp_path / "rank.json"
    path.write_text(json.dumps({"features": ["dense"], "weights": [1.0]}), "utf-8")
    with pytest.raises(ValueError, match="retrain"):
        RankModel.from_json(json.loads(path.read_text("utf-8")))
    assert MODEL_FILE.is_file()


def test_the_classifier_is_left_out_over_another_corpus(fake_embedder, tmp_path):
    """It was trained on the built-in sections; over other phrasings it would favour the
    sections it happens to know, so retrieval goes without it."""
    from coach.phrasings import load_all
    from coach.retrieve import Retriever

    other = [SectionPhrasings("pay", "How do I ask for a raise?", "mentee", ("raise please",))]
    own = PhrasingIndex(other, fake_embedder, tmp_path)
    assert Retriever(None, None, own).classifier is None  # type: ignore[arg-type]
    builtin = PhrasingIndex(
        load_all(PROJECT_ROOT / "corpus" / "phrasings"), fake_embedder, tmp_path
    )
    assert Retriever(None, None, builtin).classifier is load_classifier()  # type: ignore[arg-type]

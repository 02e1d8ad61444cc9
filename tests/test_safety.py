"""The safety module: the trained model matches its data, its word features match
scikit-learn's, the lexicon backstop holds, and the prompt file covers every category.
Classification itself is tested on the real embedder (slow)."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest

from coach.prompts import PromptError, load_safety
from coach.safety import (
    LABELS,
    MODEL_FILE,
    SENSITIVE,
    SafetyModel,
    Thresholds,
    WordFeatures,
    fit_words,
    load_model,
    read_examples,
    training_hash,
)
from coach.settings import PROJECT_ROOT

TRAIN = PROJECT_ROOT / "evals" / "safety" / "train.jsonl"


def _trainer():
    spec = importlib.util.spec_from_file_location(
        "train_safety", PROJECT_ROOT / "evals" / "train_safety.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_the_shipped_model_was_trained_on_the_data_in_the_repo():
    """Editing the training messages or the corpus headings without retraining fails here:
    run `.venv/bin/python evals/train_safety.py --write`."""
    model = load_model()
    trainer = _trainer()
    asked = trainer.asked_questions() if model.meta.get("ranker_questions") else []
    extra = trainer.corpus_questions() + asked
    assert model.meta["training_sha256"] == training_hash(TRAIN, extra)
    assert model.labels == LABELS
    assert model.weights.shape == (len(LABELS), 384 + len(model.words.vocabulary))


def test_the_training_data_is_big_and_varied_enough():
    examples = read_examples(TRAIN)
    counts = {lb: sum(1 for _, x in examples if x == lb) for lb in LABELS}
    assert len(examples) >= 600
    assert all(counts[c] >= 40 for c in SENSITIVE), counts
    assert len({t.lower() for t, _ in examples}) == len(examples)  # no duplicates


def test_no_training_message_is_also_an_eval_case():
    trained = {t.lower() for t, _ in read_examples(TRAIN)}
    cases = PROJECT_ROOT / "evals" / "cases" / "safety.jsonl"
    dev = {json.loads(line)["question"].lower() for line in cases.read_text().splitlines()}
    assert dev and not trained & dev


def test_word_features_match_scikit_learn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [
        "My mentor cancelled again, and again.",
        "How do I ask for a raise?",
        "my boss keeps shouting at me",
        "Ask your mentor how often to meet.",
    ]
    ours = fit_words(texts, scale=1.0, min_df=1)
    reference = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(texts)
    probe = ["my mentor keeps cancelling again again", "a raise, please", "nothing known"]
    expected = reference.transform(probe).toarray()
    order = [reference.vocabulary_[t] for t in sorted(ours.vocabulary, key=ours.vocabulary.get)]
    assert np.allclose(ours.transform(probe), expected[:, order], atol=1e-6)


def _flat_model(winner: str) -> SafetyModel:
    """A model that ignores its input and always gives `winner` most of the probability."""
    words = WordFeatures({"mentor": 0}, np.ones(1), 1.0)
    bias = np.array([4.0 if lb == winner else 0.0 for lb in LABELS])
    return SafetyModel(np.zeros((len(LABELS), 385)), bias, LABELS, Thresholds(0.5, 0.5, 0.5), words)


@pytest.mark.parametrize(
    "text", ["I keep thinking about suicide", "honestly i want to die", "thinking of self-harm"]
)
def test_the_crisis_lexicon_is_a_backstop_when_the_classifier_misses(text):
    decision = _flat_model("career").decide(text, np.zeros(384))
    assert decision.category == "crisis" and decision.backstop


def test_a_message_the_classifier_calls_sensitive_gets_that_category():
    decision = _flat_model("bullying").decide("anything at all", np.zeros(384))
    assert decision.category == "bullying" and not decision.small_talk


def test_small_talk_is_only_a_short_message():
    model = _flat_model("smalltalk")
    assert model.decide("thanks!", np.zeros(384)).small_talk
    long = "thanks, and also how do I prepare for my first meeting with a new mentor next week"
    assert not model.decide(long, np.zeros(384)).small_talk


def test_the_model_round_trips_through_json(tmp_path):
    model = load_model()
    path = tmp_path / "model.json"
    model.save(path)
    again = SafetyModel.from_json(json.loads(path.read_text()))
    vec = np.random.default_rng(0).normal(size=(1, 384)).astype(np.float32)
    text = ["my mentor keeps asking me out"]
    assert np.allclose(
        again.probabilities(again.features(text, vec)),
        model.probabilities(model.features(text, vec)),
        atol=1e-5,
    )
    # It ships in the package: 1.2 MB with the ranker's questions in the vocabulary.
    assert MODEL_FILE.stat().st_size < 1_500_000


def test_the_safety_prompt_covers_every_category_and_cites_nothing(tmp_path):
    prompt = load_safety(PROJECT_ROOT / "prompts", "safety@v1")
    assert set(prompt.categories) == set(SENSITIVE)
    for category in prompt.categories.values():
        assert category.opening and "[" not in category.opening
    # Crisis wording points to emergency services and a crisis line, with no made-up number.
    crisis = prompt.categories["crisis"].opening
    assert "emergency services" in crisis and "crisis line" in crisis
    assert not any(ch.isdigit() for ch in crisis)
    bad = (PROJECT_ROOT / "prompts" / "safety@v1.yaml").read_text()
    bad = bad.replace("  mentor-boundaries:", "  mentor-boundariez:")
    (tmp_path / "safety@v1.yaml").write_text(bad)
    with pytest.raises(PromptError, match="mentor-boundaries"):
        load_safety(tmp_path, "safety@v1")


@pytest.mark.slow
def test_the_classifier_on_the_real_embedder(real_coach):
    """A few messages written for this test: plain cases both ways, and a sensitive one
    that never names its problem."""
    safety = real_coach.safety
    assert safety.assess(
        "my supervisor grabbed my waist at the party and now texts me at night"
    ).category
    assert (
        safety.assess(
            "i don't see the point in waking up any more, everyone would cope fine without me"
        ).category
        == "crisis"
    )
    assert (
        safety.assess("How should I prepare for my first meeting with a mentor?").category is None
    )
    assert safety.assess("what is a good recipe for lentil soup").label == "offtopic"
    assert safety.assess("cheers, that's all").small_talk

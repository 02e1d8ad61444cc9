"""Other ways of asking each section's question, as extra vectors that point at the section.

A guide's `##` section answers one question, but mentees ask it in their own words, which
often share none with the heading. `corpus/phrasings/<guide>.yaml` gives every section of
a built-in guide 4-6 phrasings, in mentees' (and mentors') words, and the perspective the
section is written for. They are never shown: each is embedded, and a question close to
any phrasing of a section lifts that section's passages in retrieval (multi-vector
retrieval, as with hypothetical questions).

The vectors are kept in `COACH_HOME/phrasings-<hash>.npy`, named by a hash of the
phrasings and the embedder, so they are embedded once per change, in any replica.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

PERSPECTIVES = ("mentee", "mentor", "manager", "anyone")


@dataclass(frozen=True)
class SectionPhrasings:
    guide: str  # the guide's file name without .md
    heading: str  # the section heading, exactly as in the guide
    perspective: str
    phrasings: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.guide}#{self.heading}"


class PhrasingError(ValueError):
    pass


def read_file(path: Path) -> list[SectionPhrasings]:
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    guide = str(data.get("guide") or path.stem)
    out = []
    for n, item in enumerate(data.get("sections") or [], 1):
        heading = str(item.get("heading") or "").strip()
        perspective = str(item.get("perspective") or "anyone")
        phrasings = tuple(str(p).strip() for p in item.get("phrasings") or [] if str(p).strip())
        if not heading or perspective not in PERSPECTIVES or not phrasings:
            raise PhrasingError(
                f"{path.name}: section {n} needs a heading, a perspective "
                f"({', '.join(PERSPECTIVES)}) and phrasings"
            )
        out.append(SectionPhrasings(guide, heading, perspective, phrasings))
    return out


def load_all(folder: Path) -> list[SectionPhrasings]:
    out: list[SectionPhrasings] = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.yaml")):
            out.extend(read_file(path))
    return out


class PhrasingIndex:
    """Section keys, their perspectives, and a matrix of phrasing vectors."""

    def __init__(self, sections: list[SectionPhrasings], embedder: Any, cache_dir: Path) -> None:
        self.sections = {s.key: s for s in sections}
        self._embedder = embedder
        self._cache_dir = cache_dir
        self._lock = threading.Lock()
        self._matrix: np.ndarray | None = None
        # Rows are grouped by section: the keys in order and where each group starts.
        self._keys: list[str] = []
        self._starts = np.zeros(0, dtype=np.intp)

    def perspective(self, key: str) -> str:
        s = self.sections.get(key)
        return s.perspective if s else "anyone"

    def _load(self) -> np.ndarray:
        with self._lock:
            if self._matrix is not None:
                return self._matrix
            texts: list[str] = []
            owner: list[str] = []
            for key, s in self.sections.items():
                for p in s.phrasings:
                    texts.append(p)
                    owner.append(key)
            name = getattr(self._embedder, "name", type(self._embedder).__name__)
            digest = hashlib.sha256("\n".join([str(name), *texts]).encode()).hexdigest()[:16]
            path = self._cache_dir / f"phrasings-{digest}.npy"
            matrix: np.ndarray | None = None
            if path.is_file():
                try:
                    matrix = np.load(path)
                except (OSError, ValueError):
                    matrix = None
            if matrix is None or len(matrix) != len(texts):
                matrix = (
                    self._embedder.encode(texts)
                    if texts
                    else np.zeros((0, getattr(self._embedder, "dim", 384)), dtype=np.float32)
                )
                self._cache_dir.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp.npy")
                np.save(tmp, matrix)
                tmp.replace(path)
            self._keys = list(dict.fromkeys(owner))
            self._starts = np.array(
                [i for i, key in enumerate(owner) if i == 0 or owner[i - 1] != key], dtype=np.intp
            )
            self._matrix = np.asarray(matrix, dtype=np.float32)
            return self._matrix

    def scores(self, vector: np.ndarray) -> dict[str, float]:
        """Each section's best cosine between the question and one of its phrasings."""
        matrix = self._load()
        if not len(matrix):
            return {}
        # One max per section group in numpy: a Python loop over 1,700 rows cost 5 ms a search.
        best = np.maximum.reduceat(matrix @ vector, self._starts)
        return dict(zip(self._keys, best.tolist(), strict=True))

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
        self._headings = np.zeros((0, 0), dtype=np.float32)  # one row per section, in key order
        # Rows are grouped by section: the keys in order and where each group starts.
        self._keys: list[str] = []
        self._starts = np.zeros(0, dtype=np.intp)
        self._guides = np.zeros(0, dtype=np.intp)
        self._sides: list[str] = []

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
            # The headings themselves follow the phrasings, one row per section.
            texts += [s.heading for s in self.sections.values()]
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
            guides = list(dict.fromkeys(self.sections[k].guide for k in self._keys))
            self._guides = np.array(
                [guides.index(self.sections[k].guide) for k in self._keys], dtype=np.intp
            )
            self._sides = [self.sections[k].perspective for k in self._keys]
            matrix = np.asarray(matrix, dtype=np.float32)
            self._headings = matrix[len(owner) :]
            self._matrix = matrix[: len(owner)]
            return self._matrix

    def keys(self) -> list[str]:
        """Section keys, in the order of every per-section array here."""
        self._load()
        return self._keys

    def guide_index(self) -> np.ndarray:
        """For each section, the number of its guide."""
        self._load()
        return self._guides

    def sides(self) -> list[str]:
        """Each section's perspective (in `keys()` order)."""
        self._load()
        return self._sides

    def profile(self, vector: np.ndarray) -> tuple[np.ndarray, ...]:
        """Per section: the best, second-best and mean cosine to its phrasings, and the
        cosine to its heading (arrays in `keys()` order)."""
        matrix = self._load()
        sims = matrix @ vector
        starts = self._starts
        sizes = np.diff(np.append(starts, len(sims)))
        best = np.maximum.reduceat(sims, starts)
        # The second best: mask each group's (first) best row, then take the max again.
        rows = np.arange(len(sims))
        at_best = sims == np.repeat(best, sizes)
        first = np.minimum.reduceat(np.where(at_best, rows, len(sims)), starts)
        masked = sims.copy()
        masked[first] = -np.inf
        second = np.where(sizes > 1, np.maximum.reduceat(masked, starts), best)
        mean = np.add.reduceat(sims, starts) / sizes
        return best, second, mean, self._headings @ vector

    def scores(self, vector: np.ndarray) -> dict[str, float]:
        """Each section's best cosine between the question and one of its phrasings."""
        matrix = self._load()
        if not len(matrix):
            return {}
        # One max per section group in numpy: a Python loop over 1,700 rows cost 5 ms a search.
        best = np.maximum.reduceat(matrix @ vector, self._starts)
        return dict(zip(self._keys, best.tolist(), strict=True))

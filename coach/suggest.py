"""Suggested next questions: neighbouring sections of the guides behind an answer.

Every `##` heading of a built-in guide is a question it answers, so the suggestions are
those headings: from the guides the answer cites and the guides that share their topics,
closest to the conversation first (by the sections' phrasings), never a section the
conversation has already been answered from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import numpy as np

from coach.phrasings import PhrasingIndex
from coach.retrieve import section_key
from coach.safety import ESCALATION_TOPIC
from coach.types import Chunk, Suggestion

SUGGESTIONS = 3
# A section of a guide the answer cites beats one that only shares a topic with it.
SAME_GUIDE = 0.1


def suggest(
    vector: np.ndarray,
    cited: Iterable[str],
    chunks: dict[str, Chunk],
    phrasings: PhrasingIndex | None,
    answered: Collection[str] = (),
    k: int = SUGGESTIONS,
) -> list[Suggestion]:
    """Up to `k` questions to ask next. `cited` holds the section keys of the answer (or
    of the conversation's topic), `answered` every section the conversation has shown."""
    cited = [c for c in cited if c]
    if not cited or phrasings is None:
        return []
    sections: dict[str, Chunk] = {}  # the first chunk of each built-in guide section
    for c in chunks.values():
        if c.kind == "guide" and not c.owner and c.section.endswith("?"):
            key = section_key(c)
            if key not in sections or c.ord < sections[key].ord:
                sections[key] = c
    guides = {key.split("#", 1)[0] for key in cited}
    topics = {t for key in cited if key in sections for t in sections[key].topics}
    helping = any(ESCALATION_TOPIC in sections[key].topics for key in cited if key in sections)
    sims = phrasings.scores(vector)
    skip = set(cited) | set(answered)
    scored: list[tuple[float, str]] = []
    for key, chunk in sections.items():
        if key in skip or key not in sims:
            continue
        if ESCALATION_TOPIC in chunk.topics and not helping:
            continue  # help for serious situations is never offered as a next step
        same = key.split("#", 1)[0] in guides
        if not same and not topics & set(chunk.topics):
            continue
        scored.append((sims[key] + SAME_GUIDE * same, key))
    scored.sort(key=lambda s: (-s[0], s[1]))
    out: list[Suggestion] = []
    seen: set[str] = set()
    for _, key in scored:
        chunk = sections[key]
        text = " ".join(chunk.section.split())
        if text.lower() in seen:
            continue  # two guides can ask the same question
        seen.add(text.lower())
        out.append(Suggestion(text=text, section=key, title=chunk.title, topics=chunk.topics))
        if len(out) >= k:
            break
    return out

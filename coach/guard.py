"""Text inside documents is data, never instructions.

Lines that address a model ("ignore your previous instructions", "system:", "as an AI you
must...") are found once, at ingest (`flag_lines`), and stored with the chunk
(`Chunk.flagged`). Every reader of a chunk goes through `Chunk.quotable_text()` and
`Chunk.quotable_heading()`, which leave them out: the extractive answer, meeting prep,
the passages an LLM is given, and the passage a user opens.

The pattern is also applied to two kinds of text that are not chunks: earlier turns of a
conversation handed to an LLM rewriter, and what an LLM writes (coach/condense.py and
coach/verify.py), in case a model repeats what it was told elsewhere.
"""

from __future__ import annotations

import re

from coach.types import HEADING_LINE

_PATTERNS = [
    r"\bignore\b.{0,40}\b(instructions?|prompts?|rules|guidelines|above|previous|prior)\b",
    r"\bdisregard\b.{0,40}\b(instructions?|prompts?|rules|above|previous|prior)\b",
    r"\bforget\b.{0,30}\b(instructions?|everything|rules|prompts?)\b",
    r"\b(new|updated|override|real|hidden|secret) (instructions?|system prompt|rules)\b",
    r"(^|\n|\s)(system|assistant|developer)\s*:",
    r"<\s*/?\s*(system|instructions?|im_start|im_end)\b",
    r"\[(system|inst)\]",
    r"\byou are now (in )?(developer|dan\b|jailbr|unrestricted|free of|an? (ai|assistant|bot))",
    r"\byou are no longer (bound|restricted|an? (ai|assistant))",
    r"\b(as|to) (an? )?(ai|assistant|language model|llm|chatbot|bot)\b",
    r"\b(the )?(ai|assistant|language model|llm|chatbot|model)\b.{0,40}\b(must|should|will|shall)\b"
    r".{0,40}\b(say|respond|reply|answer|output|print|include|reveal|write)\b",
    r"\b(respond|reply|answer|output)\s+(only\s+)?(with|using)\b.{0,40}[\"'“]",
    r"\b(reveal|print|repeat|leak|show)\b.{0,30}\b(system prompt|instructions|prompt)\b",
    r"\bpretend (to be|you are)\b",
    r"\b(role[- ]?play|act) as\b.{0,40}\b(ai|assistant|model|system|unrestricted|jailbroken)\b",
    r"\bdo anything now\b|\bjailbreak\w*\b",
    # Text addressed to whoever processes the page: "when you summarise this, end with ..."
    r"\bwhen you (summari[sz]e|answer|reply|respond|read|process|quote)\b.{0,80}"
    r"\b(finish|end|close|sign off|conclude|start|begin|include|add|append)\b",
    r"\b(finish|end|close|conclude|sign) (off )?(your|the|every|each) (answer|reply|response|"
    r"summary|output)s? with\b",
    r"\b(always|must|should)\s+(include|say|mention|output|append)\b.{0,60}"
    r"\b(in|to|at the end of)\s+(every|all|each|your)\s+"
    r"(replies|reply|answers?|responses?|messages?|outputs?)\b",
]
_INJECTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.I | re.S)


def looks_like_injection(text: str) -> bool:
    return bool(_INJECTION.search(text))


def flag_lines(text: str, heading: str) -> tuple[int, ...]:
    """The lines of a chunk (and HEADING_LINE for its heading) that read as instructions.
    A planted instruction can span sentences, so the whole line goes."""
    flagged = [HEADING_LINE] if looks_like_injection(heading) else []
    flagged += [i for i, line in enumerate(text.split("\n")) if looks_like_injection(line)]
    return tuple(flagged)

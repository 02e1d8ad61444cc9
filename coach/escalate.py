"""Sensitive situations that a mentor (or a coach) must not handle with generic tips.

Harassment, discrimination, a mental-health crisis or a legal threat is answered by
pointing to HR or professional help first, drawing on the corpus's `getting-help` guides.
The patterns are deliberately broad: a false alarm costs one extra paragraph about where
to get help; a miss can cost far more.
"""

from __future__ import annotations

import re

ESCALATION_TOPIC = "getting-help"

CATEGORIES: dict[str, re.Pattern[str]] = {
    "crisis": re.compile(
        r"\b(suicid\w*|kill(ing)? myself|end(ing)? (it all|my life|myself)|self[- ]?harm\w*|"
        r"hurt(ing)? myself|"
        r"want to die|don'?t want to (live|be alive)|no reason to live|panic attacks?|"
        r"breakdown|can'?t go on)\b",
        re.I,
    ),
    "harassment": re.compile(
        r"\b(harass\w*|sexual(ly)? (comments?|advances?|jokes?)|groped?|touch(ed|es|ing) me|"
        r"touch(ed|es|ing)? my (shoulder|back|leg|knee|hair|waist|arm|hand)s?|"
        r"unwanted (touch\w*|advances?|contact|attention)|"
        r"comment(s|ed|ing)? (on|about) my (body|looks|appearance|weight|figure|chest|legs)|"
        r"assault\w*|stalk\w*|bull(y|ied|ies|ying)|intimidat\w*|threaten\w*|abus\w*)\b",
        re.I,
    ),
    "discrimination": re.compile(
        r"\b(discriminat\w*|racis[mt]\w*|sexis[mt]\w*|homophob\w*|transphob\w*|ageis[mt]|"
        r"(too|so) old (to|for)|because of my (age|race|gender|religion|disability|accent)|"
        r"because (i'?m|i am) (pregnant|disabled|gay|black|a woman|old|muslim|jewish)|"
        r"passed over because of my (race|gender|age|religion|disability))\b",
        re.I,
    ),
    "legal": re.compile(
        r"\b(su(e|ing|ed) (me|my|them|the company)|lawsuit|legal action|lawyer|solicitor|"
        r"tribunal|wrongful(ly)? (dismiss\w*|terminat\w*|fired)|breach of contract|"
        r"non[- ]?compete|whistle[- ]?blow\w*|retaliat\w*|unpaid wages|"
        r"(hasn'?t|haven'?t|has not|have not|didn'?t|did not|not been|never) (been )?paid|"
        r"withh[eo]ld(ing)? my (pay|wages|salary))\b",
        re.I,
    ),
}


def escalation(question: str) -> str | None:
    """The category of a sensitive situation in the question, or None."""
    for name, pattern in CATEGORIES.items():
        if pattern.search(question):
            return name
    return None

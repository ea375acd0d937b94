"""A cheap English check: the share of tokens that are English function words."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

#: Texts shorter than this many words are not judged (too little signal).
MIN_WORDS_TO_JUDGE = 20
#: English news prose runs at 30-45 % function words; other languages written in Latin script stay under 5 %.
MIN_ENGLISH_SHARE = 0.12


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    text = resources.files(__package__).joinpath("data/english_function_words.txt").read_text("utf-8")
    return frozenset(w for w in (line.strip() for line in text.splitlines()) if w and not w.startswith("#"))


def english_share(text: str) -> float | None:
    """Share of English function words among the words of ``text``; None when too short to judge."""
    words = _WORD.findall(text[:20_000].lower())
    if len(words) < MIN_WORDS_TO_JUDGE:
        return None
    known = _function_words()
    return sum(w in known for w in words) / len(words)

"""A cheap English check: is there positive evidence that a text is written in another language?

Terse English (headlines, captions) can have almost no function words, so absence of English is not
enough to reject a text; a text is rejected only when it is mostly in a non-Latin script, or when another
language's function words clearly outnumber English ones.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

#: Texts shorter than this many words are not judged (too little signal).
MIN_WORDS_TO_JUDGE = 20
#: Another language must cover at least this share of the words, and more than English does, to reject.
MIN_FOREIGN_SHARE = 0.08
#: Share of letters outside the Latin script above which a text is not English.
MAX_NON_LATIN_LETTERS = 0.5


@lru_cache(maxsize=1)
def _function_words() -> dict[str, frozenset[str]]:
    text = resources.files(__package__).joinpath("data/function_words.yaml").read_text("utf-8")
    return {lang: frozenset(str(w).lower() for w in words) for lang, words in yaml.safe_load(text).items()}


def _non_latin_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(ord(c) > 0x24F for c in letters) / len(letters)


def foreign_language(text: str) -> tuple[str, float] | None:
    """The language (code, share of words) that makes ``text`` not English, or None if it may be English."""
    sample = text[:20_000]
    if _non_latin_share(sample) > MAX_NON_LATIN_LETTERS:
        return "non-Latin script", _non_latin_share(sample)
    words = _WORD.findall(sample.lower())
    if len(words) < MIN_WORDS_TO_JUDGE:
        return None
    lexicons = _function_words()
    shares = {lang: sum(w in vocab for w in words) / len(words) for lang, vocab in lexicons.items()}
    english = shares.pop("en")
    lang, share = max(shares.items(), key=lambda item: (item[1], item[0]))
    if share >= MIN_FOREIGN_SHARE and share > english:
        return lang, share
    return None

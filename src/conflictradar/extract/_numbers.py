"""Reading numbers written in digits or words ("3,500", "twenty-one", "a dozen", "dozens")."""

from __future__ import annotations

import re

from ..schema import Count
from ._lexicon import number_words

_DIGITS = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")


def parse_number(words: list[str]) -> Count | None:
    """The value of a run of number tokens, or None when they are not a number."""
    lexicon = number_words()
    if not words:
        return None
    lowered = [w.lower().replace("-", " ") for w in words]
    joined = " ".join(lowered).split()
    if len(joined) == 1:
        token = joined[0]
        if _DIGITS.match(token):
            n = int(token.replace(",", ""))
            return Count.exact(n)
        if token in lexicon.vague:
            v = lexicon.vague[token]
            return Count(*v) if v else None
    total, current = 0, 0
    seen = False
    for token in joined:
        if _DIGITS.match(token):
            current += int(token.replace(",", ""))
            seen = True
        elif token in lexicon.scales and seen:
            current *= lexicon.scales[token]
            if lexicon.scales[token] >= 1000:
                total, current = total + current, 0
        elif token in lexicon.units:
            current += lexicon.units[token]
            seen = True
        elif token == "and":
            continue
        else:
            return None
    return Count.exact(total + current) if seen else None

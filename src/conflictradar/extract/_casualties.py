"""Casualty counts read from the dependency parse: a number is a toll only when grammar ties it to a casualty word.

"killing 10 soldiers and one officer" -> killed 11; "3,500 inmates" -> nothing (no casualty word governs it).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from ..schema import Count
from ._numbers import parse_number

#: Casualty lemmas, by the count they feed.
CASUALTY_LEMMAS: dict[str, frozenset[str]] = {
    "killed": frozenset({"kill", "die", "dead", "death", "behead", "execute", "massacre", "slay", "murder", "body", "corpse"}),
    "injured": frozenset({"injure", "wound", "hurt", "injury", "wounded", "injured"}),
    "abducted": frozenset({"abduct", "kidnap", "hostage", "seize"}),
    "arrested": frozenset({"arrest", "detain", "apprehend"}),
}

_QUALIFIERS_LOW = {"more than", "over", "at least", "above"}
_QUALIFIERS_APPROX = {"about", "around", "nearly", "almost", "some", "approximately", "up to"}


@dataclass(frozen=True)
class Casualty:
    kind: str
    count: Count
    start: int  # character offsets of the number in the article
    end: int


def _number_tokens(tok: Token) -> list[Token]:
    """The number token with its compound parts ("twenty one", "3,500")."""
    parts = [t for t in tok.subtree if t.like_num or t.lower_ in {"dozen", "dozens", "hundreds", "thousands", "scores"}]
    return parts or [tok]


def _casualty_kind(tok: Token) -> str | None:
    for kind, lemmas in CASUALTY_LEMMAS.items():
        if tok.lemma_.lower() in lemmas or tok.lower_ in lemmas:
            return kind
    return None


def _governing_kind(number: Token) -> str | None:
    """Walk from the number up to a casualty word through noun, coordination and verb links."""
    node = number
    for _ in range(5):
        kind = _casualty_kind(node)
        if kind and node is not number:
            return kind
        # "10 soldiers killed": the casualty participle may be a child of the counted noun.
        for child in node.children:
            if child.dep_ in {"acl", "amod", "relcl"} and (k := _casualty_kind(child)):
                return k
        if node.head is node:
            return None
        node = node.head
    return None


def _qualify(count: Count, sentence_text: str, start: int) -> Count:
    window = sentence_text[max(0, start - 16) : start].lower()
    if any(q in window for q in _QUALIFIERS_LOW):
        return Count(count.low, count.best, max(count.high, count.best * 2))
    if any(q in window for q in _QUALIFIERS_APPROX):
        return Count(int(count.best * 0.8), count.best, int(count.best * 1.2 + 0.999))
    return count


def find_casualties(sent: Span) -> list[Casualty]:
    """Every toll in one sentence, with what kind of toll it is."""
    found: list[Casualty] = []
    seen: set[int] = set()
    for tok in sent:
        if tok.i in seen or not (tok.like_num or tok.lower_ in {"dozens", "hundreds", "scores"}):
            continue
        if tok.dep_ not in {"nummod", "dobj", "nsubj", "nsubjpass", "pobj", "conj", "attr", "appos", "compound", "ROOT"}:
            continue
        parts = _number_tokens(tok)
        seen.update(t.i for t in parts)
        count = parse_number([t.text for t in parts])
        if count is None or count.best > 100_000:
            continue
        if tok.dep_ == "compound" or (tok.head.lower_ in {"year", "years", "km", "kilometres", "kilometers", "miles", "percent", "%"}):
            continue
        kind = _governing_kind(tok)
        if kind is None:
            continue
        start, end = parts[0].idx, parts[-1].idx + len(parts[-1].text)
        count = _qualify(count, sent.doc.text, start)
        found.append(Casualty(kind, count, start, end))
    return found


def total(casualties: list[Casualty], kind: str) -> Count | None:
    """Sum of all tolls of one kind ("10 soldiers and one officer" -> 11)."""
    chosen = [c.count for c in casualties if c.kind == kind]
    if not chosen:
        return None
    return Count(sum(c.low for c in chosen), sum(c.best for c in chosen), sum(c.high for c in chosen))

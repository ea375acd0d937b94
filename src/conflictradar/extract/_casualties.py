"""Casualty counts read from the dependency parse: a number is a toll only when grammar ties it to a casualty word.

"killing 10 soldiers and one officer" -> killed 11; "3,500 inmates" -> nothing (no casualty word governs it).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from ..schema import Count
from ._lexicon import cues
from ._numbers import parse_number

#: Casualty lemmas, by the count they feed.
CASUALTY_LEMMAS: dict[str, frozenset[str]] = {
    "killed": frozenset({"kill", "die", "dead", "death", "behead", "execute", "massacre", "slay", "murder", "body",
                         "corpse", "fatality", "fatalities"}),
    "injured": frozenset({"injure", "wound", "hurt", "injury", "wounded", "injured"}),
    "abducted": frozenset({"abduct", "kidnap", "hostage", "seize"}),
    "arrested": frozenset({"arrest", "detain", "apprehend"}),
}

_QUALIFIERS_LOW = {"more than", "over", "at least", "above"}
_QUALIFIERS_APPROX = {"about", "around", "nearly", "almost", "some", "approximately", "up to"}


#: Entity labels of numbers that are never counts of people (dates, times, money, percentages, distances).
_NOT_COUNTS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL"})
_COUNT_DEPS = frozenset({"nummod", "dobj", "nsubj", "nsubjpass", "pobj", "conj", "attr", "appos", "compound", "ROOT"})
_NUMBER_PARTS = frozenset({"dozen", "dozens", "hundred", "hundreds", "thousand", "thousands", "scores", "million"})
#: Prepositions that introduce a subset of a toll already counted ("ten killed, including four children").
_SUBSET_PREPS = frozenset({"including", "among"})
#: Determiners that make a singular victim one person ("killed a farmer", "another was wounded").
_ONE = frozenset({"a", "an", "one", "another", "he", "she", "him", "her"})
#: Determiners of a singular victim already introduced ("the victim was shot dead").
_DEFINITE = frozenset({"the", "his", "her", "their", "its"})


@dataclass(frozen=True)
class Casualty:
    kind: str
    count: Count
    start: int  # character offsets of the number in the article
    end: int
    token: Token  # the counted word, so the toll can be attached to the clause that governs it


def _number_tokens(tok: Token) -> list[Token]:
    """The number token with its compound parts ("twenty one", "3,500")."""
    def is_part(t: Token) -> bool:
        return (t.like_num or t.lower_ in _NUMBER_PARTS) and t.ent_type_ not in _NOT_COUNTS and not _is_date_part(t)

    doc = tok.doc
    first = last = tok.i
    while True:  # leftwards: "twenty-one", "two hundred", "3,500"
        if first > 0 and is_part(doc[first - 1]):
            first -= 1
        elif first > 1 and doc[first - 1].text == "-" and is_part(doc[first - 2]):
            first -= 2
        else:
            break
    while last + 1 < len(doc) and is_part(doc[last + 1]) and doc[last + 1].dep_ != "nummod":
        last += 1
    parts = [t for t in doc[first : last + 1] if is_part(t)]
    return parts or [tok]


def _casualty_kind(tok: Token) -> str | None:
    if tok.lemma_.lower() == "shoot" and any(c.lower_ == "dead" for c in tok.children):
        return "killed"
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
        if _is_perpetrator(node):
            return None
        # "10 soldiers killed": the casualty participle may be a child of the counted noun.
        for child in node.children:
            if child.dep_ in {"acl", "amod", "relcl"} and (k := _casualty_kind(child)):
                return k
        if node is not number and node.pos_ in {"VERB", "AUX"}:
            # The first verb above the number decides; "the death toll rose to 20" reads the subject too.
            subjects = [c for c in node.children if c.dep_ in {"nsubj", "nsubjpass"}]
            return "killed" if any(c.lemma_.lower() == "toll" for c in subjects) else None
        if node.head is node:
            return None
        node = node.head
    return None


def _is_perpetrator(node: Token) -> bool:
    """ "shot dead by two gunmen", "five gunmen killed a farmer": the number counts the attackers."""
    if node.dep_ == "pobj" and node.head.dep_ == "agent":
        return True
    verb = node.head
    passive = any(c.dep_ == "auxpass" for c in verb.children) or _elliptic_passive(node, verb)
    return node.dep_ == "nsubj" and verb.pos_ == "VERB" and _casualty_kind(verb) is not None \
        and verb.lemma_.lower() not in {"die"} and not passive


def _elliptic_passive(subject: Token, verb: Token) -> bool:
    """ "Nine were killed and twelve wounded": a bare number before a participle with no object, joined to a
    passive casualty verb, shares its "were" (the parser reads it as an active clause)."""
    first = verb.head
    return (verb.dep_ == "conj" and subject.pos_ == "NUM" and verb.tag_ == "VBN"
            and not any(c.dep_ == "dobj" for c in verb.children)
            and any(c.dep_ == "auxpass" for c in first.children) and _casualty_kind(first) is not None)


_MONTHS = frozenset({"january", "february", "march", "april", "may", "june", "july", "august", "september",
                     "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
                     "sept", "oct", "nov", "dec"})


def _is_date_part(tok: Token) -> bool:
    """Day numbers and years next to a month name ("3 April 2017"), even where the parser missed the date."""
    doc = tok.doc
    near = [doc[j].lower_ for j in (tok.i - 2, tok.i - 1, tok.i + 1) if 0 <= j < len(doc)]
    return any(w.rstrip(".") in _MONTHS for w in near)


def _qualify(count: Count, first: Token) -> Count:
    """ "at least 15" keeps 15 as the low bound; "about 15" is a range around it."""
    doc = first.doc
    window = doc[max(0, first.i - 3) : first.i].text.lower()[-16:]
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
        if tok.dep_ not in _COUNT_DEPS:
            continue
        parts = _number_tokens(tok)
        seen.update(t.i for t in parts)
        count = parse_number([t.text for t in parts])
        if count is None or count.best > 100_000:
            continue
        if tok.dep_ == "compound" or tok.ent_type_ in _NOT_COUNTS or _is_date_part(tok) or _is_measure(tok) \
                or _is_subset(tok) or _is_running_total(tok):
            continue
        kind = _governing_kind(tok)
        if kind is None:
            continue
        start, end = parts[0].idx, parts[-1].idx + len(parts[-1].text)
        count = _qualify(count, parts[0])
        found.append(Casualty(kind, count, start, end, tok))
    found.extend(_singular_victims(sent, {c.token.head.i for c in found} | {c.token.i for c in found}))
    return found


def _is_running_total(tok: Token) -> bool:
    """ "The war has killed 300,000 people since 2011": a running total, not one event's toll."""
    verb = tok.doc[_anchor(tok)]
    for child in verb.children:
        if child.lower_ == "since" or any(g.lower_ == "since" for g in child.children if g.dep_ == "mark"):
            return True
        if child.dep_ == "nsubj" and child.lemma_.lower() in cues().cumulative_subjects:
            return True
    return False


def _is_measure(tok: Token) -> bool:
    """Ages, distances, durations, shares: "a 20-year-old", "5 km", "three years", "40 percent"."""
    head = tok.head.lower_
    return head in {"year", "years", "km", "kilometres", "kilometers", "miles", "metres", "meters", "percent",
                    "%", "hours", "days", "weeks", "months", "minutes", "old", "aged", "age"} or "-year" in head


def _is_subset(tok: Token) -> bool:
    """A number inside "including ..." / "among them ..." repeats part of a toll already counted."""
    node = tok.head if tok.dep_ == "nummod" else tok
    for _ in range(3):
        if node.dep_ == "pobj" and node.head.lower_ in _SUBSET_PREPS:
            return True
        if node.dep_ == "prep" and node.lower_ in {"including", "among"}:
            return True
        if node.head is node:
            return False
        node = node.head
    return False


def _victims_of(verb: Token) -> list[Token]:
    """The nouns a casualty verb acts on: objects of active verbs, subjects of passives and of "die"."""
    deps = {"dobj", "nsubjpass"} | ({"nsubj"} if verb.lemma_.lower() in {"die"} else set())
    nouns = [c for c in verb.children if c.dep_ in deps]
    return nouns + [c for n in nouns for c in n.conjuncts]


def _singular_victims(sent: Span, counted: set[int]) -> list[Casualty]:
    """ "killed a farmer", "a soldier was shot dead", "another was wounded": one person each."""
    found: list[Casualty] = []
    for verb in sent:
        kind = _casualty_kind(verb) if verb.pos_ == "VERB" else None
        if verb.lemma_.lower() == "shoot" and any(c.lower_ == "dead" for c in verb.children):
            kind = "killed"
        if kind is None:
            continue
        for noun in _victims_of(verb):
            if noun.i in counted or noun.tag_ not in {"NN", "NNP", "DT", "PRP"} or noun.ent_type_ in _NOT_COUNTS:
                continue
            if any(c.dep_ == "nummod" for c in noun.children):
                continue
            det = next((c for c in noun.children if c.dep_ in {"det", "predet"}), None)
            definite = det is not None and det.lower_ in _DEFINITE and noun.tag_ == "NN"
            if noun.lower_ in _ONE or (det is not None and det.lower_ in _ONE) or definite:
                counted.add(noun.i)
                first = det if det is not None and det.i < noun.i else noun
                found.append(Casualty(kind, Count.exact(1), first.idx, noun.idx + len(noun.text), noun))
    return found


def _anchor(tok: Token) -> int:
    """The verb (or sentence root) a counted word hangs from: tolls under one verb add up."""
    node = tok
    for _ in range(8):
        if node.pos_ in {"VERB", "AUX"} or node.head is node:
            return node.i
        node = node.head
    return node.i


def total(casualties: list[Casualty], kind: str) -> Count | None:
    """The toll of one kind: figures under one verb add up ("10 soldiers and one officer" -> 11); figures
    under different verbs restate the toll ("kills 34 ... killed 34 people"), so the largest sum is kept."""
    sums: dict[int, Count] = {}
    for c in (c for c in casualties if c.kind == kind):
        key = _anchor(c.token)
        prev = sums.get(key, Count.zero())
        sums[key] = Count(prev.low + c.count.low, prev.best + c.count.best, prev.high + c.count.high)
    if not sums:
        return None
    return max(sums.values(), key=lambda c: (c.best, c.high))

"""The model's ``attribute_ruler`` with the same output at a fraction of the cost.

The English pipelines' attribute ruler maps fine tags to coarse ones and sets a few exceptions with ~180
token patterns run through spaCy's ``Matcher``; most of them test one token's TAG and/or LOWER, which a
dictionary answers directly. Only the others (several tokens, DEP, REGEX, ...) still go through a
``Matcher``. The matches are applied exactly as ``AttributeRuler`` applies them (sorted by rule, later
rules win), so every token gets the same attributes; ``tests/test_prefilter.py`` compares whole docs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar

from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, Token
from spacy.tokens._retokenize import set_token_attrs

__all__ = ["FAST_RULER", "use_fast_ruler"]

FAST_RULER = "conflictradar_fast_attribute_ruler"
_RULER = "attribute_ruler"
_SIMPLE_ATTRS = frozenset({"TAG", "LOWER"})

#: (tag or None, lower-case form or None) -> the rules whose one-token pattern that pair satisfies
_Index = dict[tuple[str | None, str | None], list[int]]


def _values(spec: Any) -> list[str] | None:
    """The strings a pattern value accepts: a string, or {"IN": [...]}; None for anything else."""
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict) and set(spec) == {"IN"} and all(isinstance(v, str) for v in spec["IN"]):
        return list(spec["IN"])
    return None


def _simple_keys(pattern: list[dict[str, Any]]) -> list[tuple[str | None, str | None]] | None:
    """The (tag, lower) keys of a one-token TAG/LOWER pattern, or None when a Matcher must decide."""
    if len(pattern) != 1 or not pattern[0] or not set(pattern[0]) <= _SIMPLE_ATTRS:
        return None
    tags = _values(pattern[0]["TAG"]) if "TAG" in pattern[0] else [None]
    lowers = _values(pattern[0]["LOWER"]) if "LOWER" in pattern[0] else [None]
    if tags is None or lowers is None:
        return None
    return [(tag, lower) for tag in tags for lower in lowers]


class _TokenTest:
    """One token of a Matcher pattern without operators: TAG, LOWER, DEP, IS_SPACE, each a value or IN /
    NOT_IN / REGEX (re.search, as the Matcher does); a missing annotation reads as ""."""

    _READERS: ClassVar[dict[str, Callable[[Token], Any]]] = {
        "TAG": lambda t: t.tag_, "LOWER": lambda t: t.lower_, "DEP": lambda t: t.dep_, "IS_SPACE": lambda t: t.is_space}

    def __init__(self, spec: dict[str, Any]) -> None:
        unknown = set(spec) - set(self._READERS)
        if unknown or "OP" in spec:
            raise ValueError(f"attribute ruler pattern not supported here: {spec}")
        self.checks = [(self._READERS[attr], _predicate(value)) for attr, value in spec.items()]
        #: (attribute, values) a matching token must have one of, to find candidates fast; None: test all
        self.key: tuple[str, frozenset[Any]] | None = next(
            ((attr, frozenset(_values(spec[attr]) or [spec[attr]])) for attr in ("LOWER", "TAG", "DEP", "IS_SPACE")
             if attr in spec and (_values(spec[attr]) is not None or isinstance(spec[attr], bool))), None)

    def __call__(self, token: Token) -> bool:
        return all(accepts(read(token)) for read, accepts in self.checks)


def _predicate(value: Any) -> Callable[[Any], bool]:
    if not isinstance(value, dict):
        return lambda found: found == value
    (operator, operand), = value.items()
    if operator == "IN":
        members = frozenset(operand)
        return lambda found: found in members
    if operator == "NOT_IN":
        excluded = frozenset(operand)
        return lambda found: found not in excluded
    if operator == "REGEX":
        pattern = re.compile(operand)
        return lambda found: pattern.search(found) is not None
    raise ValueError(f"attribute ruler operator not supported here: {operator}")


class FastAttributeRuler:
    """Applies an ``AttributeRuler``'s rules, looking one-token TAG/LOWER patterns up in a dict."""

    def __init__(self, nlp: Language, name: str = FAST_RULER) -> None:
        self.name = name
        self.ruler: AttributeRuler | None = None
        self._index: _Index = {}
        self._rest: list[tuple[int, list[_TokenTest]]] | None = None
        self._ids: list[int] = []
        self._cache: dict[tuple[str, str], dict[Any, Any]] = {}

    def use(self, ruler: AttributeRuler) -> None:
        """Take the rules of a loaded attribute ruler."""
        self.ruler = ruler
        index: _Index = {}
        rest: list[tuple[int, list[_TokenTest]]] = []
        for rule in range(len(ruler.attrs)):
            entry = ruler.matcher.get(str(rule))
            for pattern in entry[1] if entry else []:
                keys = _simple_keys(pattern)
                if keys is None:
                    rest.append((rule, [_TokenTest(spec) for spec in pattern]))
                for key in keys or []:
                    index.setdefault(key, []).append(rule)
        self._index, self._rest, self._cache = index, rest, {}
        self._ids = [ruler.vocab.strings.add(str(rule)) for rule in range(len(ruler.attrs))]

    def __call__(self, doc: Doc) -> Doc:
        ruler, rest = self.ruler, self._rest
        if ruler is None or rest is None:
            raise RuntimeError(f"{self.name}: use() a loaded attribute ruler first")
        indices = ruler.indices
        # Rules the Matcher decides, by the token each one changes (a pattern's index picks it).
        special: dict[int, list[tuple[int, int, int, int]]] = {}
        tokens = list(doc)
        positions: dict[str, dict[Any, list[int]]] = {}
        for rule, tests in rest:
            for start in self._starts(tests[0], tokens, positions):
                if start + len(tests) <= len(tokens) and all(test(tokens[start + k]) for k, test in enumerate(tests)):
                    end = start + len(tests)
                    target = range(start, end)[indices[rule]]
                    special.setdefault(target, []).append((rule, self._ids[rule], start, end))
        for token in tokens:
            key = (token.tag_, token.lower_)
            if token.i not in special:
                set_token_attrs(token, self._merged(key))
                continue
            # As AttributeRuler does it: every match on this token in rule order, later rules winning.
            matches = [(rule, self._ids[rule], token.i, token.i + 1) for rule in self._rules(key)]
            ruler.set_annotations(doc, sorted(matches + special[token.i]))  # type: ignore[no-untyped-call]
        return doc

    @staticmethod
    def _starts(first: _TokenTest, tokens: list[Token], positions: dict[str, dict[Any, list[int]]]) -> list[int]:
        """Where a pattern may start: tokens with one of its first token's key values (indexed once per doc)."""
        if first.key is None:
            return list(range(len(tokens)))
        attr, values = first.key
        if attr not in positions:
            read = _TokenTest._READERS[attr]
            found: dict[Any, list[int]] = {}
            for token in tokens:
                found.setdefault(read(token), []).append(token.i)
            positions[attr] = found
        return sorted(i for value in values for i in positions[attr].get(value, ()))

    def _rules(self, key: tuple[str, str]) -> list[int]:
        tag, lower = key
        index = self._index
        return sorted(index.get((tag, None), []) + index.get((None, lower), []) + index.get((tag, lower), []))

    def _merged(self, key: tuple[str, str]) -> dict[Any, Any]:
        """The attributes the one-token rules give a (tag, lower) pair, applied in rule order (cached)."""
        merged = self._cache.get(key)
        if merged is None:
            merged = {}
            for rule in self._rules(key):
                merged.update(self.ruler.attrs[rule])  # type: ignore[union-attr]
            self._cache[key] = merged
        return merged

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


@Language.factory(FAST_RULER)
def _make_fast_ruler(nlp: Language, name: str) -> FastAttributeRuler:
    return FastAttributeRuler(nlp, name)


def use_fast_ruler(nlp: Language) -> Language:
    """Swap the pipeline's attribute ruler for the fast one with the same rules (same name, same place)."""
    ruler = nlp.get_pipe(_RULER) if _RULER in nlp.pipe_names else None
    if not isinstance(ruler, AttributeRuler) or any("_" in attrs for attrs in ruler.attrs):
        return nlp  # no ruler, or rules setting extension attributes (merged differently): keep spaCy's
    fast = nlp.replace_pipe(_RULER, FAST_RULER)
    assert isinstance(fast, FastAttributeRuler)
    fast.use(ruler)
    return nlp

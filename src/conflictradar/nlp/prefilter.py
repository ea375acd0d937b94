"""The fast first pass: tokenize an article, split it into sentences by rule, and give the full parse only
to the sentences the extractor can read something from.

Most sentences of a news report describe no event. A sentence is worth parsing when it holds an inflected
form of one of the extractor's cue lemmas (``extract.cue_lemmas``: triggers, protest cues, casualty words;
one source of truth), or when it is the article's first sentence (the lead and the dateline). Contiguous
selected sentences are parsed together, so the parser still decides the sentence boundaries inside them.

The result is one ``Doc`` over the exact article text (every character offset is the same as a full
parse's): the parsed pieces' annotations are written back into the article's own tokens. Skipped pieces
keep their tokens and a rule-based sentence split (each sentence a flat tree under its first token); they
have no tags, lemmas, dependencies or entities, which the extractor would not have used anyway. Geo finds
the places named in skipped sentences with its gazetteer matcher; ``context_entities`` also runs the entity
recognizer over them (it has its own token vectors, so it runs without the parser), at about half the cost
of a full parse.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy
from spacy.attrs import DEP, ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE, HEAD, LEMMA, MORPH, NORM, POS, TAG
from spacy.language import Language
from spacy.strings import StringStore
from spacy.tokens import Doc, Token

from ..extract import cue_lemmas
from ..extract._lexicon import Cue, inflections

__all__ = ["SentenceSelector", "inflections", "parse_selected", "rule_sentences", "sentence_choices"]

#: Tokens that end a sentence; closing quotes and brackets right after them stay in the sentence.
_SENTENCE_END = frozenset({".", "!", "?", "...", "…"})
_CLOSERS = frozenset({'"', "'", "”", "’", ")", "]", "»"})
_CONTINUERS = frozenset({",", ";", ":"})
_ENTITY_COMPONENT = "ner"


def _lemma_exceptions(nlp: Language) -> dict[str, set[str]]:
    """Irregular forms by lemma, inverted from the lemmatizer's exception tables (fought -> fight)."""
    by_lemma: dict[str, set[str]] = {}
    if "lemmatizer" not in nlp.pipe_names:
        return by_lemma
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_exc"):
        return by_lemma
    for table in lookups.get_table("lemma_exc").values():
        for form, lemmas in table.items():
            for lemma in lemmas:
                by_lemma.setdefault(lemma, set()).add(form)
    return by_lemma


@dataclass(frozen=True)
class SentenceSelector:
    """Decides from surface forms alone whether a sentence can yield anything to the extractor."""

    lemmas_of: dict[str, frozenset[str]]  # lower-case surface form -> the cue lemmas it may stand for
    cues_by_lemma: dict[str, tuple[Cue, ...]]  # a lemma -> the cues whose first set holds it

    @classmethod
    def for_model(cls, nlp: Language, cues: Sequence[Cue] | None = None) -> SentenceSelector:
        cues = cue_lemmas() if cues is None else cues
        exceptions = _lemma_exceptions(nlp)
        lemmas_of: dict[str, set[str]] = {}
        for lemma in {w for cue in cues for words in cue for w in words}:
            for form in inflections(lemma, exceptions):
                lemmas_of.setdefault(form, set()).add(lemma)
        by_lemma: dict[str, list[Cue]] = {}
        for cue in cues:
            for lemma in cue[0]:
                by_lemma.setdefault(lemma, []).append(cue)
        return cls({k: frozenset(v) for k, v in lemmas_of.items()}, {k: tuple(v) for k, v in by_lemma.items()})

    def wants(self, lowers: Iterable[str]) -> bool:
        """True when the words (lower-case) may hold every part of some cue."""
        present: set[str] = set()
        for word in lowers:
            present |= self.lemmas_of.get(word, frozenset())
        return any(all(part & present for part in cue[1:]) for lemma in present
                   for cue in self.cues_by_lemma.get(lemma, ()))


def rule_sentences(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of sentences split by punctuation and blank lines; whitespace joins the sentence before
    it, as the parser does, so sentence offsets match a full parse wherever the two agree."""
    bounds: list[tuple[int, int]] = []
    start, ended = 0, False
    for tok in doc:
        if tok.is_space:
            ended = ended or ("\n" in tok.text and tok.i > start and not tok.nbor(-1).is_lower)
            continue
        if ended and not _closes(tok):
            if not (tok.text[:1].islower() or tok.text in _CONTINUERS):  # "... but", "?, he said" go on
                bounds.append((start, tok.i))
                start = tok.i
            ended = False
        if tok.text in _SENTENCE_END and not _abbreviation(tok):
            ended = True
    if start < len(doc):
        bounds.append((start, len(doc)))
    return bounds


def _closes(tok: Token) -> bool:
    """A quote or bracket glued to the sentence end before it closes that sentence (an opening one does not)."""
    return tok.text in _CLOSERS and tok.i > 0 and not tok.nbor(-1).whitespace_


def _abbreviation(tok: Token) -> bool:
    """A full stop after a short capitalised word or a lone letter ("Lt. Col.", "J. Smith") ends no sentence."""
    if tok.i == 0 or tok.text != "." or tok.nbor(-1).whitespace_:
        return False
    word = tok.nbor(-1).text
    return word.isalpha() and (len(word) == 1 or (len(word) <= 3 and word[0].isupper() and not word.isupper()))


def _flat_tree(array: numpy.ndarray, strings: StringStore, start: int, end: int, starts: list[int]) -> None:
    """Each rule sentence of a skipped piece (``starts``: offsets in the piece) as one flat tree under its
    first token, so ``doc.sents`` keeps the rule split between the parsed pieces."""
    firsts = [start + offset for offset in starts]
    roots = numpy.empty(end - start, dtype="int64")
    for begin, stop in zip(firsts, [*firsts[1:], end], strict=True):
        roots[begin - start:stop - start] = begin
    array[start:end, _HEAD] = (roots - numpy.arange(start, end, dtype="int64")).view("uint64")
    array[start:end, _DEP] = strings.add("dep")
    array[firsts, _DEP] = strings.add("ROOT")


@dataclass
class _Plan:
    """One article cut into pieces: (token start, token end, parse it?) plus skipped sentence starts."""

    doc: Doc
    pieces: list[tuple[int, int, bool]]
    skipped_starts: list[list[int]]


def sentence_choices(doc: Doc, selector: SentenceSelector) -> list[tuple[int, int, bool]]:
    """Each rule sentence's token range and whether it gets the full parse (the first one always does)."""
    return [(start, end, index == 0 or selector.wants(t.lower_ for t in doc[start:end]))
            for index, (start, end) in enumerate(rule_sentences(doc))]


def _plan(doc: Doc, selector: SentenceSelector) -> _Plan:
    pieces: list[tuple[int, int, bool]] = []
    skipped: list[list[int]] = []
    for start, end, keep in sentence_choices(doc, selector):
        if pieces and pieces[-1][2] == keep:
            first = pieces[-1][0]
            pieces[-1] = (first, end, keep)
            if not keep:
                skipped[-1].append(start - first)
        else:
            pieces.append((start, end, keep))
            if not keep:
                skipped.append([0])
    return _Plan(doc, pieces, skipped)


def parse_selected(nlp: Language, texts: Iterable[str], selector: SentenceSelector, batch_size: int = 32,
                   context_entities: bool = False) -> Iterator[Doc]:
    """Like ``nlp.pipe(texts)``, but only the selected sentences get the full pipeline (see module doc).

    ``context_entities``: run the entity recognizer over the whole article first, so the entities (places
    for geo, also in skipped sentences) are exactly those of a full parse; else only selected ones get them.
    """
    texts = iter(texts)
    entities = context_entities and _ENTITY_COMPONENT in nlp.pipe_names
    while batch := [nlp.make_doc(t) for t in _take(texts, batch_size)]:
        if entities:
            batch = list(nlp.get_pipe(_ENTITY_COMPONENT).pipe(batch, batch_size=batch_size))  # type: ignore[attr-defined]
        plans = [_plan(doc, selector) for doc in batch]
        yield from _parse_batch(nlp, plans, batch_size, [_ENTITY_COMPONENT] if entities else [])


def _take(items: Iterator[str], n: int) -> list[str]:
    return [item for _, item in zip(range(n), items, strict=False)]


def _parse_batch(nlp: Language, plans: list[_Plan], batch_size: int, done: list[str]) -> Iterator[Doc]:
    """Parse the selected pieces of a batch of articles together (``done``: components already run)."""
    chosen = [p.doc[a:b].as_doc() for p in plans for a, b, keep in p.pieces if keep]
    parsed = iter(nlp.pipe(chosen, batch_size=batch_size, disable=done))
    for plan in plans:
        yield _annotate(plan, parsed)


#: What the parse of a piece adds to its tokens (sentence starts follow from HEAD and DEP).
_ANNOTATIONS = [TAG, POS, MORPH, LEMMA, HEAD, DEP, ENT_IOB, ENT_TYPE, ENT_KB_ID, ENT_ID, NORM]
_HEAD, _DEP = _ANNOTATIONS.index(HEAD), _ANNOTATIONS.index(DEP)


def _annotate(plan: _Plan, parsed: Iterator[Doc]) -> Doc:
    """Write each parsed piece's annotations into the article's own Doc, and give each skipped sentence a
    flat tree under its first token, in one ``from_array`` (cheaper than re-building the Doc from pieces)."""
    doc = plan.doc
    if not plan.pieces:
        return doc
    array = doc.to_array(_ANNOTATIONS)
    skipped = iter(plan.skipped_starts)
    for start, end, keep in plan.pieces:
        if keep:
            array[start:end] = next(parsed).to_array(_ANNOTATIONS)
        else:
            _flat_tree(array, doc.vocab.strings, start, end, next(skipped))
    doc.from_array(_ANNOTATIONS, array)  # type: ignore[arg-type]  # uint64 rows, as to_array gives
    return doc

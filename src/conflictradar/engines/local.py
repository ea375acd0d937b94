"""A pool of worker processes, each with its own ``ConflictRadar`` (and so its own spaCy model).

Articles go out in small chunks and results come back in input order, so ``--workers N`` writes the same
bytes as one worker. Processes are started with ``spawn`` (no inherited locks or database connections),
so a script that uses more than one worker needs the usual ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import TYPE_CHECKING

from ..schema import Article, Event
from ..settings import Settings

if TYPE_CHECKING:
    from ..app import ConflictRadar

__all__ = ["DEFAULT_CHUNK_SIZE", "ProcessPool"]

#: Articles per task: big enough for spaCy's batching, small enough to keep every worker busy.
DEFAULT_CHUNK_SIZE = 8

_worker_core: ConflictRadar | None = None


def _start_worker(settings: Settings) -> None:
    """Runs once in each worker: build the core and load the model before the first task."""
    global _worker_core
    from ..app import ConflictRadar

    _worker_core = ConflictRadar(settings)
    _ = _worker_core.nlp.nlp


def _process_chunk(articles: list[Article]) -> list[list[Event]]:
    assert _worker_core is not None, "worker not initialised"
    return [events for _article, events in _worker_core.process(articles)]


class ProcessPool:
    """Extraction on ``workers`` processes; ``process`` keeps input order."""

    def __init__(self, settings: Settings, workers: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.settings = settings
        self.workers = workers
        self.chunk_size = chunk_size
        self._executor: ProcessPoolExecutor | None = None

    @property
    def executor(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(self.settings,))
        return self._executor

    def process(self, articles: Iterable[Article]) -> Iterator[tuple[Article, list[Event]]]:
        """Each article with its located events, in input order; at most 2 chunks per worker in flight."""
        iterator = iter(articles)
        in_flight: deque[tuple[list[Article], Future[list[list[Event]]]]] = deque()
        while True:
            while len(in_flight) < 2 * self.workers and (chunk := list(islice(iterator, self.chunk_size))):
                in_flight.append((chunk, self.executor.submit(_process_chunk, chunk)))
            if not in_flight:
                return
            chunk, future = in_flight.popleft()
            yield from zip(chunk, future.result(), strict=True)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> ProcessPool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

"""A pool of worker processes, each with its own ``ConflictRadar`` (and so its own spaCy model).

Articles go out in small chunks and results come back in input order, so ``--workers N`` writes the same
bytes as one worker. Processes are started with ``spawn`` (no inherited locks or database connections),
so a script that uses more than one worker needs the usual ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import multiprocessing
import os
import time
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


#: A worker started from a pool in start() counts as ready once it has taken one of these tasks.
_READY_WAIT_SECONDS = 0.05


def _start_worker(settings: Settings) -> None:
    """Runs once in each worker: build the core and load everything the first task would (the model, the
    extractor's lexicons, the gazetteer index), so no task pays for it."""
    global _worker_core
    from ..app import ConflictRadar
    from ..nlp import one_blas_thread

    one_blas_thread()
    _worker_core = ConflictRadar(settings)
    _worker_core.warm_up()


def _ready() -> int:
    """A task that holds its worker a moment, so the other workers take the ones submitted with it."""
    time.sleep(_READY_WAIT_SECONDS)
    return os.getpid()


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

    def start(self, timeout: float = 300.0) -> set[int]:
        """Start every worker and wait until each has loaded what it needs (processes are otherwise
        started one per task as work arrives, and the late ones would load the model mid-run). Returns
        the process ids of the workers seen ready (all of them unless ``timeout`` seconds passed)."""
        ready: set[int] = set()
        deadline = time.monotonic() + timeout
        while len(ready) < self.workers and time.monotonic() < deadline:
            tasks = [self.executor.submit(_ready) for _ in range(self.workers)]
            ready.update(task.result() for task in tasks)
        return ready

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

"""``ConflictRadar``: the one core object that the CLI, the web app and the tests all build.

It wires the stages together (ingest -> nlp -> extract -> geo -> store) and owns the settings.
Each stage is built lazily, so listing events never loads spaCy and extracting never opens a database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import IO

from .errors import InputError
from .extract import EventExtractor
from .geo import Geocoder
from .ingest import read_paths
from .nlp import NlpPipeline
from .schema import Article, Event
from .settings import Settings
from .store import EventQuery, SaveReport, Store

__all__ = ["ConflictRadar", "IngestReport"]

Progress = Callable[[int], None]


@dataclass
class IngestReport:
    """What one ingest did. ``rejected`` holds one error per input that could not be used."""

    articles_read: int = 0
    articles_added: int = 0
    articles_skipped: int = 0
    articles_replaced: int = 0
    events_added: int = 0
    rejected: list[InputError] = field(default_factory=list)

    def add(self, saved: SaveReport) -> None:
        self.articles_added += saved.articles_added
        self.articles_skipped += saved.articles_skipped
        self.articles_replaced += saved.articles_replaced
        self.events_added += saved.events_added
        self.rejected.extend(saved.rejected)


def _batches(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class ConflictRadar:
    """The system: read articles, extract and locate events, store, query and export them."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        db_url: str | None = None,
        model: str | None = None,
        extractor: EventExtractor | None = None,
        geocoder: Geocoder | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env(db_url=db_url, model=model)
        self._extractor = extractor
        self._geocoder = geocoder

    # ---- stages (built on first use) ------------------------------------------------------------

    @cached_property
    def nlp(self) -> NlpPipeline:
        return NlpPipeline(self.settings.model)

    @cached_property
    def extractor(self) -> EventExtractor:
        return self._extractor or EventExtractor()

    @cached_property
    def geocoder(self) -> Geocoder:
        return self._geocoder or Geocoder()

    @cached_property
    def store(self) -> Store:
        return Store(self.settings.db_url)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()

    # ---- extraction (stateless) -----------------------------------------------------------------

    def process(self, articles: Iterable[Article]) -> Iterator[tuple[Article, list[Event]]]:
        """Each article with its located events, parsed in batches."""
        pending: list[Article] = []

        def texts() -> Iterator[str]:
            for article in articles:
                pending.append(article)
                yield article.text

        for doc in self.nlp.parse_many(texts()):
            article = pending.pop(0)
            events = self.extractor.extract(article, doc)
            yield article, self.geocoder.locate(article, doc, events)

    def extract(self, articles: Iterable[Article]) -> Iterator[Event]:
        for _article, events in self.process(articles):
            yield from events

    # ---- ingest (stateful) ----------------------------------------------------------------------

    def ingest(self, paths: Sequence[Path | str], replace: bool = False, progress: Progress | None = None) -> IngestReport:
        """Read files and folders, extract their events, and store everything new."""
        report = IngestReport()

        def good_articles() -> Iterator[Article]:
            for result in read_paths(paths, self.settings.max_article_bytes):
                if isinstance(result, InputError):
                    report.rejected.append(result)
                    if progress:
                        progress(1)
                else:
                    yield result

        self._ingest_into(good_articles(), report, replace, progress)
        return report

    def ingest_articles(self, articles: Iterable[Article], replace: bool = False,
                        progress: Progress | None = None) -> IngestReport:
        report = IngestReport()
        self._ingest_into(articles, report, replace, progress)
        return report

    def _ingest_into(self, articles: Iterable[Article], report: IngestReport, replace: bool,
                     progress: Progress | None) -> None:
        for batch in _batches(articles, self.settings.batch_size):
            report.articles_read += len(batch)
            known = set() if replace else self.store.known_hashes([a.content_hash for a in batch])
            fresh = [a for a in batch if a.content_hash not in known]
            report.articles_skipped += len(batch) - len(fresh)
            processed = list(self.process(fresh))
            report.add(self.store.save(processed, replace=replace))
            if progress:
                progress(len(batch))

    # ---- reads ----------------------------------------------------------------------------------

    def events(self, query: EventQuery | None = None) -> list[Event]:
        return self.store.events(query)

    def export(self, fmt: str, path: Path | None, query: EventQuery | None = None,
               stdout: IO[str] | None = None) -> int:
        from .export import write_events

        return write_events(self.store.iter_events(query or EventQuery()), fmt, path,
                            articles=self.store.article, stdout=stdout)

"""``ConflictRadar``: the one core object that the CLI, the web app and the tests all build.

It wires the stages together (ingest -> nlp -> extract -> geo -> store) and owns the settings.
Each stage is built lazily, so listing events never loads spaCy and extracting never opens a database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import InputError
from .extract import EventExtractor, qualify_actor
from .geo import Geocoder
from .ingest import read_paths
from .nlp import NlpPipeline
from .schema import Article, Event
from .settings import Settings
from .store import EventQuery, SaveReport, Store

if TYPE_CHECKING:
    from .analyze.storage import ClusterReport
    from .analyze.trends import Alert, TrendPoint, TrendQuery
    from .engines.local import ProcessPool

__all__ = ["ConflictRadar", "IngestReport"]

Progress = Callable[[int], None]

#: A one-sentence report whose processing loads the model, the lexicons and the gazetteer index.
_WARM_UP = Article(id="warm-up", text="Gunmen killed two soldiers near Kabul, Afghanistan, on Monday.",
                   published=date(2024, 1, 3))


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


def _with_country_actors(event: Event) -> Event:
    """Name generic actors by the event's country, as ACLED does ("Military Forces of Iraq")."""
    country = event.location.country if event.location else None
    if not country:
        return event
    return replace(event, actor1=qualify_actor(event.actor1, country), actor2=qualify_actor(event.actor2, country))


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
        workers: int = 1,
    ) -> None:
        self.settings = settings or Settings.from_env(db_url=db_url, model=model)
        self._extractor = extractor
        self._geocoder = geocoder
        #: Processes for extraction (engines.local); > 1 builds default extractor/geocoder in each worker.
        self.workers = workers

    # ---- stages (built on first use) ------------------------------------------------------------

    @cached_property
    def nlp(self) -> NlpPipeline:
        return NlpPipeline(self.settings.model, prefilter=self.settings.prefilter,
                           context_entities=self.settings.prefilter_entities, numpy_blas=self.settings.numpy_blas)

    @cached_property
    def extractor(self) -> EventExtractor:
        return self._extractor or EventExtractor()

    @cached_property
    def geocoder(self) -> Geocoder:
        return self._geocoder or Geocoder()

    @cached_property
    def store(self) -> Store:
        return Store(self.settings.db_url)

    @cached_property
    def pool(self) -> ProcessPool:
        from .engines.local import ProcessPool

        return ProcessPool(self.settings, self.workers)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
        if "pool" in self.__dict__:
            self.pool.close()

    # ---- extraction (stateless) -----------------------------------------------------------------

    def warm_up(self) -> None:
        """Load what extraction needs now rather than in the first batch: the model, the extractor's
        lexicons and the gazetteer index, in every worker process when ``workers`` > 1."""
        if self.workers > 1:
            self.pool.start()
        else:
            list(self.process([_WARM_UP]))

    def process(self, articles: Iterable[Article]) -> Iterator[tuple[Article, list[Event]]]:
        """Each article with its located events, parsed in batches (on ``workers`` processes if > 1)."""
        if self.workers > 1:
            yield from self.pool.process(articles)
            return
        pending: list[Article] = []

        def texts() -> Iterator[str]:
            for article in articles:
                pending.append(article)
                yield article.text

        for doc in self.nlp.parse_many(texts()):
            article = pending.pop(0)
            events = self.extractor.extract(article, doc)
            yield article, [_with_country_actors(e) for e in self.geocoder.locate(article, doc, events)]

    def extract(self, articles: Iterable[Article]) -> Iterator[Event]:
        for _article, events in self.process(articles):
            yield from events

    # ---- ingest (stateful) ----------------------------------------------------------------------

    def ingest(self, paths: Sequence[Path | str], replace: bool = False,
               progress: Progress | None = None) -> IngestReport:
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
            report.add(self.save(list(self.process(fresh)), replace=replace))
            if progress:
                progress(len(batch))

    def save(self, processed: Sequence[tuple[Article, Sequence[Event]]], replace: bool = False) -> SaveReport:
        """Store articles with their extracted events in one transaction, then cluster the new reports."""
        saved = self.store.save(processed, replace=replace)
        # Merge the new reports into canonical events (issue 6); a replaced article may split clusters.
        new_ids = [e.event_id for _article, events in processed for e in events]
        self.cluster(None if saved.articles_replaced else new_ids, check_dirty=bool(saved.articles_replaced))
        return saved

    # ---- analyze: clusters, trends, alerts (issue 6) ---------------------------------------------

    def cluster(self, event_ids: Sequence[str] | None = None, rebuild: bool = False,
                check_dirty: bool = True) -> ClusterReport:
        """Merge reports of one event into canonical events: the new ones (``event_ids``, else all
        unclustered), or everything again with ``rebuild``. Both give the same clusters."""
        from .analyze.storage import rebuild_clusters, update_clusters

        if rebuild:
            return rebuild_clusters(self.store.engine)
        return update_clusters(self.store.engine, event_ids, check_dirty=check_dirty)

    def explain_cluster(self, event_id: str) -> dict[str, Any] | None:
        from .analyze.storage import explain

        return explain(self.store.engine, event_id)

    def trends(self, query: TrendQuery | None = None) -> list[TrendPoint]:
        from .analyze.trends import TrendQuery, trends

        return trends(self.store.engine, query or TrendQuery())

    def alerts(self, query: TrendQuery | None = None, alpha: float | None = None) -> list[Alert]:
        from .analyze.trends import TrendQuery, alerts

        return alerts(self.store.engine, query or TrendQuery(), alpha)

    # ---- reads ----------------------------------------------------------------------------------

    def events(self, query: EventQuery | None = None) -> list[Event]:
        return self.store.events(query)

    def export(self, fmt: str, path: Path | None, query: EventQuery | None = None,
               stdout: IO[str] | None = None) -> int:
        from .export import write_events

        return write_events(self.store.iter_events(query or EventQuery()), fmt, path,
                            articles=self.store.article, stdout=stdout)

"""The ``conflictradar`` command line. Commands only parse, call the core object and report."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..app import ConflictRadar, IngestReport
from ..errors import E, InputError
from ..export import FORMATS
from ..ingest import read_paths
from ..schema import EVENT_TYPES, SUB_EVENT_TYPES, Article, Event, dumps
from ..settings import Settings
from ..store import EventQuery
from ..testing import sample_corpus
from ._common import (
    EXIT_REJECTED,
    DbOption,
    ModelOption,
    console,
    domain_errors,
    progress_bar,
    report_rejections,
)
from .load import EngineOption, RayAddressOption, WorkersOption, load, run_ray_extract

app = typer.Typer(
    name="conflictradar",
    help="Armed-conflict news in; geocoded, deduplicated ACLED-style event records out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output is not cut to 80 columns: a table in a file should keep its words.
out = Console(width=None if sys.stdout.isatty() else 220)


#: Off: every sentence gets the full parse (to measure the fast first pass, nlp.prefilter, against it).
PrefilterOption = Annotated[bool, typer.Option(
    "--prefilter/--no-prefilter", help="Parse only sentences that can hold an event (default on).")]


def _core(db: str | None = None, model: str | None = None, workers: int = 1, prefilter: bool = True) -> ConflictRadar:
    settings = Settings.from_env(db_url=db, model=model)
    if not prefilter:
        settings = replace(settings, prefilter=False)
    return ConflictRadar(settings, workers=workers)


class _RateTracker:
    """Feeds a rich progress task and shows articles per second."""

    def __init__(self, progress: object, task: object) -> None:
        self.progress, self.task, self.start, self.done = progress, task, time.perf_counter(), 0

    def __call__(self, n: int) -> None:
        self.done += n
        rate = self.done / max(time.perf_counter() - self.start, 1e-9)
        self.progress.update(self.task, advance=n, rate=f"{rate:,.1f} articles/s")  # type: ignore[attr-defined]


def _print_ingest(report: IngestReport) -> None:
    console.print(
        f"read {report.articles_read} articles: {report.articles_added} added, "
        f"{report.articles_skipped} already stored, {report.articles_replaced} replaced; "
        f"{report.events_added} events stored; {len(report.rejected)} inputs rejected",
        highlight=False,
    )
    report_rejections(report.rejected)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders: .txt, .html, .json/.jsonl, RSS/Atom .xml.")],
    db: DbOption = None,
    model: ModelOption = None,
    replace: Annotated[bool, typer.Option(help="Re-extract articles whose id is stored with other text.")] = False,
    workers: WorkersOption = 1,
    prefilter: PrefilterOption = True,
) -> None:
    """Read articles, extract their events and store both. Re-ingesting the same article adds nothing."""
    with domain_errors():
        core = _core(db, model, workers, prefilter)
        with progress_bar() as progress:
            task = progress.add_task("ingest", total=None, rate="")
            report = core.ingest(paths, replace=replace, progress=_RateTracker(progress, task))
        _print_ingest(report)
        core.close()
    if report.rejected:
        raise typer.Exit(EXIT_REJECTED)


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Article files (JSON Lines, or any ingest format).")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Event records as JSON Lines (default stdout); a folder with --engine ray.")] = None,
    model: ModelOption = None,
    workers: WorkersOption = 1,
    engine: EngineOption = "local",
    ray_address: RayAddressOption = None,
    prefilter: PrefilterOption = True,
) -> None:
    """Articles in, event records out (JSON Lines; Parquet partitions with --engine ray); nothing is stored."""
    if engine not in ("local", "ray"):
        raise typer.BadParameter(f"expected local or ray, got {engine!r}", param_hint="--engine")
    if engine == "ray":
        with domain_errors():
            run_ray_extract(paths, output, model, workers, ray_address)
        return
    rejected: list[InputError] = []

    def articles() -> Iterator[Article]:
        for result in read_paths(paths, Settings().max_article_bytes):
            if isinstance(result, InputError):
                rejected.append(result)
            else:
                yield result

    with domain_errors():
        core = _core(model=model, workers=workers, prefilter=prefilter)
        sink = output.open("w", encoding="utf-8") if output else sys.stdout
        try:
            with progress_bar() as progress:
                tracker = _RateTracker(progress, progress.add_task("extract", total=None, rate=""))
                n = 0
                for _article, events in core.process(articles()):
                    for event in events:
                        sink.write(dumps(event.to_dict()) + "\n")
                        n += 1
                    tracker(1)
        finally:
            core.close()
            if output:
                sink.close()
        console.print(f"{tracker.done} articles, {n} events; {len(rejected)} inputs rejected", highlight=False)
        report_rejections(rejected)
    if rejected:
        raise typer.Exit(EXIT_REJECTED)


def _query(country: str | None, admin1: str | None, since: str | None, until: str | None, event_type: str | None,
           sub_type: str | None, actor: str | None, min_fatalities: int | None, limit: int | None) -> EventQuery:
    if event_type and event_type not in EVENT_TYPES:
        raise InputError(E.E022, what="event type", got=event_type, expected=", ".join(EVENT_TYPES))
    if sub_type and sub_type not in SUB_EVENT_TYPES:
        raise InputError(E.E022, what="sub-event type", got=sub_type, expected=", ".join(SUB_EVENT_TYPES))
    try:
        since_d = date.fromisoformat(since) if since else None
        until_d = date.fromisoformat(until) if until else None
    except ValueError as exc:
        raise InputError(E.E006, None, None, field="--since/--until", got=since or until,
                         expected="YYYY-MM-DD") from exc
    return EventQuery(country=country, admin1=admin1, since=since_d, until=until_d, event_type=event_type,
                      sub_event_type=sub_type, actor=actor, min_fatalities=min_fatalities, limit=limit)


def events_table(events: list[Event]) -> Table:
    table = Table(show_lines=False)
    for column in ("date", "type", "sub-type", "actor 1", "actor 2", "place", "admin1", "country", "deaths"):
        table.add_column(column, justify="right" if column == "deaths" else "left")
    for e in events:
        loc = e.location
        table.add_row(
            e.event_date.isoformat(), e.event_type, e.sub_event_type,
            e.actor1.name if e.actor1 else "", e.actor2.name if e.actor2 else "",
            (loc.name or "") if loc else "", (loc.admin1 or "") if loc else "", (loc.country_code or "") if loc else "",
            str(e.fatalities.best) if e.fatalities.low == e.fatalities.high else
            f"{e.fatalities.best} ({e.fatalities.low}-{e.fatalities.high})",
        )
    return table


@app.command()
def events(
    db: DbOption = None,
    country: Annotated[str | None, typer.Option(help="ISO2 code or country name.")] = None,
    admin1: Annotated[str | None, typer.Option(help="First-level administrative area.")] = None,
    since: Annotated[str | None, typer.Option(help="YYYY-MM-DD, inclusive.")] = None,
    until: Annotated[str | None, typer.Option(help="YYYY-MM-DD, inclusive.")] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="ACLED event type, e.g. 'Battles'.")] = None,
    sub_type: Annotated[str | None, typer.Option("--sub-type", help="ACLED sub-event type.")] = None,
    actor: Annotated[str | None, typer.Option(help="Actor name (substring).")] = None,
    min_fatalities: Annotated[int | None, typer.Option(help="At least this many deaths (best estimate).")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many events.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, jsonl, geojson or parquet.")] = "table",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to a file instead of stdout.")] = None,
    raw: Annotated[bool, typer.Option("--raw", help="Per-article records, not canonical (merged) events.")] = False,
) -> None:
    """List stored events, filtered."""
    with domain_errors():
        query = _query(country, admin1, since, until, event_type, sub_type, actor, min_fatalities, limit)
        query = replace(query, raw=raw)
        core = _core(db)
        if fmt == "table":
            out.print(events_table(core.events(query)))
        else:
            n = core.export("acled-csv" if fmt == "csv" else fmt, output, query, stdout=sys.stdout)
            if output:
                console.print(f"wrote {n} events to {output}", highlight=False)
        core.close()


@app.command()
def export(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help=f"One of: {', '.join(FORMATS)}.")] = "acled-csv",
    db: DbOption = None,
    raw: Annotated[bool, typer.Option("--raw", help="Per-article records, not canonical (merged) events.")] = False,
) -> None:
    """Export every stored event to a file."""
    with domain_errors():
        core = _core(db)
        n = core.export(fmt, output, EventQuery(raw=raw))
        console.print(f"wrote {n} events to {output} ({fmt})", highlight=False)
        core.close()


@app.command()
def demo(
    db: DbOption = None,
    exports: Annotated[Path, typer.Option(help="Folder for the exported files.")] = Path("exports"),
) -> None:
    """Ingest the bundled sample articles, print a summary and write every export format."""
    with domain_errors():
        core = _core(db)
        with progress_bar() as progress:
            task = progress.add_task("ingest samples", total=None, rate="")
            report = core.ingest([sample_corpus()], progress=_RateTracker(progress, task))
        _print_ingest(report)
        all_events = core.events(EventQuery(include_historical=False))
        out.print(events_table(all_events))
        exports.mkdir(parents=True, exist_ok=True)
        for fmt, name in (("acled-csv", "events.csv"), ("geojson", "events.geojson"),
                          ("parquet", "events.parquet"), ("jsonl", "events.jsonl")):
            n = core.export(fmt, exports / name)
            out.print(f"exported {n} events -> {exports / name}")
        core.close()


# Sub-command groups, each in its own module.
from .eval import eval_app  # noqa: E402

app.add_typer(eval_app, name="eval")
app.command()(load)

from .geo import gazetteer_app, geoparse  # noqa: E402

app.command()(geoparse)
app.add_typer(gazetteer_app, name="gazetteer")

from .analyze import alerts, cluster_app, trends  # noqa: E402

app.add_typer(cluster_app, name="cluster")
app.command()(trends)
app.command()(alerts)

from .serve import keys_app, serve  # noqa: E402

app.command()(serve)
app.add_typer(keys_app, name="keys")


def main() -> None:
    app()


__all__ = ["app", "main"]

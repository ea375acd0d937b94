"""``conflictradar cluster``, ``trends`` and ``alerts``: canonical events, series and escalation alerts."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..errors import E, InputError
from ..schema import dumps
from ._common import DbOption, console, domain_errors

cluster_app = typer.Typer(help="Merge reports of one event into canonical events.", invoke_without_command=True)
out = Console()

Level = Annotated[str | None, typer.Option(help="country, admin1, actor or type.")]
Period = Annotated[str, typer.Option(help="week or month.")]
Country = Annotated[str | None, typer.Option(help="ISO2 country code.")]
Key = Annotated[str | None, typer.Option(help="One series, e.g. ML, ML/Mopti, an actor name or an event type.")]
Since = Annotated[str | None, typer.Option(help="YYYY-MM-DD, inclusive.")]
Until = Annotated[str | None, typer.Option(help="YYYY-MM-DD, inclusive.")]
Raw = Annotated[bool, typer.Option("--raw", help="Count per-article records instead of canonical events.")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON Lines, one record per line.")]


def _core(db: str | None):  # type: ignore[no-untyped-def]
    from ..app import ConflictRadar
    from ..settings import Settings

    return ConflictRadar(Settings.from_env(db_url=db))


def _day(value: str | None, option: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise InputError(E.E006, None, None, field=option, got=value, expected="YYYY-MM-DD") from exc


@cluster_app.callback()
def cluster(ctx: typer.Context, db: DbOption = None,
            rebuild: Annotated[bool, typer.Option(help="Forget every cluster and cluster all reports again.")] = False
            ) -> None:
    """Cluster the reports not yet in a canonical event (or, with --rebuild, all of them)."""
    if ctx.invoked_subcommand is not None:
        return
    with domain_errors():
        core = _core(db)
        report = core.cluster(rebuild=rebuild)
        console.print(f"{report.reports} reports -> {report.clusters} canonical events "
                      f"({report.merged} merged) in {report.seconds:.1f} s", highlight=False)
        core.close()


@cluster_app.command("explain")
def explain(event_id: Annotated[str, typer.Argument(help="A canonical event id, or one of its reports' ids.")],
            db: DbOption = None) -> None:
    """Which reports a canonical event holds, why each was merged, and why nearby reports were not."""
    with domain_errors():
        core = _core(db)
        found = core.explain_cluster(event_id)
        core.close()
        if found is None:
            raise InputError(E.E071, what="clustered event", id=event_id)
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))


def trends(db: DbOption = None, level: Level = "country", period: Period = "week", country: Country = None,
           key: Key = None, since: Since = None, until: Until = None, raw: Raw = False, as_json: AsJson = False
           ) -> None:
    """Events and deaths per week or month for each country, admin1, actor or type."""
    from ..analyze.trends import TrendQuery

    with domain_errors():
        query = TrendQuery(level=level or "country", period=period, country=country, key=key,
                           since=_day(since, "--since"), until=_day(until, "--until"), raw=raw)
        core = _core(db)
        points = core.trends(query)
        core.close()
        if as_json:
            for p in points:
                typer.echo(dumps(p.to_dict()))
            return
        table = Table()
        for column in ("level", "key", period, "events", "deaths"):
            table.add_column(column, justify="right" if column in ("events", "deaths") else "left")
        for p in points:
            if p.events:
                table.add_row(p.level, p.key, p.start.isoformat(), str(p.events), str(p.fatalities))
        out.print(table)


def alerts(db: DbOption = None, level: Level = None, period: Period = "week", country: Country = None,
           key: Key = None, since: Since = None, until: Until = None, raw: Raw = False,
           alpha: Annotated[float, typer.Option(help="Significance level per period.")] = 0.001,
           as_json: AsJson = False) -> None:
    """Series that rose significantly above their own baseline, each with its explanation and events."""
    from ..analyze.trends import TrendQuery

    with domain_errors():
        if not 0 < alpha < 1:
            raise InputError(E.E006, None, None, field="--alpha", got=alpha, expected="a number between 0 and 1")
        query = TrendQuery(level=level, period=period, country=country, key=key,
                           since=_day(since, "--since"), until=_day(until, "--until"), raw=raw)
        core = _core(db)
        found = core.alerts(query, alpha=alpha)
        core.close()
        for a in found:
            typer.echo(dumps(a.to_dict()) if as_json else f"{a.start} {a.series}: {a.explanation}")
        if not as_json:
            console.print(f"{len(found)} alerts", highlight=False)

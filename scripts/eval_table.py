"""Regenerate the README's "Accuracy: events" table: run the full pipeline over the event dev files and
rewrite the README between ``<!-- eval:events:start -->`` and ``<!-- eval:events:end -->``.

Usage: python scripts/eval_table.py [DEV_DIR] [--readme README.md] [--limit N]
DEV_DIR defaults to $CONFLICTRADAR_EVAL_DIR or ../shared/eval/dev next to the repository (never copied here).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from conflictradar.app import ConflictRadar
from conflictradar.evaluation.events import REPORT_ROWS, EventScores, format_figure, load_gold, predict, score

#: The gold files live in shared/ next to the repository (evaluation only: never copied into it).
SHARED_DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev"
FILES = ("events-acled-2022.jsonl", "events-case2021.jsonl", "events-fakes-dev.jsonl")
START, END = "<!-- eval:events:start -->", "<!-- eval:events:end -->"


def table(results: list[EventScores], command: str) -> str:
    head = "| figure | " + " | ".join(f"`{r.name}` ({r.documents:,})" for r in results) + " |"
    lines = [head, "|---|" + "---:|" * len(results)]
    for key, label, kind in REPORT_ROWS:
        values = [r.figures.get(key) for r in results]
        if all(v is None for v in values):
            continue
        lines.append(f"| {label} | " + " | ".join(format_figure(v, kind) for v in values) + " |")
    return "\n".join([f"Regenerate with `{command}` (full pipeline, `conflictradar eval events` conventions).", "",
                      *lines])


def rewrite(readme: Path, body: str) -> None:
    text = readme.read_text("utf-8")
    if START not in text or END not in text:
        sys.exit(f"{readme}: markers {START} / {END} not found")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    readme.write_text(f"{before}{START}\n{body}\n{END}{after}", "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dev_dir", nargs="?", default=os.environ.get("CONFLICTRADAR_EVAL_DIR", str(SHARED_DEV)))
    parser.add_argument("--readme", default="README.md")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    core = ConflictRadar()
    results = []
    for name in FILES:
        gold = load_gold(Path(args.dev_dir) / name, args.limit)
        results.append(score(gold, list(predict(core, gold)), name=name))
        print(f"scored {name}", file=sys.stderr)
    rewrite(Path(args.readme), table(results, "make eval-table"))


if __name__ == "__main__":
    main()

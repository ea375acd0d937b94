"""Regenerate the README's "Accuracy: toponyms" table: geoparse the toponym dev files and rewrite the README
between ``<!-- eval:toponyms:start -->`` and ``<!-- eval:toponyms:end -->``.

Run by ``make eval-toponyms``.
Usage: python scripts/eval_toponyms_table.py [DEV_DIR] [--readme README.md] [--limit N]
DEV_DIR defaults to $CONFLICTRADAR_EVAL_DIR or ../shared/eval/dev next to the repository (never copied here).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from conflictradar.evaluation.toponyms import ToponymScores, load_gold, predict, score
from conflictradar.geo import Geocoder
from conflictradar.nlp import NlpPipeline
from conflictradar.settings import Settings

#: The gold files live in shared/ next to the repository (evaluation only: never copied into it).
SHARED_DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev"
FILES = ("toponyms-lgl.jsonl", "toponyms-gwn.jsonl")
START, END = "<!-- eval:toponyms:start -->", "<!-- eval:toponyms:end -->"


def table(rows: list[ToponymScores], limit: int | None) -> str:
    head = ("| file | docs | gold | P | R | F1 | acc@161 matched | acc@161 all gold | median km | mean km | AUC |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|")
    lines = [head] + [
        f"| {s.name} | {s.documents} | {s.gold} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | "
        f"{s.acc_matched:.3f} | {s.acc_all:.3f} | {s.median_km:.1f} | {s.mean_km:.0f} | {s.auc:.3f} |"
        for s in rows]
    scope = f"first {limit} documents of each file" if limit else "whole files"
    lines.append(f"\nRegenerate with `make eval-toponyms` ({scope}; model {Settings().model}).")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dev_dir", nargs="?", default=os.environ.get("CONFLICTRADAR_EVAL_DIR", str(SHARED_DEV)))
    parser.add_argument("--readme", default="README.md")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    nlp, geocoder = NlpPipeline(Settings.from_env().model), Geocoder()
    rows = []
    for name in FILES:
        records = load_gold(Path(args.dev_dir) / name, args.limit)
        predictions = {str(p["id"]): p["toponyms"] for p in predict(geocoder, nlp, records)}
        rows.append(score(records, predictions, name))
    readme = Path(args.readme)
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"{readme} has no {START} ... {END} markers", file=sys.stderr)
        return 1
    before, rest = text.split(START, 1)
    _old, after = rest.split(END, 1)
    readme.write_text(f"{before}{START}\n{table(rows, args.limit)}\n{END}{after}", encoding="utf-8")
    print(table(rows, args.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where extraction time goes: each spaCy component, the extractor, the geocoder and the store.

    .venv/bin/python bench/stages.py --articles 60
    .venv/bin/python bench/stages.py --articles 60 --pyinstrument bench/results/stages.html

Stages are timed one after the other over the same corpus (one process, after a warm-up), so the shares
add up to the whole. ``--pyinstrument`` also writes a call-tree profile of ``ConflictRadar.process``
(needs ``pip install pyinstrument``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conflictradar.app import ConflictRadar
from conflictradar.settings import Settings
from conflictradar.store import Store
from corpus import make_corpus


def _timed(label: str, timings: dict[str, float], work: Any) -> Any:
    start = time.perf_counter()
    result = work()
    timings[label] = timings.get(label, 0.0) + time.perf_counter() - start
    return result


def stage_times(core: ConflictRadar, n: int, seed: int) -> dict[str, float]:
    articles = make_corpus(n, seed=seed)
    nlp = core.nlp.nlp
    timings: dict[str, float] = {}
    docs = _timed("spacy: tokenizer", timings, lambda: [nlp.make_doc(a.text) for a in articles])
    for name, component in nlp.pipeline:
        docs = _timed(f"spacy: {name}", timings, lambda c=component, d=docs: list(c.pipe(d, batch_size=32)))
    pairs = list(zip(articles, docs, strict=True))
    found = _timed("extractor", timings, lambda: [core.extractor.extract(a, d) for a, d in pairs])
    located = _timed("geocoder", timings, lambda: [
        core.geocoder.locate(a, d, e) for a, d, e in zip(articles, docs, found, strict=True)])
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/profile.db")
        stored = list(zip(articles, located, strict=True))
        _timed("store (SQLite)", timings, lambda: [store.save(stored[i:i + 64]) for i in range(0, len(stored), 64)])
        store.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pyinstrument", type=Path, help="also write a pyinstrument HTML profile here")
    args = parser.parse_args()
    core = ConflictRadar(Settings.from_env())
    list(core.process(make_corpus(3, seed=args.seed + 1)))  # warm-up: model, lexicons, gazetteer
    timings = stage_times(core, args.articles, args.seed)
    total = sum(timings.values())
    print(f"{args.articles} articles, {total:.2f} s in all ({args.articles / total:.1f} articles/s)")
    for label, seconds in sorted(timings.items(), key=lambda kv: -kv[1]):
        share, per_article = 100 * seconds / total, 1000 * seconds / args.articles
        print(f"  {label:<22}{seconds:8.2f} s {share:6.1f} %  {per_article:7.1f} ms/article")
    print(json.dumps({k: round(v, 3) for k, v in timings.items()}))
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.002)
        with profiler:
            list(core.process(make_corpus(args.articles, seed=args.seed)))
        args.pyinstrument.parent.mkdir(parents=True, exist_ok=True)
        args.pyinstrument.write_text(profiler.output_html(), encoding="utf-8")
        print(f"wrote {args.pyinstrument}")


if __name__ == "__main__":
    main()

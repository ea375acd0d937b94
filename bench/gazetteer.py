"""Gazetteer speed: opening the built index, and looking a name up (medians of several runs).

Targets: opening the index under a second; one uncached lookup well under a millisecond.
Usage: python bench/gazetteer.py [--runs 7] [--rebuild]   (--rebuild also times a fresh build, ~30 s)
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from conflictradar.geo import SqliteGazetteer, open_gazetteer
from conflictradar.geo._build import build_index

#: Names of all kinds: exact, transliterated, ambiguous, absent.
NAMES = ("Aleppo", "Hassakeh", "Al-Hasakah", "Kharkiv", "Paris", "Springfield", "Mogadishu", "Maiduguri",
         "Deir ez-Zor", "Sittwe", "Timbuktu", "Nowhereville", "Georgia", "Kyiv", "Goma", "Marib")


def _median_seconds(action: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    path = open_gazetteer().path  # builds once if needed
    if args.rebuild:
        with tempfile.TemporaryDirectory() as tmp:
            build_s = _median_seconds(lambda: build_index(Path(tmp) / "g.sqlite"), 1)
        print(f"build index            {build_s:8.1f} s")
    open_s = _median_seconds(lambda: SqliteGazetteer(path), args.runs)
    gazetteer = SqliteGazetteer(path)
    # _lookup bypasses the per-process cache: this is the cost of a first lookup of a name.
    lookup_s = _median_seconds(lambda: [gazetteer._lookup(n) for n in NAMES], args.runs) / len(NAMES)
    cached_s = _median_seconds(lambda: [gazetteer.lookup(n) for n in NAMES], args.runs) / len(NAMES)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"index file             {path} ({path.stat().st_size / 1e6:.0f} MB)")
    print(f"open index (median)    {open_s * 1000:8.2f} ms   target < 1000 ms")
    print(f"lookup, uncached       {lookup_s * 1000:8.3f} ms   target < 1 ms")
    print(f"lookup, cached         {cached_s * 1e6:8.2f} us")
    print(f"peak RSS of process    {rss_mb:8.0f} MB")


if __name__ == "__main__":
    main()

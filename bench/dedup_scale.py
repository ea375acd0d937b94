"""How long clustering takes at scale: synthetic reports, blocked by grid cell and week.

    .venv/bin/python bench/dedup_scale.py --reports 1000000             # the algorithm, in memory
    .venv/bin/python bench/dedup_scale.py --reports 100000 --db         # plus a full rebuild in SQLite

Reports are drawn around 3,000 synthetic places (in 10-degree "countries") over three years (2.5 reports
per event on average, dense enough that most cells hold events every week).
Prints wall-clock seconds (median of --runs).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from conflictradar.analyze.cluster import Report, cluster_reports, load_rules
from conflictradar.store.grid import grid_cell

KINDS = (("Battles", "Armed clash"), ("Violence against civilians", "Attack"),
         ("Explosions/Remote violence", "Air/drone strike"),
         ("Explosions/Remote violence", "Shelling/artillery/missile attack"))
TARGETS = ("market", "school", "checkpoint", "convoy", "camp", "mosque")


def _country(lat: float, lon: float) -> str:
    """Synthetic countries: 10-degree squares."""
    return chr(65 + int((lat + 5) // 10)) + chr(65 + int((lon + 15) // 10))


def synthetic(n_reports: int, seed: int) -> list[Report]:
    rng = random.Random(seed)
    rules = load_rules()
    places = [(rng.uniform(-5, 35), rng.uniform(-15, 50)) for _ in range(3000)]
    start = date(2021, 1, 1).toordinal()
    target_sets = {t: frozenset([t]) for t in TARGETS}
    out: list[Report] = []
    e = 0
    while len(out) < n_reports:
        lat, lon = rng.choice(places)
        day, (etype, sub) = start + rng.randrange(3 * 365), rng.choice(KINDS)
        target = target_sets[rng.choice(TARGETS)]
        for k in range(rng.choice((1, 1, 2, 3, 3, 5))):
            out.append(Report(
                event_id=f"{e:08d}-{k}", article_id=f"a{e}-{k}", event_type=etype, sub_event_type=sub,
                day=day + rng.choice((0, 0, 0, 1)), date_precision=1, actor1_name="Group A", actor1_type=None,
                actor2_name=None, actor2_type=None, location_name=None, admin1=None, admin2=None, country=None,
                country_code=_country(lat, lon), latitude=lat + rng.uniform(-0.01, 0.01),
                longitude=lon + rng.uniform(-0.01, 0.01),
                geonames_id=None, geo_precision=1, fatalities_low=k, fatalities_best=k, fatalities_high=k + 1,
                injured=None, abducted=None, arrested=None, civilian_targeting=False, historical=False,
                confidence=0.5, extractor="bench", published=day + k, targets=target))
        e += 1
    del rules
    return out[:n_reports]


def _insert(engine: object, reports: list[Report]) -> None:
    from sqlalchemy import insert

    from conflictradar.store.tables import articles, events, evidence

    with engine.begin() as conn:  # type: ignore[attr-defined]
        for i in range(0, len(reports), 20000):
            chunk = reports[i:i + 20000]
            conn.execute(insert(articles), [{"id": r.article_id, "content_hash": r.article_id, "text": "x",
                                             "published": date.fromordinal(r.published or r.day)} for r in chunk])
            conn.execute(insert(events), [_row(r) for r in chunk])
            conn.execute(insert(evidence), [{"event_id": r.event_id, "sentence": f"They hit the {min(r.targets)}.",
                                             "start": 0, "end": 1, "spans": "[]"} for r in chunk])


def _db_rebuild(reports: list[Report], batch: int = 150) -> tuple[float, list[float]]:
    """Seconds for a full rebuild over all but the last few batches, then for each of those batches
    added incrementally (what ingest does after every batch it stores)."""
    from conflictradar.analyze.storage import rebuild_clusters, update_clusters
    from conflictradar.store import Store

    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'scale.db'}")
        head, tail = reports[:-3 * batch], reports[-3 * batch:]
        _insert(store.engine, head)
        started = time.perf_counter()
        rebuild_clusters(store.engine)
        seconds = time.perf_counter() - started
        increments = []
        for i in range(0, len(tail), batch):
            chunk = tail[i:i + batch]
            _insert(store.engine, chunk)
            started = time.perf_counter()
            update_clusters(store.engine, [r.event_id for r in chunk])
            increments.append(time.perf_counter() - started)
        store.close()
    return seconds, increments


def _row(r: Report) -> dict[str, object]:
    names = ("event_id", "article_id", "event_type", "sub_event_type", "date_precision", "actor1_name", "actor1_type",
             "actor2_name", "actor2_type", "location_name", "admin1", "admin2", "country", "country_code", "latitude",
             "longitude", "geonames_id", "geo_precision", "fatalities_low", "fatalities_best", "fatalities_high",
             "injured", "abducted", "arrested", "civilian_targeting", "historical", "confidence", "extractor")
    return {n: getattr(r, n) for n in names} | {"event_date": date.fromordinal(r.day),
                                                "cell": grid_cell(r.latitude, r.longitude)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", action="store_true", help="Also time a full rebuild in an SQLite database.")
    args = parser.parse_args()
    reports = synthetic(args.reports, seed=1)
    times, groups = [], 0
    for _ in range(args.runs):
        started = time.perf_counter()
        groups = len(cluster_reports(reports))
        times.append(time.perf_counter() - started)
    print(f"{len(reports):,} reports -> {groups:,} clusters: median {statistics.median(times):.1f} s "
          f"over {args.runs} runs ({', '.join(f'{t:.1f}' for t in times)}); "
          f"{len(reports) / statistics.median(times):,.0f} reports/s in memory")
    if args.db:
        rebuild, increments = _db_rebuild(reports)
        print(f"full rebuild in SQLite (load, cluster, write): {rebuild:.1f} s; then batches of 150 new "
              f"reports clustered incrementally in {', '.join(f'{t:.2f}' for t in increments)} s")


if __name__ == "__main__":
    main()

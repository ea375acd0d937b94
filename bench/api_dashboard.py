"""Dashboard responsiveness with many events in view, in Debian's headless chromium (Playwright).

    .venv/bin/python bench/api_dashboard.py --db sqlite:///bench/results/api_bench_1000000.db [--runs 3]

Uses a database that bench/api_bench.py loaded (1,000,000 events: the map clusters the newest 100,000 in view).
Serves it with `conflictradar serve` on 127.0.0.1 and reports, as medians of ``--runs`` page loads: time
until the dashboard is ready (map, table, timeline drawn), the longest main-thread task while loading
(a freeze, if any), the longest task while zooming in twice, and how long one more zoom takes until its
clusters are drawn (zoom_redraw_ms: the map asks the server for each view).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from api_bench import serve

ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LONG_TASKS = """window.__long = 0; new PerformanceObserver(list => { for (const e of list.getEntries())
    window.__long = Math.max(window.__long, e.duration); }).observe({type: 'longtask', buffered: true});"""


def one_run(base: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.add_init_script(LONG_TASKS)
        started = time.perf_counter()
        page.goto(base + "/")
        page.wait_for_selector("body[data-ready=true]", timeout=300_000)
        ready = time.perf_counter() - started
        longest = float(page.evaluate("window.__long"))
        # The longest main-thread task while zooming in twice (re-cluster and redraw; 0 = none over 50 ms).
        zoom = page.evaluate("""() => new Promise(resolve => {
            window.__long = 0;
            document.querySelector('.leaflet-control-zoom-in').click();
            setTimeout(() => document.querySelector('.leaflet-control-zoom-in').click(), 600);
            setTimeout(() => resolve(window.__long), 1500);
        })""")
        # How long one more zoom takes to show its clusters (the map asks the server for the new view).
        page.wait_for_timeout(500)
        redraw = page.evaluate("""() => new Promise(resolve => {
            const map = document.getElementById('map');
            const want = String(Number(map.dataset.zoom) + 1);
            const started = performance.now();
            new MutationObserver((_, seen) => { if (map.dataset.zoom === want) {
                seen.disconnect(); resolve(performance.now() - started); } })
                .observe(map, {attributes: true});
            document.querySelector('.leaflet-control-zoom-in').click();
        })""")
        points = page.evaluate("document.getElementById('status').textContent")
        browser.close()
    return {"ready_s": ready, "zoom_ms": float(zoom), "longest_task_ms": longest, "zoom_redraw_ms": float(redraw),
            "status": points}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    process, base = serve(args.db)
    try:
        runs = [one_run(base) for _ in range(args.runs)]
    finally:
        process.kill()  # requests of the closed pages may still be running; nothing to save
        process.wait()
    print(f"status line: {runs[-1]['status']}")
    for key in ("ready_s", "zoom_ms", "longest_task_ms", "zoom_redraw_ms"):
        print(f"{key:16s} median {statistics.median(r[key] for r in runs):8.2f}   "
              f"runs {[round(float(r[key]), 2) for r in runs]}")


if __name__ == "__main__":
    main()

"""False alarms and detection delay of the escalation alerts, on synthetic weekly series.

    .venv/bin/python bench/alerts.py [--series 300] [--years 3] [--alpha 0.001] [--seed 1]

Null series (no change): Poisson, and negative binomial with dispersion k = 1 (variance mu + mu^2, like
real conflict counts), at several weekly rates. False alarms = alert runs per series-year, counted
after the 12-week warm-up. Planted series: the rate jumps by a factor at a random week and stays up;
we report the share detected within 8 weeks, the median delay (weeks from the change to the first
flagged week; 0 = flagged in the week of the change) and false alarms before the change.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from conflictradar.analyze.trends import AlertRule, detect

RATES = (0.2, 1.0, 5.0, 20.0)
FACTORS = (2.0, 3.0, 5.0)


def draw(rng: np.random.Generator, mean: np.ndarray, kind: str) -> np.ndarray:
    if kind == "poisson":
        return rng.poisson(mean)
    return rng.negative_binomial(1.0, 1.0 / (1.0 + mean))  # k = 1: variance mu + mu^2


def null_rate(rng: np.random.Generator, rate: float, kind: str, n: int, weeks: int, rule: AlertRule) -> float:
    alarms = 0
    for _ in range(n):
        alarms += len(detect(draw(rng, np.full(weeks, rate), kind), rule))
    return alarms / (n * (weeks - rule.baseline) / 52.0)


def planted(rng: np.random.Generator, rate: float, factor: float, kind: str, n: int, weeks: int,
            rule: AlertRule) -> tuple[float, float | None, float]:
    delays, early = [], 0
    for _ in range(n):
        change = int(rng.integers(rule.baseline + 40, weeks - 20))
        mean = np.full(weeks, rate)
        mean[change:] *= factor
        runs = detect(draw(rng, mean, kind), rule)
        early += sum(1 for first, _last, _p, _m in runs if first < change)
        after = [first for first, _last, _p, _m in runs if first >= change]
        if after and after[0] - change < 8:
            delays.append(after[0] - change)
    detected = len(delays) / n
    return detected, (statistics.median(delays) if delays else None), early / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=300)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--alpha", type=float, default=AlertRule.alpha)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng, weeks, rule = np.random.default_rng(args.seed), 52 * args.years, AlertRule(alpha=args.alpha)
    started = time.perf_counter()
    print(f"alpha={rule.alpha} baseline={rule.baseline} weeks min_count={rule.min_count}; "
          f"{args.series} series x {args.years} years per row")
    print("\nfalse alarms per series-year (no change)")
    print(f"{'weekly rate':>12} {'Poisson':>9} {'NB k=1':>9}")
    for rate in RATES:
        pois = null_rate(rng, rate, "poisson", args.series, weeks, rule)
        nb = null_rate(rng, rate, "nb", args.series, weeks, rule)
        print(f"{rate:>12} {pois:>9.3f} {nb:>9.3f}")
    print("\nplanted step changes (Poisson): detected within 8 weeks / median delay in weeks / false alarms before")
    print(f"{'weekly rate':>12} " + " ".join(f"{'x' + str(f):>22}" for f in FACTORS))
    for rate in RATES:
        cells = []
        for factor in FACTORS:
            det, delay, early = planted(rng, rate, factor, "poisson", args.series, weeks, rule)
            cells.append(f"{det:6.0%} / {'-' if delay is None else f'{delay:.0f}':>3} / {early:5.2f}")
        print(f"{rate:>12} " + " ".join(f"{c:>22}" for c in cells))
    print("\nplanted step changes (NB k=1)")
    for rate in RATES:
        cells = []
        for factor in FACTORS:
            det, delay, early = planted(rng, rate, factor, "nb", args.series, weeks, rule)
            cells.append(f"{det:6.0%} / {'-' if delay is None else f'{delay:.0f}':>3} / {early:5.2f}")
        print(f"{rate:>12} " + " ".join(f"{c:>22}" for c in cells))
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

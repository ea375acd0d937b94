"""How well clustering merges reports of one event: pairwise precision/recall and B-cubed F1.

    .venv/bin/python bench/dedup.py --write          # (re)build tests/data/dedup/articles.jsonl and gold.jsonl
    .venv/bin/python bench/dedup.py [--limit N]      # run the full pipeline on them, cluster, score

The corpus: fictional events, each reported 2-5 times in paraphrases (tests/data/dedup/templates.yaml)
with different tolls, publication days and date phrases, plus near-miss distractors: a different
target in the same town on the same day, the same kind of attack in the same town a week later, and
the same kind of attack on the same day in another town. Every article describes one event; each event
record extracted from it is labelled with that event. Scored over the extracted records (articles the
extractor finds no event in are counted and left out).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import yaml
from sqlalchemy import select

from conflictradar.schema import Article
from conflictradar.store.tables import cluster_members, events
from conflictradar.testing import build_core

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "dedup"


def _when(event_day: date, published: date, rng: random.Random) -> str:
    if published - event_day == timedelta(days=1) and rng.random() < 0.5:
        return "yesterday"
    if rng.random() < 0.5:
        return f"on {event_day.strftime('%A')}"
    return f"on {event_day.strftime('%B')} {event_day.day}"


def _reports(event: dict[str, object], kinds: dict[str, list[str]], rng: random.Random, count: int,
             groups: list[str]) -> list[dict[str, object]]:
    day = date.fromisoformat(str(event["date"]))
    templates = rng.sample(kinds[str(event["kind"])], min(count, len(kinds[str(event["kind"])])))
    group = rng.choice(groups)
    out = []
    for k, template in enumerate(templates):
        published = day + timedelta(days=rng.choice([0, 1, 1, 2]))
        text = template.format(n=int(str(event["toll"])) + rng.choice([0, 0, 1, 2]), town=event["town"],
                               country=event["country"], when=_when(day, published, rng), group=group)
        text = text[0].upper() + text[1:]
        out.append({"id": f"{event['id']}-r{k}", "text": text, "published": published.isoformat(),
                    "title": f"Report on {event['town']}", "url": f"https://wire.example/{event['id']}/{k}"})
    return out


def build(n_events: int, seed: int) -> tuple[list[dict[str, object]], list[dict[str, str]]]:
    spec = yaml.safe_load((DATA / "templates.yaml").read_text(encoding="utf-8"))
    rng = random.Random(seed)
    kinds, places, groups = spec["kinds"], spec["places"], spec["groups"]
    articles: list[dict[str, object]] = []
    gold: list[dict[str, str]] = []

    def add(event: dict[str, object], count: int) -> None:
        for article in _reports(event, kinds, rng, count, groups):
            articles.append(article)
            gold.append({"article_id": str(article["id"]), "event": str(event["id"])})

    for e in range(n_events):
        place = rng.choice(places)
        day = date(2024, 1, 8) + timedelta(days=rng.randrange(170))
        event = {"id": f"ev{e:03d}", "kind": rng.choice(sorted(kinds)), "date": day.isoformat(),
                 "toll": rng.randint(3, 30), **place}
        add(event, rng.randint(2, 5))
        roll = rng.random()
        if roll < 0.3:  # same town, same day, another target
            add({**event, "id": f"ev{e:03d}-other", "kind": spec["distractor_of"][event["kind"]],
                 "toll": rng.randint(2, 15)}, rng.randint(1, 3))
        elif roll < 0.45:  # same kind, same town, a week or more later
            later = day + timedelta(days=rng.randint(7, 12))
            add({**event, "id": f"ev{e:03d}-later", "date": later.isoformat()}, rng.randint(1, 3))
        elif roll < 0.6:  # same kind, same day, another town
            other = rng.choice([p for p in places if p["town"] != place["town"]])
            add({**event, "id": f"ev{e:03d}-elsewhere", **other}, rng.randint(1, 3))
    return articles, gold


def write(n_events: int, seed: int) -> None:
    articles, gold = build(n_events, seed)
    (DATA / "articles.jsonl").write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    (DATA / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold), encoding="utf-8")
    print(f"wrote {len(articles)} articles of {len({g['event'] for g in gold})} events to {DATA}")


def score(pred: dict[str, str], truth: dict[str, str]) -> dict[str, float]:
    """Pairwise precision/recall/F1 and B-cubed precision/recall/F1 of a clustering (item -> cluster)."""
    by_pred, by_true = defaultdict(set), defaultdict(set)
    for item, cluster in pred.items():
        by_pred[cluster].add(item)
        by_true[truth[item]].add(item)
    same_both = sum(len(by_pred[pred[i]] & by_true[truth[i]]) - 1 for i in pred) / 2
    pred_pairs = sum(len(m) * (len(m) - 1) / 2 for m in by_pred.values())
    true_pairs = sum(len(m) * (len(m) - 1) / 2 for m in by_true.values())
    p = same_both / pred_pairs if pred_pairs else 1.0
    r = same_both / true_pairs if true_pairs else 1.0
    bp = sum(len(by_pred[pred[i]] & by_true[truth[i]]) / len(by_pred[pred[i]]) for i in pred) / len(pred)
    br = sum(len(by_pred[pred[i]] & by_true[truth[i]]) / len(by_true[truth[i]]) for i in pred) / len(pred)
    return {"pair_precision": p, "pair_recall": r, "pair_f1": 2 * p * r / (p + r) if p + r else 0.0,
            "b3_precision": bp, "b3_recall": br, "b3_f1": 2 * bp * br / (bp + br)}


def load() -> tuple[list[dict[str, object]], list[dict[str, str]]]:
    articles = [json.loads(line) for line in (DATA / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    return articles, [json.loads(line) for line in (DATA / "gold.jsonl").read_text(encoding="utf-8").splitlines()]


def run(corpus: tuple[list[dict[str, object]], list[dict[str, str]]], limit: int | None) -> None:
    articles = [Article.from_dict(a) for a in corpus[0]][:limit]
    gold = {g["article_id"]: g["event"] for g in corpus[1]}
    with tempfile.TemporaryDirectory() as folder:
        core = build_core(Path(folder) / "dedup.db")
        started = time.perf_counter()
        core.ingest_articles(articles)  # clusters after each batch, as ingest always does
        seconds = time.perf_counter() - started
        with core.store.engine.connect() as conn:
            rows = conn.execute(select(events.c.event_id, events.c.article_id, cluster_members.c.cluster_id)
                                .join(cluster_members, cluster_members.c.event_id == events.c.event_id)).all()
        core.close()
    pred = {event_id: cluster for event_id, _a, cluster in rows}
    truth = {event_id: gold[article_id] for event_id, article_id, _c in rows}
    found = {article_id for _e, article_id, _c in rows}
    scores = score(pred, truth)
    singletons = score({i: i for i in pred}, truth)
    print(f"{len(articles)} articles, {len({gold[a.id] for a in articles})} events; {len(rows)} records extracted "
          f"from {len(found)} articles ({len(articles) - len(found)} articles gave no event); "
          f"{len(set(pred.values()))} clusters; ingest+cluster {seconds:.0f} s")
    for name, value in scores.items():
        print(f"{name:>15} {value:.3f}   (no merging: {singletons[name]:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="Rebuild the corpus files first.")
    parser.add_argument("--events", type=int, default=120)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--limit", type=int, default=None, help="Score only the first N articles.")
    parser.add_argument("--fresh", type=int, default=None, metavar="SEED",
                        help="Score a corpus built in memory with this seed (held out: not the one tuned on).")
    args = parser.parse_args()
    if args.write:
        write(args.events, args.seed)
    run(build(args.events, args.fresh) if args.fresh is not None else load(), args.limit)


if __name__ == "__main__":
    main()

"""Scoring event predictions against a gold file, by the conventions of shared/eval/README.md section 2.

``predict`` runs the full pipeline (``ConflictRadar.process``: extraction, then the geo stage) over the
gold texts; ``score`` compares predictions with gold and returns plain numbers; ``format_report`` prints
them. The per-document *primary* prediction is the one with the highest confidence (missing confidence
ranks lowest; ties go to the first in file order).
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..schema import Article
from ._common import haversine_km, normalize_name, read_gold

if TYPE_CHECKING:
    from ..app import ConflictRadar

__all__ = ["EventScores", "format_report", "load_gold", "predict", "primary", "read_predictions", "score"]

Prediction = dict[str, Any]
_QUALIFIER = re.compile(r"\([^)]*\)")


def load_gold(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for record in read_gold(path):
        if limit is not None and len(records) >= limit:
            break
        records.append(record)
    return records


def article_of(record: dict[str, Any]) -> Article:
    return Article.from_dict({"id": record["id"], "text": record["text"], "published": record.get("published")})


def predict(core: ConflictRadar, gold: Iterable[dict[str, Any]]) -> Iterator[Prediction]:
    """Every event the pipeline finds in the gold texts, as prediction dicts (the event record)."""
    for _article, events in core.process(article_of(r) for r in gold):
        for event in events:
            yield event.to_dict()


def read_predictions(path: Path) -> list[Prediction]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def primary(predictions: list[Prediction]) -> Prediction | None:
    """The highest-confidence prediction; missing confidence ranks lowest; ties keep file order."""
    best: Prediction | None = None
    best_conf = float("-inf")
    for pred in predictions:
        conf = pred.get("confidence")
        value = float(conf) if isinstance(conf, (int, float)) else float("-inf")
        if best is None or value > best_conf:
            best, best_conf = pred, value
    return best


def _fatalities(pred: Prediction | None) -> int:
    if pred is None:
        return 0
    value = pred.get("fatalities")
    if isinstance(value, dict):
        value = value.get("best")
    return int(value) if isinstance(value, (int, float)) else 0


def _actor_name(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("name")
    return value if isinstance(value, str) else ""


def _lenient(name: str) -> str:
    return normalize_name(_QUALIFIER.sub(" ", name))


def actor_matches(pred: Any, gold: str) -> tuple[bool, bool]:
    """(exact, lenient) match of a predicted actor with a gold actor name."""
    name = _actor_name(pred)
    if not name:
        return False, False
    exact = normalize_name(name) == normalize_name(gold)
    p, g = _lenient(name), _lenient(gold)
    return exact, exact or bool(p and g and (p == g or p in g or g in p))


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


@dataclass
class _Tally:
    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.total += 1
        self.hits += bool(hit)

    @property
    def rate(self) -> float | None:
        return _share(self.hits, self.total)


def macro_f1(pairs: list[tuple[str, str | None]]) -> tuple[float | None, dict[str, dict[str, float]]]:
    """Macro-F1 over the gold classes present; ``pairs`` are (gold, predicted or None)."""
    classes = sorted({g for g, _ in pairs})
    per_class: dict[str, dict[str, float]] = {}
    for cls in classes:
        tp = sum(1 for g, p in pairs if g == cls and p == cls)
        fp = sum(1 for g, p in pairs if g != cls and p == cls)
        fn = sum(1 for g, p in pairs if g == cls and p != cls)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_class[cls] = {"precision": prec, "recall": rec, "f1": f1, "support": float(tp + fn)}
    if not classes:
        return None, per_class
    return sum(c["f1"] for c in per_class.values()) / len(classes), per_class


@dataclass
class EventScores:
    """Every figure of one gold file; ``None`` where the gold has no such field."""

    name: str
    documents: int
    figures: dict[str, float | int | None]
    per_class: dict[str, dict[str, float]]
    confusion: dict[str, dict[str, int]]

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.name, "documents": self.documents, **self.figures,
                "per_class": self.per_class, "confusion": self.confusion}


def score(gold: list[dict[str, Any]], predictions: Iterable[Prediction], name: str = "") -> EventScores:
    """Score predictions (any order, keyed by ``article_id``) against gold records."""
    by_doc: dict[str, list[Prediction]] = {}
    for pred in predictions:
        by_doc.setdefault(str(pred.get("article_id")), []).append(pred)
    t: dict[str, _Tally] = {k: _Tally() for k in _TALLIES}
    sub_pairs: list[tuple[str, str | None]] = []
    abs_errors: list[int] = []
    distances: list[float] = []
    confusion: dict[str, Counter[str]] = {}
    for record in gold:
        preds = by_doc.get(str(record["id"]), [])
        top = primary(preds)
        g = record.get("gold") or {}
        extra = record.get("extra") or {}
        _score_detection(t, g, extra, preds)
        _score_types(t, g, preds, top, sub_pairs, confusion)
        _score_fatalities(t, g, extra, top, abs_errors)
        _score_date_actor(t, g, top)
        _score_location(t, g, extra, top, distances)
    f1, per_class = macro_f1(sub_pairs)
    figures: dict[str, float | int | None] = {k: t[k].rate for k in _TALLIES}
    figures |= {
        "subtype_macro_f1": f1,
        "fatalities_mae": statistics.fmean(abs_errors) if abs_errors else None,
        "location_median_km": statistics.median(distances) if distances else None,
        "fatalities_reported_n": t["fatalities_exact_reported"].total,
        "fatalities_zero_n": t["invented_toll_rate"].total,
    }
    return EventScores(name, len(gold), figures, per_class,
                       {k: dict(sorted(v.items())) for k, v in sorted(confusion.items())})


_TALLIES = (
    "event_recall", "oot_false_alarm_rate", "event_type_accuracy", "subtype_accuracy", "subtype_any_match",
    "fatalities_exact", "fatalities_within1", "fatalities_within20", "fatalities_exact_unflagged",
    "fatalities_exact_reported", "invented_toll_rate", "event_date_exact", "actor1_exact", "actor1_lenient",
    "location_coverage", "location_acc161", "country_accuracy", "admin1_accuracy",
)


def _score_detection(t: dict[str, _Tally], g: dict[str, Any], extra: dict[str, Any], preds: list[Prediction]) -> None:
    if extra.get("out_of_taxonomy"):
        t["oot_false_alarm_rate"].add(bool(preds))
    else:
        t["event_recall"].add(bool(preds))


def _score_types(t: dict[str, _Tally], g: dict[str, Any], preds: list[Prediction], top: Prediction | None,
                 sub_pairs: list[tuple[str, str | None]], confusion: dict[str, Counter[str]]) -> None:
    if g.get("event_type"):
        t["event_type_accuracy"].add(top is not None and top.get("event_type") == g["event_type"])
    sub = g.get("sub_event_type")
    if sub:
        predicted = top.get("sub_event_type") if top else None
        t["subtype_accuracy"].add(predicted == sub)
        t["subtype_any_match"].add(any(p.get("sub_event_type") == sub for p in preds))
        sub_pairs.append((sub, predicted))
        confusion.setdefault(sub, Counter())[predicted or "(none)"] += 1


def _score_fatalities(t: dict[str, _Tally], g: dict[str, Any], extra: dict[str, Any], top: Prediction | None,
                      abs_errors: list[int]) -> None:
    gold_n = g.get("fatalities")
    if gold_n is None:
        return
    pred_n = _fatalities(top)
    t["fatalities_exact"].add(pred_n == gold_n)
    t["fatalities_within1"].add(abs(pred_n - gold_n) <= 1)
    t["fatalities_within20"].add(abs(pred_n - gold_n) <= 0.2 * gold_n)
    abs_errors.append(abs(pred_n - gold_n))
    flagged = bool(extra.get("fatalities_imputed") or extra.get("fatalities_split"))
    if not flagged:
        t["fatalities_exact_unflagged"].add(pred_n == gold_n)
        if gold_n > 0:
            t["fatalities_exact_reported"].add(pred_n == gold_n)
    if gold_n == 0:
        t["invented_toll_rate"].add(pred_n > 0)


def _score_date_actor(t: dict[str, _Tally], g: dict[str, Any], top: Prediction | None) -> None:
    if g.get("event_date"):
        t["event_date_exact"].add(top is not None and str(top.get("event_date", ""))[:10] == g["event_date"][:10])
    if g.get("actor1"):
        exact, lenient = actor_matches(top.get("actor1") if top else None, g["actor1"])
        t["actor1_exact"].add(exact)
        t["actor1_lenient"].add(lenient)


def _score_location(t: dict[str, _Tally], g: dict[str, Any], extra: dict[str, Any], top: Prediction | None,
                    distances: list[float]) -> None:
    gold_loc = g.get("location") or {}
    loc = (top or {}).get("location") or {}
    has_coords = loc.get("latitude") is not None and loc.get("longitude") is not None
    if gold_loc.get("latitude") is not None and gold_loc.get("longitude") is not None:
        t["location_coverage"].add(has_coords)
        km = haversine_km(loc["latitude"], loc["longitude"], gold_loc["latitude"], gold_loc["longitude"]) \
            if has_coords else None
        if km is not None:
            distances.append(km)
        t["location_acc161"].add(km is not None and km <= 161)
    if gold_loc.get("country") or gold_loc.get("country_code"):
        t["country_accuracy"].add(_same_country(loc, gold_loc))
    if gold_loc.get("admin1"):
        names = {normalize_name(gold_loc["admin1"])} | {normalize_name(a) for a in extra.get("admin1_aliases") or []}
        t["admin1_accuracy"].add(bool(loc.get("admin1")) and normalize_name(loc.get("admin1")) in names)


def _same_country(loc: dict[str, Any], gold_loc: dict[str, Any]) -> bool:
    if loc.get("country_code") and gold_loc.get("country_code"):
        return str(loc["country_code"]).upper() == str(gold_loc["country_code"]).upper()
    return bool(loc.get("country")) and normalize_name(loc.get("country")) == normalize_name(gold_loc.get("country"))


#: (key, label, kind) of the figures in the printed report, in order.
REPORT_ROWS: tuple[tuple[str, str, str], ...] = (
    ("event_recall", "event recall", "rate"),
    ("oot_false_alarm_rate", "out-of-taxonomy false alarms", "rate"),
    ("event_type_accuracy", "event-type accuracy", "rate"),
    ("subtype_accuracy", "sub-type accuracy", "rate"),
    ("subtype_macro_f1", "sub-type macro-F1", "rate"),
    ("subtype_any_match", "sub-type any-match", "rate"),
    ("fatalities_exact", "fatalities exact (all rows)", "rate"),
    ("fatalities_exact_unflagged", "fatalities exact (not imputed/split)", "rate"),
    ("fatalities_exact_reported", "fatalities exact (reported toll > 0)", "rate"),
    ("invented_toll_rate", "invented-toll rate (gold 0)", "rate"),
    ("fatalities_within1", "fatalities within 1", "rate"),
    ("fatalities_within20", "fatalities within 20 %", "rate"),
    ("fatalities_mae", "fatalities MAE", "number"),
    ("event_date_exact", "event-date exact", "rate"),
    ("actor1_exact", "actor1 exact", "rate"),
    ("actor1_lenient", "actor1 lenient", "rate"),
    ("location_coverage", "location coverage", "rate"),
    ("location_acc161", "location acc@161 km", "rate"),
    ("location_median_km", "location median km", "number"),
    ("country_accuracy", "country accuracy", "rate"),
    ("admin1_accuracy", "admin1 accuracy", "rate"),
)


def format_figure(value: float | int | None, kind: str) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if kind == "rate" else f"{value:,.1f}"


def format_report(scores: EventScores) -> str:
    lines = [f"{scores.name}: {scores.documents} documents"]
    for key, label, kind in REPORT_ROWS:
        value = scores.figures.get(key)
        if value is not None:
            lines.append(f"  {label:<40} {format_figure(value, kind)}")
    return "\n".join(lines)

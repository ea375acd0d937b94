"""Toponym scoring per shared/eval/README.md section 2: detection P/R/F1 and resolution error in km.

Matching is one-to-one on span overlap, exact spans first, then larger overlaps. A prediction that matches
no gold toponym but overlaps an ignore span is neither a true nor a false positive. For matched pairs:
accuracy within 161 km, median and mean error (a prediction without coordinates counts as 20,039 km) and
the AUC of Gritta et al. 2018 (sorted log(1 + km) / log(20039), trapezoid rule; lower is better).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice, pairwise
from pathlib import Path
from typing import Any

from ._common import MAX_ERROR_KM, haversine_km, read_gold

ACC_KM = 161.0


@dataclass
class ToponymScores:
    name: str
    documents: int = 0
    gold: int = 0
    predicted: int = 0
    true_positives: int = 0
    false_positives: int = 0
    ignored: int = 0
    errors_km: list[float] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_positives / max(self.true_positives + self.false_positives, 1)

    @property
    def recall(self) -> float:
        return self.true_positives / max(self.gold, 1)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def within(self) -> int:
        return sum(1 for e in self.errors_km if e <= ACC_KM)

    @property
    def acc_matched(self) -> float:
        return self.within / max(len(self.errors_km), 1)

    @property
    def acc_all(self) -> float:
        return self.within / max(self.gold, 1)

    @property
    def median_km(self) -> float:
        return statistics.median(self.errors_km) if self.errors_km else 0.0

    @property
    def mean_km(self) -> float:
        return statistics.fmean(self.errors_km) if self.errors_km else 0.0

    @property
    def auc(self) -> float:
        return error_auc(self.errors_km)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["errors_km"]
        for key in ("precision", "recall", "f1", "acc_matched", "acc_all", "median_km", "mean_km", "auc"):
            data[key] = round(getattr(self, key), 4)
        data["matched"] = len(self.errors_km)
        return data


def error_auc(errors_km: list[float]) -> float:
    """Area under the sorted, log-scaled error curve (Gritta et al. 2018), normalised to 0..1."""
    if not errors_km:
        return 0.0
    scaled = sorted(math.log(1 + e) / math.log(MAX_ERROR_KM) for e in errors_km)
    if len(scaled) == 1:
        return scaled[0]
    area = sum((a + b) / 2 for a, b in pairwise(scaled))
    return area / (len(scaled) - 1)


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> int:
    return max(0, min(int(a["end"]), int(b["end"])) - max(int(a["start"]), int(b["start"])))


def match_spans(gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs: exact spans first, then by larger overlap."""
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            overlap = _overlap(g, p)
            if overlap:
                exact = g["start"] == p["start"] and g["end"] == p["end"]
                pairs.append((not exact, -overlap, gi, pi))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    matched = []
    for _inexact, _overlap_neg, gi, pi in sorted(pairs):
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            matched.append((gi, pi))
    return matched


def _error_km(gold: dict[str, Any], predicted: dict[str, Any]) -> float:
    if predicted.get("latitude") is None or predicted.get("longitude") is None:
        return MAX_ERROR_KM
    return haversine_km(gold["latitude"], gold["longitude"], predicted["latitude"], predicted["longitude"])


def score_document(scores: ToponymScores, gold: dict[str, Any], predicted: list[dict[str, Any]]) -> None:
    gold_toponyms = gold.get("toponyms") or []
    scores.documents += 1
    scores.gold += len(gold_toponyms)
    scores.predicted += len(predicted)
    matched = match_spans(gold_toponyms, predicted)
    scores.true_positives += len(matched)
    scores.errors_km.extend(_error_km(gold_toponyms[gi], predicted[pi]) for gi, pi in matched)
    matched_pred = {pi for _gi, pi in matched}
    ignore = gold.get("ignore_spans") or []
    for pi, p in enumerate(predicted):
        if pi in matched_pred:
            continue
        if any(_overlap(p, span) for span in ignore):
            scores.ignored += 1
        else:
            scores.false_positives += 1


def load_gold(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    records: Iterable[dict[str, Any]] = read_gold(path)
    return list(islice(records, limit) if limit else records)


def score(gold: list[dict[str, Any]], predictions: dict[str, list[dict[str, Any]]], name: str) -> ToponymScores:
    """Score predictions (document id -> toponyms); a document without predictions has none."""
    scores = ToponymScores(name)
    for record in gold:
        score_document(scores, record, predictions.get(str(record["id"]), []))
    return scores


def predict(geocoder: Any, nlp: Any, records: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Geoparse each gold text: one ``{"id", "toponyms"}`` object per record (only resolved toponyms)."""
    docs = nlp.parse_many(str(r["text"]) for r in records)
    for record, doc in zip(records, docs, strict=True):
        toponyms = [t.to_dict() for t in geocoder.geoparse(doc) if t.latitude is not None]
        yield {"id": record["id"], "toponyms": toponyms}


def format_report(s: ToponymScores) -> str:
    return (
        f"{s.name}: {s.documents} documents, {s.gold} gold toponyms, {s.predicted} predicted "
        f"({s.ignored} on ignore spans)\n"
        f"  detection  P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}\n"
        f"  resolution acc@161km matched {s.acc_matched:.3f} ({s.within}/{len(s.errors_km)})  "
        f"all gold {s.acc_all:.3f}\n"
        f"  error km   median {s.median_km:.1f}  mean {s.mean_km:.1f}  AUC {s.auc:.3f}"
    )

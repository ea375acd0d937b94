"""Toponym scoring conventions (shared/eval/README.md section 2), on hand-made gold and predictions."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from conflictradar.evaluation._common import MAX_ERROR_KM, haversine_km
from conflictradar.evaluation.toponyms import error_auc, match_spans, score


def _t(start: int, end: int, lat: float | None = 10.0, lon: float | None = 20.0) -> dict[str, object]:
    return {"start": start, "end": end, "latitude": lat, "longitude": lon}


def test_exact_span_wins_over_a_larger_overlap() -> None:
    gold = [_t(0, 10), _t(12, 20)]
    predicted = [_t(0, 20), _t(12, 20)]
    assert sorted(match_spans(gold, predicted)) == [(0, 0), (1, 1)]
    assert match_spans([_t(0, 10)], [_t(0, 4), _t(2, 10)]) == [(0, 1)]  # larger overlap first


def test_matching_is_one_to_one() -> None:
    assert match_spans([_t(0, 10)], [_t(0, 10), _t(0, 10)]) == [(0, 0)]


def test_precision_recall_and_ignore_spans() -> None:
    gold = [{"id": "d1", "text": "x" * 60, "toponyms": [_t(0, 5), _t(10, 15)],
             "ignore_spans": [{"start": 30, "end": 38, "name": "Syrian", "why": "demonym"}]}]
    predicted = {"d1": [_t(0, 5), _t(31, 36), _t(50, 55)]}
    s = score(gold, predicted, "toy")
    assert (s.true_positives, s.false_positives, s.ignored) == (1, 1, 1)
    assert s.precision == pytest.approx(0.5) and s.recall == pytest.approx(0.5)
    assert s.f1 == pytest.approx(0.5)


def test_distances_accuracy_and_missing_coordinates() -> None:
    gold = [{"id": "d", "text": "", "toponyms": [_t(0, 5, 0.0, 0.0), _t(6, 9, 0.0, 0.0), _t(10, 12, 0.0, 0.0)]}]
    predicted = {"d": [_t(0, 5, 0.0, 1.0), _t(6, 9, None, None)]}
    s = score(gold, predicted, "toy")
    one_degree = haversine_km(0.0, 0.0, 0.0, 1.0)
    assert s.errors_km == [pytest.approx(one_degree), MAX_ERROR_KM]
    assert s.acc_matched == pytest.approx(0.5) and s.acc_all == pytest.approx(1 / 3)
    assert s.median_km == pytest.approx((one_degree + MAX_ERROR_KM) / 2)


def test_auc_is_zero_for_perfect_and_one_for_worst() -> None:
    assert error_auc([0.0, 0.0, 0.0]) == 0.0
    assert error_auc([MAX_ERROR_KM, MAX_ERROR_KM]) == pytest.approx(1.0, rel=1e-4)
    expected = (math.log(1 + 100) / math.log(MAX_ERROR_KM)) / 2  # trapezoid of [0, x] over one interval
    assert error_auc([0.0, 100.0]) == pytest.approx(expected)


def test_a_document_without_predictions_counts_its_gold_as_missed() -> None:
    s = score([{"id": "a", "text": "", "toponyms": [_t(0, 3)]}], {}, "toy")
    assert (s.recall, s.acc_all, s.predicted) == (0.0, 0.0, 0)


def test_eval_command_scores_a_gold_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from conflictradar.cli import app

    text = "Fighting was reported in Aleppo and in Homs on Monday."
    start_a, start_h = text.index("Aleppo"), text.index("Homs")
    gold = {"id": "g1", "text": text, "source": "handmade",
            "toponyms": [{"start": start_a, "end": start_a + 6, "name": "Aleppo", "latitude": 36.2,
                          "longitude": 37.16, "geonames_id": None},
                         {"start": start_h, "end": start_h + 4, "name": "Homs", "latitude": 34.73,
                          "longitude": 36.72, "geonames_id": None}],
            "ignore_spans": []}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(gold) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "toponyms", str(path), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["gold"] == 2 and figures["true_positives"] == 2 and figures["acc_all"] == 1.0

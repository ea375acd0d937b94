"""The event scorer (shared/eval/README.md section 2 conventions) and `conflictradar eval events`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conflictradar.cli import app
from conflictradar.evaluation.events import actor_matches, macro_f1, primary, score


def _gold(ident: str, **gold: Any) -> dict[str, Any]:
    extra = gold.pop("extra", {})
    return {"id": ident, "text": "x", "published": "2024-05-01", "gold": gold, "extra": extra}


def test_primary_is_highest_confidence_missing_lowest_first_on_ties() -> None:
    preds = [{"n": 1}, {"n": 2, "confidence": 0.4}, {"n": 3, "confidence": 0.9}, {"n": 4, "confidence": 0.9}]
    assert primary(preds) == {"n": 3, "confidence": 0.9}
    assert primary([{"n": 1}, {"n": 2}]) == {"n": 1}
    assert primary([]) is None


def test_types_and_recall_with_a_missing_document() -> None:
    gold = [_gold("a", event_type="Battles", sub_event_type="Armed clash"),
            _gold("b", event_type="Protests", sub_event_type="Peaceful protest")]
    preds = [{"article_id": "a", "event_type": "Battles", "sub_event_type": "Armed clash", "confidence": 0.2},
             {"article_id": "a", "event_type": "Riots", "sub_event_type": "Mob violence", "confidence": 0.9}]
    f = score(gold, preds).figures
    assert f["event_recall"] == 0.5
    assert f["subtype_accuracy"] == 0.0 and f["event_type_accuracy"] == 0.0
    assert f["subtype_any_match"] == 0.5


def test_out_of_taxonomy_documents_count_as_false_alarms_not_recall() -> None:
    gold = [_gold("a", sub_event_type="Arrests", event_type="Strategic developments"),
            _gold("b", extra={"out_of_taxonomy": True}), _gold("c", extra={"out_of_taxonomy": True})]
    preds = [{"article_id": "a", "sub_event_type": "Arrests"}, {"article_id": "b", "sub_event_type": "Arrests"}]
    f = score(gold, preds).figures
    assert f["event_recall"] == 1.0 and f["oot_false_alarm_rate"] == 0.5


def test_fatalities_conventions() -> None:
    gold = [_gold("a", fatalities=10), _gold("b", fatalities=0), _gold("c", fatalities=3),
            _gold("d", fatalities=4, extra={"fatalities_imputed": True}), _gold("e", fatalities=0)]
    preds = [{"article_id": "a", "fatalities": {"low": 9, "best": 9, "high": 9}},
             {"article_id": "b", "fatalities": 2}, {"article_id": "d", "fatalities": 4}]
    f = score(gold, preds).figures
    assert f["fatalities_exact"] == pytest.approx(2 / 5)  # d right, e right (no prediction = 0)
    assert f["fatalities_exact_reported"] == 0.0  # a and c only; d is imputed
    assert f["fatalities_reported_n"] == 2
    assert f["invented_toll_rate"] == 0.5
    assert f["fatalities_within20"] == pytest.approx(3 / 5)
    assert f["fatalities_mae"] == pytest.approx((1 + 2 + 3 + 0 + 0) / 5)


def test_dates_actors_and_locations() -> None:
    loc = {"latitude": 33.3, "longitude": 44.4, "country": "Iraq", "country_code": "IQ", "admin1": "Al Anbar"}
    gold = [_gold("a", event_date="2024-04-30", actor1="Military Forces of Iraq (2014-)", location=loc),
            _gold("b", event_date="2024-04-29", actor1="Protesters (Kenya)", location=loc,
                  extra={"admin1_aliases": ["Anbar Governorate"]})]
    preds = [{"article_id": "a", "event_date": "2024-04-30", "actor1": {"name": "Military Forces", "type": "x"},
              "location": {"latitude": 33.4, "longitude": 44.4, "country_code": "iq", "admin1": "Anbar"}},
             {"article_id": "b", "event_date": "2024-04-30", "actor1": "Rioters",
              "location": {"latitude": 0.0, "longitude": 0.0, "country": "Kenya", "admin1": "Anbar Governorate"}}]
    f = score(gold, preds).figures
    assert f["event_date_exact"] == 0.5
    assert f["actor1_exact"] == 0.0 and f["actor1_lenient"] == 0.5
    assert f["location_coverage"] == 1.0 and f["location_acc161"] == 0.5
    assert f["country_accuracy"] == 0.5 and f["admin1_accuracy"] == 1.0
    assert f["location_median_km"] is not None and f["location_median_km"] > 100


def test_actor_matching() -> None:
    assert actor_matches({"name": "Military Forces of Syria"}, "Military Forces of Syria (2000-)") == (False, True)
    assert actor_matches("Islamic State", "islamic state") == (True, True)
    assert actor_matches(None, "Civilians (Iraq)") == (False, False)


def test_macro_f1_over_gold_classes() -> None:
    f1, per_class = macro_f1([("A", "A"), ("A", "B"), ("B", "B"), ("C", None)])
    assert set(per_class) == {"A", "B", "C"}
    assert per_class["C"]["f1"] == 0.0
    assert f1 == pytest.approx((2 / 3 + 2 / 3 + 0) / 3)


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def test_cli_runs_the_pipeline_and_scores(tmp_path: Path) -> None:
    gold = _write(tmp_path / "gold.jsonl", [
        {"id": "g1", "text": "On 28 April 2024, gunmen shot dead 3 farmers near their village.",
         "published": "2024-05-01", "gold": {"event_type": "Violence against civilians", "sub_event_type": "Attack",
                                             "fatalities": 3, "event_date": "2024-04-28"}, "extra": {}},
        {"id": "g2", "text": "The weather was mild and the markets were busy.", "published": "2024-05-01",
         "gold": {"event_type": None, "sub_event_type": None}, "extra": {"out_of_taxonomy": True}},
    ])
    out = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(app, ["eval", "events", str(gold), "--json", "--predictions", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["documents"] == 2 and report["file"] == "gold.jsonl"
    assert report["subtype_accuracy"] == 1.0 and report["fatalities_exact_reported"] == 1.0
    assert report["event_date_exact"] == 1.0 and report["oot_false_alarm_rate"] == 0.0
    predictions = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert predictions and all(p["article_id"] == "g1" for p in predictions)

    text = CliRunner().invoke(app, ["eval", "events", str(gold), "--limit", "1"])
    assert text.exit_code == 0 and "1 documents" in text.stdout and "sub-type accuracy" in text.stdout


def test_cli_names_the_bad_gold_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "x"}\n{not json\n', "utf-8")
    result = CliRunner().invoke(app, ["eval", "events", str(bad)])
    assert result.exit_code == 1
    assert "bad.jsonl:2" in result.output and "E050" in result.output

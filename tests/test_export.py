"""Exports: ACLED-style CSV, GeoJSON, Parquet and JSON Lines, byte-identical for the same events."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conflictradar.app import ConflictRadar
from conflictradar.errors import InputError
from conflictradar.export import ACLED_COLUMNS, write_events
from conflictradar.schema import ACTOR_TYPES, SUB_EVENT_TYPES, Event
from conflictradar.store import EventQuery
from conflictradar.testing import sample_articles


@pytest.fixture
def stored(core: ConflictRadar) -> ConflictRadar:
    core.ingest_articles(sample_articles())
    return core


def test_acled_csv_has_acled_columns_and_values(stored: ConflictRadar, tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    n = stored.export("acled-csv", path, EventQuery(raw=True))
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert n == len(rows) > 0
    assert tuple(rows[0]) == ACLED_COLUMNS
    for row in rows:
        assert row["sub_event_type"] in SUB_EVENT_TYPES
        assert SUB_EVENT_TYPES[row["sub_event_type"]] == row["event_type"]
        assert row["inter1"] == "" or ACTOR_TYPES[int(row["inter1"]) - 1]
        assert int(row["fatalities_low"]) <= int(row["fatalities"]) <= int(row["fatalities_high"])
        assert row["year"] == row["event_date"][:4]
    somali = [r for r in rows if r["country"] == "Somalia"]
    assert somali and all(r["iso"] == "706" for r in somali)
    assert any(r["source"] == "Demo Wire" and r["url"].startswith("https://example.org/") for r in rows)


def test_geojson_is_a_feature_collection_of_points(stored: ConflictRadar, tmp_path: Path) -> None:
    path = tmp_path / "e.geojson"
    stored.export("geojson", path, EventQuery(raw=True))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and data["features"]
    for feature in data["features"]:
        props = feature["properties"]
        assert feature["id"] == props["event_id"]
        if feature["geometry"] is not None:
            lon, lat = feature["geometry"]["coordinates"]
            assert props["location"]["latitude"] == pytest.approx(lat, abs=1e-6)
            assert props["location"]["longitude"] == pytest.approx(lon, abs=1e-6)


def test_parquet_round_trips_the_records(stored: ConflictRadar, tmp_path: Path) -> None:
    path = tmp_path / "e.parquet"
    events = stored.events(EventQuery(raw=True))
    stored.export("parquet", path, EventQuery(raw=True))
    table = pq.read_table(path)
    assert table.num_rows == len(events)
    rows = table.to_pylist()
    assert [r["event_id"] for r in rows] == [e.event_id for e in events]
    assert [r["fatalities_best"] for r in rows] == [e.fatalities.best for e in events]
    assert [json.loads(r["evidence_spans"]) for r in rows] == [[s.to_dict() for s in e.evidence.spans] for e in events]


def test_jsonl_records_parse_back_to_the_same_events(stored: ConflictRadar) -> None:
    buffer = io.StringIO()
    stored.export("jsonl", None, EventQuery(raw=True), stdout=buffer)
    parsed = [Event.from_dict(json.loads(line)) for line in buffer.getvalue().splitlines()]
    assert parsed == stored.events(EventQuery(raw=True))


@pytest.mark.parametrize("fmt", ["acled-csv", "geojson", "parquet", "jsonl"])
def test_exports_are_byte_identical_across_runs_and_databases(fmt: str, tmp_path: Path) -> None:
    from conflictradar.testing import build_core

    outputs = []
    for run in range(2):
        core = build_core(tmp_path / f"run{run}.db")
        core.ingest_articles(sample_articles())
        path = tmp_path / f"out{run}.{fmt}"
        core.export(fmt, path, EventQuery(raw=True))
        core.close()
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]


def test_unknown_format_and_parquet_to_stdout_are_errors() -> None:
    with pytest.raises(InputError, match="E022"):
        write_events([], "xlsx", None)
    with pytest.raises(InputError, match="E022"):
        write_events([], "parquet", None)

"""Bounding boxes read the one-degree grid cells they touch (store/grid.py, migration 0006)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert, select

from conflictradar.api.synthetic import synthetic_batch
from conflictradar.app import ConflictRadar
from conflictradar.store import EventQuery, Store
from conflictradar.store.grid import MAX_CELLS, bbox_cell_ranges, grid_cell
from conflictradar.store.tables import articles, events, evidence

latitudes = st.floats(min_value=-90, max_value=90)
longitudes = st.floats(min_value=-180, max_value=180)


def test_cells_of_points_on_both_sides_of_zero() -> None:
    assert grid_cell(None, 10.0) is None
    assert grid_cell(0.0, 0.0) == 90 * 361 + 180
    assert grid_cell(-0.5, -0.5) == 89 * 361 + 179  # floor, not truncation towards zero
    assert grid_cell(90.0, 180.0) == 180 * 361 + 360


@given(latitudes, longitudes, st.floats(0, 30), st.floats(0, 30), st.floats(0, 1), st.floats(0, 1),
       latitudes, longitudes)
def test_a_box_reads_the_cell_of_every_point_inside_it_and_of_none_far_outside(
        lat: float, lon: float, height: float, width: float, up: float, right: float,
        other_lat: float, other_lon: float) -> None:
    south, west = max(-90.0, lat - up * height), max(-180.0, lon - right * width)
    north, east = min(90.0, south + height), min(180.0, west + width)
    bands = bbox_cell_ranges(west, south, east, north)
    assert bands is not None  # 31 x 31 cells at most

    def read(la: float, lo: float) -> bool:
        cell = grid_cell(la, lo)
        return any(first <= (cell or -1) <= last for first, last in bands or [])

    if south <= lat <= north and west <= lon <= east:
        assert read(lat, lon)
    if not (south - 1 <= other_lat <= north + 1 and west - 1 <= other_lon <= east + 1):
        assert not read(other_lat, other_lon)


def test_a_box_over_most_of_the_map_is_filtered_by_coordinates_alone() -> None:
    assert bbox_cell_ranges(-180, -90, 180, 90) is None
    bands = bbox_cell_ranges(0, 0, 9.5, 9.5) or []
    assert len(bands) == 10 and sum(last - first + 1 for first, last in bands) == 100 <= MAX_CELLS
    assert bbox_cell_ranges(10, 5, 5, 6) == []


def test_the_migration_fills_the_cells_of_rows_stored_before_it(db_url: str) -> None:
    store = Store(db_url, migrate=False)
    store.migrate("0005")
    row = {"event_id": "e1", "article_id": "a1", "event_type": "Battles", "sub_event_type": "Armed clash",
           "event_date": date(2024, 1, 2), "date_precision": 1, "latitude": -1.5, "longitude": 29.2,
           "fatalities_low": 0, "fatalities_best": 0, "fatalities_high": 0, "civilian_targeting": False,
           "historical": False, "confidence": 0.5, "extractor": "test"}
    with store.engine.begin() as conn:
        conn.execute(insert(articles).values(id="a1", content_hash="h1", text="t"))
        conn.execute(insert(events).values(row))  # as written before 0006: no cell
        conn.execute(insert(evidence).values(event_id="e1", sentence="t", start=0, end=1, spans="[]"))
    store.migrate()
    with store.engine.connect() as conn:
        assert conn.execute(select(events.c.cell)).scalar_one() == grid_cell(-1.5, 29.2)
    inside = store.events(EventQuery(bbox=(29.0, -2.0, 30.0, -1.0), raw=True))
    outside = store.events(EventQuery(bbox=(30.0, -2.0, 31.0, -1.0), raw=True))
    assert [e.event_id for e in inside] == ["e1"] and outside == []
    store.close()


@pytest.mark.parametrize("bbox", [
    (20.0, 10.0, 35.0, 20.0),  # 16 x 11 cells: listed
    (-20.0, -5.0, 40.0, 25.0),  # 61 x 31 cells: one range per band
    (-180.0, -90.0, 180.0, 90.0),  # the world: coordinates alone
    (30.5, 12.5, 30.6, 12.6),  # inside one cell
])
def test_boxes_of_every_size_return_exactly_the_events_inside(core: ConflictRadar, bbox: tuple[float, ...]) -> None:
    batch = list(synthetic_batch(120, seed=7))
    core.store.save(batch)
    west, south, east, north = bbox
    expected = {e.event_id for _a, found in batch for e in found if e.location and e.location.latitude is not None
                and west <= (e.location.longitude or 0) <= east and south <= e.location.latitude <= north}
    got = {e.event_id for e in core.store.events(EventQuery(bbox=(west, south, east, north), raw=True))}
    assert got == expected
    if bbox[2] - bbox[0] > 1:
        assert expected, "the synthetic events must fall in the larger boxes"

"""Bounding boxes read the one-degree grid cells they touch (store/grid.py, migration 0006)."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert, select

from conflictradar.store import EventQuery, Store
from conflictradar.store.grid import MAX_CELLS, bbox_cells, grid_cell
from conflictradar.store.tables import articles, events, evidence

latitudes = st.floats(min_value=-90, max_value=90)
longitudes = st.floats(min_value=-180, max_value=180)


def test_cells_of_points_on_both_sides_of_zero() -> None:
    assert grid_cell(None, 10.0) is None
    assert grid_cell(0.0, 0.0) == 90 * 361 + 180
    assert grid_cell(-0.5, -0.5) == 89 * 361 + 179  # floor, not truncation towards zero
    assert grid_cell(90.0, 180.0) == 180 * 361 + 360


@given(latitudes, longitudes, st.floats(0, 30), st.floats(0, 30), st.floats(0, 1), st.floats(0, 1))
def test_a_box_lists_the_cell_of_every_point_inside_it(lat: float, lon: float, height: float, width: float,
                                                       up: float, right: float) -> None:
    south, west = max(-90.0, lat - up * height), max(-180.0, lon - right * width)
    north, east = min(90.0, south + height), min(180.0, west + width)
    cells = bbox_cells(west, south, east, north)
    assert cells is not None  # 31 x 31 cells at most
    if south <= lat <= north and west <= lon <= east:
        assert grid_cell(lat, lon) in cells


def test_a_box_over_most_of_the_map_is_filtered_by_coordinates_alone() -> None:
    assert bbox_cells(-180, -90, 180, 90) is None
    assert len(bbox_cells(0, 0, 9.5, 9.5) or []) == 100 <= MAX_CELLS
    assert bbox_cells(10, 5, 5, 6) == []


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

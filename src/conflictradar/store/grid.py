"""A one-degree grid over the globe, stored as the ``cell`` column of events and clusters.

A bounding-box filter on latitude and longitude alone can use no index well: a B-tree orders by one
coordinate, so a box that holds few events still walks every event of its date window. With each
point's cell stored and indexed with the date, a box becomes a list of cells (``cell IN (...)``), each
read as a short index range, and the exact coordinate test then only trims the box's edges.
"""

from __future__ import annotations

import math

#: Cells per band of latitude: longitudes -180..180 give 361 columns (180 itself has its own).
COLUMNS = 361
#: Boxes spanning more cells than this are filtered by coordinates alone (the list would cost more than
#: it saves: such a box holds most of the map).
MAX_CELLS = 2_000


def grid_cell(latitude: float | None, longitude: float | None) -> int | None:
    """The cell of a point (None without one): its latitude band times ``COLUMNS`` plus its column."""
    if latitude is None or longitude is None:
        return None
    return math.floor(latitude + 90) * COLUMNS + math.floor(longitude + 180)


def bbox_cells(west: float, south: float, east: float, north: float) -> list[int] | None:
    """Every cell a box touches (None when more than ``MAX_CELLS``), for ``cell IN (...)``."""
    south, north = max(south, -90.0), min(north, 90.0)
    west, east = max(west, -180.0), min(east, 180.0)
    if south > north or west > east:
        return []
    rows = range(math.floor(south + 90), math.floor(north + 90) + 1)
    columns = range(math.floor(west + 180), math.floor(east + 180) + 1)
    if len(rows) * len(columns) > MAX_CELLS:
        return None
    return [row * COLUMNS + column for row in rows for column in columns]

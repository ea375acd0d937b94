"""A one-degree grid over the globe, stored as the ``cell`` column of events and clusters.

A bounding-box filter on latitude and longitude alone can use no index well: a B-tree orders by one
coordinate, so a box that holds few events still walks every event of its date window. With each
point's cell stored and indexed with the date, a box becomes the cells it touches (one range of cell numbers
per latitude band), each read as a short index range, and the exact coordinate test then only trims the box's
edges.
"""

from __future__ import annotations

import math

#: Cells per band of latitude: longitudes -180..180 give 361 columns (180 itself has its own).
COLUMNS = 361
#: Boxes spanning more cells than this are filtered by coordinates alone (reading the cells would cost more
#: than it saves: such a box holds most of the map).
MAX_CELLS = 2_000
#: Boxes of up to this many cells list them (``cell IN (...)``: SQLite then reads each cell's index range);
#: larger ones give one range per latitude band, as a list of a thousand cells costs more to send and plan
#: (PostgreSQL: ~15 ms per request for 1,100) than it saves.
MAX_LISTED_CELLS = 200


def grid_cell(latitude: float | None, longitude: float | None) -> int | None:
    """The cell of a point (None without one): its latitude band times ``COLUMNS`` plus its column."""
    if latitude is None or longitude is None:
        return None
    return math.floor(latitude + 90) * COLUMNS + math.floor(longitude + 180)


def bbox_cell_ranges(west: float, south: float, east: float, north: float) -> list[tuple[int, int]] | None:
    """The cells a box touches as one range per latitude band, ``(first, last)`` (None when more than
    ``MAX_CELLS``), for ``cell BETWEEN first AND last OR ...``: a band's cells are consecutive numbers, so
    a country-wide map view of 1,100 cells is 26 ranges, not 1,100 parameters to send and plan."""
    south, north = max(south, -90.0), min(north, 90.0)
    west, east = max(west, -180.0), min(east, 180.0)
    if south > north or west > east:
        return []
    rows = range(math.floor(south + 90), math.floor(north + 90) + 1)
    first, last = math.floor(west + 180), math.floor(east + 180)
    if len(rows) * (last - first + 1) > MAX_CELLS:
        return None
    return [(row * COLUMNS + first, row * COLUMNS + last) for row in rows]

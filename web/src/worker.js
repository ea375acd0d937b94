// Off the page's thread: fetch the map's points, build the supercluster index and answer cluster queries,
// so 100,000 points never freeze the page.
import Supercluster from "supercluster";

let index = null;

function buildIndex(points) {
  const built = new Supercluster({
    radius: 50, maxZoom: 12,
    map: (p) => ({ fatalities: p.fatalities || 0, types: { [p.type]: 1 } }),
    reduce: (acc, p) => {
      acc.fatalities += p.fatalities;
      for (const [type, n] of Object.entries(p.types)) acc.types[type] = (acc.types[type] || 0) + n;
    },
  });
  built.load(points);
  return built;
}

async function load({ url, headers }) {
  const response = await fetch(url, { headers });
  if (!response.ok) return { error: `${url}: HTTP ${response.status}` };
  const collection = await response.json();
  const points = collection.features.map((f) => ({ ...f, properties: { ...f.properties, id: f.id } }));
  index = buildIndex(points);
  // What the page keeps per point (for alert rings): id, lon, lat, country code, admin1.
  const slim = points.map((p) => [p.id, ...p.geometry.coordinates, p.properties.country_code, p.properties.admin1]);
  return { count: points.length, slim };
}

function clusters({ bbox, zoom }) {
  if (!index) return { clusters: [] };
  const found = index.getClusters(bbox, zoom);
  for (const c of found) {
    if (c.properties.cluster) c.properties.expansion = index.getClusterExpansionZoom(c.properties.cluster_id);
  }
  return { clusters: found };
}

self.onmessage = async ({ data }) => {
  try {
    const answer = data.type === "load" ? await load(data) : clusters(data);
    self.postMessage({ id: data.id, ...answer });
  } catch (error) {
    self.postMessage({ id: data.id, error: String(error) });
  }
};

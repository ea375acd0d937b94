// Builds the dashboard into ../src/conflictradar/web/static/ (committed, so pip installs serve it without node).
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";

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

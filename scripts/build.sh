#!/usr/bin/env bash
# npm run build (and so npm ci, through prepare): the one command that builds everything the
# package ships. Each step is one line; keep them in dependency order.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.build.json
node scripts/bundle-cli.mjs
for k in kernels/*.ts; do npx asc "$k" -O3 --enable simd --runtime stub -o "dist/kernels/$(basename "$k" .ts).wasm"; done
npx vite build --config web/vite.config.ts --logLevel warn

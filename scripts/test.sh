#!/usr/bin/env bash
# The README's test command (npm test) and CI's: build, type check, lint, format check, then every
# test. Run it through scripts/with-services.sh (npm test does), which starts the real PostgreSQL,
# Redis and Chromium the tests use.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
npm run typecheck
npm run lint
npm run format:check
npx vitest run

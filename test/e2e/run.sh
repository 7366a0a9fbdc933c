#!/usr/bin/env bash
# One command for the VS Code e2e suite: setup (idempotent), production VSIX, UI tests.
# Artifacts (screenshots, timings, browser console): test-results/e2e/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash test/e2e/setup.sh >/dev/null
if [ -z "${E2E_VSIX:-}" ]; then npm run --silent package >/dev/null; fi
rm -rf test-results/e2e && mkdir -p test-results/e2e
# The repo's pinned Node 22 (as `npm test`): the team-mode steps import test/helpers/redis.ts
# (type stripping, Node >= 22.18), and .ci/run calls this script directly, not through npm.
PATH="$PWD/node_modules/.bin:$PATH" node --test --test-concurrency=1 --test-timeout=240000 test/e2e/*.test.mjs

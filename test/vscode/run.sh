#!/usr/bin/env bash
# Extension-host tests (mocha via @vscode/test-cli) in a real VS Code (code-server + Chromium).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash test/e2e/setup.sh >/dev/null
node esbuild.mjs >/dev/null
exec npx vscode-test --config test/vscode/.vscode-test.mjs "$@"

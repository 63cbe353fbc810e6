#!/usr/bin/env bash
# Runs every test of the workspace, after making sure what the tests need is installed:
# the npm packages of the interop provider (interop/, from its lockfile) and the Debian packages
# of the real peers (chromium, tinyproxy, microsocks, dante-server, redis-server). Usage: bash scripts/test-all.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f interop/package-lock.json ] && [ ! -d interop/node_modules ]; then
    echo "== installing interop npm packages (npm ci)"
    (cd interop && npm ci --no-audit --no-fund --loglevel=error)
fi

# Debian packages the tests drive as real peers: chromium (browser sign-in), tinyproxy (HTTP
# proxy), microsocks (SOCKS5 firewall), danted (SOCKS4/4A firewall), redis-server (the axum
# integration's session store, single server and Cluster).
missing=()
for pair in chromium:chromium tinyproxy:tinyproxy microsocks:microsocks danted:dante-server redis-server:redis-server redis-cli:redis-tools; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing ${missing[*]} (Debian packages)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "missing Debian packages: ${missing[*]} (install them, or see README for the OIDCKIT_SKIP_* variables)" >&2
    fi
fi

echo "== cargo test --workspace --locked"
cargo test --workspace --locked "$@"

#!/usr/bin/env bash
# Runs every test of the workspace, after making sure what the tests need is installed:
# the npm packages of the interop provider (interop/, from its lockfile) and Debian's chromium
# for the real-browser test. Usage: bash scripts/test-all.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f interop/package-lock.json ] && [ ! -d interop/node_modules ]; then
    echo "== installing interop npm packages (npm ci)"
    (cd interop && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing chromium (Debian package)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "chromium is missing: install Debian's 'chromium' package, or set OIDCKIT_SKIP_CHROMIUM=1" >&2
    fi
fi

echo "== cargo test --workspace --locked"
cargo test --workspace --locked "$@"

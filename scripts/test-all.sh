#!/usr/bin/env bash
# Runs every test of the workspace, after making sure what the tests need is installed:
# the npm packages of the interop provider (interop/, from its lockfile; needs Node.js 20+ and
# npm) and the Debian packages of the real peers (chromium, tinyproxy, microsocks,
# dante-server). As root with apt-get it installs what is missing (as .ci/run does); otherwise
# it says exactly what to install, or which OIDCKIT_SKIP_* variable skips that part.
# Usage: bash scripts/test-all.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
apt_updated=
apt_install() {
    if [ -z "$apt_updated" ]; then
        apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Node.js and the interop provider's npm packages (skipped with OIDCKIT_SKIP_INTEROP=1).
if [ "${OIDCKIT_SKIP_INTEROP:-}" = 1 ]; then
    echo "== OIDCKIT_SKIP_INTEROP=1: not installing Node.js or the interop npm packages"
else
    if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
        if can_apt; then
            echo "== installing nodejs npm (Debian packages)"
            apt_install nodejs npm
        else
            echo "error: the interop tests need Node.js 20 or later and npm, which are not installed." >&2
            echo "  install them (Debian: sudo apt-get install nodejs npm; or https://nodejs.org)," >&2
            echo "  or run without the interop tests: OIDCKIT_SKIP_INTEROP=1 bash scripts/test-all.sh" >&2
            exit 1
        fi
    fi
    node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    if [ "$node_major" -lt 20 ]; then
        echo "error: the interop tests need Node.js 20 or later; this is $(node --version)." >&2
        echo "  install a newer Node.js, or run OIDCKIT_SKIP_INTEROP=1 bash scripts/test-all.sh" >&2
        exit 1
    fi
    if [ -f interop/package-lock.json ] && [ ! -d interop/node_modules ]; then
        echo "== installing interop npm packages (npm ci: oidc-provider and jose, pinned in interop/package-lock.json)"
        (cd interop && npm ci --no-audit --no-fund --loglevel=error)
    fi
fi

# Debian packages the tests drive as real peers: chromium (browser sign-in), tinyproxy (HTTP
# proxy), microsocks (SOCKS5 firewall), danted (SOCKS4/4A firewall).
missing=()
for pair in chromium:chromium tinyproxy:tinyproxy microsocks:microsocks danted:dante-server; do
    name=${pair%%:*}
    command -v "$name" >/dev/null 2>&1 || [ -x "/usr/sbin/$name" ] || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
    if can_apt; then
        echo "== installing ${missing[*]} (Debian packages)"
        apt_install "${missing[@]}"
    else
        echo "warning: missing Debian packages: ${missing[*]}" >&2
        echo "  install them: sudo apt-get install ${missing[*]}" >&2
        echo "  or skip their tests: OIDCKIT_SKIP_CHROMIUM=1 (chromium), OIDCKIT_SKIP_SYSTEM_SERVERS=1 (the others)" >&2
    fi
fi

echo "== cargo test --workspace --locked"
cargo test --workspace --locked "$@"

# Tests of optional library features (not built by the default feature set above).
echo "== cargo test -p oidckit --features tracing --test tracing"
cargo test -p oidckit --locked --features tracing --test tracing "$@"

#!/usr/bin/env bash
# Runs every test of the workspace, after making sure what the tests need is installed:
# the npm packages of the interop provider (interop/, from its lockfile) and the Debian packages
# of the real peers (chromium, tinyproxy, microsocks, dante-server). Usage: bash scripts/test-all.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f interop/package-lock.json ] && [ ! -d interop/node_modules ]; then
    echo "== installing interop npm packages (npm ci)"
    (cd interop && npm ci --no-audit --no-fund --loglevel=error)
fi

# Debian packages the tests drive as real peers: chromium (browser sign-in), tinyproxy (HTTP
# proxy), microsocks (SOCKS5 firewall), danted (SOCKS4/4A firewall).
missing=()
for pair in chromium:chromium tinyproxy:tinyproxy microsocks:microsocks danted:dante-server; do
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

# The Python package (python/): built with maturin into a virtualenv under target/ (git-ignored)
# and tested with pytest. The dev profile reuses the dependencies cargo just compiled; set
# MATURIN_PEP517_ARGS= for pip's default release build. OIDCKIT_SKIP_PYTHON=1 skips it.
if [ "${OIDCKIT_SKIP_PYTHON:-0}" != 1 ]; then
    echo "== python: pip install ./python into target/pyenv, then pytest"
    if ! python3 -c 'import ensurepip' >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    fi
    [ -x target/pyenv/bin/python ] || python3 -m venv target/pyenv
    target/pyenv/bin/pip install -q --disable-pip-version-check pytest mypy ruff "PyJWT[crypto]"
    MATURIN_PEP517_ARGS="${MATURIN_PEP517_ARGS---profile dev}" \
        target/pyenv/bin/pip install -q --disable-pip-version-check --force-reinstall --no-deps ./python
    rc=0
    target/pyenv/bin/pytest -q python/tests || rc=$?
    if [ "$rc" = 5 ]; then
        echo "pytest collected no tests in python/tests" >&2
        exit 1
    fi
    [ "$rc" = 0 ] || exit "$rc"
fi

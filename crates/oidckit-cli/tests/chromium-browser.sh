#!/bin/sh
# Stand-in "browser command" for the CLI tests: opens the URL (the last argument) in headless
# Chromium and keeps running until killed. The test passes a fresh profile directory in
# OIDCKIT_TEST_PROFILE and reads this process's id from OIDCKIT_TEST_PIDFILE: `setsid` makes
# Chromium (same pid, exec'd) the leader of its own process group, so the test can kill the
# whole group, renderers included.
set -eu
for url in "$@"; do :; done
echo $$ > "${OIDCKIT_TEST_PIDFILE:?}"
exec setsid "${CHROMIUM:-/usr/bin/chromium}" --headless --no-sandbox --disable-gpu --disable-quic \
  --no-first-run --disable-background-networking --disable-component-update --disable-sync \
  --disable-dev-shm-usage --user-data-dir="${OIDCKIT_TEST_PROFILE:?}" "$url" </dev/null >/dev/null 2>&1

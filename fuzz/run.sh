#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) and exits non-zero if any target fails
# (crash, panic, timeout, out-of-memory). Works from any directory.
#
#   fuzz/run.sh 20            # every target, 20 s each
#   fuzz/run.sh 600 jws jwks  # only the named targets
#
# Targets (fuzz/Cargo.toml): jws, jwks, discovery, callback, id_token, token_response,
# response_type, response_expiry (token/device/introspection responses through the expiry
# computation), loopback_request (the loopback server's request reader and router),
# resource_metadata (the RFC 9728 WWW-Authenticate challenge reader and metadata document), jwe
# (JWE decryption, and encryption round trips).
#
# The committed seeds in fuzz/corpus/<target>/ are read only; the inputs libFuzzer finds go to
# fuzz/target/corpus/<target>/ (gitignored), crash reproducers to fuzz/artifacts/<target>/.
set -euo pipefail

secs="${1:-60}"
shift || true
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

cargo +nightly fuzz build
failed=()
for t in "${targets[@]}"; do
    work="target/corpus/$t"
    mkdir -p "$work" "corpus/$t"
    echo "=== fuzz target $t for ${secs}s"
    set +e
    cargo +nightly fuzz run "$t" "$work" "corpus/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 >"target/fuzz-$t.log" 2>&1
    status=$?
    set -e
    grep -E '^(#[0-9]+[[:space:]]+DONE|Done [0-9]+ runs|stat::number_of_executed_units|==[0-9]+== ?ERROR|SUMMARY|Test unit written|thread .* panicked)' \
        "target/fuzz-$t.log" || true
    if [ "$status" -ne 0 ]; then
        tail -n 40 "target/fuzz-$t.log"
        echo "!!! fuzz target $t FAILED (exit $status), log: fuzz/target/fuzz-$t.log, reproducer in fuzz/artifacts/$t/"
        failed+=("$t")
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "failed targets: ${failed[*]}"
    exit 1
fi
echo "all ${#targets[@]} targets ran ${secs}s without a crash"

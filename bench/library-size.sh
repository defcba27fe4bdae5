#!/usr/bin/env bash
# Measures the phone library. It builds stepwise-ffi for this host with the
# `mobile` profile (stripped, LTO, opt-level "s") and relative relocations
# packed, as the phone builds pack them (see .cargo/config.toml). Then it
# prints the size against the 6 MB budget (6,000,000 bytes) and the largest
# sections.
#
#   bench/library-size.sh           packed relocations (what a phone gets)
#   bench/library-size.sh --plain   also the build without packing
#
# It uses its own target folder, target/size, so that the test builds are
# left alone; the first run compiles every dependency (several minutes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

budget=6000000
host="$(rustc -vV | sed -n 's/^host: //p')"

measure() {
    local label="$1" flags="$2" dir="$3"
    RUSTFLAGS="$flags" CARGO_TARGET_DIR="$dir" \
        cargo build -q -p stepwise-ffi --profile mobile --no-default-features --lib
    local library="$dir/mobile/libstepwise_ffi.so"
    local bytes
    bytes="$(stat -c %s "$library")"
    printf '\n%s: %s bytes' "$label" "$bytes"
    if [ "$bytes" -lt "$budget" ]; then
        printf ' (under the %s-byte budget by %s)\n' "$budget" "$((budget - bytes))"
    else
        printf ' (OVER the %s-byte budget by %s)\n' "$budget" "$((bytes - budget))"
    fi
    size -A "$library" | awk 'NR > 2 && $2 > 100000 { printf "  %-20s %9d\n", $1, $2 }'
}

case "$host" in
    *-linux-gnu) packing="-C link-arg=-Wl,-z,pack-relative-relocs" ;;
    *)
        echo "library-size.sh measures on Linux hosts only (this is $host)" >&2
        exit 2
        ;;
esac

printf 'machine: %s, %s cores; %s\n' "$(uname -m)" "$(nproc)" "$(rustc --version)"
printf 'command: cargo build -p stepwise-ffi --profile mobile --no-default-features --lib\n'
measure "packed relocations ($packing)" "$packing" target/size
if [ "${1:-}" = "--plain" ]; then
    measure "no packing" "" target/size-plain
fi

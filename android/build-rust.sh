#!/usr/bin/env bash
# Builds libstepwise_ffi.so for the app's Android ABIs with cargo-ndk (needs
# the Android NDK: set ANDROID_NDK_HOME) into app/src/main/jniLibs, and
# generates the Kotlin bindings into core-jvm/build/generated/uniffi.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root="$(cd .. && pwd)"

command -v cargo-ndk >/dev/null || cargo install --locked cargo-ndk
rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android

(cd "$root" && cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 -o android/app/src/main/jniLibs \
    build -p stepwise-ffi --profile mobile --no-default-features --lib)

# The bindings come from the host build, whose metadata matches every ABI.
(cd "$root" && cargo build -p stepwise-ffi --lib && cargo run -q -p stepwise-ffi --bin uniffi-bindgen -- \
    generate --library target/debug/libstepwise_ffi.so --language kotlin --no-format \
    --out-dir android/core-jvm/build/generated/uniffi)

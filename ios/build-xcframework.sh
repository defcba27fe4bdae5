#!/usr/bin/env bash
# Builds the Rust library for iOS devices and simulators (needs macOS with
# Xcode), packs it as Frameworks/StepwiseFFIC.xcframework, and generates the
# Swift bindings into Sources/StepwiseFFI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root="$(cd .. && pwd)"
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)

rustup target add "${targets[@]}"
for target in "${targets[@]}"; do
    (cd "$root" && cargo build -p stepwise-ffi --profile mobile --no-default-features --lib --target "$target")
done

generated="$(mktemp -d)"
(cd "$root" && cargo build -p stepwise-ffi --lib && cargo run -q -p stepwise-ffi --bin uniffi-bindgen -- \
    generate --library target/debug/libstepwise_ffi.dylib --language swift --out-dir "$generated")
mkdir -p Sources/StepwiseFFI headers
cp "$generated/StepwiseFFI.swift" Sources/StepwiseFFI/
cp "$generated/StepwiseFFIC.h" headers/
cp "$generated/StepwiseFFIC.modulemap" headers/module.modulemap

# One library for both simulator architectures.
mkdir -p build/sim
lipo -create "$root/target/aarch64-apple-ios-sim/mobile/libstepwise_ffi.a" \
    "$root/target/x86_64-apple-ios/mobile/libstepwise_ffi.a" -output build/sim/libstepwise_ffi.a

rm -rf Frameworks/StepwiseFFIC.xcframework
xcodebuild -create-xcframework \
    -library "$root/target/aarch64-apple-ios/mobile/libstepwise_ffi.a" -headers headers \
    -library build/sim/libstepwise_ffi.a -headers headers \
    -output Frameworks/StepwiseFFIC.xcframework

#!/usr/bin/env bash
# Generates the Kotlin bindings from the host-built stepwise-ffi library,
# compiles them with the JVM view models (android/core-jvm) and their JUnit
# tests in one kotlinc run (warnings as errors), and runs the tests on the
# JVM with assertions on, loading the real library through JNA. Also checks
# that the Swift bindings generate.
#
# Installs what is missing: the npm package kotlin-compiler into .tools/
# (kotlinc and kotlinx-coroutines), and the Debian packages libjna-java and
# junit4 (needs root, as CI has).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

kotlin_version="2.4.20"
tools="$PWD/.tools"
build="$PWD/target/kotlin"
kotlinc="$tools/node_modules/kotlin-compiler/bin/kotlinc"
coroutines="$tools/node_modules/kotlin-compiler/lib/kotlinx-coroutines-core-jvm.jar"

command -v java >/dev/null || { echo "java not found; install a JDK 17, such as: apt-get install -y openjdk-17-jdk-headless" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm not found; install Node.js and npm" >&2; exit 1; }

if [ ! -x "$kotlinc" ]; then
    npm install --no-audit --no-fund --prefix "$tools" "kotlin-compiler@$kotlin_version"
fi
if [ ! -f /usr/share/java/jna.jar ] || [ ! -f /usr/share/java/junit4.jar ]; then
    apt-get install -y libjna-java junit4 || { apt-get update && apt-get install -y libjna-java junit4; }
fi

# The server is for the sync, teacher and parent tests, which start it on
# loopback. It is built by its own command because building both packages in
# one would unify their features and build the library twice.
cargo build -p stepwise-ffi
cargo build -p stepwise-server
library="$PWD/target/debug/libstepwise_ffi.so"
server="$PWD/target/debug/stepwise-server"

rm -rf "$build"
mkdir -p "$build/generated" "$build/classes"
cargo run -q -p stepwise-ffi --bin uniffi-bindgen -- generate --library "$library" \
    --language kotlin --no-format --out-dir "$build/generated"

# The Swift bindings cannot be compiled here, but their generation is checked.
cargo run -q -p stepwise-ffi --bin uniffi-bindgen -- generate --library "$library" \
    --language swift --out-dir "$build/swift"
test -s "$build/swift/StepwiseFFI.swift"

classpath="/usr/share/java/jna.jar:/usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar:$coroutines"
# One kotlinc run for everything: starting the compiler costs most of the time.
"$kotlinc" -Werror -jvm-target 17 -classpath "$classpath" -d "$build/classes" \
    "$build/generated" android/core-jvm/src/main/kotlin android/core-jvm/src/test/kotlin

java -ea -Djna.library.path="$(dirname "$library")" -Dstepwise.server="$server" \
    -cp "$build/classes:$classpath:$tools/node_modules/kotlin-compiler/lib/kotlin-stdlib.jar" \
    org.junit.runner.JUnitCore app.stepwise.core.LibraryTest app.stepwise.core.ViewModelTest \
    app.stepwise.core.AppTest app.stepwise.core.ContentTest app.stepwise.core.ServerTest

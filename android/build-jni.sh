#!/usr/bin/env bash
# Builds libfieldsales_ffi.so for the Android ABIs with cargo-ndk into src/main/jniLibs, and
# generates the Kotlin bindings into build/generated/uniffi. Needs the Android NDK
# (ANDROID_NDK_HOME) and `cargo install cargo-ndk`; not available on the project's Linux
# machines, where `cargo xtask test` runs the same Kotlin on the host JVM instead.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"
ABIS=(arm64-v8a armeabi-v7a x86_64)

rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
args=()
for abi in "${ABIS[@]}"; do args+=(-t "$abi"); done
cargo ndk "${args[@]}" -o "$ROOT/android/src/main/jniLibs" build --package fieldsales-ffi --release

# Library mode: the interface is read from a built library (any target's carries the same).
cargo build --package fieldsales-ffi --release --features bindgen
rm -rf "$ROOT/android/build/generated/uniffi"
"$ROOT/target/release/uniffi-bindgen" generate --library --language kotlin \
    --out-dir "$ROOT/android/build/generated/uniffi" "$ROOT/target/release/libfieldsales_ffi.so"
echo "jniLibs and generated Kotlin ready; open android/ in Android Studio"

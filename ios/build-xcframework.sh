#!/usr/bin/env bash
# Builds the XCFramework and the generated Swift for the Swift package. Needs macOS with Xcode
# and rustup; it cannot run on Linux (no Apple SDKs), where `cargo xtask test` only generates
# the Swift and checks its syntax.
#
# Output (not committed):
#   ios/build/fieldsales_ffiFFI.xcframework  device (arm64), simulator (arm64 + x86_64, lipo),
#                                            macOS (arm64 + x86_64, lipo, for `swift test`)
#   ios/Sources/FieldSalesFFI/FieldSalesFFI.swift   the generated Swift
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"
OUT="$ROOT/ios/build"
PROFILE=release
DEVICE=aarch64-apple-ios
SIMULATORS=(aarch64-apple-ios-sim x86_64-apple-ios)
MACS=(aarch64-apple-darwin x86_64-apple-darwin)

rustup target add "$DEVICE" "${SIMULATORS[@]}" "${MACS[@]}"
for target in "$DEVICE" "${SIMULATORS[@]}" "${MACS[@]}"; do
    cargo build --package fieldsales-ffi --profile "$PROFILE" --target "$target"
done
lib() { echo "$ROOT/target/$1/$PROFILE/libfieldsales_ffi.a"; }

rm -rf "$OUT"
mkdir -p "$OUT/generated" "$OUT/headers" "$OUT/simulator" "$OUT/macos"

# Library mode reads the interface from the built library; the host dylib has the same
# metadata as every target. uniffi.toml sets module_name FieldSalesFFI and ffi_module_name
# fieldsales_ffiFFI, which must match the module map inside the XCFramework.
cargo build --package fieldsales-ffi --profile "$PROFILE" --features bindgen
"$ROOT/target/$PROFILE/uniffi-bindgen" generate --library --language swift \
    --out-dir "$OUT/generated" "$ROOT/target/$PROFILE/libfieldsales_ffi.dylib"
cp "$OUT/generated/fieldsales_ffiFFI.h" "$OUT/headers/"
# An XCFramework's headers directory must hold a file named module.modulemap.
cp "$OUT/generated/fieldsales_ffiFFI.modulemap" "$OUT/headers/module.modulemap"
cp "$OUT/generated/FieldSalesFFI.swift" "$ROOT/ios/Sources/FieldSalesFFI/FieldSalesFFI.swift"

lipo -create $(lib "${SIMULATORS[0]}") $(lib "${SIMULATORS[1]}") -output "$OUT/simulator/libfieldsales_ffi.a"
lipo -create $(lib "${MACS[0]}") $(lib "${MACS[1]}") -output "$OUT/macos/libfieldsales_ffi.a"

xcodebuild -create-xcframework \
    -library "$(lib "$DEVICE")" -headers "$OUT/headers" \
    -library "$OUT/simulator/libfieldsales_ffi.a" -headers "$OUT/headers" \
    -library "$OUT/macos/libfieldsales_ffi.a" -headers "$OUT/headers" \
    -output "$OUT/fieldsales_ffiFFI.xcframework"

echo "built $OUT/fieldsales_ffiFFI.xcframework; now: cd ios && swift test"

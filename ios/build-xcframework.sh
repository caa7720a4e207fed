#!/usr/bin/env bash
# Builds the XCFramework and the generated Swift for the Swift package. Needs macOS with Xcode
# and rustup; it cannot run on Linux (no Apple SDKs), where `cargo xtask test` only generates
# the Swift and checks its syntax.
#
# Output (not committed):
#   ios/build/fieldsales_ffiFFI.xcframework  device (arm64), simulator (arm64 + x86_64, lipo),
#                                            macOS (arm64 + x86_64, lipo, for `swift test`)
#   ios/Sources/FieldSalesFFI/FieldSalesFFI.swift   the generated Swift of the bindings
#   ios/Sources/FieldSalesFFI/FieldSalesCore.swift  ... and of the core's value types
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
# metadata as every target. It holds two UniFFI components: the bindings (bindings/uniffi.toml:
# Swift file FieldSalesFFI.swift, header fieldsales_ffiFFI.h) and the core's value types
# (core/uniffi.toml: FieldSalesCore.swift, header fieldsales_coreFFI.h). Both Swift files go
# into the one Swift module FieldSalesFFI, and both headers into the one C module
# fieldsales_ffiFFI that they import, declared by the module map inside the XCFramework.
cargo build --package fieldsales-ffi --profile "$PROFILE" --features bindgen
"$ROOT/target/$PROFILE/uniffi-bindgen" generate --library --language swift \
    --out-dir "$OUT/generated" "$ROOT/target/$PROFILE/libfieldsales_ffi.dylib"
cp "$OUT/generated/fieldsales_ffiFFI.h" "$OUT/generated/fieldsales_coreFFI.h" "$OUT/headers/"
# An XCFramework's headers directory must hold a file named module.modulemap; the generated
# ones declare one header each, this one both.
cat > "$OUT/headers/module.modulemap" <<'MODULEMAP'
module fieldsales_ffiFFI {
    header "fieldsales_coreFFI.h"
    header "fieldsales_ffiFFI.h"
    export *
    use "Darwin"
    use "_Builtin_stdbool"
    use "_Builtin_stdint"
}
MODULEMAP
cp "$OUT/generated/FieldSalesFFI.swift" "$OUT/generated/FieldSalesCore.swift" \
    "$ROOT/ios/Sources/FieldSalesFFI/"

lipo -create $(lib "${SIMULATORS[0]}") $(lib "${SIMULATORS[1]}") -output "$OUT/simulator/libfieldsales_ffi.a"
lipo -create $(lib "${MACS[0]}") $(lib "${MACS[1]}") -output "$OUT/macos/libfieldsales_ffi.a"

xcodebuild -create-xcframework \
    -library "$(lib "$DEVICE")" -headers "$OUT/headers" \
    -library "$OUT/simulator/libfieldsales_ffi.a" -headers "$OUT/headers" \
    -library "$OUT/macos/libfieldsales_ffi.a" -headers "$OUT/headers" \
    -output "$OUT/fieldsales_ffiFFI.xcframework"

echo "built $OUT/fieldsales_ffiFFI.xcframework; now: cd ios && swift test"

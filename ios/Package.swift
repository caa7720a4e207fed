// swift-tools-version:5.9
// The fieldsales core for iOS (and macOS, for `swift test`).
//
// Run ./build-xcframework.sh first: it builds the Rust library for every Apple target into
// build/fieldsales_ffiFFI.xcframework and writes the generated Swift into
// Sources/FieldSalesFFI/. Neither is committed.
import PackageDescription

let package = Package(
    name: "FieldSales",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "FieldSales", targets: ["FieldSales"]),
    ],
    targets: [
        // The Rust static library with its C header and module map (module fieldsales_ffiFFI).
        .binaryTarget(name: "fieldsales_ffiFFI", path: "build/fieldsales_ffiFFI.xcframework"),
        // The Swift that uniffi-bindgen generates over it.
        .target(name: "FieldSalesFFI", dependencies: ["fieldsales_ffiFFI"], path: "Sources/FieldSalesFFI"),
        // The small idiomatic wrapper (AsyncStream of events, store opening).
        .target(name: "FieldSales", dependencies: ["FieldSalesFFI"], path: "Sources/FieldSales"),
        .testTarget(name: "FieldSalesTests", dependencies: ["FieldSales"], path: "Tests/FieldSalesTests"),
    ]
)

// swift-tools-version:5.9
// The Swift layer of the iOS app: the generated bindings (StepwiseFFI), the
// Rust library as an XCFramework, and view models matching the Kotlin ones.
// Run build-xcframework.sh first; it writes Frameworks/ and Sources/StepwiseFFI/.
import PackageDescription

let package = Package(
    name: "Stepwise",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "Stepwise", targets: ["Stepwise"]),
    ],
    targets: [
        .binaryTarget(name: "StepwiseFFIC", path: "Frameworks/StepwiseFFIC.xcframework"),
        .target(name: "StepwiseFFI", dependencies: ["StepwiseFFIC"], path: "Sources/StepwiseFFI"),
        .target(name: "Stepwise", dependencies: ["StepwiseFFI"], path: "Sources/Stepwise"),
    ]
)

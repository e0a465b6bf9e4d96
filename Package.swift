// swift-tools-version:6.1
import PackageDescription

/// The numerical core is always compiled with optimisation, even in debug builds: its inner loops
/// are 50–100× slower unoptimised, which would make the statistical tests impractically slow.
/// The CPU target only changes which vector instructions are used, never the results: the code
/// writes its summation order explicitly and avoids fused multiply–add, so every target gives
/// bit-identical numbers (see README, "Determinism").
let coreSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-O", "-target-cpu", "haswell"], .when(platforms: [.linux])),
]

let package = Package(
    name: "sgdyn",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sgdyn", targets: ["sgdyn"]),
        .library(name: "SGDynCore", targets: ["SGDynCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    ],
    targets: [
        .target(
            name: "SGDynCore",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: coreSwiftSettings
        ),
        .target(
            name: "SGDynJobs",
            dependencies: ["SGDynCore", "CFileSystem"]
        ),
        // renameat2(RENAME_NOREPLACE) for publishing bundles; used by SGDynJobs only.
        .target(name: "CFileSystem"),
        .executableTarget(
            name: "sgdyn",
            dependencies: [
                "SGDynCore",
                "SGDynJobs",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SGDynCoreTests", dependencies: ["SGDynCore"]),
        .testTarget(name: "SGDynJobsTests", dependencies: ["SGDynJobs", "SGDynCore"]),
    ],
    swiftLanguageModes: [.v6]
)

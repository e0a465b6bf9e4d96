// swift-tools-version:6.1
import PackageDescription

import Foundation

/// The numerical core is always compiled with optimisation, even in debug builds: its inner loops
/// are 50–100× slower unoptimised, which would make the statistical tests impractically slow.
/// It is compiled for the vector unit of the machine that builds it (AVX-512 or AVX2 where
/// present; sgdyn is always built where it runs). The CPU target only changes which vector
/// instructions are used, never the results: the code fixes its summation order and uses no fused
/// multiply–add, so every target gives bit-identical numbers (see README, "Determinism").
let cpuFlags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
    .split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? []
let coreTargetCPU: [String] =
    cpuFlags.contains("avx512f") && cpuFlags.contains("avx512dq") ? ["-target-cpu", "skylake-avx512"]
    : cpuFlags.contains("avx2") && cpuFlags.contains("fma") ? ["-target-cpu", "haswell"]
    : []
let coreSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-O"] + coreTargetCPU, .when(platforms: [.linux])),
]

let package = Package(
    name: "sgdyn",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sgdyn", targets: ["sgdyn"]),
        .library(name: "SGDynCore", targets: ["SGDynCore"]),
        // For the fuzz targets in Fuzz/ (a package of their own that depends on this one by path).
        .library(name: "SGDynJobs", targets: ["SGDynJobs"]),
        .library(name: "SGDynDaemon", targets: ["SGDynDaemon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .target(
            name: "SGDynCore",
            dependencies: ["CVectorMath", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: coreSwiftSettings
        ),
        // Eight-lane square root and division that compile to vector instructions (header-only).
        .target(name: "CVectorMath"),
        .target(
            name: "SGDynJobs",
            dependencies: ["SGDynCore", "CFileSystem", .product(name: "SystemPackage", package: "swift-system")]
        ),
        // renameat2(RENAME_NOREPLACE) for publishing bundles; used by SGDynJobs only.
        .target(name: "CFileSystem"),
        .executableTarget(
            name: "sgdyn",
            dependencies: [
                "SGDynCore",
                "SGDynJobs",
                "SGDynStore",
                "SGDynDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "SGDynCoreTests", dependencies: ["SGDynCore"]),
        .testTarget(name: "SGDynJobsTests", dependencies: ["SGDynJobs", "SGDynCore"]),
        // libinotifytools (Debian's libinotifytools0-dev), used only by SGDynDaemon's InotifyInboxWatcher.
        .systemLibrary(
            name: "CInotifyTools",
            path: "Sources/CInotifyTools",
            providers: [.apt(["libinotifytools0-dev"])]
        ),
        // prctl(PR_SET_PDEATHSIG) for worker processes; used by SGDynDaemon only.
        .target(name: "CProcessControl"),
        .target(
            name: "SGDynDaemon",
            dependencies: [
                "CInotifyTools",
                "CProcessControl",
                "SGDynCore",
                "SGDynJobs",
                "SGDynStore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SGDynStore",
            dependencies: [
                "SGDynCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "SGDynDaemonTests",
            dependencies: ["SGDynDaemon", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "SGDynStoreTests",
            dependencies: ["SGDynStore", "SGDynCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

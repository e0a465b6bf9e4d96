// swift-tools-version:6.1
import PackageDescription

/// Coverage-guided fuzz targets (libFuzzer) for every decoder of bytes that come from users, from
/// disk or from a shared spool. A package of its own, so that building sgdyn never builds these:
/// they need `-sanitize=fuzzer,address`, which `scripts/fuzz.sh` passes. Each target is one
/// executable `fuzz-NAME` whose `main.swift` hands libFuzzer a callback (see `FuzzSupport`).
let decoders: [(name: String, products: [String])] = [
    ("job-parser", ["SGDynJobs"]),
    ("stored-form", ["SGDynJobs"]),
    ("simulation-snapshot", []),
    ("records-snapshot", []),
    ("ode-snapshot", []),
    ("work-unit", ["SGDynJobs"]),
    ("unit-report", ["SGDynJobs"]),
    ("submission-tasks", ["SGDynJobs"]),
    ("daemon-config", ["SGDynDaemon"]),
]

/// libFuzzer's `main` is not used: SwiftPM links an executable's own entry point as `main`, and
/// that calls `LLVMFuzzerRunDriver`. GNU gold fails on that link (an internal error), lld does not.
let linkWithLLD: [LinkerSetting] = [.unsafeFlags(["-use-ld=lld"])]

let package = Package(
    name: "sgdyn-fuzz",
    dependencies: [.package(name: "sgdyn", path: "..")],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer", .product(name: "SGDynCore", package: "sgdyn")]),
        // Writes the seed corpora (Corpus/) from real snapshots, units, reports and job files.
        .executableTarget(
            name: "fuzz-seeds",
            dependencies: [
                "FuzzSupport",
                .product(name: "SGDynCore", package: "sgdyn"),
                .product(name: "SGDynJobs", package: "sgdyn"),
            ],
            linkerSettings: linkWithLLD
        ),
    ] + decoders.map { decoder in
        .executableTarget(
            name: "fuzz-\(decoder.name)",
            dependencies: ["FuzzSupport", .product(name: "SGDynCore", package: "sgdyn")]
                + decoder.products.map { .product(name: $0, package: "sgdyn") },
            linkerSettings: linkWithLLD
        )
    },
    swiftLanguageModes: [.v6]
)

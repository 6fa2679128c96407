// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "StepFlow",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "StepFlow", targets: ["StepFlow"]),
        .library(name: "StepFlowTUI", targets: ["StepFlowTUI"]),
        .executable(name: "stepflow-tui", targets: ["stepflow-tui"]),
        .library(name: "StepFlowExamples", targets: ["StepFlowExamples"]),
        .executable(name: "stepflow-examples", targets: ["stepflow-examples"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The C surface of ncursesw; only StepFlowTUI's terminal backend imports it.
        .systemLibrary(
            name: "CNcurses",
            pkgConfig: "ncursesw",
            providers: [.apt(["libncurses-dev"])]
        ),
        // The SDK: no terminal code, no ncurses.
        .target(
            name: "StepFlow",
            swiftSettings: [
                // Async engine functions run on their caller's executor: no hop per step.
                .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
            ]
        ),
        .target(name: "StepFlowTUI", dependencies: ["StepFlow", "CNcurses"]),
        .executableTarget(
            name: "stepflow-tui",
            dependencies: [
                "StepFlowTUI",
                "StepFlow",
                "StepFlowExamples",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The seed's nine examples: a library (the catalog stepflow-tui lists) and a command.
        .target(name: "StepFlowExamples", dependencies: ["StepFlow"], path: "Examples/StepFlowExamples"),
        .executableTarget(
            name: "stepflow-examples",
            dependencies: [
                "StepFlow",
                "StepFlowExamples",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/stepflow-examples"
        ),
        .executableTarget(
            name: "stepflow-benchmarks",
            dependencies: ["StepFlow"],
            path: "Benchmarks/EngineBenchmark"
        ),
        .executableTarget(
            name: "stepflow-console-benchmarks",
            dependencies: ["StepFlow", "StepFlowTUI", "StepFlowExamples"],
            path: "Benchmarks/ConsoleBenchmark"
        ),
        .executableTarget(
            name: "stepflow-graph-benchmarks",
            dependencies: ["StepFlow"],
            path: "Benchmarks/GraphBenchmark"
        ),
        // Golden drawings are read through #filePath, not bundled.
        .testTarget(name: "StepFlowTests", dependencies: ["StepFlow"], exclude: ["Golden"]),
        .testTarget(name: "StepFlowExamplesTests", dependencies: ["StepFlow", "StepFlowExamples"]),
        .testTarget(
            name: "StepFlowTUITests", dependencies: ["StepFlow", "StepFlowTUI", "StepFlowExamples"], exclude: ["Golden"]),
    ],
    swiftLanguageModes: [.v6]
)

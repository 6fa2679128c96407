// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "StepFlow",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "StepFlow", targets: ["StepFlow"]),
        .library(name: "StepFlowSQLite", targets: ["StepFlowSQLite"]),
        .library(name: "StepFlowTUI", targets: ["StepFlowTUI"]),
        .executable(name: "stepflow-tui", targets: ["stepflow-tui"]),
        .library(name: "StepFlowExamples", targets: ["StepFlowExamples"]),
        .executable(name: "stepflow-examples", targets: ["stepflow-examples"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
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
                .enableUpcomingFeature("NonisolatedNonsendingByDefault")
            ]
        ),
        // The run store on embedded SQLite (SPEC §9): the only target that links a database driver.
        .target(
            name: "StepFlowSQLite",
            dependencies: [
                "StepFlow", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
        // The terminal graph drawer and display-width text: the console and the CLI
        // draw with it; an SDK user compiles none of it. No product: nothing in it
        // is meant to be imported outside this package (its API is `package`).
        .target(name: "StepFlowDrawing", dependencies: ["StepFlow"]),
        // The console and the command line; a team's binary is this over its own catalog.
        .target(
            name: "StepFlowTUI",
            dependencies: [
                "StepFlow", "StepFlowDrawing", "StepFlowSQLite", "CNcurses",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "stepflow-tui",
            dependencies: ["StepFlowTUI", "StepFlowExamples"]
        ),
        // The seed's nine examples: a library (the catalog stepflow-tui lists) and a command.
        .target(name: "StepFlowExamples", dependencies: ["StepFlow"], path: "Examples/StepFlowExamples"),
        .executableTarget(
            name: "stepflow-examples",
            dependencies: [
                "StepFlow",
                "StepFlowExamples",
                "StepFlowSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/stepflow-examples"
        ),
        .executableTarget(
            name: "stepflow-benchmarks",
            dependencies: ["StepFlow", "StepFlowExamples"],
            path: "Benchmarks/EngineBenchmark"
        ),
        .executableTarget(
            name: "stepflow-console-benchmarks",
            dependencies: ["StepFlow", "StepFlowTUI", "StepFlowExamples"],
            path: "Benchmarks/ConsoleBenchmark"
        ),
        .executableTarget(
            name: "stepflow-graph-benchmarks",
            dependencies: ["StepFlow", "StepFlowDrawing", "StepFlowTestSupport"],
            path: "Benchmarks/GraphBenchmark"
        ),
        // What several test targets and the graph benchmark share: the golden-file
        // check, the seeded graph generator, the built-product runner, tmux.
        .target(name: "StepFlowTestSupport", dependencies: ["StepFlow"], path: "Tests/StepFlowTestSupport"),
        // The run store contract as test functions over a store factory: every backend runs them.
        .target(
            name: "StepFlowStoreContract",
            dependencies: ["StepFlow"],
            path: "Tests/StepFlowStoreContract",
            swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
        // A process the store tests start many times: racing deciders, writers killed mid-transaction.
        .executableTarget(
            name: "stepflow-store-probe",
            dependencies: ["StepFlow", "StepFlowSQLite", "StepFlowStoreContract"],
            path: "Tests/StepFlowStoreProbe",
            swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
        .executableTarget(
            name: "stepflow-store-benchmarks",
            dependencies: [
                "StepFlow", "StepFlowSQLite", "StepFlowStoreContract", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Benchmarks/StoreBenchmark",
            swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
        .testTarget(
            name: "StepFlowSQLiteTests",
            dependencies: [
                "StepFlow", "StepFlowSQLite", "StepFlowStoreContract", "StepFlowTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
        // Golden files are read through #filePath, not bundled.
        .testTarget(name: "StepFlowTests", dependencies: ["StepFlow", "StepFlowTestSupport"]),
        .testTarget(
            name: "StepFlowDrawingTests", dependencies: ["StepFlow", "StepFlowDrawing", "StepFlowTestSupport"],
            exclude: ["Golden"]),
        .testTarget(name: "StepFlowTestSupportTests", dependencies: ["StepFlowTestSupport"]),
        // The examples and the stepflow-examples command.
        .testTarget(
            name: "StepFlowExamplesTests",
            dependencies: ["StepFlow", "StepFlowExamples", "StepFlowSQLite", "StepFlowTestSupport"]),
        .testTarget(
            name: "StepFlowTUITests",
            dependencies: ["StepFlow", "StepFlowDrawing", "StepFlowTUI", "StepFlowExamples", "StepFlowTestSupport"],
            exclude: ["Golden"]),
        // A StepFlowTool over test workflows that log each step and can block until killed:
        // the command line's crash tests run it.
        .executableTarget(
            name: "stepflow-cli-probe",
            dependencies: ["StepFlow", "StepFlowTUI"],
            path: "Tests/StepFlowCLIProbe"
        ),
        // The built stepflow-tui binary, run as a process and in tmux.
        .testTarget(
            name: "StepFlowCLITests",
            dependencies: ["StepFlow", "StepFlowDrawing", "StepFlowExamples", "StepFlowSQLite", "StepFlowTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// StepFlow run store benchmark: what recording, deciding and waking cost on the SQLite store.
//
//   swift build -c release --product stepflow-store-benchmarks --scratch-path .build-bench
//   .build-bench/release/stepflow-store-benchmarks [--quick] [--recorded]
//
// It starts copies of itself for the multi-process cases (modes below are internal).

import Foundation
import StepFlow
import StepFlowSQLite
import StepFlowStoreContract

let arguments = Array(CommandLine.arguments.dropFirst())

switch arguments.first {
case "decide-worker":
    await Workers.decide(arguments)
case "wait-worker":
    await Workers.wait(arguments)
case "gate-worker":
    await Workers.gate(arguments)
case "profile-recorded":
    // Untimed recorded no-op runs, for a profiler: `profile-recorded RUNS`.
    await RecordedRunBenchmarks.profile(runs: arguments.dropFirst().first.flatMap { Int($0) } ?? 50)
default:
    #if DEBUG
    print("warning: this is a debug build; build with -c release for meaningful numbers")
    #endif
    // `--recorded`: only the engine's recorded-run cases.
    await StoreBenchmark.run(
        quick: arguments.contains("--quick"), only: arguments.contains("--recorded") ? "recorded" : nil)
}

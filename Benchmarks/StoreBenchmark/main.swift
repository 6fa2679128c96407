// StepFlow run store benchmark: what recording, deciding and waking cost on the SQLite store.
//
//   swift build -c release --product stepflow-store-benchmarks --scratch-path .build-bench
//   .build-bench/release/stepflow-store-benchmarks [--quick]
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
default:
    #if DEBUG
    print("warning: this is a debug build; build with -c release for meaningful numbers")
    #endif
    await StoreBenchmark.run(quick: arguments.contains("--quick"))
}

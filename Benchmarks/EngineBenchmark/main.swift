// StepFlow engine benchmark: the engine's overhead per step and per run.
//
//   swift build -c release --product stepflow-benchmarks --scratch-path .build-bench
//   .build-bench/release/stepflow-benchmarks [--quick | --profile[=RUNS] [--steps=N]]

import Foundation

let config = BenchConfig.parse(Array(CommandLine.arguments.dropFirst()))

if let runs = config.profileRuns {
    let steps = await profileLinear(steps: config.profileSteps, runs: runs)
    print("profile: \(runs) runs, \(steps) steps")
    exit(0)
}

#if DEBUG
print("warning: this is a debug build; build with -c release for meaningful numbers")
#endif
print("StepFlow engine benchmark\(config.quick ? " (--quick)" : "")")
print("cpu: \(cpuModelName() ?? "unknown"), \(ProcessInfo.processInfo.activeProcessorCount) cores")
print("samples per case: \(config.samples), target per sample: \(config.sampleTarget), warm-up: \(config.warmup)")
print("median and min are over samples; each sample times a batch of runs.")
print()

let clock = ContinuousClock()
let started = clock.now
let (rows, checksum) = try await runAllCases(config: config)
printTable(rows)
print()
print("checksum: \(checksum.value)")
print("total time: \(clock.now - started)")

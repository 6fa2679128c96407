import StepFlow

/// The shared state of every benchmark workflow: tiny, so encoding it costs little.
struct BenchState: Codable, Sendable, Equatable {
    var label = "bench"
    var counter = 0
}

/// A linear workflow of `count` no-op steps, or with `returningOutput`, steps
/// that each return a short String (the common shape in real workflows: the
/// output is encoded to JSON per step).
///
/// The step names are made once, so rebuilding `steps` (which `workflow.run`
/// does on every call) measures step construction, not string formatting.
struct LinearWorkflow: Workflow {
    let names: [String]
    let returningOutput: Bool

    init(count: Int, returningOutput: Bool = false) {
        names = (0..<count).map { "step_\($0)" }
        self.returningOutput = returningOutput
    }

    var name: String { "Linear\(returningOutput ? "Output" : "")\(names.count)" }

    var steps: [Step<BenchState>] {
        for stepName in names {
            if returningOutput {
                Step(stepName) { _ in "done" }
            } else {
                Step(stepName) { _ in }
            }
        }
    }
}

/// The error the flaky step throws on its first two attempts.
struct FlakyError: Error {}

/// One step that fails twice with ``FlakyError`` and succeeds on its third attempt.
struct FlakyWorkflow: Workflow {
    var name: String { "Flaky" }

    var steps: [Step<BenchState>] {
        Step("flaky", retry: RetryPolicy(retries: 2, retryOn: [FlakyError.self], delay: .zero)) { _, context in
            if context.attempt < 3 { throw FlakyError() }
        }
    }
}

/// Three steps; the middle one needs approval, so with `pauseOnApproval` the run pauses there.
struct ApprovalWorkflow: Workflow {
    var name: String { "Approval" }

    var steps: [Step<BenchState>] {
        Step("prepare") { _ in }
        Step("approve_me", approval: .required(message: "Proceed?")) { _ in }
        Step("finish") { _ in }
    }
}

import Foundation
import StepFlow
import StepFlowTUI

// The StepFlow command line over one test workflow, for the crash tests of
// `run` and `resume`: every step body appends "<step> <run id>" to the file
// `$STEPFLOW_PROBE_LOG` before it does anything, and the step named by
// `$STEPFLOW_PROBE_BLOCK` then blocks until the process is killed. Its
// recorded runs take a short lease, so a killed process's run can be taken
// over within a second.

/// The state of the probe's refund.
struct ProbeState: Codable, Sendable {
    var orderID = "ord_probe"
    var refunded = false
}

/// Check, a gated refund, notify: each step logs that its body started.
struct LoggedRefund: Workflow {
    var name: String { "logged-refund" }

    var steps: [Step<ProbeState>] {
        Step("check") { (_: inout ProbeState, context: RunContext) in try await enter("check", context) }
        Step("issue_refund", approval: .required(message: "Refund?")) {
            (state: inout ProbeState, context: RunContext) in
            try await enter("issue_refund", context)
            state.refunded = true
        }
        Step("notify") { (_: inout ProbeState, context: RunContext) in try await enter("notify", context) }
    }
}

/// Logs that the body of `step` started, then blocks if told to.
func enter(_ step: String, _ context: RunContext) async throws {
    let environment = ProcessInfo.processInfo.environment
    if let log = environment["STEPFLOW_PROBE_LOG"] {
        let descriptor = open(log, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
        let line = Array("\(step) \(context.runID)\n".utf8)
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }
    guard environment["STEPFLOW_PROBE_BLOCK"] == step else { return }
    while true { try await Task.sleep(for: .seconds(3_600)) }
}

do {
    let catalog = try WorkflowCatalog([
        CatalogEntry(LoggedRefund(), summary: "A logged refund", defaultState: ProbeState())
    ])
    await StepFlowCommandLine.main(
        catalog: catalog, commandName: "stepflow-cli-probe", arguments: nil, leaseDuration: .milliseconds(600))
} catch {
    FileHandle.standardError.write(Data("stepflow-cli-probe: \(error)\n".utf8))
    exit(2)
}

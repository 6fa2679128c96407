import Foundation
import StepFlow

/// An order to refund: the state of the recorded workflows the store tests run.
package struct RefundOrder: Codable, Sendable, Equatable {
    package var orderID: String
    package var amount: Int
    package var notes: [String]

    package init(orderID: String = "A-1042", amount: Int = 120, notes: [String] = []) {
        self.orderID = orderID
        self.amount = amount
        self.notes = notes
    }
}

/// A file every step body appends a line to ("<step> <run id>"), with
/// `O_APPEND`, so that processes sharing it show how often each step of each
/// run ran: "run twice" is observable even across a SIGKILL.
package final class StepLog: Sendable {
    /// The file.
    package let path: String

    /// The log at `path`, created empty if missing (never truncated: other processes share it).
    package init(path: String) {
        self.path = path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        if descriptor >= 0 { _ = close(descriptor) }
    }

    /// Appends "<step> <run id>".
    package func append(_ step: String, run: String) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { preconditionFailure("the step log \(path) cannot be opened") }
        defer { _ = close(descriptor) }
        let bytes = Array("\(step) \(run)\n".utf8)
        // One write of a short line to an O_APPEND file: never interleaved with another process's.
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// Every line, in order.
    package func lines() -> [String] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// How many times `step` of `run` ran.
    package func count(_ step: String, run: String) -> Int {
        lines().filter { $0 == "\(step) \(run)" }.count
    }

    /// The steps of `run`, in the order they ran.
    package func steps(of run: String) -> [String] {
        lines().compactMap { line in
            let parts = line.split(separator: " ")
            return parts.count == 2 && parts[1] == run ? String(parts[0]) : nil
        }
    }
}

/// check → issue_refund (gated; message from the state) → notify, each body
/// logging to a ``StepLog``: the workflow the recorded-run tests and the probe
/// processes share (the same definition, so the same fingerprint, everywhere).
package struct LoggedRefund: Workflow {
    package let log: StepLog
    package var approvers: [String]
    package var refusesSelfApproval: Bool
    package var deadline: ApprovalDeadline?
    /// Runs inside the gated step's body, after it logged (tests hold the step there).
    package var duringRefund: @Sendable (String) async -> Void

    package init(
        log: StepLog, approvers: [String] = [], refusesSelfApproval: Bool = false, deadline: ApprovalDeadline? = nil,
        duringRefund: @escaping @Sendable (String) async -> Void = { _ in }
    ) {
        self.log = log
        self.approvers = approvers
        self.refusesSelfApproval = refusesSelfApproval
        self.deadline = deadline
        self.duringRefund = duringRefund
    }

    package var name: String { "logged-refund" }

    package var steps: [Step<RefundOrder>] {
        Step("check") { [log] (state: inout RefundOrder, context: RunContext) in
            log.append("check", run: context.runID)
            state.notes.append("checked")
        }
        Step(
            "issue_refund",
            approval: .required(
                message: { state in "Refund \(state.amount) for \(state.orderID)" }, metadata: ["team": "support"],
                deadline: deadline, approvers: approvers, refusesSelfApproval: refusesSelfApproval)
        ) { [log, duringRefund] (state: inout RefundOrder, context: RunContext) in
            log.append("issue_refund", run: context.runID)
            await duringRefund(context.runID)
            state.notes.append("refunded")
        }
        Step("notify") { [log] (state: inout RefundOrder, context: RunContext) in
            log.append("notify", run: context.runID)
            state.notes.append("notified")
        }
    }
}

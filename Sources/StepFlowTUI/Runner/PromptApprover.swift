import Foundation
import StepFlow
import Synchronization

/// Asks a person on the command line: shows the request, reads `y`/`n` and an optional reason from standard input.
///
/// End of input postpones (the run pauses).
struct PromptApprover: Sendable {
    /// Writes prompt text as it is, newlines included (stdout, or stderr when stdout carries JSON).
    let write: @Sendable (String) -> Void
    /// Reads one line of input; `nil` at end of input.
    let readLine: @Sendable () -> String?
    /// The name recorded as the approver.
    let approver: String
    /// Whether answers are echoed (input from a pipe is not shown by any terminal).
    let echoesInput: Bool

    /// Creates a prompt approver.
    init(
        approver: String, write: @escaping @Sendable (String) -> Void,
        readLine: @escaping @Sendable () -> String? = { Swift.readLine(strippingNewline: true) },
        echoesInput: Bool = isatty(STDIN_FILENO) == 0
    ) {
        self.approver = approver
        self.echoesInput = echoesInput
        self.write = write
        self.readLine = readLine
    }

    /// The handler to run with.
    ///
    /// The prompt blocks on standard input, so it waits on a thread of its
    /// own: the run's other work (watching the store for a decision made
    /// elsewhere, renewing its lease) keeps the concurrency pool's threads.
    var handler: ApprovalHandler {
        .answering { request in
            await withCheckedContinuation { continuation in
                Thread { continuation.resume(returning: ask(request)) }.start()
            }
        }
    }

    /// One prompt at a time: child workflows of one step can ask together, and
    /// two prompts interleaved on one terminal would take each other's answers.
    private let turn = PromptTurn()

    /// Shows the request and waits for an answer.
    ///
    /// A stray Enter never approves.
    func ask(_ request: ApprovalRequest) -> ApprovalAnswer {
        turn.lock.withLock { _ in askAlone(request) }
    }

    private func askAlone(_ request: ApprovalRequest) -> ApprovalAnswer {
        for line in Self.describe(request) { write(line + "\n") }
        while true {
            write("Approve? [y/n] ")
            guard let answer = readInput() else {
                write("\nNo answer on standard input: postponing; the run pauses with a checkpoint.\n")
                return .postponed
            }
            let approved: Bool
            switch answer.trimmingCharacters(in: .whitespaces).lowercased() {
            case "y", "yes": approved = true
            case "n", "no": approved = false
            default:
                write("Please answer y or n.\n")
                continue
            }
            write("Reason (optional, Enter to skip): ")
            let reason = readInput()?.trimmingCharacters(in: .whitespaces)
            return .decided(
                ApprovalDecision(
                    approved: approved, reason: (reason?.isEmpty ?? true) ? nil : reason, decidedBy: approver,
                    decidedAt: Date()))
        }
    }

    private func readInput() -> String? {
        let line = readLine()
        if echoesInput, let line { write(VisibleText.sanitize(line) + "\n") }
        return line
    }

    /// The request as lines: workflow, step, message, metadata, a state summary.
    static func describe(_ request: ApprovalRequest) -> [String] {
        [
            "Approval needed",
            "  workflow: \(safe(request.workflowName)) (run \(request.runID.prefix(12)))",
            "  step:     \(safe(request.stepName))",
            "  message:  \(safe(request.message ?? "(none)"))",
            "  metadata: \(summary(.object(request.metadata)))",
            "  state:    \(summary(request.state.json))",
        ]
    }

    /// `key=value` pairs of an object, values clipped; other JSON as text.
    static func summary(_ value: JSONValue) -> String {
        guard case .object(let fields) = value else { return EventLine.quoted(value.jsonText) }
        if fields.isEmpty { return "(none)" }
        return fields.sorted { $0.key < $1.key }.map { key, value in
            var text = value.description
            if text.count > 60 { text = String(text.prefix(59)) + "…" }
            return "\(safe(key))=\(EventLine.quoted(text))"
        }.joined(separator: " ")
    }

    private static func safe(_ text: String) -> String { VisibleText.sanitize(text) }
}

/// The lock that makes prompts take turns, shared by copies of one approver.
private final class PromptTurn: Sendable {
    let lock = Mutex(())
}

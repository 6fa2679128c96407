import StepFlow

/// Plain-text reports of workflow results, as the example commands print them.
///
/// Every piece of workflow text goes through ``VisibleText/sanitize(_:keepNewlines:)``.
public enum ResultReport {
    /// The whole report: headline, state, steps (with children), route trace, error.
    public static func lines(for result: WorkflowResult<AnyState>, stateTitle: String = "State") -> [String] {
        var lines = [headline(result)]
        lines.append("\(stateTitle):")
        lines += stateLines(result.state.json).map { "  " + $0 }
        lines.append("Steps:")
        lines += stepLines(result.steps, indent: "  ")
        if !result.routeTrace.isEmpty {
            lines.append("Route trace: " + routeTrace(result.routeTrace))
        }
        if let error = result.error {
            lines.append("Error: " + describe(error))
        }
        if let checkpoint = result.checkpoint {
            lines.append(
                "Paused at step '\(safe(checkpoint.stepName))' waiting for approval: "
                    + safe(checkpoint.request.message ?? "(no message)"))
        }
        return lines
    }

    /// `Workflow NAME succeeded in N ms (run 1a2b3c4d)`.
    public static func headline(_ result: WorkflowResult<AnyState>, noun: String = "Workflow") -> String {
        "\(noun) \(safe(result.workflowName)) \(result.status.rawValue) in \(result.durationMs) ms (run \(result.runID.prefix(8)))"
    }

    /// One line per step, children nested beneath their parent step.
    public static func stepLines(_ steps: [StepResult], indent: String) -> [String] {
        let width = min(28, steps.map(\.stepName.count).max() ?? 0)
        var lines: [String] = []
        for step in steps {
            var line = indent + pad(safe(step.stepName), width) + "  " + pad(step.status.rawValue, 9)
            if step.status == .skipped {
                line += "  (\(step.skippedReason ?? "skipped"))"
                lines.append(line)
                continue
            }
            line += "  attempts \(step.attempts)"
            if let output = step.output { line += "  output: " + safe(output.description) }
            if let key = step.routeKey { line += "  route: \(safe(key)) -> \(safe(step.nextStep ?? "END"))" }
            lines.append(line)
            if let decision = step.approvalDecision {
                lines.append(indent + "    approval: " + describe(decision))
            }
            if let error = step.error {
                lines.append(indent + "    error: " + describe(error))
            }
            for child in step.childWorkflows {
                lines.append(indent + "    " + headline(child, noun: "child workflow"))
                lines += stepLines(child.steps, indent: indent + "      ")
            }
        }
        return lines
    }

    /// `approved by ana at 2026-... ("reason")`.
    public static func describe(_ decision: ApprovalDecision) -> String {
        var text = decision.approved ? "approved" : "denied"
        if let who = decision.decidedBy { text += " by \(safe(who))" }
        if let when = decision.decidedAt { text += " at \(StepFlowJSON.formatDate(when))" }
        if let reason = decision.reason { text += " (\"\(safe(reason))\")" }
        return text
    }

    /// `TypeName: message`.
    public static func describe(_ error: any Error) -> String {
        safe("\(errorTypeName(error)): \(errorMessage(error))")
    }

    /// `step -[key]-> next, ...`.
    public static func routeTrace(_ trace: [RouteDecision]) -> String {
        trace.map { "\(safe($0.stepName)) -[\(safe($0.routeKey))]-> \(safe($0.nextStep ?? "END"))" }
            .joined(separator: ", ")
    }

    /// A state as `key: value` lines (objects) or its JSON text.
    public static func stateLines(_ state: JSONValue) -> [String] {
        guard case .object(let fields) = state else { return [safe(state.jsonText)] }
        let width = min(24, fields.keys.map(\.count).max() ?? 0)
        return fields.sorted { $0.key < $1.key }.map { key, value in
            pad(safe(key), width) + "  " + safe(value.jsonText)
        }
    }

    private static func safe(_ text: String) -> String {
        VisibleText.sanitize(text)
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

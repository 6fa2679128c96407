import Foundation
import StepFlow

/// One greppable, stable line per engine event, in logfmt style.
///
/// For example:
///
///     time=2026-11-25T12:00:00.123Z workflow=refund-workflow run=3f2a… event=step_finished step=check_order status=succeeded attempt=1
///
/// Fields always come in the same order (time, workflow, run, event, step,
/// status, attempt, route, error, then details); absent fields are left out.
/// Values are quoted when they hold spaces, quotes or `=`, and every value is
/// sanitised, so workflow text never reaches the terminal raw.
enum EventLine {
    /// The longest value printed before it is clipped with `…`.
    static let maximumValueLength = 240

    /// The line for an event, stamped with `time`.
    static func format(_ event: WorkflowEvent, at time: Date = Date()) -> String {
        ([("time", StepFlowJSON.formatDate(time))] + fields(of: event))
            .map { "\($0.key)=\(quoted($0.value))" }.joined(separator: " ")
    }

    /// The event's fields after `time`, in line order, values not yet quoted; the
    /// console's event log draws from these instead of taking a line apart.
    static func fields(of event: WorkflowEvent) -> [(key: String, value: String)] {
        var fields: [(String, String?)] = [
            ("workflow", event.workflowName),
            ("run", event.runID),
        ]
        switch event {
        case .workflowStarted:
            fields += [("event", "workflow_started"), ("status", "running")]
        case .stepStarted(let e):
            fields += [("event", "step_started"), ("step", e.stepName), ("status", "running")]
        case .stepFinished(let e):
            let r = e.result
            fields += [
                ("event", "step_finished"), ("step", e.stepName), ("status", r.status.rawValue),
                ("attempt", String(r.attempts)), ("route", r.routeKey.map { "\($0)->\(r.nextStep ?? "END")" }),
                ("error", r.error.map(describe)), ("duration_ms", String(r.durationMs)),
                ("output", r.output.map(\.description)),
            ]
            fields += decisionFields(r.approvalDecision)
        case .workflowFinished(let e):
            fields += [
                ("event", "workflow_finished"), ("status", e.result.status.rawValue),
                ("error", e.result.error.map(describe)), ("duration_ms", String(e.result.durationMs)),
            ]
        case .retryScheduled(let e):
            fields += [
                ("event", "retry_scheduled"), ("step", e.stepName), ("attempt", String(e.failedAttempt)),
                ("error", describe(e.error)), ("delay_ms", milliseconds(e.delay)),
            ]
        case .approvalRequested(let request):
            fields += [
                ("event", "approval_requested"), ("step", request.stepName), ("status", "waiting"),
                ("message", request.message),
            ]
        case .approvalDecided(let e):
            fields += [("event", "approval_decided"), ("step", e.stepName)] + decisionFields(e.decision)
        case .childWorkflowStarted(let e):
            fields += [
                ("event", "child_started"), ("step", e.stepName), ("child", e.childWorkflowName),
                ("child_run", e.childRunID),
            ]
        case .childWorkflowFinished(let e):
            fields += [
                ("event", "child_finished"), ("step", e.stepName), ("status", e.result.status.rawValue),
                ("error", e.result.error.map(describe)), ("child", e.result.workflowName),
                ("child_run", e.result.runID),
            ]
        }
        return fields.compactMap { key, value in value.map { (key, $0) } }
    }

    /// A logfmt value: bare when it is a plain word, otherwise quoted with `\"` and
    /// `\\` escaped; control characters are then made visible (`\e`, `\n` ...).
    static func quoted(_ value: String) -> String {
        var text = value
        if text.count > maximumValueLength { text = String(text.prefix(maximumValueLength - 1)) + "…" }
        let plain =
            !text.isEmpty
            && !text.unicodeScalars.contains {
                $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" || VisibleText.needsEscape($0)
            }
        if plain { return text }
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"" + VisibleText.sanitize(escaped) + "\""
    }

    private static func decisionFields(_ decision: ApprovalDecision?) -> [(String, String?)] {
        guard let decision else { return [] }
        return [
            ("decision", decision.approved ? "approved" : "denied"), ("by", decision.decidedBy),
            ("decided_at", decision.decidedAt.map(StepFlowJSON.formatDate)), ("reason", decision.reason),
        ]
    }

    private static func describe(_ error: any Error) -> String {
        "\(errorTypeName(error)): \(errorMessage(error))"
    }

    private static func milliseconds(_ duration: Duration) -> String {
        let parts = duration.components
        return String(parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000)
    }
}

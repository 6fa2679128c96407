import Foundation
import StepFlow

/// How one engine event changes a run's view.
enum RunEvents {
    /// Applies an event that arrived at `time` (its log line and retry countdown count from it).
    static func apply(_ event: WorkflowEvent, to run: inout RunView, at time: Date) {
        run.log.append(LogEntry(time: time, event: event))
        // A child's own events update its row under the parent step.
        if event.runID != run.runID {
            applyChild(event, to: &run)
            return
        }
        switch event {
        case .workflowStarted(let e):
            run.state = e.state
            run.status = .running
        case .stepStarted(let e):
            update(&run, step: e.stepName) { row in
                row.status = .running
                row.lastError = nil
            }
            run.state = e.state
        case .stepFinished(let e):
            let result = e.result
            update(&run, step: e.stepName) { row in
                row.status = result.status
                row.attempts = result.attempts
                row.durationMs = result.durationMs
                row.route = result.routeKey.map { "\($0) -> \(result.nextStep ?? "END")" }
                row.lastError = result.error.map { "\(errorTypeName($0)): \(errorMessage($0))" }
                row.retryAt = nil
                if let decision = result.approvalDecision { row.decision = describe(decision) }
            }
            run.state = e.state
        case .workflowFinished(let e):
            run.status = e.result.status
            run.state = e.state
            run.pendingApprovals = []
            // Steps a routed run never reached.
            for step in e.result.steps where step.status == .skipped {
                update(&run, step: step.stepName) { $0.status = .skipped }
            }
        case .retryScheduled(let e):
            update(&run, step: e.stepName) { row in
                row.attempts = e.failedAttempt
                row.lastError = "\(errorTypeName(e.error)): \(errorMessage(e.error))"
                row.retryAt = time.addingTimeInterval(
                    Double(e.delay.components.seconds) + Double(e.delay.components.attoseconds) * 1e-18)
            }
        case .approvalRequested(let request):
            update(&run, step: request.stepName) { $0.status = .paused }
        case .approvalDecided(let e):
            // Decided elsewhere first (a recorded run): the operator is no longer asked.
            run.pendingApprovals.removeAll { $0.request.runID == e.runID && $0.request.stepName == e.stepName }
            update(&run, step: e.stepName) { row in
                row.decision = describe(e.decision)
                row.status = .running
            }
        case .childWorkflowStarted(let e):
            update(&run, step: e.stepName) { row in
                row.children.append(ChildRow(runID: e.childRunID, name: e.childWorkflowName, status: .running))
            }
        case .childWorkflowFinished(let e):
            update(&run, step: e.stepName) { row in
                if let index = row.children.firstIndex(where: { $0.runID == e.result.runID }) {
                    row.children[index].status = e.result.status
                }
            }
        }
    }

    private static func applyChild(_ event: WorkflowEvent, to run: inout RunView) {
        guard case .stepFinished(let e) = event else { return }
        for stepIndex in run.steps.indices {
            if let child = run.steps[stepIndex].children.firstIndex(where: { $0.runID == e.runID }) {
                run.steps[stepIndex].children[child].steps.append("\(e.stepName) \(e.result.status.rawValue)")
            }
        }
    }

    private static func update(_ run: inout RunView, step name: String, _ change: (inout StepRow) -> Void) {
        if let index = run.steps.firstIndex(where: { $0.name == name }) { change(&run.steps[index]) }
    }

    static func describe(_ decision: ApprovalDecision) -> String {
        var text = decision.approved ? "approved" : "denied"
        if let who = decision.decidedBy { text += " by \(who)" }
        if let reason = decision.reason { text += ": \(reason)" }
        return text
    }
}

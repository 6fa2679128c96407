import Foundation
import Testing

@testable import StepFlow
@testable import StepFlowTUI

@Suite("Event log")
struct EventLogTests {
    /// Text that looks like logfmt fields, with quotes and an escape sequence.
    static let tricky = "ship \"it\" run=x time=2026-01-01T00:00:00Z\u{1B}[2J"

    @Test(
        "values that look like fields are shown whole: a step name, an error, a route key and a message with run=, time= and quotes"
    )
    func fieldLikeValues() throws {
        let request = ApprovalRequest(
            workflowName: "approval-refund", stepName: "issue_refund", runID: "run0001abcd",
            state: AnyState(JSONValue.object(["amount": 250])), message: "Check \(Self.tricky)", metadata: [:])
        var (model, _) = try modelWaitingForApproval(request)
        send(&model, .resize(width: 220, height: 40), .key(.escape))
        send(
            &model,
            .event(
                runKey: 1,
                .stepStarted(
                    StepStartedEvent(
                        workflowName: "approval-refund", runID: "run0001abcd", stepName: Self.tricky, stepIndex: 0,
                        state: request.state, startedAt: model.now))))
        send(
            &model,
            .event(
                runKey: 1,
                .retryScheduled(
                    RetryScheduledEvent(
                        workflowName: "approval-refund", runID: "run0001abcd", stepName: "notify_customer",
                        failedAttempt: 1,
                        delay: .seconds(2), error: RecordedError(typeName: "MailError", message: Self.tricky)))))
        send(
            &model,
            .event(
                runKey: 1,
                .stepFinished(
                    StepFinishedEvent(
                        workflowName: "approval-refund", runID: "run0001abcd", stepName: "prepare_refund", stepIndex: 0,
                        state: request.state,
                        result: StepResult(
                            stepName: "prepare_refund", status: .succeeded, attempts: 1, routeKey: Self.tricky,
                            nextStep: "notify_customer")))))
        let lines = ConsoleView.render(model).lines
        let shown = #"ship \"it\" run=x time=2026-01-01T00:00:00Z\e[2J"#
        let expected = [
            #"event=approval_requested step=issue_refund status=waiting message="Check "# + shown + "\"",
            #"event=step_started step=""# + shown + #"" status=running"#,
            #"event=retry_scheduled step=notify_customer attempt=1 error="MailError: "# + shown + #"" delay_ms=2000"#,
            #"event=step_finished step=prepare_refund status=succeeded attempt=1 route=""# + shown
                + #"->notify_customer""#,
        ]
        for text in expected {
            let line = try #require(lines.first { $0.contains(text) }, "no log line shows \(text)")
            // The time of day leads, the run id (in the header) is left out.
            #expect(line.hasPrefix("│08:00:00 workflow=approval-refund event="), "\(line)")
            #expect(!line.contains("run=run0001"))
        }
        #expect(!lines.joined().unicodeScalars.contains { $0.value == 0x1B })
    }

    @Test("the time of day is the arrival time in UTC, to the second")
    func timeOfDay() {
        #expect(EventLog.timeOfDay(Date(timeIntervalSince1970: 1_800_000_000)) == "08:00:00")
        #expect(EventLog.timeOfDay(Date(timeIntervalSince1970: 86_399.9)) == "23:59:59")
        #expect(EventLog.timeOfDay(Date(timeIntervalSince1970: -1)) == "23:59:59")
    }

    @Test("an entry's fields are the plain-text runner's, minus time and run")
    func sameFieldsAsRunnerLines() {
        let event = WorkflowEvent.approvalDecided(
            ApprovalDecidedEvent(
                workflowName: "approval-refund", runID: "run0001abcd", stepName: "issue_refund",
                decision: .approve(reason: "receipt ok", by: "ana")))
        let time = Date(timeIntervalSince1970: 1_800_000_000)
        let runnerLine = EventLine.format(event, at: time)
        let logLine = EventLog.text(of: LogEntry(time: time, event: event))
        #expect(runnerLine.hasPrefix("time=2027-01-15T08:00:00.000Z workflow=approval-refund run=run0001abcd "))
        #expect(
            logLine == "08:00:00 "
                + runnerLine.replacingOccurrences(
                    of: "time=2027-01-15T08:00:00.000Z ", with: ""
                ).replacingOccurrences(of: "run=run0001abcd ", with: ""))
    }
}

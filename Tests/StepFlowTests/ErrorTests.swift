import Foundation
import Testing

@testable import StepFlow

// StepFlow's nine error types: one shape, nine distinct types, each named as the reference names it.

private struct ErrorState: Codable, Sendable {}

private struct UserError: Error {}

/// A workflow of one step that throws `error` on every attempt, retrying the listed types.
private func failingWorkflow(throwing error: any Error, retryOn: [any Error.Type]) throws
    -> WorkflowDefinition<ErrorState>
{
    try WorkflowDefinition(
        name: "Errors",
        steps: [
            Step("fails", retry: RetryPolicy(retries: 2, retryOn: retryOn)) { _ in throw error }
        ])
}

@Suite("Errors")
struct ErrorTests {
    @Test("each error type is named as the reference names it, in errorTypeName and in recorded JSON")
    func typeNames() throws {
        let errors: [(any Error, String)] = [
            (WorkflowDefinitionError("m"), "WorkflowDefinitionError"),
            (StateValidationError("m"), "StateValidationError"),
            (StepExecutionError("m"), "StepExecutionError"),
            (WorkflowExecutionError("m"), "WorkflowExecutionError"),
            (RouteResolutionError("m"), "RouteResolutionError"),
            (ApprovalRequiredError("m"), "ApprovalRequiredError"),
            (ApprovalResumeError("m"), "ApprovalResumeError"),
            (HookExecutionError("m"), "HookExecutionError"),
            (ChildWorkflowExecutionError("m"), "ChildWorkflowExecutionError"),
            (StepTimeoutError("m"), "StepTimeoutError"),
        ]
        for (error, name) in errors {
            #expect(errorTypeName(error) == name)
            let json = try StepFlowJSON.encoder.encode(RecordedError(error))
            #expect(String(decoding: json, as: UTF8.self) == #"{"message":"m","type":"\#(name)"}"#)
        }
        #expect(Set(errors.map { errorTypeName($0.0) }).count == errors.count)
    }

    @Test("other errors keep their Swift type name; a recorded error keeps the name it was recorded with")
    func otherNames() {
        #expect(errorTypeName(UserError()) == "UserError")
        #expect(errorTypeName(CancellationError()) == "CancellationError")
        #expect(errorTypeName(RecordedError(StepTimeoutError("late"))) == "StepTimeoutError")
    }

    @Test("message, cause and description are the same for every kind")
    func shape() {
        let cause = UserError()
        let error = ChildWorkflowExecutionError("Child failed.", cause: cause)
        #expect(error.message == "Child failed.")
        #expect(error.cause is UserError)
        #expect(error.description == "Child failed.")
        #expect(errorMessage(error) == "Child failed.")
        let flowError: any StepFlowError = error
        #expect(flowError.message == "Child failed.")
        #expect(StepExecutionError("no cause").cause == nil)
    }

    @Test("catch by type matches that kind only")
    func catchByType() {
        func kind(of error: any Error) -> String {
            do {
                throw error
            } catch let error as StepExecutionError {
                return "step execution: \(error.message)"
            } catch let error as RouteResolutionError {
                return "route resolution: \(error.message)"
            } catch {
                return "other"
            }
        }
        #expect(kind(of: StepExecutionError("a")) == "step execution: a")
        #expect(kind(of: RouteResolutionError("b")) == "route resolution: b")
        #expect(kind(of: StepTimeoutError("c")) == "other")
        #expect(!(StepTimeoutError("c") as any Error is StepExecutionError))
    }

    @Test("retryOn matches a StepFlow error kind by type, and no other kind")
    func retryOnKinds() async throws {
        let retried = await
            (try failingWorkflow(
                throwing: StepTimeoutError("late"), retryOn: [StepTimeoutError.self])).run(ErrorState())
        #expect(retried.steps[0].attempts == 3)
        let notRetried = await
            (try failingWorkflow(
                throwing: StepExecutionError("broken"), retryOn: [StepTimeoutError.self])).run(ErrorState())
        #expect(notRetried.steps[0].attempts == 1)
        #expect(notRetried.error is StepExecutionError)
    }

    @Test("retryOn still matches user error types next to StepFlow's")
    func retryOnUserTypes() async throws {
        let result = await
            (try failingWorkflow(
                throwing: UserError(), retryOn: [StepTimeoutError.self, UserError.self])).run(ErrorState())
        #expect(result.steps[0].attempts == 3)
        #expect(result.error is UserError)
    }

    @Test("a failed run names the StepFlow error kind in its message and its JSON")
    func namedInResults() throws {
        let result = WorkflowResult(
            workflowName: "W", runID: "r", state: ErrorState(), status: .failed,
            steps: [StepResult(stepName: "s", status: .failed, attempts: 1, error: RouteResolutionError("bad key"))],
            error: RouteResolutionError("bad key"), startedAt: Date(timeIntervalSince1970: 0),
            finishedAt: Date(timeIntervalSince1970: 0))
        #expect(
            WorkflowExecutionError.describing(result).message
                == "Workflow 'W' failed at step 's' after 1 attempt(s) due to RouteResolutionError.")
        let json = String(decoding: try StepFlowJSON.encoder.encode(result), as: UTF8.self)
        #expect(json.contains(#""error":{"message":"bad key","type":"RouteResolutionError"}"#))
    }
}

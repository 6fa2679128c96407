import Foundation
import StepFlow

/// The store does not show what a test waits for within the time given.
package struct StoreWaitTimedOut: Error, CustomStringConvertible {
    package let what: String
    package var description: String { "timed out waiting for \(what)" }
}

extension RunStore {
    /// Waits until `condition` holds, re-checking on every change to the store
    /// (no fixed sleeps); throws after `limit` without one.
    package func waitUntil(
        _ what: String, limit: Duration = .seconds(20), _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + limit
        while true {
            let token = try await changeToken()
            if try await condition() { return }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw StoreWaitTimedOut(what: what) }
            _ = try await nextChange(after: token, timeout: left)
        }
    }

    /// Waits for the pending request of run `runID` and returns it.
    package func pendingRequest(of runID: String, limit: Duration = .seconds(20)) async throws
        -> ApprovalRequestRecord
    {
        var found: ApprovalRequestRecord?
        try await waitUntil("a pending request of run \(runID)", limit: limit) {
            found = try await approvalRequests(of: runID).last { $0.status == .pending }
            return found != nil
        }
        guard let found else { throw StoreWaitTimedOut(what: "a pending request of run \(runID)") }
        return found
    }

    /// Waits for run `runID` to finish and returns it.
    package func finishedRun(_ runID: String, limit: Duration = .seconds(20)) async throws -> RunRecord {
        var found: RunRecord?
        try await waitUntil("run \(runID) to finish", limit: limit) {
            found = try await run(runID)
            return found?.status.isFinished == true
        }
        guard let found else { throw StoreWaitTimedOut(what: "run \(runID) to finish") }
        return found
    }
}

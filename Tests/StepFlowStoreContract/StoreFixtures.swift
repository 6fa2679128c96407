import Foundation
import StepFlow

/// Runs and requests the contract checks start from.
package struct StoreFixtures: Sendable {
    package let store: any RunStore
    package let owner: String

    package init(store: any RunStore, owner: String = "owner-1") {
        self.store = store
        self.owner = owner
    }

    /// A state document with `amount`.
    package static func state(_ amount: Int, order: String = "A-1") -> StoredJSON {
        StoredJSON(["amount": .integer(amount), "order_id": .string(order)])
    }

    /// A new running run; returns its lease.
    package func createRun(
        id: String = UUID().uuidString.lowercased(), workflow: String = "refund", fingerprint: String = "fp-1",
        startedBy: String? = "starter", lease: Duration = .seconds(30)
    ) async throws -> RunLease {
        try await store.createRun(
            NewRun(
                id: id, workflowName: workflow, definitionFingerprint: fingerprint, state: Self.state(10),
                owner: owner, leaseDuration: lease, startedBy: startedBy,
                events: [EventDraft(.workflowStarted, payload: StoredJSON(["run": .string(id)]))]))
    }

    /// A run waiting on a request; returns both.
    package func waitingRun(
        allowed: [String] = [], refusesSelfApproval: Bool = false, deadline: ApprovalDeadline? = nil,
        startedBy: String? = "starter", workflow: String = "refund", fingerprint: String = "fp-1",
        lease: Duration = .seconds(30)
    ) async throws -> (lease: RunLease, request: ApprovalRequestRecord) {
        let lease = try await createRun(
            workflow: workflow, fingerprint: fingerprint, startedBy: startedBy, lease: lease)
        let request = try await store.requestApproval(
            ApprovalRequestDraft(
                stepName: "refund", stepIndex: 0, message: "Refund 10 for A-1", metadata: ["amount": 10],
                state: Self.state(10),
                routePreview: RoutePreview(ifApproved: "runs 'refund'", ifDenied: "the run fails"),
                deadline: deadline, allowedApprovers: allowed, refusesSelfApproval: refusesSelfApproval),
            events: [EventDraft(.approvalRequested)], lease: lease)
        return (lease, request)
    }

    /// A decision on `request` by `approver`, seen on the request's own state.
    package static func decision(
        _ request: ApprovalRequestRecord, _ outcome: ApprovalOutcome = .approve, by approver: String,
        key: String = UUID().uuidString.lowercased(), seen: String? = nil
    ) -> DecisionDraft {
        DecisionDraft(
            requestID: request.id, outcome: outcome, reason: "checked", approver: approver, identitySource: .osUser,
            seenStateHash: seen ?? request.stateHash, idempotencyKey: key)
    }
}

import Foundation
import StepFlow

/// What must hold in any store at any moment, whatever crashed when: read
/// through the contract only, so every backend is checked the same way.
package enum StoreInvariants {
    /// Every broken rule among the runs `filter` lists (all, by default), one sentence each (empty: consistent).
    package static func violations(in store: any RunStore, among filter: RunFilter = RunFilter(limit: Int.max))
        async throws -> [String]
    {
        try await violations(in: store, runs: store.runs(filter))
    }

    /// Every broken rule of the runs `runIDs` (a missing run breaks none).
    package static func violations(in store: any RunStore, runIDs: [String]) async throws -> [String] {
        var runs: [RunRecord] = []
        for id in runIDs { if let run = try await store.run(id) { runs.append(run) } }
        return try await violations(in: store, runs: runs)
    }

    private static func violations(in store: any RunStore, runs: [RunRecord]) async throws -> [String] {
        var problems: [String] = []
        for run in runs {
            let events = try await store.events(of: run.id)
            if events.map(\.sequence) != Array(1..<(events.count + 1)) {
                problems.append("run \(run.id): event sequence \(events.map(\.sequence)) has gaps or disorder")
            }
            if events.count != run.eventCount {
                problems.append("run \(run.id): \(events.count) events but the row counts \(run.eventCount)")
            }
            if try await store.stepResults(of: run.id).count != run.stepCount {
                problems.append("run \(run.id): the row counts \(run.stepCount) steps, the store holds another number")
            }
            if run.version < 1 { problems.append("run \(run.id): version \(run.version)") }
            if run.status.isFinished && (run.owner != nil || run.finishedAt == nil) {
                problems.append("run \(run.id): finished (\(run.status)) but owned or without a finish time")
            }
            if (run.owner == nil) != (run.leaseExpiresAt == nil) {
                problems.append("run \(run.id): owner and lease disagree")
            }
            let requests = try await store.approvalRequests(of: run.id)
            if run.status == .waiting {
                guard let id = run.approvalRequestID, let current = requests.first(where: { $0.id == id }) else {
                    problems.append("run \(run.id): waiting without its request")
                    continue
                }
                if current.status == .cancelled { problems.append("run \(run.id): waiting on a closed request") }
            }
            if let id = run.approvalRequestID, !requests.contains(where: { $0.id == id }) {
                problems.append("run \(run.id): points to request \(id), which does not exist")
            }
            for request in requests {
                if request.stateHash != request.state.sha256 {
                    problems.append("request \(request.id): hash does not match its state")
                }
                let decision = try await store.decision(for: request.id)
                let decidedEvents = events.filter {
                    $0.kind == .approvalDecided && $0.payload.value["request_id"]?.stringValue == request.id
                }
                switch (request.status, decision) {
                case (.pending, nil), (.cancelled, nil):
                    if !decidedEvents.isEmpty {
                        problems.append("request \(request.id): a decision event without a decision")
                    }
                case (.approved, let record?) where record.outcome == .approve,
                    (.denied, let record?) where record.outcome == .deny:
                    if !record.hasValidReceipt { problems.append("request \(request.id): receipt does not match") }
                    if record.runID != request.runID {
                        problems.append("request \(request.id): decision of another run")
                    }
                    if decidedEvents.count != 1 {
                        problems.append("request \(request.id): \(decidedEvents.count) decision events")
                    }
                case (let status, let record):
                    problems.append(
                        "request \(request.id): status \(status) with decision \(record.map(\.outcome.rawValue) ?? "none")"
                    )
                }
                if request.status == .pending && run.status.isFinished {
                    problems.append("request \(request.id): pending on a finished run")
                }
            }
        }
        return problems
    }
}

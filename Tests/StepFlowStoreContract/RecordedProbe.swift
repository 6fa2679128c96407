import Foundation
import StepFlow
import Synchronization

/// A named point at which a probe kills itself with SIGKILL, the `n`th time it is reached.
///
/// Written `point` or `point#n` on the command line; the engine, the worker
/// and the store call it at their named points.
package final class CrashTrigger: Sendable {
    package let point: String
    package let occurrence: Int
    private let reached = Atomic<Int>(0)

    /// Reads `point#n` (n from 1; `point` alone is `point#1`).
    package init(_ spec: String) {
        let parts = spec.split(separator: "#", maxSplits: 1)
        point = String(parts.first ?? "")
        occurrence = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
    }

    /// What the engine, worker and store are given.
    package var callback: @Sendable (String) -> Void {
        { [self] name in
            guard name == point else { return }
            if reached.add(1, ordering: .relaxed).newValue == occurrence { kill(getpid(), SIGKILL) }
        }
    }
}

/// What a probe process does with recorded runs of ``LoggedRefund``.
package enum RecordedProbe {
    /// Runs `runs` recorded runs one after another, telling the controller
    /// (one JSON line each) when a run started, when its request was written,
    /// and how it finished.
    ///
    /// `mode`: `wait` (no handler: wait for a decision in the store),
    /// `handler` (an in-process handler approves as `approver`), `pause`.
    package static func runWorkflows(
        _ store: any RunStore, log: StepLog, mode: String, runs: Int, approver: String, lease: Duration,
        crash: CrashTrigger?
    ) async {
        let workflow = LoggedRefund(log: log)
        let hook = WorkflowHook { event in
            switch event {
            case .workflowStarted(let started):
                ProbeWorker.say(ProbeMessage(op: "started", runID: started.runID).line)
            case .approvalRequested(let request):
                let stored = try await request.requestID.asyncMap { try await store.approvalRequest($0) } ?? nil
                ProbeWorker.say(
                    ProbeMessage(
                        op: "requested", runID: request.runID, requestID: request.requestID,
                        stateHash: stored?.stateHash
                    ).line)
            default:
                break
            }
        }
        for _ in 0..<runs {
            var options = RunOptions(
                store: store, startedBy: "probe", hooks: [hook], pauseOnApproval: mode == "pause",
                leaseDuration: lease)
            if mode == "handler" {
                options.approvalHandler = ApprovalHandler { (_: ApprovalRequest) -> ApprovalDecision in
                    .approve(reason: "in-process", by: approver)
                }
            }
            options.crashPoint = crash?.callback
            let result = await workflow.run(RefundOrder(), options: options)
            var finished = ProbeMessage(op: "finished", runID: result.runID)
            finished.result = result.status.rawValue
            finished.message = result.error.map { "\($0)" }
            ProbeWorker.say(finished.line)
        }
    }

    /// A worker for ``LoggedRefund``: one pass (`once`), or until stdin closes.
    package static func serveWorker(
        _ store: any RunStore, log: StepLog, once: Bool, lease: Duration, crash: CrashTrigger?
    ) async {
        do {
            let worker = Worker(
                store: store, workflows: [try AnyWorkflow(LoggedRefund(log: log))], owner: "worker-\(getpid())",
                leaseDuration: lease, pollInterval: .milliseconds(50), approvalHandler: nil, hooks: [],
                onEvent: { event in
                    guard case .continued(let result) = event else { return }
                    var line = ProbeMessage(op: "continued", runID: result.runID)
                    line.result = result.status.rawValue
                    ProbeWorker.say(line.line)
                }, crashPoint: crash?.callback)
            if once {
                try await worker.runPending()
                ProbeWorker.say(ProbeMessage(op: "done").line)
                return
            }
            let service = Task { try await worker.run() }
            while readLine() != nil {}
            service.cancel()
            try await service.value
        } catch {
            ProbeWorker.say(ProbeMessage(op: "error", runID: "\(error)").line)
        }
    }
}

extension Optional {
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

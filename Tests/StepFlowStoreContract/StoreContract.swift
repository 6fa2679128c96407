import Foundation
import StepFlow
import Testing

/// The run store contract (SPEC §9) as checks over a ``StoreTestSite``: every
/// backend's tests run all of ``checks`` on a fresh site each.
///
/// ```swift
/// @Test(arguments: StoreContract.checks)
/// func contract(_ check: StoreContract.Check) async throws {
///     try await check.run(on: MySite())
/// }
/// ```
package enum StoreContract {
    /// One named check.
    package struct Check: Sendable, CustomTestStringConvertible {
        /// What it checks.
        package let name: String
        private let body: @Sendable (any StoreTestSite) async throws -> Void

        init(_ name: String, _ body: @escaping @Sendable (any StoreTestSite) async throws -> Void) {
            self.name = name
            self.body = body
        }

        /// Runs the check on `site`, then checks the store's invariants.
        package func run(on site: any StoreTestSite) async throws {
            try await body(site)
            let store = try await site.open(clock: .system)
            let problems = try await StoreInvariants.violations(in: store)
            #expect(problems.isEmpty, "\(problems)")
        }

        /// The check's name in test reports.
        package var testDescription: String { name }
    }

    /// Every check of the contract.
    package static let checks: [Check] = [
        Check("a created run reads back with its first events", createdRunReadsBack),
        Check("a run id is used once", duplicateRunRefused),
        Check("recorded steps update the run and append events in order", recordedStepsInOrder),
        Check("concurrent appends keep one gap-free sequence", concurrentAppendsStayOrdered),
        Check("exactly one of many concurrent decisions wins", exactlyOneWins),
        Check("the same idempotency key gets the same receipt", idempotentRetry),
        Check("a decision on a stale state is refused", staleStateRefused),
        Check("only allowed approvers may decide", allowedApproversOnly),
        Check("the starter may not approve when self-approval is refused", selfApprovalRefused),
        Check("a passed deadline decides with its default outcome", deadlineTimesOut),
        Check("a click racing the deadline gives exactly one outcome", clickRacingTimeout),
        Check("a claim needs a decided request and no live lease", claimNeedsDecisionAndExpiredLease),
        Check("a fenced-out writer cannot write", fencedOutWriterRefused),
        Check("a worker claims orphaned runs of registered, unchanged workflows", claimNextRespectsWorkflows),
        Check("renewing and releasing a lease", renewAndRelease),
        Check("a finished run takes no more writes", finishedRunClosed),
        Check("cancelling closes the run and its request", cancelClosesRun),
        Check("an owner may finish its waiting run, closing its request", finishWaitingRun),
        Check("importing a paused run is idempotent by run id", importIsIdempotent),
        Check("runs list newest first, filtered", runsFilteredNewestFirst),
        Check("pending approvals and a run's requests", pendingApprovalsListed),
        Check("a waiter wakes on another instance's decision", waiterWakesOnDecision),
        Check("a waiter applies the deadline itself", waiterAppliesDeadline),
        Check("records survive a JSON round trip", recordsRoundTripJSON),
    ]

    // MARK: Runs and events

    static func createdRunReadsBack(_ site: any StoreTestSite) async throws {
        let clock = ManualClock()
        let store = try await site.open(clock: clock.storeClock)
        let lease = try await StoreFixtures(store: store).createRun(id: "run-1", startedBy: "alice")
        #expect(lease.version == 1 && lease.owner == "owner-1")
        #expect(lease.expiresAt == clock.now.addingTimeInterval(30))
        let run = try #require(try await store.run("run-1"))
        #expect(run.workflowName == "refund" && run.definitionFingerprint == "fp-1")
        #expect(run.status == .running && run.stepIndex == 0 && run.version == 1)
        #expect(run.state == StoreFixtures.state(10))
        #expect(run.owner == "owner-1" && run.leaseExpiresAt == lease.expiresAt)
        #expect(run.startedBy == "alice" && run.createdAt == clock.now && run.eventCount == 1)
        let events = try await store.events(of: "run-1")
        #expect(events.map(\.kind) == [.workflowStarted] && events.map(\.sequence) == [1])
        #expect(try await store.run("no-such-run") == nil)
    }

    static func duplicateRunRefused(_ site: any StoreTestSite) async throws {
        let store = try await site.open(clock: .system)
        let fixtures = StoreFixtures(store: store)
        _ = try await fixtures.createRun(id: "same")
        await expectStoreError(.duplicateRun) { try await fixtures.createRun(id: "same") }
        #expect(try await store.events(of: "same").count == 1)
    }

    static func recordedStepsInOrder(_ site: any StoreTestSite) async throws {
        let store = try await site.open(clock: .system)
        let lease = try await StoreFixtures(store: store).createRun(id: "steps")
        for index in 0..<3 {
            let trace = [
                RouteDecision(stepName: "s\(index)", routeKey: "next", nextStep: "s\(index + 1)", ended: false)
            ]
            try await store.recordStep(
                StepRecord(
                    nextStepIndex: index + 1, state: StoreFixtures.state(100 + index),
                    result: StoredJSON(["step": .integer(index)]), routeTrace: index == 1 ? trace : nil,
                    events: [
                        EventDraft(.stepStarted, payload: StoredJSON(["step": .integer(index)])),
                        EventDraft(.stepFinished, payload: StoredJSON(["step": .integer(index)])),
                    ]),
                lease: lease)
        }
        let run = try #require(try await store.run("steps"))
        #expect(run.stepIndex == 3 && run.state == StoreFixtures.state(102))
        #expect(run.stepCount == 3)
        #expect(try await store.stepResults(of: "steps").map(\.value) == [["step": 0], ["step": 1], ["step": 2]])
        #expect(run.routeTrace.map(\.stepName) == ["s1"])
        let events = try await store.events(of: "steps")
        #expect(events.map(\.sequence) == Array(1...7))
        #expect(events.dropFirst().map { $0.payload.value["step"]?.intValue } == [0, 0, 1, 1, 2, 2])
        let page = try await store.events(of: "steps", after: 3, limit: 2)
        #expect(page.map(\.sequence) == [4, 5])
    }

    static func concurrentAppendsStayOrdered(_ site: any StoreTestSite) async throws {
        let store = try await site.open(clock: .system)
        let lease = try await StoreFixtures(store: store).createRun(id: "appends")
        try await withThrowingTaskGroup(of: [RunEvent].self) { group in
            for writer in 0..<8 {
                group.addTask {
                    try await store.appendEvents(
                        (0..<5).map {
                            EventDraft("note", payload: StoredJSON(["writer": .integer(writer), "n": .integer($0)]))
                        },
                        lease: lease)
                }
            }
            for try await batch in group {
                // A batch is contiguous: nothing interleaves inside one transaction.
                #expect(batch.map(\.sequence) == Array(batch[0].sequence..<(batch[0].sequence + 5)))
            }
        }
        let events = try await store.events(of: "appends")
        #expect(events.map(\.sequence) == Array(1...41))
        for writer in 0..<8 {
            let mine = events.filter { $0.payload.value["writer"]?.intValue == writer }
            #expect(mine.map { $0.payload.value["n"]?.intValue } == [0, 1, 2, 3, 4])
        }
    }

    // MARK: Deciding

    static func exactlyOneWins(_ site: any StoreTestSite) async throws {
        let store = try await site.open(clock: .system)
        let (_, request) = try await StoreFixtures(store: store).waitingRun()
        let results = try await withThrowingTaskGroup(of: DecisionResult.self) { group in
            for approver in 0..<16 {
                group.addTask {
                    try await store.decide(
                        StoreFixtures.decision(
                            request, approver.isMultiple(of: 2) ? .approve : .deny, by: "approver-\(approver)"))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let winners = results.compactMap { if case .decided(let record) = $0 { record } else { nil } }
        try #require(winners.count == 1)
        let winner = winners[0]
        let losers = results.compactMap { if case .alreadyDecided(let record) = $0 { record } else { nil } }
        #expect(losers.count == 15 && losers.allSatisfy { $0 == winner })
        #expect(results.allSatisfy { $0.decision == winner })
        #expect(winner.hasValidReceipt)
        #expect(try await store.decision(for: request.id) == winner)
        #expect(try await store.approvalRequest(request.id)?.status == ApprovalStatus(winner.outcome))
        #expect(results.first { !$0.isRecorded }?.summary.contains("Already decided by \(winner.approver)") == true)
        let events = try await store.events(of: request.runID)
        #expect(events.filter { $0.kind == .approvalDecided }.count == 1)
        #expect(events.filter { $0.kind == .decisionRefused }.count == 15)
    }

    static func idempotentRetry(_ site: any StoreTestSite) async throws {
        let store = try await site.open(clock: .system)
        let (_, request) = try await StoreFixtures(store: store).waitingRun()
        let first = try await store.decide(StoreFixtures.decision(request, by: "alice", key: "click-1"))
        guard case .decided(let record) = first else {
            Issue.record("expected a win, got \(first)")
            return
        }
        let other = try await store.decide(StoreFixtures.decision(request, .deny, by: "bob", key: "click-2"))
        #expect(other == .alreadyDecided(record))
        // The retry comes back with the same receipt, even after someone else lost.
        let retry = try await store.decide(StoreFixtures.decision(request, by: "alice", key: "click-1"))
        #expect(retry == .alreadyRecorded(record))
        #expect(retry.decision?.receipt == record.receipt && retry.isRecorded)
    }

    static func staleStateRefused(_ site: any StoreTestSite) async throws {
        let store = try await site.open(clock: .system)
        let (_, request) = try await StoreFixtures(store: store).waitingRun()
        let staleHash = StoreFixtures.state(9_999).sha256
        let stale = try await store.decide(StoreFixtures.decision(request, by: "alice", seen: staleHash))
        #expect(stale == .staleState(requestHash: request.stateHash, seenHash: staleHash))
        #expect(stale.summary.contains("reload"))
        #expect(try await store.decision(for: request.id) == nil)
        #expect(try await store.decide(StoreFixtures.decision(request, by: "alice")).isRecorded)
    }

    static func allowedApproversOnly(_ site: any StoreTestSite) async throws {
        let store = try await site.open(clock: .system)
        let (_, request) = try await StoreFixtures(store: store).waitingRun(allowed: ["alice", "bob"])
        #expect(request.allowedApprovers == ["alice", "bob"])
        let outsider = try await store.decide(StoreFixtures.decision(request, by: "mallory"))
        #expect(outsider == .approverNotAllowed(approver: "mallory", allowed: ["alice", "bob"]))
        #expect(outsider.summary == "Refused: mallory may not decide this request (allowed: alice, bob).")
        #expect(try await store.decision(for: request.id) == nil)
        #expect(try await store.decide(StoreFixtures.decision(request, by: "bob")).decision?.approver == "bob")
    }

    static func selfApprovalRefused(_ site: any StoreTestSite) async throws {
        let store = try await site.open(clock: .system)
        let fixtures = StoreFixtures(store: store)
        let (_, request) = try await fixtures.waitingRun(refusesSelfApproval: true, startedBy: "carol")
        #expect(request.startedBy == "carol" && request.refusesSelfApproval)
        let own = try await store.decide(StoreFixtures.decision(request, by: "carol"))
        #expect(own == .selfApprovalRefused(approver: "carol"))
        #expect(try await store.decide(StoreFixtures.decision(request, by: "dave")).isRecorded)
        // Denying one's own run stays possible.
        let (_, second) = try await fixtures.waitingRun(refusesSelfApproval: true, startedBy: "carol")
        #expect(try await store.decide(StoreFixtures.decision(second, .deny, by: "carol")).isRecorded)
        // Without the option the starter may approve.
        let (_, third) = try await fixtures.waitingRun(startedBy: "carol")
        #expect(try await store.decide(StoreFixtures.decision(third, by: "carol")).isRecorded)
    }

    static func deadlineTimesOut(_ site: any StoreTestSite) async throws {
        let clock = ManualClock()
        let store = try await site.open(clock: clock.storeClock)
        let (_, request) = try await StoreFixtures(store: store).waitingRun(
            deadline: ApprovalDeadline(after: .seconds(60), then: .deny))
        let deadline = clock.now.addingTimeInterval(60)
        #expect(request.deadline == deadline && request.defaultOutcome == .deny)
        clock.advance(by: .seconds(59))
        #expect(try await store.decideExpiredApprovals().isEmpty)
        clock.advance(by: .seconds(2))
        let expired = try await store.decideExpiredApprovals()
        try #require(expired.count == 1)
        let record = expired[0]
        #expect(record.outcome == .deny && record.timedOut && record.identitySource == .timeout)
        #expect(record.decidedAt == deadline && record.hasValidReceipt)
        #expect(try await store.approvalRequest(request.id)?.status == .denied)
        #expect(try await store.decideExpiredApprovals().isEmpty)
        let late = try await store.decide(StoreFixtures.decision(request, by: "alice"))
        #expect(late == .alreadyDecided(record))
        #expect(late.summary.contains("deadline passed"))
    }

    static func clickRacingTimeout(_ site: any StoreTestSite) async throws {
        let clock = ManualClock()
        let store = try await site.open(clock: clock.storeClock)
        let fixtures = StoreFixtures(store: store)
        // At the deadline the click and the sweeper race: one outcome, and it is the deadline's.
        for _ in 0..<10 {
            let (_, request) = try await fixtures.waitingRun(
                deadline: ApprovalDeadline(after: .seconds(5), then: .approve))
            clock.advance(by: .seconds(5))
            async let click = store.decide(StoreFixtures.decision(request, .deny, by: "alice"))
            async let sweep = store.decideExpiredApprovals()
            let (clicked, swept) = try await (click, sweep)
            let recorded = try #require(try await store.decision(for: request.id))
            #expect(recorded.timedOut && recorded.outcome == .approve)
            #expect(clicked == .alreadyDecided(recorded))
            #expect(swept.filter { $0.requestID == request.id }.count <= 1)
        }
        // A millisecond before it, the click wins and the sweeper finds nothing.
        let (_, request) = try await fixtures.waitingRun(deadline: ApprovalDeadline(after: .seconds(5), then: .approve))
        clock.advance(by: .milliseconds(4_999))
        async let click = store.decide(StoreFixtures.decision(request, .deny, by: "alice"))
        async let sweep = store.decideExpiredApprovals()
        let (clicked, swept) = try await (click, sweep)
        #expect(clicked.isRecorded && clicked.decision?.outcome == .deny && swept.isEmpty)
    }

    // MARK: Ownership

    static func claimNeedsDecisionAndExpiredLease(_ site: any StoreTestSite) async throws {
        let clock = ManualClock()
        let store = try await site.open(clock: clock.storeClock)
        let (lease, request) = try await StoreFixtures(store: store).waitingRun(lease: .seconds(30))
        await expectStoreError(.notClaimable) {
            try await store.claimRun(request.runID, owner: "worker", leaseDuration: .seconds(30))
        }
        let decided = try #require(try await store.decide(StoreFixtures.decision(request, by: "alice")).decision)
        await expectStoreError(.leaseHeld) {
            try await store.claimRun(request.runID, owner: "worker", leaseDuration: .seconds(30))
        }
        // The owner itself continues while its lease holds...
        let own = try await store.claimRun(request.runID, owner: lease.owner, leaseDuration: .seconds(30))
        #expect(own.lease.version == lease.version + 1 && own.decision == decided && own.request?.id == request.id)
        #expect(own.run.status == .running)
        // ...and once it has, nobody else can: the run is running under a live lease.
        await expectStoreError(.leaseHeld) {
            try await store.claimRun(request.runID, owner: "worker", leaseDuration: .seconds(30))
        }
        // When the lease runs out, a worker takes over and gets the same decision to continue with.
        clock.advance(by: .seconds(31))
        let taken = try await store.claimRun(request.runID, owner: "worker", leaseDuration: .seconds(30))
        #expect(taken.lease.version == own.lease.version + 1 && taken.decision == decided)
        #expect(taken.run.owner == "worker")
        let claims = try await store.events(of: request.runID).filter { $0.kind == .runClaimed }
        #expect(claims.map { $0.payload.value["owner"]?.stringValue } == [lease.owner, "worker"])
        await expectStoreError(.runNotFound) {
            try await store.claimRun("nope", owner: "w", leaseDuration: .seconds(1))
        }
    }

    static func fencedOutWriterRefused(_ site: any StoreTestSite) async throws {
        let clock = ManualClock()
        let store = try await site.open(clock: clock.storeClock)
        let old = try await StoreFixtures(store: store).createRun(id: "fenced", lease: .seconds(10))
        clock.advance(by: .seconds(11))
        let new = try await store.claimRun("fenced", owner: "worker", leaseDuration: .seconds(10))
        let step = StepRecord(nextStepIndex: 1, state: StoreFixtures.state(1), events: [EventDraft(.stepFinished)])
        await expectStoreError(.fencedOut) { try await store.recordStep(step, lease: old) }
        await expectStoreError(.fencedOut) { try await store.appendEvents(EventDraft("late"), lease: old) }
        await expectStoreError(.fencedOut) { try await store.renewLease(old, duration: .seconds(10)) }
        await expectStoreError(.fencedOut) {
            try await store.requestApproval(
                ApprovalRequestDraft(stepName: "s", stepIndex: 0, state: StoreFixtures.state(1)), lease: old)
        }
        await expectStoreError(.fencedOut) {
            try await store.finishRun(RunCompletion(status: .succeeded, state: StoreFixtures.state(1)), lease: old)
        }
        let before = try #require(try await store.run("fenced"))
        #expect(before.stepIndex == 0 && before.owner == "worker")
        try await store.recordStep(step, lease: new.lease)
        #expect(try await store.run("fenced")?.stepIndex == 1)
        do {
            try await store.recordStep(step, lease: old)
        } catch let error as StoreError {
            #expect(error.message.contains("'worker'") && error.message.contains("may no longer write"))
        }
    }

    static func claimNextRespectsWorkflows(_ site: any StoreTestSite) async throws {
        let clock = ManualClock()
        let store = try await site.open(clock: clock.storeClock)
        let fixtures = StoreFixtures(store: store)
        let orphan = try await fixtures.createRun(
            id: "orphan", workflow: "refund", fingerprint: "fp-1", lease: .seconds(5))
        try await store.recordStep(
            StepRecord(nextStepIndex: 1, state: StoreFixtures.state(11), result: StoredJSON(["step": 0])), lease: orphan
        )
        _ = try await fixtures.createRun(id: "changed", workflow: "refund", fingerprint: "fp-0", lease: .seconds(5))
        _ = try await fixtures.createRun(id: "other", workflow: "unregistered", fingerprint: "fp-1", lease: .seconds(5))
        let registered = ["refund": "fp-1"]
        #expect(try await store.claimNextRun(owner: "w", workflows: registered, leaseDuration: .seconds(5)) == nil)
        clock.advance(by: .seconds(6))
        let claimed = try #require(
            try await store.claimNextRun(owner: "w", workflows: registered, leaseDuration: .seconds(5)))
        #expect(claimed.run.id == "orphan" && claimed.decision == nil && claimed.lease.version == 2)
        // What the worker continues from: the next step, the state and the results so far.
        #expect(claimed.run.stepIndex == 1 && claimed.run.state == StoreFixtures.state(11))
        #expect(claimed.steps == [StoredJSON(["step": 0])])
        // The changed definition and the unknown workflow are shown, never continued.
        #expect(try await store.claimNextRun(owner: "w2", workflows: registered, leaseDuration: .seconds(5)) == nil)
        #expect(try await store.run("changed")?.status == .running)
        #expect(try await store.runs(RunFilter(statuses: [.running])).count == 3)
    }

    static func renewAndRelease(_ site: any StoreTestSite) async throws {
        let clock = ManualClock()
        let store = try await site.open(clock: clock.storeClock)
        let fixtures = StoreFixtures(store: store)
        let (lease, request) = try await fixtures.waitingRun(lease: .seconds(10))
        clock.advance(by: .seconds(8))
        let renewed = try await store.renewLease(lease, duration: .seconds(10))
        #expect(renewed.expiresAt == clock.now.addingTimeInterval(10) && renewed.version == lease.version)
        _ = try await store.decide(StoreFixtures.decision(request, by: "alice"))
        clock.advance(by: .seconds(5))
        await expectStoreError(.leaseHeld) {
            try await store.claimRun(request.runID, owner: "w", leaseDuration: .seconds(5))
        }
        // Released, the decided run is claimable at once, and the releaser is fenced out.
        try await store.releaseRun(renewed)
        let released = try #require(try await store.run(request.runID))
        #expect(released.owner == nil && released.leaseExpiresAt == nil && released.version == lease.version + 1)
        await expectStoreError(.fencedOut) { try await store.renewLease(renewed, duration: .seconds(10)) }
        let claimed = try #require(
            try await store.claimNextRun(owner: "w", workflows: ["refund": "fp-1"], leaseDuration: .seconds(5)))
        #expect(claimed.run.id == request.runID && claimed.decision?.approver == "alice")
    }

    static func finishedRunClosed(_ site: any StoreTestSite) async throws {
        let store = try await site.open(clock: .system)
        let lease = try await StoreFixtures(store: store).createRun(id: "done")
        let finished = try await store.finishRun(
            RunCompletion(
                status: .failed, state: StoreFixtures.state(3), lastStep: StoredJSON(["step": 0]), error: "boom",
                events: [EventDraft(.workflowFinished)]),
            lease: lease)
        #expect(finished.status == .failed && finished.error == "boom" && finished.owner == nil)
        #expect(finished.finishedAt != nil && finished.version == 2 && finished.stepCount == 1)
        #expect(try await store.stepResults(of: "done") == [StoredJSON(["step": 0])])
        await expectStoreError(.runFinished) {
            try await store.recordStep(StepRecord(nextStepIndex: 1, state: .emptyObject), lease: lease)
        }
        await expectStoreError(.runFinished) {
            try await store.claimRun("done", owner: "w", leaseDuration: .seconds(5))
        }
        await expectStoreError(.runFinished) { try await store.cancelRun("done", by: "alice", reason: nil) }
        await expectStoreError(.invalidArgument) {
            let other = try await StoreFixtures(store: store).createRun()
            return try await store.finishRun(RunCompletion(status: .cancelled, state: .emptyObject), lease: other)
        }
    }

    static func cancelClosesRun(_ site: any StoreTestSite) async throws {
        let store = try await site.open(clock: .system)
        let (lease, request) = try await StoreFixtures(store: store).waitingRun()
        let cancelled = try await store.cancelRun(request.runID, by: "alice", reason: "wrong order")
        #expect(cancelled.status == .cancelled && cancelled.cancelledBy == "alice" && cancelled.error == "wrong order")
        #expect(cancelled.owner == nil && cancelled.version == lease.version + 1)
        #expect(try await store.approvalRequest(request.id)?.status == .cancelled)
        #expect(try await store.pendingApprovals().isEmpty)
        let late = try await store.decide(StoreFixtures.decision(request, by: "bob"))
        #expect(late == .requestClosed(requestID: request.id, status: .cancelled))
        await expectStoreError(.runFinished) { try await store.appendEvents(EventDraft("late"), lease: lease) }
        do {
            try await store.cancelRun(request.runID, by: "bob", reason: nil)
            Issue.record("a second cancel succeeded")
        } catch let error as StoreError {
            #expect(error.code == .runFinished && error.message.contains("cancelled by alice"))
        }
        let last = try await store.events(of: request.runID).filter { $0.kind == .runCancelled }
        #expect(last.map { $0.payload.value["by"]?.stringValue } == ["alice"])
    }

    static func finishWaitingRun(_ site: any StoreTestSite) async throws {
        let store = try await site.open(clock: .system)
        let (lease, request) = try await StoreFixtures(store: store).waitingRun()
        let failed = try await store.finishRun(
            RunCompletion(status: .failed, state: StoreFixtures.state(10), error: "the hook failed"), lease: lease)
        #expect(failed.status == .failed && failed.owner == nil && failed.approvalRequestID == nil)
        #expect(try await store.approvalRequest(request.id)?.status == .cancelled)
        #expect(try await store.pendingApprovals().isEmpty)
        #expect(try await store.decide(StoreFixtures.decision(request, by: "bob")).code == "request_closed")
    }

    static func importIsIdempotent(_ site: any StoreTestSite) async throws {
        let clock = ManualClock()
        let store = try await site.open(clock: clock.storeClock)
        let imported = ImportedRun(
            id: "imported", workflowName: "refund", definitionFingerprint: "fp-1", state: StoreFixtures.state(10),
            stepIndex: 1, steps: [StoredJSON(["step": 0])],
            routeTrace: [RouteDecision(stepName: "check", routeKey: "big", nextStep: "refund", ended: false)],
            startedBy: "ana",
            request: ApprovalRequestDraft(
                id: "imported-request", stepName: "refund", stepIndex: 1, message: "Refund 10?",
                state: StoreFixtures.state(10), deadline: ApprovalDeadline(after: .seconds(60), then: .deny),
                allowedApprovers: ["bob"]),
            events: [EventDraft(.runImported)])
        let run = try await store.importRun(imported)
        #expect(run.status == .waiting && run.owner == nil && run.stepIndex == 1 && run.stepCount == 1)
        #expect(run.approvalRequestID == "imported-request" && run.startedBy == "ana" && run.eventCount == 1)
        #expect(run.routeTrace == imported.routeTrace && run.state == StoreFixtures.state(10))
        #expect(try await store.stepResults(of: "imported") == [StoredJSON(["step": 0])])
        let request = try #require(try await store.approvalRequest("imported-request"))
        #expect(request.status == .pending && request.allowedApprovers == ["bob"] && request.stepIndex == 1)
        #expect(request.deadline == clock.now.addingTimeInterval(60) && request.defaultOutcome == .deny)
        // Again: nothing is written, the run comes back as it is.
        clock.advance(by: .seconds(5))
        let again = try await store.importRun(imported)
        let requests = try await store.approvalRequests(of: "imported")
        #expect(again == run && requests.count == 1)
        // Decided, it is claimable like any waiting run.
        #expect(try await store.decide(StoreFixtures.decision(request, by: "bob")).isRecorded)
        let claimed = try await store.claimRun("imported", owner: "w", leaseDuration: .seconds(5))
        #expect(claimed.decision?.approver == "bob" && claimed.steps.count == 1)
    }

    // MARK: Reading

    static func runsFilteredNewestFirst(_ site: any StoreTestSite) async throws {
        let clock = ManualClock()
        let store = try await site.open(clock: clock.storeClock)
        let fixtures = StoreFixtures(store: store)
        var ids: [String] = []
        for index in 0..<5 {
            let lease = try await fixtures.createRun(id: "r\(index)", workflow: index == 4 ? "other" : "refund")
            ids.append(lease.runID)
            if index.isMultiple(of: 2) {
                _ = try await store.finishRun(RunCompletion(status: .succeeded, state: .emptyObject), lease: lease)
            }
            clock.advance(by: .milliseconds(1))
        }
        #expect(try await store.runs(.all).map(\.id) == ["r4", "r3", "r2", "r1", "r0"])
        #expect(try await store.runs(RunFilter(statuses: [.succeeded])).map(\.id) == ["r4", "r2", "r0"])
        #expect(try await store.runs(RunFilter(statuses: [.running, .failed])).map(\.id) == ["r3", "r1"])
        #expect(try await store.runs(RunFilter(workflowName: "refund", limit: 2)).map(\.id) == ["r3", "r2"])
        #expect(try await store.runs(RunFilter(statuses: [])).isEmpty)
    }

    static func pendingApprovalsListed(_ site: any StoreTestSite) async throws {
        let clock = ManualClock()
        let store = try await site.open(clock: clock.storeClock)
        let fixtures = StoreFixtures(store: store)
        let (_, first) = try await fixtures.waitingRun()
        clock.advance(by: .milliseconds(1))
        let (_, second) = try await fixtures.waitingRun()
        clock.advance(by: .milliseconds(1))
        let (_, third) = try await fixtures.waitingRun()
        #expect(try await store.pendingApprovals().map(\.id) == [first.id, second.id, third.id])
        _ = try await store.decide(StoreFixtures.decision(second, by: "alice"))
        let pending = try await store.pendingApprovals()
        #expect(pending.map(\.id) == [first.id, third.id])
        #expect(pending[0] == first)
        #expect(
            first.message == "Refund 10 for A-1" && first.metadata == ["amount": 10] && first.workflowName == "refund")
        #expect(first.routePreview == RoutePreview(ifApproved: "runs 'refund'", ifDenied: "the run fails"))
        #expect(first.stateHash == StoreFixtures.state(10).sha256)
        #expect(try await store.approvalRequests(of: second.runID).map(\.status) == [.approved])
        #expect(try await store.approvalRequest("nope") == nil)
        #expect(try await store.decide(StoreFixtures.decision(first, by: "x", key: "k")).isRecorded)
        let unknown = DecisionDraft(
            requestID: "nope", outcome: .approve, approver: "x", identitySource: .claimed, seenStateHash: "h")
        #expect(try await store.decide(unknown) == .noSuchRequest("nope"))
    }

    // MARK: Changes

    static func waiterWakesOnDecision(_ site: any StoreTestSite) async throws {
        let owner = try await site.open(clock: .system)
        let approver = try await site.open(clock: .system)
        let (lease, request) = try await StoreFixtures(store: owner).waitingRun()
        let token = try await owner.changeToken()
        #expect(try await owner.nextChange(after: token, timeout: .zero) == token)
        async let decided = owner.waitForDecision(on: request.id, keeping: lease)
        let result = try await approver.decide(StoreFixtures.decision(request, by: "alice"))
        let seen = try await decided
        #expect(seen == result.decision)
        #expect(try await owner.nextChange(after: token, timeout: .seconds(10)) > token)
    }

    static func waiterAppliesDeadline(_ site: any StoreTestSite) async throws {
        let store = try await site.open(clock: .system)
        let (lease, request) = try await StoreFixtures(store: store).waitingRun(
            deadline: ApprovalDeadline(after: .milliseconds(30), then: .deny))
        let decision = try await store.waitForDecision(on: request.id, keeping: lease)
        #expect(decision.timedOut && decision.outcome == .deny && decision.decidedAt == request.deadline)
    }

    static func recordsRoundTripJSON(_ site: any StoreTestSite) async throws {
        let store = try await site.open(clock: ManualClock().storeClock)
        let (lease, request) = try await StoreFixtures(store: store).waitingRun(
            allowed: ["alice"], deadline: ApprovalDeadline(after: .seconds(5), then: .deny))
        let decision = try #require(try await store.decide(StoreFixtures.decision(request, by: "alice")).decision)
        let run = try #require(try await store.run(lease.runID))
        let events = try await store.events(of: lease.runID)
        func roundTrip<T: Codable & Equatable>(_ value: T) throws {
            let data = try JSONEncoder().encode(value)
            #expect(try JSONDecoder().decode(T.self, from: data) == value)
        }
        // Plain Foundation coders: the records carry no coder configuration of their own.
        try roundTrip(run)
        try roundTrip(request)
        try roundTrip(decision)
        try roundTrip(events)
        try roundTrip(lease)
    }
}

/// Expects `body` to throw a ``StoreError`` with `code`.
package func expectStoreError<T>(
    _ code: StoreError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        Issue.record("expected a \(code) error, but it succeeded", sourceLocation: sourceLocation)
    } catch let error as StoreError {
        #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a \(code) error, got \(error)", sourceLocation: sourceLocation)
    }
}

import Foundation

/// What resuming a checkpoint through a store came to.
enum StoreResumeOutcome<State: Sendable>: Sendable {
    /// The decision won and this process continued the run: its result.
    case continued(WorkflowResult<State>)
    /// The decision won, but another process claimed the run first and continues it.
    case continuedElsewhere(RunRecord)
    /// Nothing was decided or run: why, and the decision that won before, if one did.
    case refused(String, DecisionRecord?)
}

/// A recorded run read back from the store, ready to continue.
struct Continuation<State: Sendable>: Sendable {
    let claimed: ClaimedRun
    let state: State
    let executed: (results: [StepResult], indices: [Int])
    let decision: ApprovalDecision?
}

extension WorkflowDefinition {
    /// Reads a claimed run: its state, recorded step results, and the winning decision at a decided gate.
    ///
    /// Throws when they no longer read as this workflow's (its state type
    /// changed, though its fingerprint did not).
    func continuation(of claimed: ClaimedRun) throws(StateValidationError) -> Continuation<State> {
        let run = claimed.run
        let state: State
        var executed: (results: [StepResult], indices: [Int]) = ([], [])
        do {
            state = try run.state.decode(as: State.self)
            for json in claimed.steps {
                let result = try json.decode(as: StepResult.self)
                guard let index = index(ofStep: result.stepName) else { continue }
                executed.results.append(result)
                executed.indices.append(index)
            }
        } catch {
            throw StateValidationError(
                "Run \(run.id) of workflow '\(name)' cannot be continued: its recorded state or steps do not read "
                    + "as this build's (\(describeDecodingError(error)))",
                cause: error)
        }
        var decision: ApprovalDecision?
        if let record = claimed.decision, let request = claimed.request, request.stepIndex == run.stepIndex {
            decision = ApprovalDecision(record)
        }
        return Continuation(claimed: claimed, state: state, executed: executed, decision: decision)
    }

    /// Continues a claimed run from its recorded step, recording as it goes
    /// under the claim's lease: recorded steps are not run again; the gate it
    /// stopped at, if decided, takes the recorded decision without asking anyone.
    func run(_ continuation: Continuation<State>, options: RunOptions) async -> WorkflowResult<State> {
        let run = continuation.claimed.run
        var engine = RunEngine(
            definition: self, options: options, runID: run.id, startedAt: run.createdAt,
            executed: continuation.executed, routeTrace: run.routeTrace, lease: continuation.claimed.lease)
        return await engine.run(continuation.state, from: run.stepIndex, resumeDecision: continuation.decision)
    }

    /// Resumes a checkpoint through `store`, exactly once: imports the paused
    /// run (nothing if the store has it), decides its request with `decision`
    /// through the guarded transaction, claims the run and continues it.
    ///
    /// A second resume of the same checkpoint finds the request decided (or
    /// the run past it) and is refused; nothing runs twice.
    func resumeThroughStore(
        _ checkpoint: ApprovalPause<State>, decision: ApprovalDecision, store: any RunStore, options: RunOptions
    ) async -> StoreResumeOutcome<State> {
        if let problem = resumeProblem(checkpoint) { return .refused(problem.message, nil) }
        let gate = steps[checkpoint.stepIndex].approval ?? .required
        let imported: ImportedRun
        do {
            let shown = try StoredJSON(encoding: checkpoint.state)
            let ran = checkpoint.steps.filter { $0.status != .skipped && $0.status != .paused }
            imported = ImportedRun(
                id: checkpoint.runID, workflowName: name, definitionFingerprint: fingerprint, state: shown,
                stepIndex: checkpoint.stepIndex, steps: try ran.map { try StoredJSON(encoding: $0) },
                routeTrace: checkpoint.routeTrace, startedBy: options.startedBy,
                request: ApprovalRequestDraft(
                    id: RunID.make(), stepName: checkpoint.stepName, stepIndex: checkpoint.stepIndex,
                    message: checkpoint.request.message, metadata: checkpoint.request.metadata, state: shown,
                    routePreview: routePreview(forGateAt: checkpoint.stepIndex), deadline: gate.deadline,
                    allowedApprovers: gate.approvers, refusesSelfApproval: gate.refusesSelfApproval),
                events: [
                    EventDraft(
                        .runImported,
                        payload: .fields([
                            "step": .text(checkpoint.stepName),
                            "checkpoint_created_at": .text(StepFlowJSON.formatDate(checkpoint.createdAt)),
                        ]))
                ])
        } catch {
            return .refused("The checkpoint's state cannot be recorded: \(errorMessage(error))", nil)
        }
        do {
            let run = try await store.importRun(imported)
            guard run.workflowName == name else {
                return .refused(
                    "Run \(run.id) in the store belongs to workflow '\(run.workflowName)', not '\(name)'.", nil)
            }
            let requests = try await store.approvalRequests(of: run.id)
            let atGate = requests.last { $0.stepIndex == checkpoint.stepIndex }
            guard run.status == .waiting, let request = atGate, run.approvalRequestID == request.id else {
                return try await alreadyResumed(run, request: atGate, store: store)
            }
            let approver = decision.decidedBy ?? ProcessIdentity.userName
            let result = try await store.decide(
                DecisionDraft(
                    requestID: request.id, outcome: decision.approved ? .approve : .deny, reason: decision.reason,
                    approver: approver,
                    identitySource: decision.identitySource.flatMap { $0 == .timeout ? nil : $0 }
                        ?? (approver == ProcessIdentity.userName ? .osUser : .claimed),
                    seenStateHash: imported.state.sha256))
            guard result.isRecorded else { return .refused(result.summary, result.decision) }
            let claimed: ClaimedRun
            do {
                claimed = try await store.claimRun(
                    run.id, owner: options.owner ?? ProcessIdentity.ownerID,
                    leaseDuration: options.leaseDuration)
            } catch let error as StoreError where [.leaseHeld, .runFinished, .notClaimable].contains(error.code) {
                // A worker saw the decision first: it continues the run, exactly once.
                return .continuedElsewhere(try await store.run(run.id) ?? run)
            }
            var options = options
            options.store = store
            let continuation: Continuation<State>
            do {
                continuation = try self.continuation(of: claimed)
            } catch {
                _ = try? await store.finishRun(
                    RunCompletion(status: .failed, state: claimed.run.state, error: error.message), lease: claimed.lease
                )
                return .refused(error.message, result.decision)
            }
            return .continued(await self.run(continuation, options: options))
        } catch {
            return .refused(errorMessage(error), nil)
        }
    }

    /// Why a checkpoint whose run the store has past its gate is not resumed again.
    private func alreadyResumed(_ run: RunRecord, request: ApprovalRequestRecord?, store: any RunStore) async throws
        -> StoreResumeOutcome<State>
    {
        if let request, let winner = try await store.decision(for: request.id) {
            return .refused(DecisionResult.alreadyDecided(winner).summary, winner)
        }
        if run.status.isFinished {
            return .refused("Run \(run.id) was already resumed and has \(run.status.rawValue).", nil)
        }
        return .refused(
            "Run \(run.id) was already resumed: it is \(run.status.rawValue) at step \(run.stepIndex), "
                + "past the checkpoint's step.", nil)
    }
}

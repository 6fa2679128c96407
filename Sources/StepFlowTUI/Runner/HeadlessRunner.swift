import Foundation
import StepFlow

/// Runs and resumes catalog workflows without a full-screen console: one plain
/// line per event as it happens, approvals from flags or a stdin prompt, the
/// result as JSON on request, and an exit code per outcome.
struct HeadlessRunner: Sendable {
    /// How approval prompts are answered.
    enum Decisions: Sendable, Equatable {
        /// Approve every prompt.
        case approveAll
        /// Deny every prompt.
        case denyAll
        /// Pause at the first prompt and save the checkpoint.
        case pause
        /// Ask on standard input; end of input pauses.
        case prompt
    }

    /// What the command line asked for.
    struct Settings: Sendable {
        /// How prompts are answered.
        var decisions: Decisions
        /// The reason recorded with flag decisions.
        var reason: String?
        /// Where a pause writes its checkpoint (default: ``CheckpointFile/defaultURL(for:in:)``).
        var checkpointURL: URL?
        /// The folder for default checkpoint paths.
        var checkpointDirectory: URL
        /// Print the final result as JSON on stdout (progress goes to stderr).
        var json: Bool
        /// The name recorded as the approver.
        var approver: String

        /// Creates settings.
        init(
            decisions: Decisions, reason: String? = nil, checkpointURL: URL? = nil,
            checkpointDirectory: URL = CheckpointFile.defaultDirectory(), json: Bool = false,
            approver: String = Approver.currentUserName
        ) {
            self.decisions = decisions
            self.reason = reason
            self.checkpointURL = checkpointURL
            self.checkpointDirectory = checkpointDirectory
            self.json = json
            self.approver = approver
        }
    }

    /// Where text goes and where answers come from.
    struct Streams: Sendable {
        /// Standard output, written as is.
        var standardOutput: @Sendable (String) -> Void
        /// Standard error, written as is.
        var standardError: @Sendable (String) -> Void
        /// One line of standard input, `nil` at its end.
        var readLine: @Sendable () -> String?

        /// The process's own streams, unbuffered.
        static let process = Streams(
            standardOutput: { FileHandle.standardOutput.write(Data($0.utf8)) },
            standardError: { FileHandle.standardError.write(Data($0.utf8)) },
            readLine: { Swift.readLine(strippingNewline: true) })

        /// Creates streams.
        init(
            standardOutput: @escaping @Sendable (String) -> Void, standardError: @escaping @Sendable (String) -> Void,
            readLine: @escaping @Sendable () -> String?
        ) {
            self.standardOutput = standardOutput
            self.standardError = standardError
            self.readLine = readLine
        }
    }

    let catalog: WorkflowCatalog
    let streams: Streams
    /// How long a run recorded here stays this process's without renewal
    /// (after this process dies, another may take it over once it lapses).
    let leaseDuration: Duration
    /// How printed hints start this command again.
    let invocation: String

    /// Creates a runner over a catalog.
    init(
        catalog: WorkflowCatalog, streams: Streams = .process, leaseDuration: Duration = .seconds(30),
        invocation: String = "stepflow-tui"
    ) {
        self.catalog = catalog
        self.streams = streams
        self.leaseDuration = leaseDuration
        self.invocation = invocation
    }

    /// Runs a workflow of the catalog, recorded in `store`; returns the exit code (0, 1 or 3).
    ///
    /// Approvals are written to the store before anyone is asked, and every
    /// answer (a flag, the prompt) is decided through the store's guarded
    /// transaction, so a decision made first in another process wins. A pause
    /// leaves the request pending in the store and the run free for whoever
    /// continues it, and exports its checkpoint.
    func run(_ entry: CatalogEntry, state: AnyState, settings: Settings, store: any RunStore) async -> Int32 {
        let options = RunOptions(
            store: store, startedBy: settings.approver, approvalHandler: approvalHandler(settings),
            hooks: [printer(settings)], leaseDuration: leaseDuration)
        return finish(await entry.workflow.run(state, options: options), settings: settings)
    }

    /// A checkpoint file read and checked against the catalog; nothing is changed yet.
    struct Resumable: Sendable {
        /// The file.
        let url: URL
        /// The workflow it belongs to.
        let entry: CatalogEntry
        /// The paused run.
        let checkpoint: ApprovalPause<AnyState>
    }

    /// Reads a checkpoint file; one of a workflow not in the catalog, of a
    /// changed definition, corrupt or truncated is an input error.
    func resumable(at url: URL) throws(InputError) -> Resumable {
        let contents = try CheckpointFile.read(url)
        guard let entry = catalog.entry(named: contents.workflowName) else {
            throw InputError(
                "the checkpoint belongs to workflow '\(VisibleText.sanitize(contents.workflowName))', which this build does not have; see 'stepflow-tui list'."
            )
        }
        do {
            return Resumable(url: url, entry: entry, checkpoint: try entry.workflow.checkpoint(json: contents.data))
        } catch {
            throw InputError(VisibleText.sanitize(error.message))
        }
    }

    /// Resumes a checkpoint with a decision through `store`, exactly once;
    /// returns the exit code (0, 1 or 3).
    ///
    /// The paused run is imported into the store if it is not there, the
    /// decision is taken by the store's guarded transaction, and only if it
    /// wins does the run continue here. A resume that loses (the checkpoint
    /// was resumed before, or decided elsewhere) is an input error saying who
    /// decided and when, unless the run was left unfinished by a process that
    /// died (its lease lapsed): then this resume continues it from its last
    /// recorded step. The checkpoint file is only read.
    func resume(_ resumable: Resumable, approved: Bool, settings: Settings, store: any RunStore)
        async throws(InputError)
        -> Int32
    {
        let worker = Worker(
            store: store, workflows: [resumable.entry.workflow], leaseDuration: leaseDuration,
            hooks: [printer(settings)])
        let decision = ApprovalDecision(
            approved: approved, reason: settings.reason, decidedBy: settings.approver, decidedAt: Date())
        let outcome: Worker.ResumeOutcome
        do {
            outcome = try await worker.resume(resumable.checkpoint, decision: decision)
        } catch {
            throw InputError(VisibleText.sanitize(errorMessage(error)))
        }
        switch outcome {
        case .continued(let result):
            return finish(result, settings: settings)
        case .continuedElsewhere(let run):
            progress(settings)(
                "decision recorded; run \(run.id) is continued by \(VisibleText.sanitize(run.owner ?? "another process"))\n"
            )
            return ExitStatus.succeeded
        case .refused(let reason, let winner):
            return try await continueInterrupted(
                resumable, refusal: reason, winner: winner, worker: worker, store: store, settings: settings)
        }
    }

    /// After a refused resume: continues the run when whoever continued it
    /// stopped before the end (the run is running and its owner's lease lapsed
    /// or was let go), or when nobody claimed it for a whole lease after its
    /// decision; otherwise the refusal stands, saying where the run is.
    private func continueInterrupted(
        _ resumable: Resumable, refusal reason: String, winner: DecisionRecord?, worker: Worker, store: any RunStore,
        settings: Settings
    ) async throws(InputError) -> Int32 {
        let runID = resumable.checkpoint.runID
        let refusal = { (detail: String?) in
            InputError(
                VisibleText.sanitize(
                    "the checkpoint '\(resumable.url.path)' was not resumed: \(Self.lowercasingFirst(reason))"
                        + (detail.map { " \($0)" } ?? "")))
        }
        guard let run = try? await store.run(runID) else { throw refusal(nil) }
        let now = store.clock.now()
        let lapsed = run.owner == nil || (run.leaseExpiresAt.map { $0 <= now } ?? true)
        let unclaimed =
            winner.map { winner in
                run.approvalRequestID == winner.requestID
                    && winner.decidedAt.addingTimeInterval(leaseDuration.timeInterval) <= now
            } ?? false
        let interrupted =
            switch run.status {
            case .running: lapsed
            case .waiting: lapsed && unclaimed
            default: false
            }
        guard interrupted else {
            if run.status.isFinished { throw refusal("Run \(run.id) has \(run.status.rawValue).") }
            if let owner = run.owner, let until = run.leaseExpiresAt, !lapsed {
                throw refusal(
                    "Run \(run.id) is being continued by \(owner) (lease until \(StepFlowJSON.formatDate(until))).")
            }
            if run.status == .waiting, let winner, run.approvalRequestID == winner.requestID {
                let after = winner.decidedAt.addingTimeInterval(leaseDuration.timeInterval)
                throw refusal(
                    "Run \(run.id) waits to be continued by a worker, or by a resume after "
                        + "\(StepFlowJSON.formatDate(after)).")
            }
            if run.status == .waiting { throw refusal("Run \(run.id) still waits for a decision.") }
            throw refusal("Run \(run.id) is \(run.status.rawValue) in the store.")
        }
        progress(settings)(
            VisibleText.sanitize(
                "\(reason) Run \(run.id) was left unfinished by \(run.owner ?? "a process that stopped"); "
                    + "continuing it here from its last recorded step.") + "\n")
        do {
            return finish(try await worker.continueRun(run.id), settings: settings)
        } catch {
            throw refusal(errorMessage(error))
        }
    }

    private static func lowercasingFirst(_ text: String) -> String {
        guard let first = text.first, first.isUppercase, text.dropFirst().first?.isUppercase != true else {
            return text
        }
        return first.lowercased() + text.dropFirst()
    }

    // MARK: - Output

    /// A hook printing each event's line; a hook, not the event stream, so lines
    /// and prompts appear in the order things happen.
    private func printer(_ settings: Settings) -> WorkflowHook {
        let progress = progress(settings)
        return WorkflowHook { event in progress(EventLine.format(event) + "\n") }
    }

    /// Where progress lines go: stdout, or stderr when stdout carries JSON.
    private func progress(_ settings: Settings) -> @Sendable (String) -> Void {
        settings.json ? streams.standardError : streams.standardOutput
    }

    private func finish(_ result: WorkflowResult<AnyState>, settings: Settings) -> Int32 {
        let progress = progress(settings)
        if let error = result.error as? StoreError {
            // The run stopped because the store refused a write: say so, whatever the lines showed.
            streams.standardError("stepflow-tui: \(VisibleText.sanitize(error.message))\n")
        }
        var checkpointPath: String?
        if let checkpoint = result.checkpoint {
            let url =
                settings.checkpointURL ?? CheckpointFile.defaultURL(for: checkpoint, in: settings.checkpointDirectory)
            do {
                try CheckpointFile.write(checkpoint, to: url)
                checkpointPath = url.path
                let request = checkpoint.request.requestID.map { " (request \($0))" } ?? ""
                progress(
                    "paused at step \(EventLine.quoted(checkpoint.stepName)): run \(checkpoint.runID) waits for "
                        + "approval in the store\(request)\n"
                        + "checkpoint saved to \(url.path)\n"
                        + "resume with: \(invocation) resume \(ShellWord.quote(url.path)) --approve (or --deny)\n")
            } catch {
                streams.standardError("stepflow-tui: \(error.message)\n")
                return 1
            }
        }
        if settings.json {
            streams.standardOutput(Self.resultJSON(result, checkpointPath: checkpointPath) + "\n")
        }
        switch result.status {
        case .succeeded: return 0
        case .paused: return 3
        default: return 1
        }
    }

    private func approvalHandler(_ settings: Settings) -> ApprovalHandler {
        let stamp = { @Sendable (approved: Bool) in
            ApprovalDecision(
                approved: approved, reason: settings.reason, decidedBy: settings.approver, decidedAt: Date())
        }
        switch settings.decisions {
        case .approveAll: return .answering { _ in .decided(stamp(true)) }
        case .denyAll: return .answering { _ in .decided(stamp(false)) }
        case .pause: return .answering { _ in .postponed }
        case .prompt:
            let write = settings.json ? streams.standardError : streams.standardOutput
            return PromptApprover(approver: settings.approver, write: write, readLine: streams.readLine).handler
        }
    }

    /// The result as pretty JSON, with the saved checkpoint's path.
    static func resultJSON(_ result: WorkflowResult<AnyState>, checkpointPath: String?) -> String {
        var json = (try? JSONValue(encoding: result)) ?? .object([:])
        if case .object(var fields) = json {
            fields["checkpoint_path"] = checkpointPath.map(JSONValue.string) ?? .null
            fields["request_id"] = result.checkpoint?.request.requestID.map(JSONValue.string) ?? .null
            json = .object(fields)
        }
        return (try? StepFlowJSON.prettyEncoder.encode(json)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

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

    /// Creates a runner over a catalog.
    init(catalog: WorkflowCatalog, streams: Streams = .process) {
        self.catalog = catalog
        self.streams = streams
    }

    /// Runs a workflow of the catalog; returns the exit code (0, 1 or 3).
    func run(_ entry: CatalogEntry, state: AnyState, settings: Settings) async -> Int32 {
        let options = RunOptions(approvalHandler: approvalHandler(settings), hooks: [printer(settings)])
        return finish(await entry.workflow.run(state, options: options), settings: settings)
    }

    /// Resumes a checkpoint file with a decision; returns the exit code (0, 1 or 3).
    ///
    /// A checkpoint of a workflow not in the catalog, of a changed definition,
    /// corrupt, truncated or already resumed throws before anything changes.
    func resume(checkpointAt url: URL, approved: Bool, settings: Settings) async throws(InputError) -> Int32 {
        let contents = try CheckpointFile.read(url)
        if let mark = contents.resumed { throw CheckpointFile.alreadyResumed(url, mark) }
        guard let entry = catalog.entry(named: contents.workflowName) else {
            throw InputError(
                "the checkpoint belongs to workflow '\(VisibleText.sanitize(contents.workflowName))', which this build does not have; see 'stepflow-tui list'."
            )
        }
        let checkpoint: ApprovalPause<AnyState>
        do {
            checkpoint = try entry.workflow.checkpoint(json: contents.data)
        } catch {
            throw InputError(VisibleText.sanitize(error.message))
        }
        try CheckpointFile.markResumed(url, by: settings.approver)
        let decision = ApprovalDecision(
            approved: approved, reason: settings.reason, decidedBy: settings.approver, decidedAt: Date())
        var next = settings
        next.decisions = .pause
        let options = RunOptions(
            approvalHandler: approvalHandler(next), hooks: [printer(settings)], pauseOnApproval: true)
        return finish(
            await entry.workflow.resume(from: checkpoint, decision: decision, options: options), settings: settings)
    }

    // MARK: - Output

    /// A hook printing each event's line; a hook, not the event stream, so lines
    /// and prompts appear in the order things happen.
    private func printer(_ settings: Settings) -> WorkflowHook {
        let progress = settings.json ? streams.standardError : streams.standardOutput
        return WorkflowHook { event in progress(EventLine.format(event) + "\n") }
    }

    private func finish(_ result: WorkflowResult<AnyState>, settings: Settings) -> Int32 {
        let progress = settings.json ? streams.standardError : streams.standardOutput
        var checkpointPath: String?
        if let checkpoint = result.checkpoint {
            let url =
                settings.checkpointURL ?? CheckpointFile.defaultURL(for: checkpoint, in: settings.checkpointDirectory)
            do {
                try CheckpointFile.write(checkpoint, to: url)
                checkpointPath = url.path
                progress(
                    "paused at step \(EventLine.quoted(checkpoint.stepName)); checkpoint saved to \(url.path)\n"
                        + "resume with: stepflow-tui resume \(url.path) --approve (or --deny)\n")
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
            json = .object(fields)
        }
        return (try? StepFlowJSON.prettyEncoder.encode(json)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

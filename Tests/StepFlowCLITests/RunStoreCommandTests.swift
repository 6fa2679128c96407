import Foundation
import StepFlow
import StepFlowExamples
import StepFlowSQLite
import StepFlowTestSupport
import Testing

/// `run` and `resume` on the run store, as real processes, each test with a
/// store of its own (`STEPFLOW_STORE`): what a run records, pause and resume
/// exactly once, imports, racing resumes, resumes killed mid-run, and stores
/// that cannot be opened.
@Suite("Commands on the run store")
struct RunStoreCommandTests {
    let tui = BuiltProduct(name: "stepflow-tui")
    let probe = BuiltProduct(name: "stepflow-cli-probe")
    let user = ProcessIdentity.userName

    /// A private store, checkpoint folder and step log per test, removed afterwards.
    final class Sandbox {
        let folder: URL
        init() throws { folder = try makeTemporaryDirectory() }
        deinit { try? FileManager.default.removeItem(at: folder) }
        var storePath: String { folder.appendingPathComponent("store.sqlite").path }
        var logPath: String { folder.appendingPathComponent("steps.log").path }
        var environment: [String: String] {
            ["STEPFLOW_CHECKPOINT_DIR": folder.path, "STEPFLOW_STORE": storePath, "STEPFLOW_PROBE_LOG": logPath]
        }
        func store() throws -> SQLiteRunStore { try SQLiteRunStore(path: storePath) }
        func checkpoints() -> [URL] {
            ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [])
                .filter { $0.pathExtension == "json" }
        }
        /// The step bodies the probe started, in order, as "step run-id".
        func loggedSteps() -> [String] {
            ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
    }

    private func run(
        _ arguments: [String], in sandbox: Sandbox, extra: [String: String] = [:], with product: BuiltProduct? = nil
    ) async throws -> BuiltProduct.Outcome {
        try await (product ?? tui).run(arguments, environment: sandbox.environment.merging(extra) { _, new in new })
    }

    /// The run id the event lines name.
    private func runID(_ lines: [String]) throws -> String {
        let field = try #require(
            lines.lazy.compactMap { $0.split(separator: " ").first { $0.hasPrefix("run=") } }.first)
        return String(field.dropFirst("run=".count))
    }

    /// The names of the run's recorded steps, in order.
    private func recordedSteps(_ runID: String, in store: some RunStore) async throws -> [String] {
        try await store.stepResults(of: runID).map { try $0.decode(as: StepResult.self).stepName }
    }

    /// The steps the run's audit log shows finishing with `status`, in order.
    private func finishedSteps(_ runID: String, status: String = "succeeded", in store: some RunStore) async throws
        -> [String]
    {
        try await store.events(of: runID).filter { $0.kind == .stepFinished }.compactMap { event in
            let payload = event.payload.value
            return payload["status"]?.stringValue == status ? payload["step"]?.stringValue : nil
        }
    }

    /// The kinds of the run's audit log, in order.
    private func eventKinds(_ runID: String, in store: some RunStore) async throws -> [String] {
        try await store.events(of: runID).map(\.kind.rawValue)
    }

    /// A paused persistent-approval run's checkpoint, written to a file; recorded in `store` when given.
    private func pausedCheckpoint(in sandbox: Sandbox, name: String, recordedIn store: (any RunStore)?) async throws
        -> (url: URL, runID: String)
    {
        let state = ApprovalRefundState(orderID: "ord_\(name)", amount: 640, reason: "Wrong size")
        let options =
            store.map { RunOptions(store: $0, startedBy: "tester", pauseOnApproval: true) }
            ?? RunOptions(pauseOnApproval: true)
        let paused = await PersistentApprovalWorkflow().run(state, options: options)
        let checkpoint = try #require(paused.checkpoint)
        let url = sandbox.folder.appendingPathComponent("\(name).checkpoint")
        try checkpoint.jsonData().write(to: url)
        return (url, paused.runID)
    }

    // MARK: Recording

    @Test("run records its row, each step and every event in order, started by the OS user")
    func runIsRecorded() async throws {
        let sandbox = try Sandbox()
        let out = try await run(["run", "refund-workflow"], in: sandbox)
        #expect(out.exitCode == 0)
        let id = try runID(out.lines)
        let store = try sandbox.store()
        let record = try #require(try await store.run(id))
        #expect(record.workflowName == "refund-workflow" && record.status == .succeeded)
        #expect(record.startedBy == user && record.owner == nil)
        #expect(
            record.definitionFingerprint == ExampleCatalog.catalog.entry(named: "refund-workflow")?.workflow.fingerprint
        )
        #expect(try await recordedSteps(id, in: store) == ["check_order", "verify_policy", "generate_response"])
        let events = try await store.events(of: id)
        #expect(events.map(\.sequence) == Array(1...events.count) && record.eventCount == events.count)
        let engineKinds = events.map(\.kind.rawValue).filter { $0.hasPrefix("workflow_") || $0.hasPrefix("step_") }
        let stepKinds: [String] = ["step_started", "step_finished"]
        let expected: [String] = ["workflow_started"] + stepKinds + stepKinds + stepKinds + ["workflow_finished"]
        #expect(engineKinds == expected)
        let state = try record.state.decode(as: RefundState.self)
        #expect(state.responseText == "Refund approved for ord_123.")
    }

    @Test("--approve decides through the store: the decision names the OS user, known from the OS")
    func flagDecisionIsRecorded() async throws {
        let sandbox = try Sandbox()
        let out = try await run(["run", "approval-refund", "--approve", "--reason", "receipt checked"], in: sandbox)
        #expect(out.exitCode == 0)
        let id = try runID(out.lines)
        let store = try sandbox.store()
        let request = try #require(try await store.approvalRequests(of: id).first)
        #expect(request.stepName == "issue_refund" && request.status == .approved)
        let decision = try #require(try await store.decision(for: request.id))
        #expect(decision.outcome == .approve && decision.approver == user && decision.identitySource == .osUser)
        #expect(decision.reason == "receipt checked")
        let kinds = try await eventKinds(id, in: store)
        let requested = try #require(kinds.firstIndex(of: "approval_requested"))
        let decided = try #require(kinds.firstIndex(of: "approval_decided"))
        let applied = try #require(kinds.firstIndex(of: "approval_applied"))
        #expect(requested < decided && decided < applied, "written before anyone is asked, applied after: \(kinds)")
        #expect(try await store.run(id)?.status == .succeeded)
    }

    // MARK: Pause and resume

    @Test("--pause leaves the request pending; the printed hint resumes it once; a second resume is refused")
    func pauseThenResumeOnce() async throws {
        let sandbox = try Sandbox()
        // A path the shell would split or unquote: the hint quotes it.
        let chosen = sandbox.folder.appendingPathComponent("ana's refund $HOME.json").path
        let paused = try await run(["run", "persistent-approval", "--pause", "--checkpoint", chosen], in: sandbox)
        #expect(paused.exitCode == 3)
        let id = try runID(paused.lines)
        let store = try sandbox.store()
        let waiting = try #require(try await store.run(id))
        #expect(waiting.status == .waiting && waiting.owner == nil, "pending, and free for whoever continues it")
        let request = try #require(try await store.pendingApprovals().first { $0.runID == id })
        #expect(
            paused.lines.contains(
                #"paused at step issue_refund: run \#(id) waits for approval in the store (request \#(request.id))"#))
        let file = try #require(sandbox.checkpoints().first)
        #expect(file.path == chosen)
        let original = try Data(contentsOf: file)

        // The hint, run by a shell exactly as printed.
        let hint = try #require(paused.lines.first { $0.hasPrefix("resume with: ") })
        let command = String(hint.dropFirst("resume with: ".count)).replacingOccurrences(of: " (or --deny)", with: "")
        let sh = try LaunchedProcess(
            URL(fileURLWithPath: "/bin/sh"), ["-c", command], environment: sandbox.environment)
        let resumed = await sh.outcome()
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(resumed.lines.last { !$0.isEmpty }?.contains("event=workflow_finished status=succeeded") == true)
        #expect(try runID(resumed.lines) == id)
        #expect(try await store.run(id)?.status == .succeeded)
        #expect(try await recordedSteps(id, in: store) == ["prepare_refund", "issue_refund", "notify_customer"])
        #expect(try await store.decision(for: request.id)?.approver == user)

        let second = try await run(["resume", file.path, "--deny"], in: sandbox)
        #expect(second.exitCode == 2)
        #expect(second.stdout.isEmpty)
        #expect(second.stderr.split(separator: "\n").count == 1, "one line: \(second.stderr)")
        #expect(second.stderr.contains("was not resumed: already decided by \(user) at "), "\(second.stderr)")
        #expect(second.stderr.contains("Run \(id) has succeeded."))
        #expect(try await recordedSteps(id, in: store) == ["prepare_refund", "issue_refund", "notify_customer"])
        #expect(try await eventKinds(id, in: store).filter { $0 == "approval_applied" }.count == 1)
        #expect(try Data(contentsOf: file) == original, "resuming only reads the checkpoint")
    }

    @Test("a checkpoint whose run is not in the store is imported and continued")
    func resumeImports() async throws {
        let sandbox = try Sandbox()
        let (file, id) = try await pausedCheckpoint(in: sandbox, name: "elsewhere", recordedIn: nil)
        let out = try await run(["resume", file.path, "--approve", "--reason", "checked"], in: sandbox)
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(out.lines.last { !$0.isEmpty }?.contains("event=workflow_finished status=succeeded") == true)
        let store = try sandbox.store()
        let record = try #require(try await store.run(id))
        #expect(record.status == .succeeded)
        #expect(try await eventKinds(id, in: store).first == "run_imported")
        #expect(try await recordedSteps(id, in: store) == ["prepare_refund", "issue_refund", "notify_customer"])

        let again = try await run(["resume", file.path, "--approve"], in: sandbox)
        #expect(again.exitCode == 2 && again.stderr.contains("already decided by \(user)"))
    }

    @Test("two resumes of one checkpoint let go at the same instant, 20 times: one continues, the other is refused")
    func racingResumes() async throws {
        let sandbox = try Sandbox()
        let store = try sandbox.store()
        let binary = BuiltProduct.directory.appendingPathComponent("stepflow-tui")
        for round in 0..<20 {
            // Half the runs are in the store already; the others are imported by both racers.
            let recorded = round.isMultiple(of: 2)
            let (file, id) = try await pausedCheckpoint(
                in: sandbox, name: "race\(round)", recordedIn: recorded ? store : nil)
            let racers = try (0..<2).map { _ in
                try LaunchedProcess(
                    binary, ["resume", file.path, "--approve"], environment: sandbox.environment, gated: true)
            }
            for racer in racers { try racer.release() }
            var outcomes: [LaunchedProcess.Outcome] = []
            for racer in racers { outcomes.append(await racer.outcome()) }
            #expect(outcomes.map(\.exitCode).sorted() == [0, 2], "round \(round): \(outcomes.map(\.stderr))")
            if let loser = outcomes.first(where: { $0.exitCode == 2 }) {
                #expect(loser.errorLines.count == 1 && loser.stdout.isEmpty, "round \(round): \(loser.stderr)")
                #expect(loser.stderr.contains("already decided by \(user) at "), "round \(round): \(loser.stderr)")
            }
            #expect(try await store.run(id)?.status == .succeeded, "round \(round)")
            #expect(
                try await recordedSteps(id, in: store) == ["prepare_refund", "issue_refund", "notify_customer"],
                "round \(round)")
            let kinds = try await eventKinds(id, in: store)
            #expect(kinds.filter { $0 == "approval_decided" }.count == 1, "round \(round): \(kinds)")
            // An imported run's log starts at the import: the step before the gate ran elsewhere.
            let ranHere = (recorded ? ["prepare_refund"] : []) + ["issue_refund", "notify_customer"]
            #expect(try await finishedSteps(id, in: store) == ranHere, "round \(round): nothing ran twice")
        }
    }

    @Test(
        "a resume killed with SIGKILL mid-step is finished by the next resume; no recorded step runs again",
        arguments: ["issue_refund", "notify"])
    func resumeKilledMidRun(blockedStep: String) async throws {
        let sandbox = try Sandbox()
        let paused = try await run(["run", "logged-refund", "--pause"], in: sandbox, with: probe)
        #expect(paused.exitCode == 3)
        let id = try runID(paused.lines)
        let file = try #require(sandbox.checkpoints().first)

        let first = try LaunchedProcess(
            BuiltProduct.directory.appendingPathComponent("stepflow-cli-probe"), ["resume", file.path, "--approve"],
            environment: sandbox.environment.merging(["STEPFLOW_PROBE_BLOCK": blockedStep]) { _, new in new })
        try await waitUntil("the first resume to enter \(blockedStep)") {
            sandbox.loggedSteps().contains("\(blockedStep) \(id)")
        }
        kill(first.processIdentifier, SIGKILL)
        let killed = await first.outcome()
        #expect(killed.signalled && killed.exitCode == SIGKILL)

        let store = try sandbox.store()
        let stranded = try #require(try await store.run(id))
        #expect(stranded.status == .running && stranded.owner != nil)
        // The dead process's lease runs out (the probe takes 600 ms leases).
        try await waitUntil("the killed resume's lease to lapse") {
            guard let expiry = try await store.run(id)?.leaseExpiresAt else { return true }
            return expiry < Date()
        }

        let second = try await run(["resume", file.path, "--approve"], in: sandbox, with: probe)
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(second.stdout.contains("Already decided by \(user) at "))
        #expect(second.stdout.contains("continuing it here from its last recorded step"))
        #expect(second.lines.last { !$0.isEmpty }?.contains("event=workflow_finished status=succeeded") == true)

        let bodies = sandbox.loggedSteps().map { $0.split(separator: " ").first.map(String.init) ?? "" }
        let expected =
            blockedStep == "issue_refund"
            ? ["check", "issue_refund", "issue_refund", "notify"] : ["check", "issue_refund", "notify", "notify"]
        #expect(bodies == expected, "only the interrupted step ran again")
        #expect(try await recordedSteps(id, in: store) == ["check", "issue_refund", "notify"])
        #expect(
            try await finishedSteps(id, in: store) == ["check", "issue_refund", "notify"], "each step recorded once")
        #expect(try await store.run(id)?.status == .succeeded)
        let decisions = try await store.approvalRequests(of: id)
        #expect(decisions.count == 1)
    }

    // MARK: Stores that cannot be opened

    @Test("a corrupt store file is one line and exit 2, and is left untouched")
    func corruptStore() async throws {
        let sandbox = try Sandbox()
        let garbage = Data(("not a database " + String(repeating: "x", count: 5_000)).utf8)
        try garbage.write(to: URL(fileURLWithPath: sandbox.storePath))
        let (file, _) = try await pausedCheckpoint(in: sandbox, name: "corrupt", recordedIn: nil)
        let checkpoint = try Data(contentsOf: file)
        for arguments in [["run", "refund-workflow"], ["resume", file.path, "--approve"]] {
            let out = try await run(arguments, in: sandbox)
            #expect(out.exitCode == 2, "\(arguments)")
            #expect(out.stdout.isEmpty, "nothing ran: \(out.stdout)")
            #expect(out.stderr.split(separator: "\n").count == 1, "one line: \(out.stderr)")
            #expect(out.stderr.contains("The store at \(sandbox.storePath) is unreadable"), "\(out.stderr)")
            #expect(out.stderr.contains("it was left untouched"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: sandbox.storePath)) == garbage)
        #expect(try Data(contentsOf: file) == checkpoint)
        #expect(sandbox.checkpoints().isEmpty)
    }

    @Test("a store in a folder that cannot be made is one line and exit 2")
    func unusableStore() async throws {
        let sandbox = try Sandbox()
        let out = try await run(
            ["run", "refund-workflow"], in: sandbox, extra: ["STEPFLOW_STORE": "/proc/stepflow/store.sqlite"])
        #expect(out.exitCode == 2)
        #expect(out.stdout.isEmpty)
        #expect(out.stderr.split(separator: "\n").count == 1, "one line: \(out.stderr)")
        #expect(out.stderr.contains("The store at /proc/stepflow/store.sqlite cannot be used"), "\(out.stderr)")
    }

    @Test("input refused before the store is opened creates no store")
    func badInputLeavesNoStore() async throws {
        let sandbox = try Sandbox()
        let cases = [
            ["run", "no-such-workflow"], ["run", "refund-workflow", "--state", "{not json"],
            ["resume", sandbox.folder.appendingPathComponent("missing.json").path, "--approve"],
        ]
        for arguments in cases {
            let out = try await run(arguments, in: sandbox)
            #expect(out.exitCode == 2, "\(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: sandbox.storePath))
    }
}

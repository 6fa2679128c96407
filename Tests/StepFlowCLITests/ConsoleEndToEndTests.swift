import Foundation
import StepFlow
import StepFlowSQLite
import StepFlowTestSupport
import Testing

/// The built console in a real terminal (tmux): approvals, postpone and resume,
/// resizes, signals, and terminals without colour or cursor addressing.
@Suite("Console end to end", .serialized, .enabled(if: TmuxSession.isAvailable, "needs tmux"))
struct ConsoleEndToEndTests {
    let binary = BuiltProduct.directory.appendingPathComponent("stepflow-tui").path
    let user = NSUserName()

    /// A checkpoint folder and run store per test.
    final class Folder {
        let url: URL
        init() throws { url = try makeTemporaryDirectory() }
        deinit { try? FileManager.default.removeItem(at: url) }
        var storePath: String { url.appendingPathComponent("store.sqlite").path }
        var checkpoints: [URL] {
            ((try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)) ?? [])
                .filter { $0.pathExtension == "json" }
        }
    }

    private func session(_ folder: Folder, width: Int = 100, height: Int = 30, extra: [String: String] = [:])
        async throws -> TmuxSession
    {
        try await TmuxSession.start(
            width: width, height: height,
            environment: [
                "LANG": "C.UTF-8", "TERM": "xterm-256color", "STEPFLOW_CHECKPOINT_DIR": folder.url.path,
                "STEPFLOW_STORE": folder.storePath,
            ].merging(extra) { _, new in new })
    }

    /// The header of a finished approval-refund run.
    static let succeededHeader = "│ ✓ succeeded │"

    /// Opens the console straight on a run of approval-refund and waits for its prompt.
    @discardableResult
    private func openAtPrompt(_ tmux: TmuxSession) async throws -> String {
        let marker = try tmux.run("\(binary) run approval-refund")
        try await tmux.waitFor("Approval needed")
        return marker
    }

    /// `stty -a` in the same pane: `icanon` and `echo` without a leading `-`.
    private func expectSaneTerminal(_ tmux: TmuxSession) async throws {
        let marker = try tmux.run(
            "stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | sort | sed 's/^/FLAG:/' | tr '\\n' ' '; echo"
        )
        let (code, screen) = try await tmux.exitCode(of: marker)
        #expect(code == 0)
        #expect(screen.contains("FLAG:echo FLAG:icanon"), "the terminal is back in normal mode:\n\(screen)")
        #expect(!screen.contains("FLAG:-"))
    }

    /// Whether text carries an SGR foreground colour (30–37 or 38;...).
    private func hasColour(_ text: String) -> Bool {
        text.range(of: "\u{1B}\\[[0-9;]*(3[0-7]|38;[0-9;]+)m", options: .regularExpression) != nil
    }

    @Test("open the console, run the approval refund, approve with a reason, see the approver")
    func approveInPrompt() async throws {
        let folder = try Folder()
        let tmux = try await session(folder)
        let console = try tmux.run(binary)
        try await tmux.waitFor("Workflows")
        for _ in 0..<4 { try tmux.send("j") }
        try tmux.send("Enter")
        try await tmux.waitFor("Initial state: approval-refund")
        try tmux.send("C-r")
        try await tmux.waitFor("Approval needed")
        try tmux.send("Enter")  // a stray Enter never approves
        try tmux.send("r")
        try tmux.type("receipt ok")
        try tmux.send("Enter")
        try await tmux.waitFor("Reason:   receipt ok")
        try tmux.send("a")
        let screen = try await tmux.waitFor("approved by \(user): receipt ok")
        #expect(try await tmux.waitFor(Self.succeededHeader).contains("✓ notify_customer"))
        #expect(screen.contains("approval-refund"))
        try tmux.send("q")
        #expect(try await tmux.exitCode(of: console).code == 0)
        try await expectSaneTerminal(tmux)

        // The run is recorded, and the operator's answer was decided through the store.
        let store = try SQLiteRunStore(path: folder.storePath)
        let run = try #require(try await store.runs(RunFilter()).first)
        #expect(run.workflowName == "approval-refund" && run.status == .succeeded && run.startedBy == user)
        let request = try #require(try await store.approvalRequests(of: run.id).first)
        let decision = try #require(try await store.decision(for: request.id))
        #expect(decision.approver == user && decision.identitySource == .osUser && decision.reason == "receipt ok")
    }

    @Test("a decision made in another process first wins: the prompt closes and the run goes on")
    func decidedElsewhere() async throws {
        let folder = try Folder()
        let tmux = try await session(folder)
        let console = try await openAtPrompt(tmux)
        let store = try SQLiteRunStore(path: folder.storePath)
        let request = try #require(try await store.pendingApprovals().first)
        let result = try await store.decide(
            DecisionDraft(
                requestID: request.id, outcome: .approve, reason: "from the inbox", approver: "bo",
                identitySource: .claimed, seenStateHash: request.stateHash))
        #expect(result.isRecorded)
        let screen = try await tmux.waitFor(Self.succeededHeader)
        #expect(screen.contains("approved by bo: from the inbox"))
        #expect(!screen.contains("Approval needed"), "the prompt closed")
        try tmux.send("q")
        #expect(try await tmux.exitCode(of: console).code == 0)
        #expect(try await store.run(request.runID)?.status == .succeeded)
    }

    @Test("deny in the prompt and see the run fail")
    func denyInPrompt() async throws {
        let folder = try Folder()
        let tmux = try await session(folder)
        let console = try await openAtPrompt(tmux)
        try tmux.send("d")
        let screen = try await tmux.waitFor("│ ✗ failed │")
        #expect(screen.contains("denied by \(user)"))
        #expect(screen.contains("✗ issue_refund"))
        #expect(screen.contains("error: ApprovalRequiredError"))
        try tmux.send("q")
        #expect(try await tmux.exitCode(of: console).code == 0)
    }

    @Test("postpone in the prompt, then resume the saved checkpoint from the shell")
    func postponeThenResume() async throws {
        let folder = try Folder()
        let tmux = try await session(folder)
        let console = try await openAtPrompt(tmux)
        try tmux.send("p")
        try await tmux.waitFor("checkpoint saved to")
        try tmux.send("q")
        #expect(try await tmux.exitCode(of: console).code == 0)
        let checkpoint = try #require(folder.checkpoints.first)
        let resume = try tmux.run("\(binary) resume \(checkpoint.path) --approve --reason later")
        let (code, screen) = try await tmux.exitCode(of: resume)
        #expect(code == 0)
        #expect(screen.contains("event=workflow_finished status=succeeded"))
    }

    @Test("resize mid-run: large, tiny, large")
    func resizeMidRun() async throws {
        let folder = try Folder()
        let tmux = try await session(folder, width: 120, height: 40)
        let console = try await openAtPrompt(tmux)
        try tmux.resize(width: 40, height: 10)
        try await tmux.waitFor("terminal too small (need 60×16)")
        try tmux.resize(width: 120, height: 40)
        let screen = try await tmux.waitFor("Approval needed")
        #expect(!screen.contains("too small"))
        try tmux.send("a")
        try await tmux.waitFor(Self.succeededHeader)
        try tmux.send("q")
        #expect(try await tmux.exitCode(of: console).code == 0)
    }

    @Test("Ctrl-C mid-run restores the terminal and pauses the waiting run with its checkpoint")
    func controlC() async throws {
        let folder = try Folder()
        let tmux = try await session(folder)
        let console = try await openAtPrompt(tmux)
        try tmux.send("C-c")
        let (code, screen) = try await tmux.exitCode(of: console)
        #expect(code == 130)
        #expect(screen.contains("interrupted by SIGINT; the terminal was restored"))
        #expect(screen.contains("waits for approval in the store; checkpoint saved to"))
        #expect(screen.contains("stepflow-tui resume"))
        #expect(folder.checkpoints.count == 1)
        try await expectSaneTerminal(tmux)

        // The request stays pending in the store, and the run is free for whoever continues it.
        let store = try SQLiteRunStore(path: folder.storePath)
        let request = try #require(try await store.pendingApprovals().first)
        let run = try #require(try await store.run(request.runID))
        #expect(run.status == .waiting && run.owner == nil && request.stepName == "issue_refund")
        #expect(screen.contains("run \(run.id) waits for approval"))
    }

    @Test("SIGTERM mid-run restores the terminal too")
    func sigterm() async throws {
        let folder = try Folder()
        let tmux = try await session(folder)
        let console = try await openAtPrompt(tmux)
        let pid = try #require(try tmux.foregroundChildren().first)
        kill(pid, SIGTERM)
        let (code, screen) = try await tmux.exitCode(of: console)
        #expect(code == 143)
        #expect(screen.contains("interrupted by SIGTERM"))
        #expect(folder.checkpoints.count == 1)
        try await expectSaneTerminal(tmux)
    }

    @Test("TERM=dumb: one clear line and exit 2; run NAME falls back to plain lines")
    func dumbTerminal() async throws {
        let folder = try Folder()
        let tmux = try await session(folder, extra: ["TERM": "dumb"])
        let (code, screen) = try await tmux.exitCode(of: try tmux.run(binary))
        #expect(code == 2)
        #expect(screen.contains("cannot draw the console; use 'stepflow-tui run NAME' for plain lines."))
        let (runCode, runScreen) = try await tmux.exitCode(of: try tmux.run("\(binary) run refund-workflow"))
        #expect(runCode == 0)
        #expect(runScreen.contains("event=workflow_finished status=succeeded"))
    }

    @Test("NO_COLOR: the console draws without colour and still shows status glyphs")
    func noColor() async throws {
        let folder = try Folder()
        let colored = try await session(folder)
        try await openAtPrompt(colored)
        try colored.send("a")
        try await colored.waitFor(Self.succeededHeader)
        #expect(hasColour(try colored.screen(escapes: true)), "colours are used by default")
        try colored.send("q")

        let plain = try await session(folder, extra: ["NO_COLOR": "1"])
        let console = try await openAtPrompt(plain)
        try plain.send("a")
        try await plain.waitFor(Self.succeededHeader)
        let screen = try plain.screen(escapes: true)
        #expect(screen.contains("✓ notify_customer"))
        #expect(!hasColour(screen))
        try plain.send("q")
        #expect(try await plain.exitCode(of: console).code == 0)
    }
}

import Foundation
import StepFlowExamples
import Synchronization
import Testing

@testable import StepFlow
@testable import StepFlowTUI

/// The whole console loop on the scripted test terminal: real runs, real approvals and checkpoints, no tmux.
///
/// The loop and the terminal live on the main actor, so the tests do too.
@Suite("Console loop", .serialized)
@MainActor
struct ConsoleLoopTests {
    func app(_ folder: URL) -> ConsoleApp {
        ConsoleApp(
            catalog: ExampleCatalog.catalog, checkpointDirectory: folder, approver: "ana",
            environment: ["LANG": "C.UTF-8", "TERM": "xterm"])
    }

    /// Runs the console loop, giving up after two minutes; `nil` means it hung.
    ///
    /// A console that never finishes (a lost approval keeps a run alive, and
    /// shutdown waits for it) then fails its test instead of stalling the whole suite.
    func runToEnd(
        _ console: ConsoleApp, on terminal: ScriptedTerminal,
        startWith start: (name: String, stateJSON: String)? = nil
    ) async -> Int32? {
        let pending = Mutex<CheckedContinuation<Int32?, Never>?>(nil)
        let finish: @Sendable (Int32?) -> Void = { code in pending.withLock { $0.take() }?.resume(returning: code) }
        return await withCheckedContinuation { continuation in
            pending.withLock { $0 = continuation }
            let timer = Task.detached {
                try? await Task.sleep(for: .seconds(120))
                finish(nil)
            }
            Task {
                finish(await console.run(on: terminal, startWith: start))
                timer.cancel()
            }
        }
    }

    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stepflow-loop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("start from the catalog, approve with a reason, and quit")
    func approveThroughTheLoop() async throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let terminal = ScriptedTerminal(
            width: 100, height: 30,
            steps: [
                .waitFor("Workflows"),
                .key(.character("j")), .key(.character("j")), .key(.character("j")), .key(.character("j")),
                .key(.enter), .waitFor("Initial state: approval-refund"),
                .key(.control("r")), .waitFor("Approval needed"),
                .key(.enter),  // never approves
                .key(.character("r")), .text("ok by me"), .key(.enter),
                .key(.character("a")), .waitFor("approved by ana: ok by me"),
                .waitFor("│ ✓ succeeded │"),
                .key(.character("q")),
            ])
        let code = await runToEnd(app(dir), on: terminal)
        #expect(terminal.failure == nil, "\(terminal.failure ?? "")")
        #expect(code == 0)
        #expect(terminal.lastFrame.joined().contains("✓ notify_customer"))
    }

    @Test("a second run starts while the first waits; quitting pauses the waiting one with a checkpoint")
    func severalRunsAndQuit() async throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let terminal = ScriptedTerminal(
            width: 100, height: 30,
            steps: [
                .waitFor("Approval needed"),
                .key(.escape),  // close the prompt; the run keeps waiting
                .waitFor("1 waiting for approval"),
                .key(.character("n")), .waitFor("Workflows"),
                .key(.enter), .waitFor("Initial state: refund-workflow"),
                .key(.control("r")), .waitFor("│ ✓ succeeded │"),
                .waitFor("1 waiting for approval"),  // the badge shows from every view
                .key(.character("q")), .waitFor("Quit?"), .key(.character("y")),
            ])
        let code = await runToEnd(
            app(dir), on: terminal,
            startWith: (
                name: "persistent-approval",
                stateJSON: #"{"orderID":"o9","amount":12,"reason":"r","refunded":false,"responseText":""}"#
            ))
        #expect(terminal.failure == nil, "\(terminal.failure ?? "")")
        #expect(code == 0)
        let saved = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(saved.count == 1)
        let data = try Data(contentsOf: dir.appendingPathComponent(saved[0]))
        let checkpoint = try ApprovalPause<ApprovalRefundState>(jsonData: data)
        #expect(checkpoint.stepName == "issue_refund")
        #expect(checkpoint.state.orderID == "o9")
    }

    @Test("a terminal that goes away ends the console like SIGHUP: the waiting run is paused and saved")
    func hangUpPausesWaitingRuns() async throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let terminal = ScriptedTerminal(width: 100, height: 30, steps: [.waitFor("Approval needed"), .hangUp])
        let code = await runToEnd(
            app(dir), on: terminal,
            startWith: (
                name: "approval-refund",
                stateJSON: #"{"orderID":"o7","amount":5,"reason":"r","refunded":false,"responseText":""}"#
            ))
        #expect(terminal.failure == nil, "\(terminal.failure ?? "")")
        #expect(code == 128 + SIGHUP)
        #expect(terminal.closed, "the terminal is given back before anything is printed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).count == 1)
    }

    @Test("two child workflows asking for approval at once: both prompts come, each decision reaches its own child")
    func parallelChildApprovals() async throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let catalog = WorkflowCatalog([
            try CatalogEntry(ParallelSignOff(), summary: "two gated children at once", defaultState: SignOffState())
        ])
        let terminal = ScriptedTerminal(
            width: 100, height: 30,
            steps: [
                .waitFor("Approval needed (1 of 2)"),
                .key(.character("a")),
                .waitFor("Approval needed"),
                .key(.character("d")),
                .waitFor("│ ✓ succeeded │"),
                .key(.character("q")),
            ])
        let console = ConsoleApp(
            catalog: catalog, checkpointDirectory: dir, approver: "ana",
            environment: ["LANG": "C.UTF-8", "TERM": "xterm"])
        let code = await runToEnd(
            console, on: terminal, startWith: (name: "parallel-sign-off", stateJSON: #"{"outcomes":[]}"#))
        #expect(terminal.failure == nil, "\(terminal.failure ?? "")")
        #expect(code == 0)
        // One child was approved and one denied, whichever asked first.
        let frame = terminal.lastFrame.joined()
        #expect(frame.contains("sign_off succeeded"))
        #expect(frame.contains("sign_off failed"))
    }

    @Test("a state that does not decode stays in the editor with the problem named")
    func badStateStaysInEditor() async throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let terminal = ScriptedTerminal(
            width: 100, height: 30,
            steps: [
                .key(.enter), .waitFor("Initial state: refund-workflow"),
                // Delete the line `  "amount" : 42.5,` (16 characters after the indent).
                .key(.down), .key(.end),
            ] + Array(repeating: ScriptedTerminal.Step.key(.backspace), count: 16) + [
                .key(.control("r")), .waitFor("missing key 'amount'"),
                .key(.escape), .key(.character("q")),
            ])
        let code = await runToEnd(app(dir), on: terminal)
        #expect(terminal.failure == nil, "\(terminal.failure ?? "")")
        #expect(code == 0)
    }
}

/// A signal's disposition, comparable: handler address, flags and blocked set.
struct Disposition: Equatable, CustomStringConvertible {
    let handler: Int
    let flags: Int32
    /// The first word of the blocked set: the kernel keeps 64 signals, the rest of `sigset_t` is padding.
    let mask: UInt64

    init(_ number: Int32) {
        var action = sigaction()
        sigaction(number, nil, &action)
        handler = unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
        flags = action.sa_flags
        mask = withUnsafeBytes(of: action.sa_mask) { $0.load(as: UInt64.self) }
    }

    var description: String { "handler \(handler) flags \(flags)" }
}

extension ConsoleLoopTests {
    @Test("SIGINT, SIGTERM and SIGHUP are the console's while it runs and are put back as they were at exit")
    func interruptDispositionsAreRestored() async throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let signals = [SIGINT, SIGTERM, SIGHUP]
        let before = signals.map(Disposition.init)
        nonisolated(unsafe) var during: [Disposition] = []
        let terminal = ScriptedTerminal(
            width: 100, height: 30,
            steps: [
                .waitFor("Workflows"), .call { during = signals.map(Disposition.init) }, .key("q"),
            ])
        let code = await runToEnd(app(dir), on: terminal)
        #expect(terminal.failure == nil, "\(terminal.failure ?? "")")
        #expect(code == 0)
        #expect(during.count == 3)
        for (index, number) in signals.enumerated() where index < during.count {
            #expect(during[index] != before[index], "signal \(number) is handled by the console while it runs")
        }
        #expect(signals.map(Disposition.init) == before)
    }

    @Test("the fatal-signal handler takes SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT and SIGTRAP, and gives them back")
    func fatalDispositionsAreRestored() {
        let before = FatalSignalReset.signals.map(Disposition.init)
        let previous = FatalSignalReset.install(terminalMode: nil, reset: [])
        let during = FatalSignalReset.signals.map(Disposition.init)
        previous.restore()
        for (index, number) in FatalSignalReset.signals.enumerated() {
            #expect(during[index] != before[index], "signal \(number) is taken")
            #expect(during[index].flags & SA_SIGINFO != 0)
        }
        #expect(FatalSignalReset.signals.map(Disposition.init) == before)
    }
}

/// The state of the parallel sign-off workflow and its children.
struct SignOffState: Codable, Sendable, Equatable {
    var outcomes: [String] = []
}

/// A child workflow with one gated step.
struct SignOffChild: Workflow {
    let name: String

    var steps: [Step<SignOffState>] {
        Step("sign_off", approval: .required(message: "Sign off \(name)?")) { state in
            state.outcomes.append("signed")
        }
    }
}

/// One step that runs two gated children at the same time.
struct ParallelSignOff: Workflow {
    var name: String { "parallel-sign-off" }

    var steps: [Step<SignOffState>] {
        Step("collect") { state, context in
            async let left = context.runChild(
                SignOffChild(name: "left"), state: SignOffState(), failParentOnFailure: false)
            async let right = context.runChild(
                SignOffChild(name: "right"), state: SignOffState(), failParentOnFailure: false)
            let results = try await [left, right]
            state.outcomes = results.map(\.status.rawValue)
        }
    }
}

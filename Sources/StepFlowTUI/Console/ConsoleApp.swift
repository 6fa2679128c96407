import Dispatch
import Foundation
import StepFlow
import StepFlowDrawing
import Synchronization

/// The full-screen console: the loop that feeds keys, engine events and ticks to
/// ``ConsoleUpdate``, carries out its commands, and draws ``ConsoleView`` frames.
///
/// ncurses is used from the calling thread only; runs execute in their own tasks
/// and reach the loop through an inbox. The terminal is given back on every exit
/// path, and runs waiting for approval are paused with their checkpoints saved.
public final class ConsoleApp: Sendable {
    private let catalog: WorkflowCatalog
    private let checkpointDirectory: URL
    private let approver: String
    private let environment: [String: String]
    private let inbox = Mutex<[ConsoleMessage]>([])
    /// Approval handlers waiting for a decision, by approval id (one run can
    /// wait for several at once when its child workflows ask together).
    private let waiting = Mutex<(nextID: Int, byID: [Int: CheckedContinuation<ApprovalAnswer, Never>])>((1, [:]))
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let handles = Mutex<[WorkflowRun<AnyState>]>([])
    private let saved = Mutex<[String]>([])

    /// Creates the console over a catalog.
    public init(
        catalog: WorkflowCatalog, checkpointDirectory: URL = CheckpointFile.defaultDirectory(),
        approver: String = Approver.currentUserName,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.catalog = catalog
        self.checkpointDirectory = checkpointDirectory
        self.approver = approver
        self.environment = environment
    }

    /// Runs the console until the user quits or a signal arrives; returns the exit
    /// code. `startWith` opens it straight on a new run of that catalog entry.
    public func run(startWith start: (name: String, stateJSON: String)? = nil) async throws(InputError) -> Int32 {
        if let problem = Self.openingProblem(environment: environment) { throw InputError(problem) }
        let terminal = try NcursesTerminal(environment: environment)
        let signals = installSignalSources()
        defer {
            signals.forEach { $0.cancel() }
            terminal.close()
        }
        return await run(on: terminal, startWith: start)
    }

    /// Runs the console loop on any terminal (the ncurses one, or a scripted one in tests).
    public func run(on terminal: some ConsoleTerminal, startWith start: (name: String, stateJSON: String)? = nil) async -> Int32 {
        let size = terminal.size
        var model = ConsoleModel(
            catalog: catalog.entries.map(CatalogItem.init), width: size.width, height: size.height,
            colors: terminal.colors, unicode: GraphGlyphs.preferred(environment: environment) == .unicode, approver: approver)
        var nextRunKey = 1
        if let start, let index = catalog.entries.firstIndex(where: { $0.name == start.name }) {
            perform([.startRun(catalogIndex: index, stateJSON: start.stateJSON)], &model, &nextRunKey)
        }
        var lastDraw = Date.distantPast
        var dirty = true
        while !model.quitting {
            var idle = true
            if let key = terminal.readKey() {
                idle = false
                if let key {
                    perform(ConsoleUpdate.update(&model, .key(key)), &model, &nextRunKey)
                } else {
                    let size = terminal.size
                    terminal.invalidate()
                    _ = ConsoleUpdate.update(&model, .resize(width: size.width, height: size.height))
                }
                dirty = true
            }
            let messages = inbox.withLock { messages in
                defer { messages = [] }
                return messages
            }
            for message in messages {
                perform(ConsoleUpdate.update(&model, message), &model, &nextRunKey)
                dirty = true
                idle = false
            }
            let now = Date()
            // Frames are coalesced: at most ~30 per second, and a 4 Hz tick keeps spinners and clocks moving.
            if (dirty && now.timeIntervalSince(lastDraw) >= 0.033) || now.timeIntervalSince(lastDraw) >= 0.25 {
                _ = ConsoleUpdate.update(&model, .tick(now))
                terminal.draw(ConsoleView.render(model))
                lastDraw = now
                dirty = false
            }
            if idle {
                if terminal.hungUp {
                    perform(ConsoleUpdate.update(&model, .interrupted(signal: SIGHUP)), &model, &nextRunKey)
                }
                await terminal.idle()
            }
        }
        await shutDown()
        terminal.close()
        let paused = saved.withLock { $0 }
        for path in paused { print("stepflow-tui: paused run saved; resume with: stepflow-tui resume \(path) --approve (or --deny)") }
        if let signal = model.interruptedBy {
            let name = [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP"][signal] ?? "signal \(signal)"
            FileHandle.standardError.write(Data("stepflow-tui: interrupted by \(name); the terminal was restored.\n".utf8))
            return 128 + signal
        }
        return 0
    }

    // MARK: - Commands

    private func perform(_ commands: [ConsoleCommand], _ model: inout ConsoleModel, _ nextRunKey: inout Int) {
        for command in commands {
            switch command {
            case .startRun(let index, let text):
                let entry = catalog.entries[index]
                do {
                    let state = try entry.workflow.decodeState(json: Data(text.utf8))
                    model.editor = nil
                    let key = nextRunKey
                    nextRunKey += 1
                    start(entry, state: state, key: key, catalogIndex: index, model: &model)
                } catch {
                    if model.editor == nil { model.editor = StateEditor(catalogIndex: index, text: text) }
                    model.editor?.error = error.message
                }
            case .answer(let approvalID, let approved, let reason):
                let decision = ApprovalDecision(approved: approved, reason: reason, decidedBy: approver, decidedAt: Date())
                resume(approvalID, with: .decided(decision))
            case .postpone(let approvalID):
                resume(approvalID, with: .postponed)
            case .saveMermaid(let workflow, let text):
                let path = FileManager.default.currentDirectoryPath + "/\(workflow).mmd"
                do {
                    try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                    model.notice = "Mermaid saved to \(path)"
                } catch {
                    model.notice = "cannot save \(path): \(error.localizedDescription)"
                }
            case .quit:
                model.quitting = true
            }
        }
    }

    private func start(_ entry: CatalogEntry, state: AnyState, key: Int, catalogIndex: Int, model: inout ConsoleModel) {
        let handler = ApprovalHandler.answering { [self] request in
            await withCheckedContinuation { continuation in
                let approvalID = waiting.withLock { waiting in
                    defer { waiting.nextID += 1 }
                    waiting.byID[waiting.nextID] = continuation
                    return waiting.nextID
                }
                post(.approvalNeeded(runKey: key, approvalID: approvalID, request))
            }
        }
        let run = entry.workflow.start(state, options: RunOptions(approvalHandler: handler))
        handles.withLock { $0.append(run) }
        _ = ConsoleUpdate.update(&model, .runStarted(key: key, runID: run.runID, catalogIndex: catalogIndex, state: state, at: Date()))
        let directory = checkpointDirectory
        let task = Task { [self] in
            for await event in run.events { post(.event(runKey: key, event)) }
            let result = await run.result
            var path: String?
            if let checkpoint = result.checkpoint {
                let url = CheckpointFile.defaultURL(for: checkpoint, in: directory)
                do {
                    try CheckpointFile.write(checkpoint, to: url)
                    path = url.path
                    saved.withLock { $0.append(url.path) }
                } catch {
                    post(.notice("\(error)"))
                }
            }
            post(.runFinished(runKey: key, status: result.status, checkpointPath: path, at: Date()))
        }
        tasks.withLock { $0.append(task) }
    }

    private func resume(_ approvalID: Int, with answer: ApprovalAnswer) {
        let continuation = waiting.withLock { $0.byID.removeValue(forKey: approvalID) }
        continuation?.resume(returning: answer)
    }

    private func post(_ message: ConsoleMessage) {
        inbox.withLock { $0.append(message) }
    }

    /// Pauses every run waiting for approval (saving checkpoints), cancels the
    /// others, and waits for all of them to finish.
    private func shutDown() async {
        let pending = waiting.withLock { waiting in
            defer { waiting.byID = [:] }
            return Array(waiting.byID.values)
        }
        // Postponed first: a waiting run pauses on its way out instead of failing.
        pending.forEach { $0.resume(returning: .postponed) }
        handles.withLock { $0 }.forEach { $0.cancel() }
        let running = tasks.withLock { $0 }
        for task in running { await task.value }
    }

    // MARK: - Signals

    /// SIGINT, SIGTERM and SIGHUP become messages for the loop, which restores the
    /// terminal itself (never from inside a signal handler).
    private func installSignalSources() -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in post(.interrupted(signal: number)) }
            source.resume()
            return source
        }
    }

    /// Why this process cannot open the console, or `nil` when it can: it needs a
    /// terminal on stdin and stdout that can draw a full screen.
    public static func openingProblem(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            return "the console needs a terminal on stdin and stdout; use 'stepflow-tui run NAME --plain'."
        }
        return NcursesTerminal.isDumb(environment) ? NcursesTerminal.cannotDraw(environment) : nil
    }
}

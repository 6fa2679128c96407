import Dispatch
import Foundation
import StepFlow
import StepFlowDrawing

/// The full-screen console: the loop that feeds keys, resizes, engine events,
/// timer ticks and signals to ``ConsoleUpdate`` as messages, carries out the
/// commands it returns, and draws ``ConsoleView`` frames.
///
/// The loop and the terminal are isolated to the main actor, so one thread makes
/// every ncurses call. Runs execute in their own tasks and reach the loop through
/// an inbox. The terminal is given back on every exit path, signal dispositions
/// are put back as they were, and runs waiting for approval are paused with
/// their checkpoints saved.
///
/// Given a store, the console records the runs it starts there (SPEC §9): an
/// approval request is written to the store before the prompt opens, the
/// operator's answer is decided through the store's guarded transaction (a
/// decision made first elsewhere wins, and the prompt closes), and a run
/// postponed or left waiting at quit keeps its request pending in the store,
/// for `resume` of its checkpoint or a ``Worker`` to continue.
public final class ConsoleApp: Sendable {
    private let catalog: WorkflowCatalog
    private let checkpointDirectory: URL
    private let approver: String
    private let environment: [String: String]
    private let store: (any RunStore)?
    private let leaseDuration: Duration
    /// How the exit hints start the command again.
    private let invocation: String

    /// Creates the console over a catalog, recording the OS user as approver; its runs are not recorded.
    public convenience init(catalog: WorkflowCatalog) {
        self.init(catalog: catalog, checkpointDirectory: CheckpointFile.defaultDirectory())
    }

    /// Creates the console over a catalog, recording the runs it starts in `store`.
    public convenience init(catalog: WorkflowCatalog, store: any RunStore) {
        self.init(catalog: catalog, store: store, checkpointDirectory: CheckpointFile.defaultDirectory())
    }

    /// Creates the console over a catalog, with the store its runs are recorded
    /// in, where checkpoints go, who approves and the environment.
    init(
        catalog: WorkflowCatalog, store: (any RunStore)? = nil, leaseDuration: Duration = .seconds(30),
        checkpointDirectory: URL = CheckpointFile.defaultDirectory(),
        approver: String = Approver.currentUserName,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        invocation: String = "stepflow-tui"
    ) {
        self.catalog = catalog
        self.store = store
        self.leaseDuration = leaseDuration
        self.checkpointDirectory = checkpointDirectory
        self.approver = approver
        self.environment = environment
        self.invocation = invocation
    }

    /// Runs the console until the user quits or a signal arrives; returns the exit code.
    ///
    /// `startWith` opens it straight on a new run of that catalog entry.
    @MainActor
    func run(startWith start: (name: String, stateJSON: String)? = nil) async throws(InputError) -> Int32 {
        if let problem = Self.openingProblem(environment: environment) { throw InputError(problem) }
        let inbox = ConsoleInbox()
        // Before ncurses opens: it would install exiting handlers for signals still at their default.
        let signals = InterruptSignals { inbox.post(.interrupted(signal: $0)) }
        let terminal: NcursesTerminal
        do {
            terminal = try NcursesTerminal(environment: environment)
        } catch {
            signals.restore()
            throw error
        }
        return await ConsoleLoop(self, terminal: terminal, inbox: inbox, signals: signals).run(startWith: start)
    }

    /// Runs the console loop on any terminal (the ncurses one, or a scripted one in tests).
    @MainActor
    public func run(on terminal: some ConsoleTerminal, startWith start: (name: String, stateJSON: String)? = nil) async
        -> Int32
    {
        let inbox = ConsoleInbox()
        let signals = InterruptSignals { inbox.post(.interrupted(signal: $0)) }
        return await ConsoleLoop(self, terminal: terminal, inbox: inbox, signals: signals).run(startWith: start)
    }

    /// Why this process cannot open the console, or `nil` when it can: it needs a
    /// terminal on stdin and stdout that can draw a full screen.
    static func openingProblem(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            return "the console needs a terminal on stdin and stdout; use 'stepflow-tui run NAME --plain'."
        }
        return NcursesTerminal.isDumb(environment) ? NcursesTerminal.cannotDraw(environment) : nil
    }

    /// One session of the console: the model, the loop, and the effects of commands.
    @MainActor
    private final class ConsoleLoop {
        private let app: ConsoleApp
        private let terminal: any ConsoleTerminal
        private let inbox: ConsoleInbox
        private let signals: InterruptSignals
        private let approvals: ApprovalWaiters
        private var model: ConsoleModel
        private var stopping = false
        private var dirty = true
        private var lastDraw: ContinuousClock.Instant?
        private var nextRunKey = 1
        private var runs: [(key: Int, run: WorkflowRun<AnyState>)] = []
        private var runTasks: [Task<Void, Never>] = []
        private var clock: (interval: Duration, task: Task<Void, Never>)?

        /// Frames are coalesced: at most about 30 a second.
        private static let frameInterval = Duration.milliseconds(33)

        init(_ app: ConsoleApp, terminal: any ConsoleTerminal, inbox: ConsoleInbox, signals: InterruptSignals) {
            self.app = app
            self.terminal = terminal
            self.inbox = inbox
            self.signals = signals
            approvals = ApprovalWaiters(inbox: inbox)
            let size = terminal.size
            model = ConsoleModel(
                catalog: app.catalog.entries.map(CatalogItem.init), width: size.width, height: size.height,
                colors: terminal.colors, unicode: GraphGlyphs.preferred(environment: app.environment) == .unicode,
                approver: app.approver)
        }

        func run(startWith start: (name: String, stateJSON: String)?) async -> Int32 {
            terminal.watchInput { [inbox] in inbox.wake() }
            // The initial command, as Elm's `init` returns one.
            if let start, let index = app.catalog.entries.firstIndex(where: { $0.name == start.name }) {
                perform(.startRun(catalogIndex: index, stateJSON: start.stateJSON))
            }
            while !stopping { await turn() }
            clock?.task.cancel()
            clock = nil
            await shutDown()
            // The runs' last words (their checkpoints among them) still go through update.
            for message in inbox.takeAll() { dispatch(message) }
            terminal.close()
            signals.restore()
            for run in model.runs {
                guard let path = run.checkpointPath else { continue }
                let waits = app.store == nil ? "paused" : "waits for approval in the store"
                print(
                    "stepflow-tui: run \(run.runID) \(waits); checkpoint saved to \(path); resume with: "
                        + "\(app.invocation) resume \(ShellWord.quote(path)) --approve (or --deny)")
            }
            if let signal = model.interruptedBy {
                let name = [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP"][signal] ?? "signal \(signal)"
                FileHandle.standardError.write(
                    Data("stepflow-tui: interrupted by \(name); the terminal was restored.\n".utf8))
                return 128 + signal
            }
            return 0
        }

        /// One turn: every input and message that is there, then a frame if one
        /// is due, else sleep until something comes.
        private func turn() async {
            var readInput = false
            while !stopping, let input = terminal.readInput() {
                readInput = true
                switch input {
                case .key(let key): dispatch(.key(key))
                case .resize(let width, let height): dispatch(.resize(width: width, height: height))
                }
            }
            for message in inbox.takeAll() { dispatch(message) }
            if stopping { return }
            if !readInput, terminal.hungUp {
                dispatch(.interrupted(signal: SIGHUP))
                return
            }
            var sleep = terminal.inputPollInterval
            if dirty {
                let now = ContinuousClock.now
                if let lastDraw, now - lastDraw < Self.frameInterval {
                    let untilFrame = Self.frameInterval - (now - lastDraw)
                    sleep = min(sleep ?? untilFrame, untilFrame)
                } else {
                    // Drawing only reads the model.
                    terminal.draw(ConsoleView.render(model))
                    lastDraw = now
                    dirty = false
                    return
                }
            }
            await inbox.wait(timeout: sleep)
        }

        /// The one way into the model: update, then carry out every command it returned.
        private func dispatch(_ message: ConsoleMessage) {
            let commands = ConsoleUpdate.update(&model, message)
            dirty = true
            commands.forEach(perform)
            syncClock()
        }

        /// Ticks run while the model asks for them and stop when nothing moves.
        private func syncClock() {
            let wanted = ConsoleUpdate.tickInterval(for: model)
            guard wanted != clock?.interval else { return }
            clock?.task.cancel()
            clock = wanted.map { interval in
                (
                    interval,
                    Task.detached { [inbox] in
                        while !Task.isCancelled {
                            try? await Task.sleep(for: interval)
                            if Task.isCancelled { break }
                            inbox.post(.tick(Date()))
                        }
                    }
                )
            }
        }

        // MARK: - Commands

        private func perform(_ command: ConsoleCommand) {
            switch command {
            case .startRun(let index, let text):
                startRun(index, stateJSON: text)
            case .answer(let approvalID, let approved, let reason):
                let decision = ApprovalDecision(
                    approved: approved, reason: reason, decidedBy: app.approver, decidedAt: Date())
                approvals.answer(approvalID, with: .decided(decision))
            case .postpone(let approvalID):
                approvals.answer(approvalID, with: .postponed)
            case .saveMermaid(let workflow, let text):
                let path = FileManager.default.currentDirectoryPath + "/\(workflow).mmd"
                do {
                    try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                    inbox.post(.mermaidSaved(path: path))
                } catch {
                    inbox.post(.mermaidNotSaved(path: path, reason: error.localizedDescription))
                }
            case .quit:
                stopping = true
            }
        }

        private func startRun(_ index: Int, stateJSON text: String) {
            let entry = app.catalog.entries[index]
            let state: AnyState
            do {
                state = try entry.workflow.decodeState(json: Data(text.utf8))
            } catch {
                inbox.post(.runStartRejected(catalogIndex: index, stateJSON: text, reason: error.message))
                return
            }
            let key = nextRunKey
            nextRunKey += 1
            let (inbox, approvals, directory) = (inbox, approvals, app.checkpointDirectory)
            let handler = ApprovalHandler.answering { request in await approvals.ask(request, runKey: key) }
            let options =
                app.store.map {
                    RunOptions(
                        store: $0, startedBy: app.approver, approvalHandler: handler,
                        leaseDuration: app.leaseDuration)
                } ?? RunOptions(approvalHandler: handler)
            let run = entry.workflow.start(state, options: options)
            runs.append((key, run))
            inbox.post(.runStarted(key: key, runID: run.runID, catalogIndex: index, state: state, at: Date()))
            approvals.announce(runKey: key)
            runTasks.append(
                Task.detached {
                    // Each event is stamped when it arrives, so the log shows when it happened.
                    for await event in run.events { inbox.post(.event(runKey: key, event, at: Date())) }
                    let result = await run.result
                    var path: String?
                    if let checkpoint = result.checkpoint {
                        let url = CheckpointFile.defaultURL(for: checkpoint, in: directory)
                        do {
                            try CheckpointFile.write(checkpoint, to: url)
                            path = url.path
                        } catch {
                            inbox.post(.notice("\(error)"))
                        }
                    }
                    inbox.post(.runFinished(runKey: key, status: result.status, checkpointPath: path, at: Date()))
                })
        }

        /// Pauses every run waiting for approval (saving checkpoints), cancels the
        /// others, and waits for all of them to finish.
        private func shutDown() async {
            // Postponed, not cancelled: a waiting run pauses on its way out instead of failing.
            let waiting = approvals.postponeAll()
            for (key, run) in runs where !waiting.contains(key) { run.cancel() }
            for task in runTasks { await task.value }
        }
    }
}

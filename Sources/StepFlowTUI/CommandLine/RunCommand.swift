import ArgumentParser
import Foundation
import StepFlow

/// How approval prompts are answered, from the command line.
enum DecisionFlag: String, EnumerableFlag {
    case approve, deny, pause

    static func help(for value: DecisionFlag) -> ArgumentHelp? {
        switch value {
        case .approve: "Approve every approval prompt."
        case .deny: "Deny every approval prompt."
        case .pause: "Pause at the first approval prompt and save its checkpoint."
        }
    }

    var decisions: HeadlessRunner.Decisions {
        switch self {
        case .approve: .approveAll
        case .deny: .denyAll
        case .pause: .pause
        }
    }
}

/// `stepflow-tui run NAME`: run a catalog workflow.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow of the catalog.",
        discussion: """
            Prints one line per event (time, workflow, run, event, step, status, attempt, route, error).
            The run is recorded in the run store ($STEPFLOW_STORE, else
            $XDG_STATE_HOME/stepflow/stepflow.sqlite). Without --approve/--deny/--pause, approval prompts
            are asked on standard input (y/n and a reason); when standard input has no answer the run
            pauses: its request stays pending in the store and its checkpoint is saved.
            On a terminal (stdin and stdout, TERM not dumb), without --plain, --json or a decision flag,
            the run opens in the console.
            Exit codes: 0 succeeded, 1 failed, 2 usage or input error, 3 paused.
            """)

    @Argument(help: "The workflow's name (see '\(CommandContext.name) list').")
    var name: String

    @Option(help: ArgumentHelp("The initial state as JSON, or @FILE to read it from a file.", valueName: "JSON|@FILE"))
    var state: String?

    @Flag(help: "Plain lines even on a terminal.")
    var plain = false

    @Flag(help: "Print the final result as JSON on stdout; progress lines go to stderr.")
    var json = false

    @Flag(exclusivity: .exclusive)
    var decision: DecisionFlag?

    @Option(help: "The reason recorded with --approve or --deny.")
    var reason: String?

    @Option(help: ArgumentHelp("Where a pause writes its checkpoint.", valueName: "FILE"))
    var checkpoint: String?

    func run() async throws {
        let catalog = CommandContext.catalog
        guard let entry = catalog.entry(named: name) else {
            throw InputError(
                "unknown workflow '\(VisibleText.sanitize(name))'; choose one of: \(catalog.entries.map(\.name).joined(separator: ", "))."
            )
        }
        // Read once: `@FILE` is not read again when the console opens.
        let stateData = try StateInput.jsonData(state, default: entry.defaultState)
        let initial = try StateInput.decode(stateData, for: entry)
        if !plain, !json, decision == nil, ConsoleApp.openingProblem() == nil {
            throw ExitCode(try await openConsole(startWith: (name, String(decoding: stateData, as: UTF8.self))))
        }
        let settings = HeadlessRunner.Settings(
            decisions: decision?.decisions ?? .prompt, reason: reason,
            checkpointURL: checkpoint.map { URL(fileURLWithPath: $0) }, json: json)
        let store = try CommandStore.open()
        let code = await HeadlessRunner.forCommand(catalog).run(entry, state: initial, settings: settings, store: store)
        throw ExitCode(code)
    }
}

/// `stepflow-tui resume FILE`: resume a paused run from its checkpoint file.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a paused run from its checkpoint file with a decision.",
        discussion: """
            The checkpoint is checked first: its workflow must be in the catalog with an unchanged
            definition. Its run is imported into the run store if it is not there, the decision is
            taken by the store (the first decision wins), and only the winning resume continues the
            run: a checkpoint is resumed once. A run left unfinished by a resume that died is continued
            by the next resume once the dead one's lease lapses. The file is only read.
            Exit codes: 0 succeeded, 1 failed, 2 usage or input error (and a refused resume), 3 paused.
            """)

    @Argument(help: ArgumentHelp("The checkpoint file.", valueName: "FILE"))
    var file: String

    @Flag(help: "Approve the paused step.")
    var approve = false

    @Flag(help: "Deny the paused step.")
    var deny = false

    @Option(help: "The reason recorded with the decision.")
    var reason: String?

    @Flag(help: "Plain lines even on a terminal.")
    var plain = false

    @Flag(help: "Print the final result as JSON on stdout; progress lines go to stderr.")
    var json = false

    @Option(help: ArgumentHelp("Where a later pause writes its checkpoint.", valueName: "FILE"))
    var checkpoint: String?

    func validate() throws {
        guard approve != deny else { throw ValidationError("give exactly one of --approve or --deny.") }
    }

    func run() async throws {
        let settings = HeadlessRunner.Settings(
            decisions: .pause, reason: reason, checkpointURL: checkpoint.map { URL(fileURLWithPath: $0) }, json: json)
        let runner = HeadlessRunner.forCommand(CommandContext.catalog)
        // Checked before the store is opened: a refused checkpoint changes nothing, not even the store.
        let resumable = try runner.resumable(at: URL(fileURLWithPath: file))
        let store = try CommandStore.open()
        throw ExitCode(try await runner.resume(resumable, approved: approve, settings: settings, store: store))
    }
}

extension HeadlessRunner {
    /// The runner of the command being run: its lease, and hints that start it again as it was started.
    static func forCommand(_ catalog: WorkflowCatalog) -> HeadlessRunner {
        HeadlessRunner(
            catalog: catalog, leaseDuration: CommandContext.leaseDuration, invocation: CommandContext.invocation)
    }
}

import ArgumentParser
import Foundation
import StepFlow

/// The StepFlow command line over a catalog: the console, and `run`, `resume`,
/// `list` and `graph` for any shell.
///
/// `stepflow-tui` is this command over the example catalog; a team's own
/// binary is the same command over its own workflows:
///
/// ```swift
/// import StepFlowTUI
///
/// @main
/// struct MyOps: StepFlowTool {
///     static var catalog: WorkflowCatalog {
///         get throws {
///             try WorkflowCatalog([
///                 CatalogEntry(RefundWorkflow(), summary: "Refund an order", defaultState: RefundState()),
///             ])
///         }
///     }
/// }
/// ```
///
/// Exit codes everywhere: 0 succeeded, 1 failed, 2 usage or input error, 3 paused.
public protocol StepFlowTool {
    /// The workflows the console and the commands can run; an invalid
    /// definition is reported as one line and exit code 2.
    static var catalog: WorkflowCatalog { get throws }
    /// The command's name in help and error lines (default: the executable's file name).
    static var commandName: String { get }
}

extension StepFlowTool {
    /// The executable's file name.
    public static var commandName: String {
        CommandLine.arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "stepflow-tui"
    }

    /// Parses the process's arguments and runs the command; never returns.
    public static func main() async {
        let catalog: WorkflowCatalog
        do {
            catalog = try Self.catalog
        } catch {
            FileHandle.standardError.write(Data("\(commandName): invalid workflow catalog: \(error)\n".utf8))
            exit(ExitStatus.usage)
        }
        await StepFlowCommandLine.main(catalog: catalog, commandName: commandName, arguments: nil)
    }
}

/// Runs the StepFlow command line for a catalog (what ``StepFlowTool/main()`` calls).
public enum StepFlowCommandLine {
    /// Parses `arguments` (default: the process's) and runs the command over
    /// `catalog`, exiting with its code; every usage or input error is one line
    /// on stderr and exit code 2 (ArgumentParser's own default is 64).
    public static func main(catalog: WorkflowCatalog, commandName: String, arguments: [String]? = nil) async -> Never {
        await main(catalog: catalog, commandName: commandName, arguments: arguments, leaseDuration: .seconds(30))
    }

    /// The command line with the lease its recorded runs take: the crash tests
    /// shorten it so that a killed process's run can be taken over at once.
    package static func main(
        catalog: WorkflowCatalog, commandName: String, arguments: [String]?, leaseDuration: Duration
    ) async -> Never {
        let context = CommandContext(catalog: catalog, name: commandName, leaseDuration: leaseDuration)
        let status = await CommandContext.$current.withValue(context) {
            await RootCommand.exitStatus(running: arguments)
        }
        exit(status)
    }
}

/// The catalog and name of the command being run, for the subcommands, which
/// ArgumentParser creates itself (so they cannot be handed values).
struct CommandContext: Sendable {
    let catalog: WorkflowCatalog
    let name: String
    /// How long a run recorded by this process stays its own without renewal.
    var leaseDuration: Duration = .seconds(30)

    @TaskLocal static var current = CommandContext(catalog: WorkflowCatalog([]), name: "stepflow-tui")

    /// The catalog of the command being run.
    static var catalog: WorkflowCatalog { current.catalog }
    /// The name of the command being run.
    static var name: String { current.name }
    /// The lease of the runs this process records.
    static var leaseDuration: Duration { current.leaseDuration }

    /// How to run this command again from a shell, as it was started (a path
    /// when it was started by path, as `swift run` does), quoted for the shell:
    /// printed hints work when pasted.
    static var invocation: String {
        ShellWord.quote(CommandLine.arguments.first ?? name)
    }
}

/// Words quoted for a POSIX shell.
enum ShellWord {
    /// `word` as is when the shell reads it unchanged, else in single quotes.
    static func quote(_ word: String) -> String {
        let plain = CharacterSet(
            charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@+,%")
        if !word.isEmpty, word.unicodeScalars.allSatisfy(plain.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}

/// The root command: with no subcommand, the console.
struct RootCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: CommandContext.name,
            abstract: "Run StepFlow workflows in a terminal console or from any shell.",
            discussion: "Exit codes: 0 succeeded, 1 failed, 2 usage or input error, 3 paused.",
            version:
                "\(CommandContext.name) \(StepFlowVersion.current) (StepFlow SDK \(StepFlowVersion.current), \(TerminalLibrary.version))",
            subcommands: [RunCommand.self, ResumeCommand.self, ListCommand.self, GraphCommand.self]
        )
    }

    func run() async throws {
        throw ExitCode(try await openConsole(startWith: nil))
    }

    /// Parses and runs the command; returns its exit status (help and version exit here directly).
    static func exitStatus(running arguments: [String]?) async -> Int32 {
        let name = CommandContext.name
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return ExitStatus.succeeded
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch let usage as InputError {
            FileHandle.standardError.write(Data("\(name): \(usage.message)\n".utf8))
            return ExitStatus.usage
        } catch {
            if exitCode(for: error) == .validationFailure {
                let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid usage"
                FileHandle.standardError.write(Data("\(name): \(message) (see '\(name) --help')\n".utf8))
                return ExitStatus.usage
            }
            self.exit(withError: error)
        }
    }
}

/// Opens the console on the command's catalog, recording its runs in the store.
func openConsole(startWith start: (name: String, stateJSON: String)?) async throws -> Int32 {
    if let problem = ConsoleApp.openingProblem() { throw InputError(problem) }
    let store = try CommandStore.open()
    let console = ConsoleApp(
        catalog: CommandContext.catalog, store: store, leaseDuration: CommandContext.leaseDuration,
        invocation: CommandContext.invocation)
    return try await console.run(startWith: start)
}

/// The process exit codes of every command.
enum ExitStatus {
    /// The workflow succeeded (or the command did its job).
    static let succeeded: Int32 = 0
    /// The workflow failed.
    static let failed: Int32 = 1
    /// The command line or its input was wrong; nothing ran or changed.
    static let usage: Int32 = 2
    /// The workflow paused for approval: its request waits in the store, and its checkpoint was saved.
    static let paused: Int32 = 3
}

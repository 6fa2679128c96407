import ArgumentParser
import Foundation
import StepFlow
import StepFlowExamples
import StepFlowTUI

/// The `stepflow-tui` command: the console and the headless runner.
///
/// Exit codes everywhere: 0 succeeded, 1 failed, 2 usage or input error, 3 paused.
@main
struct StepflowTUI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stepflow-tui",
        abstract: "Run StepFlow workflows in a terminal console or from any shell.",
        discussion: "Exit codes: 0 succeeded, 1 failed, 2 usage or input error, 3 paused.",
        version: "stepflow-tui \(StepFlowVersion.current) (StepFlow SDK \(StepFlowVersion.current), \(TerminalLibrary.version))",
        subcommands: [RunCommand.self, ResumeCommand.self, ListCommand.self, GraphCommand.self]
    )

    func run() async throws {
        throw ExitCode(try await openConsole(startWith: nil))
    }

    /// Parses and runs the command, turning every usage or input error into one
    /// line on stderr and exit code 2 (ArgumentParser's own default is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let usage as InputError {
            FileHandle.standardError.write(Data("stepflow-tui: \(usage.message)\n".utf8))
            Foundation.exit(ExitStatus.usage)
        } catch {
            if exitCode(for: error) == .validationFailure {
                let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid usage"
                FileHandle.standardError.write(Data("stepflow-tui: \(message) (see 'stepflow-tui --help')\n".utf8))
                Foundation.exit(ExitStatus.usage)
            }
            self.exit(withError: error)
        }
    }
}

/// Opens the console on the example catalog.
func openConsole(startWith start: (name: String, stateJSON: String)?) async throws -> Int32 {
    try await ConsoleApp(catalog: ExampleCatalog.catalog).run(startWith: start)
}

/// The process exit codes of every command.
enum ExitStatus {
    /// The workflow succeeded (or the command did its job).
    static let succeeded: Int32 = 0
    /// The workflow failed.
    static let failed: Int32 = 1
    /// The command line or its input was wrong; nothing ran or changed.
    static let usage: Int32 = 2
    /// The workflow paused for approval; its checkpoint was saved.
    static let paused: Int32 = 3
}

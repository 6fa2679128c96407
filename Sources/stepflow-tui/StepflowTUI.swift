import ArgumentParser
import StepFlow
import StepFlowExamples
import StepFlowTUI

/// The `stepflow-tui` command: the console and the headless runner.
@main
struct StepflowTUI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stepflow-tui",
        abstract: "Run StepFlow workflows in a terminal console or from any shell.",
        version: "stepflow-tui \(StepFlowVersion.current) (StepFlow SDK \(StepFlowVersion.current), \(TerminalLibrary.version))",
        subcommands: [ListCommand.self]
    )

    func run() throws {
        // The console (issue #6) and the run/resume commands (issue #5) are not built yet.
        throw ValidationError("the console is not available in this build yet; try 'stepflow-tui list'")
    }
}

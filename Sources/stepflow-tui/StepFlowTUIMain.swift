import StepFlowExamples
import StepFlowTUI

/// `stepflow-tui`: the StepFlow command line over the example catalog.
@main
struct ExampleCommandLine: StepFlowTool {
    static let catalog = ExampleCatalog.catalog
    static let commandName = "stepflow-tui"
}

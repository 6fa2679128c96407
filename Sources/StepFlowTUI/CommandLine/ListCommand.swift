import ArgumentParser
import StepFlow

/// `stepflow-tui list`: the workflows this build can run.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the workflows in the catalog.")

    @Flag(help: "Print a JSON array of {name, description, steps, default_state}.")
    var json = false

    func run() throws {
        let catalog = CommandContext.catalog
        if json {
            print(try CatalogListing.json(catalog))
        } else {
            for line in CatalogListing.lines(catalog) { print(line) }
        }
    }
}

/// The catalog as text lines or JSON.
enum CatalogListing {
    static func lines(_ catalog: WorkflowCatalog) -> [String] {
        let width = catalog.entries.map(\.name.count).max() ?? 0
        return catalog.entries.map { entry in
            let name = entry.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let steps = entry.stepCount == 1 ? "1 step " : "\(entry.stepCount) steps"
            return "\(name)  \(steps)  \(entry.summary)"
        }
    }

    static func json(_ catalog: WorkflowCatalog) throws -> String {
        let array = JSONValue.array(
            catalog.entries.map { entry in
                .object([
                    "name": .string(entry.name),
                    "description": .string(entry.summary),
                    "steps": .integer(entry.stepCount),
                    "default_state": entry.defaultState,
                ])
            })
        return String(decoding: try StepFlowJSON.prettyEncoder.encode(array), as: UTF8.self)
    }
}

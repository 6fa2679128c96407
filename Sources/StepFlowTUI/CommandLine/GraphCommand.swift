import ArgumentParser
import Foundation
import StepFlow
import StepFlowDrawing

/// How `stepflow-tui graph` prints a graph.
enum GraphFormat: String, ExpressibleByArgument, CaseIterable {
    /// Drawn with Unicode box-drawing characters.
    case unicode
    /// Drawn with plain ASCII.
    case ascii
    /// Mermaid `flowchart TD` text (SPEC §8).
    case mermaid
    /// The graph as JSON: workflow_name, nodes, edges.
    case json
}

/// `stepflow-tui graph NAME`: a catalog workflow's graph, drawn or exported.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print a workflow's graph: drawn for the terminal, as Mermaid, or as JSON.",
        discussion: """
            The drawing puts each step in a box, top to bottom; route edges carry their route keys,
            a step that needs an approval is marked, and END is the round box at the bottom.
            On a terminal the drawing fits the terminal's width (names are clipped, then the graph
            is listed compactly); piped, it is printed full size, e.g. for 'less -S'.
            """)

    /// The narrowest `--width` accepted.
    static let minimumWidth = 20

    @Argument(help: "The workflow's name (see '\(CommandContext.name) list').")
    var name: String

    @Option(help: "unicode, ascii, mermaid or json (default: unicode on a UTF-8 locale, else ascii).")
    var format: GraphFormat?

    @Option(
        help: ArgumentHelp(
            "Fit the drawing into N columns, at least \(minimumWidth) (default: the terminal's width; full size when piped).",
            valueName: "N"))
    var width: Int?

    func run() throws {
        let catalog = CommandContext.catalog
        guard let entry = catalog.entry(named: name) else {
            throw InputError(
                "unknown workflow '\(VisibleText.sanitize(name))'; choose one of: \(catalog.entries.map(\.name).joined(separator: ", "))."
            )
        }
        if let width, width < Self.minimumWidth {
            throw InputError("--width must be at least \(Self.minimumWidth) columns, not \(width).")
        }
        let environment = ProcessInfo.processInfo.environment
        let graph = entry.workflow.graph
        switch format ?? (GraphGlyphs.preferred(environment: environment) == .unicode ? .unicode : .ascii) {
        case .mermaid:
            print(graph.mermaid())
        case .json:
            print(String(decoding: try StepFlowJSON.prettyEncoder.encode(graph), as: UTF8.self))
        case .unicode:
            draw(graph, glyphs: .unicode, environment: environment)
        case .ascii:
            draw(graph, glyphs: .ascii, environment: environment)
        }
    }

    private func draw(_ graph: WorkflowGraph, glyphs: GraphGlyphs, environment: [String: String]) {
        let columns = width ?? Self.terminalWidth(environment: environment)
        for line in GraphDrawing.render(graph, options: .init(width: columns, glyphs: glyphs)) { print(line) }
    }

    /// The terminal's width when standard output is a terminal (its size, or
    /// `COLUMNS`); `nil` when piped, for a full-size drawing.
    static func terminalWidth(environment: [String: String]) -> Int? {
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return max(minimumWidth, Int(size.ws_col))
        }
        if let columns = environment["COLUMNS"].flatMap(Int.init), columns > 0 {
            return max(minimumWidth, columns)
        }
        return nil
    }
}

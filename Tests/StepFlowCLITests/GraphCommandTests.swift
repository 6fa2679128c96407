import Foundation
import StepFlow
import StepFlowDrawing
import StepFlowExamples
import StepFlowTestSupport
import Testing

/// `stepflow-tui graph NAME [--format unicode|ascii|mermaid|json] [--width N]`, run as a process.
@Suite("stepflow-tui graph")
struct GraphCommandTests {
    let tui = BuiltProduct(name: "stepflow-tui")

    /// Runs `stepflow-tui` with exactly this environment (for the locale tests).
    private func run(_ arguments: [String], environment: [String: String]) async throws -> BuiltProduct.Outcome {
        try await tui.run(arguments, environment: environment, exactEnvironment: true)
    }

    private func graph(_ name: String) throws -> WorkflowGraph {
        try #require(ExampleCatalog.catalog.entry(named: name)).workflow.graph
    }

    @Test(
        "every catalog workflow draws, in Unicode and ASCII, full size when piped",
        arguments: ExampleCatalog.catalog.entries.map(\.name))
    func everyWorkflow(name: String) async throws {
        let unicode = try await tui.run(["graph", name, "--format", "unicode"])
        #expect(unicode.exitCode == 0, "stderr: \(unicode.stderr)")
        #expect(unicode.stdout == GraphDrawing.render(try graph(name)).joined(separator: "\n") + "\n")
        let ascii = try await tui.run(["graph", name, "--format", "ascii"])
        #expect(ascii.exitCode == 0, "stderr: \(ascii.stderr)")
        #expect(!ascii.stdout.isEmpty)
        #expect(ascii.stdout.utf8.allSatisfy { $0 < 0x80 })
    }

    @Test("mermaid prints the SPEC §8 text of the graph-export example")
    func mermaid() async throws {
        let out = try await tui.run(["graph", "graph-export", "--format", "mermaid"])
        #expect(out.exitCode == 0)
        #expect(out.stdout == (try GraphExportWorkflow().graph().mermaid()) + "\n")
    }

    @Test("json prints the graph, which decodes back to the same WorkflowGraph")
    func json() async throws {
        let out = try await tui.run(["graph", "branching-refund", "--format", "json"])
        #expect(out.exitCode == 0)
        let object = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        #expect(object?["workflow_name"] as? String == "branching-refund")
        let decoded = try StepFlowJSON.decoder.decode(WorkflowGraph.self, from: Data(out.stdout.utf8))
        #expect(decoded == (try graph("branching-refund")))
    }

    @Test("--width fits the drawing into that many columns", arguments: [20, 26, 40, 80])
    func width(columns: Int) async throws {
        let out = try await tui.run(["graph", "branching-refund", "--format", "unicode", "--width", "\(columns)"])
        #expect(out.exitCode == 0, "stderr: \(out.stderr)")
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { DisplayWidth.width(of: $0) <= columns }, "\(out.stdout)")
        #expect(out.stdout.contains("END"))
    }

    @Test("without --format the locale decides: UTF-8 draws Unicode, C draws ASCII")
    func locale() async throws {
        let utf8 = try await run(["graph", "refund-workflow"], environment: ["LANG": "C.UTF-8"])
        #expect(utf8.exitCode == 0)
        #expect(utf8.stdout.contains("┌"))
        let plain = try await run(["graph", "refund-workflow"], environment: ["LANG": "C"])
        #expect(plain.exitCode == 0)
        #expect(plain.stdout.contains("+-"))
        #expect(plain.stdout.utf8.allSatisfy { $0 < 0x80 })
    }

    @Test("an unknown workflow is one line naming the known ones, exit code 2")
    func unknownWorkflow() async throws {
        let out = try await tui.run(["graph", "no-such-flow"])
        #expect(out.exitCode == 2)
        #expect(out.stdout.isEmpty)
        let lines = out.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(out.stderr.contains("unknown workflow 'no-such-flow'"))
        #expect(out.stderr.contains("branching-refund"))
    }

    @Test(
        "bad flags are one line on stderr and exit code 2",
        arguments: [
            ["graph", "refund-workflow", "--width", "10"],
            ["graph", "refund-workflow", "--width", "wide"],
            ["graph", "refund-workflow", "--format", "svg"],
            ["graph", "refund-workflow", "--colour"],
            ["graph"],
        ])
    func badFlags(arguments: [String]) async throws {
        let out = try await tui.run(arguments)
        #expect(out.exitCode == 2, "\(arguments): \(out.stderr)")
        #expect(out.stdout.isEmpty)
        #expect(out.stderr.split(separator: "\n").count == 1, "\(out.stderr)")
    }
}

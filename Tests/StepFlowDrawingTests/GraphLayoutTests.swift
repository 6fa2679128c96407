import Foundation
import StepFlow
import StepFlowTestSupport
import Testing

@testable import StepFlowDrawing

@Suite("GraphLayout: laid out once, painted per frame")
struct GraphLayoutTests {
    @Test("a layout painted with statuses is the golden status overlay, in Unicode and ASCII")
    func paintedGolden() throws {
        let unicode = GraphLayout(DrawingSamples.statusGraph)
        expectGolden(
            unicode.drawing(statuses: DrawingSamples.statuses, highlighted: "step_4").lines, named: "status-overlay")
        let ascii = GraphLayout(DrawingSamples.statusGraph, glyphs: .ascii)
        expectGolden(
            ascii.drawing(statuses: DrawingSamples.statuses, highlighted: "step_4").lines, named: "status-overlay-ascii"
        )
        // Without statuses the boxes have no room for a glyph, and statuses given anyway are not drawn.
        let plain = GraphLayout(DrawingSamples.branchingRefund, showsStatuses: false)
        expectGolden(plain.drawing(statuses: ["step_0": .failed]).lines, named: "branching-refund")
    }

    @Test(
        "one layout painted with many status sets in turn draws what a fresh drawing draws each time",
        arguments: [nil, 60, 28, 24] as [Int?])
    func repaintMatchesFreshDrawing(width: Int?) {
        var random = SeededGenerator(seed: UInt64(width ?? 0) + 1)
        let graphs = [
            DrawingSamples.branchingRefund, DrawingSamples.statusGraph, DrawingSamples.wideNames,
            randomDrawingGraph(steps: 20, seed: 9),
        ]
        for graph in graphs {
            for glyphs in GraphGlyphs.allCases {
                let layout = GraphLayout(graph, width: width, glyphs: glyphs)
                for _ in 0..<6 {
                    var statuses: [String: StepStatus] = [:]
                    for node in graph.nodes where Bool.random(using: &random) {
                        statuses[node.id] = StepStatus.allCases.randomElement(using: &random)
                    }
                    let highlighted = graph.nodes.randomElement(using: &random)?.id
                    let fresh = GraphDrawing(
                        graph,
                        options: .init(
                            width: width, glyphs: glyphs, statuses: statuses, highlighted: highlighted))
                    let painted = layout.drawing(statuses: statuses, highlighted: highlighted)
                    #expect(painted == fresh, "\(graph.workflowName) width \(String(describing: width)) \(glyphs)")
                }
            }
        }
    }

    @Test("painting does not change the layout: the first paint comes out the same after others")
    func paintingLeavesNoTrace() {
        let layout = GraphLayout(DrawingSamples.approvals, width: 40)
        let first = layout.drawing(statuses: ["step_1": .paused], highlighted: "step_1")
        _ = layout.drawing(statuses: ["step_0": .failed, "step_2": .running], highlighted: "step_2")
        #expect(layout.drawing(statuses: ["step_1": .paused], highlighted: "step_1") == first)
        #expect(first.lines.contains { $0.contains("‖ manager_approval ⚑") })
    }
}

import Foundation
import StepFlowTestSupport
import Testing

@testable import StepFlow
@testable import StepFlowTUI

@Suite("Console view")
struct ConsoleViewTests {
    static let sizes = [(80, 24), (120, 40), (ConsoleModel.minimumWidth, ConsoleModel.minimumHeight)]

    @Test("home at each size", arguments: sizes)
    func home(width: Int, height: Int) throws {
        let grid = ConsoleView.render(exampleModel(width: width, height: height))
        expectGolden(grid.lines, named: "home-\(width)x\(height)")
        #expect(grid.lines[0].contains("StepFlow"))
        #expect(grid.lines.contains { $0.contains("refund-workflow") })
        #expect(grid.lines.last?.contains("? help") == true)
    }

    @Test("run view with the approval prompt at each size", arguments: sizes)
    func prompt(width: Int, height: Int) throws {
        var (model, _) = try modelWaitingForApproval()
        send(&model, .resize(width: width, height: height))
        let grid = ConsoleView.render(model)
        expectGolden(grid.lines, named: "prompt-\(width)x\(height)")
        let text = grid.lines.joined(separator: "\n")
        #expect(text.contains("Approval needed"))
        #expect(text.contains("issue_refund"))
        #expect(text.contains("1 waiting for approval"))
    }

    @Test("run view after the decision, with the approver shown", arguments: sizes)
    func decided(width: Int, height: Int) throws {
        var (model, request) = try modelWaitingForApproval()
        send(&model, .resize(width: width, height: height), .key(.character("a")))
        send(
            &model,
            .event(
                runKey: 1,
                .approvalDecided(
                    ApprovalDecidedEvent(
                        workflowName: request.workflowName, runID: request.runID, stepName: "issue_refund",
                        decision: .approve(reason: "receipt ok", by: "ana")))))
        let grid = ConsoleView.render(model)
        expectGolden(grid.lines, named: "decided-\(width)x\(height)")
        #expect(grid.lines.joined().contains("approved by ana"))
    }

    @Test("help, the state editor, Mermaid and the quit question at each size", arguments: sizes)
    func overlays(width: Int, height: Int) throws {
        var model = exampleModel(width: width, height: height)
        send(&model, .key(.character("?")))
        expectGolden(ConsoleView.render(model).lines, named: "help-\(width)x\(height)")
        send(&model, .key(.escape), .key(.enter))
        expectGolden(ConsoleView.render(model).lines, named: "editor-\(width)x\(height)")
        send(&model, .key(.escape), .key(.character("m")))
        expectGolden(ConsoleView.render(model).lines, named: "mermaid-\(width)x\(height)")
        #expect(ConsoleView.render(model).lines.joined().contains("flowchart TD"))
        var (running, _) = try modelWaitingForApproval()
        send(&running, .resize(width: width, height: height), .key(.escape), .key(.character("q")))
        expectGolden(ConsoleView.render(running).lines, named: "quit-\(width)x\(height)")
    }

    @Test("the state inspector and child workflows at each size", arguments: sizes)
    func stateAndChildren(width: Int, height: Int) throws {
        var (model, request) = try modelWaitingForApproval()
        send(&model, .resize(width: width, height: height), .key(.escape))
        send(&model, fraudCheckStarted(for: request))
        expectGolden(ConsoleView.render(model).lines, named: "children-\(width)x\(height)")
        send(&model, .key(.tab), .key(.tab))
        let grid = ConsoleView.render(model)
        expectGolden(grid.lines, named: "state-\(width)x\(height)")
        #expect(grid.lines.joined().contains("\"amount\" : 250"))
    }

    @Test("below the minimum size the screen says so, and recovers when enlarged")
    func tooSmall() {
        var model = exampleModel(width: 40, height: 10)
        let small = ConsoleView.render(model).lines.joined()
        #expect(small.contains("terminal too small (need 60×16)"))
        send(&model, .resize(width: 80, height: 24))
        #expect(!ConsoleView.render(model).lines.joined().contains("too small"))
    }

    @Test("escape sequences in workflow text are drawn visibly, and wide characters take two cells")
    func hostileAndWideText() throws {
        let hostile = ApprovalRequest(
            workflowName: "approval-refund", stepName: "issue_refund", runID: "run0001abcd",
            state: AnyState(JSONValue.object(["note": "\u{1B}[2J\u{1B}]0;pwned\u{07}注文"])),
            message: "払い戻し\u{1B}[31m?", metadata: [:])
        let (model, _) = try modelWaitingForApproval(hostile)
        let grid = ConsoleView.render(model)
        expectGolden(grid.lines, named: "hostile-80x24")
        let cells = grid.cells.map(\.text).joined()
        #expect(!cells.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(cells.contains("\\e[31m"))
        // A wide character is one cell of text and an empty continuation cell.
        let row = try #require(grid.lines.firstIndex { $0.contains("払い戻し") })
        let column = (0..<grid.width).first { grid[row, $0].text == "払" }!
        #expect(grid[row, column + 1].text == "")
    }

    @Test("ASCII and monochrome: no colour, no box-drawing glyphs")
    func asciiMonochrome() {
        var model = exampleModel(unicode: false)
        model.colors = false
        let grid = ConsoleView.render(model)
        #expect(grid.cells.allSatisfy { $0.style.color == nil })
        #expect(grid.lines.joined().unicodeScalars.allSatisfy { $0.isASCII || $0 == "…" })
    }
}

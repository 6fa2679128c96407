import Foundation
import Synchronization
import Testing

@testable import StepFlow
@testable import StepFlowTUI

@Suite("Command-line approval prompt")
struct PromptApproverTests {
    @Test("two requests at once (parallel child workflows) are asked one after the other, each with its own answers")
    func concurrentRequestsTakeTurns() async throws {
        let input = Mutex(["y", "first ok", "n", ""])
        let output = Mutex("")
        let approver = PromptApprover(
            approver: "ana", write: { text in output.withLock { $0 += text } },
            readLine: { input.withLock { $0.isEmpty ? nil : $0.removeFirst() } }, echoesInput: false)
        func request(_ step: String) -> ApprovalRequest {
            ApprovalRequest(
                workflowName: "child", stepName: step, runID: "r-\(step)", state: AnyState(JSONValue.object([:])),
                message: "Sign off?", metadata: [:])
        }
        async let left = approver.handler.answer(request("left"))
        async let right = approver.handler.answer(request("right"))
        let answers = try await ["left": left, "right": right]

        // Each prompt block holds its own question and reason line, uninterrupted.
        let blocks = output.withLock { $0 }.components(separatedBy: "Approval needed\n").dropFirst()
        #expect(blocks.count == 2)
        for block in blocks {
            #expect(block.components(separatedBy: "Approve? [y/n] ").count == 2, "\(block)")
            #expect(block.components(separatedBy: "Reason (optional").count == 2, "\(block)")
        }
        // The first prompt shown got the first answers.
        let firstStep = try #require(["left", "right"].first { blocks.first?.contains("step:     \($0)") == true })
        let secondStep = firstStep == "left" ? "right" : "left"
        guard case .decided(let first)? = answers[firstStep], case .decided(let second)? = answers[secondStep] else {
            Issue.record("both requests must be decided: \(answers)")
            return
        }
        #expect(first.approved && first.reason == "first ok")
        #expect(!second.approved && second.reason == nil)
    }
}

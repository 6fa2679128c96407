import Foundation
import StepFlow
import StepFlowExamples
import Testing

@Suite("The example catalog")
struct CatalogTests {
    let catalog = ExampleCatalog.catalog

    @Test("it lists the nine examples once each, in the seed's order")
    func nineEntries() {
        #expect(
            catalog.entries.map(\.name) == [
                "refund-workflow", "support-triage", "content-review", "branching-refund", "approval-refund",
                "persistent-approval", "workflow-hooks", "workflow-composition", "graph-export",
            ])
        #expect(catalog.entries.map(\.stepCount) == [3, 3, 2, 4, 3, 3, 3, 4, 3])
        #expect(catalog.entries.allSatisfy { !$0.summary.isEmpty && !$0.summary.contains("\n") })
        #expect(catalog.entry(named: "branching-refund")?.stepCount == 4)
        #expect(catalog.entry(named: "nope") == nil)
    }

    @Test("every default state decodes and runs to a result the example expects")
    func defaultStatesRun() async throws {
        for entry in catalog.entries {
            let json = try entry.defaultState.jsonData()
            let state = try entry.workflow.decodeState(json: json)
            let result = await entry.workflow.run(state, options: RunOptions(approvalHandler: .always(true)))
            #expect(result.status == .succeeded, "\(entry.name): \(result.error.map { errorMessage($0) } ?? "")")
            #expect(result.workflowName == entry.name)
        }
    }

    @Test("a state with a missing key is refused with the key's name")
    func missingKey() throws {
        let workflow = try #require(catalog.entry(named: "refund-workflow")).workflow
        let error = try #require(throws: StateValidationError.self) {
            try workflow.decodeState(json: Data(#"{"orderID": "o"}"#.utf8))
        }
        #expect(error.message.contains("missing key 'amount'"))
    }

    @Test("an erased run resumes from checkpoint JSON and refuses another workflow's checkpoint")
    func erasedPauseResume() async throws {
        let entry = try #require(catalog.entry(named: "persistent-approval"))
        let state = try entry.workflow.decodeState(json: try entry.defaultState.jsonData())
        let paused = await entry.workflow.run(state, options: RunOptions(pauseOnApproval: true))
        let data = try #require(paused.checkpoint).jsonData()
        let checkpoint = try entry.workflow.checkpoint(json: data)
        let resumed = await entry.workflow.resume(from: checkpoint, decision: .approve(by: "ana"))
        #expect(resumed.status == .succeeded)
        #expect(resumed.runID == paused.runID)

        let other = try #require(catalog.entry(named: "approval-refund")).workflow
        #expect(throws: ApprovalResumeError.self) { try other.checkpoint(json: data) }
    }
}

import Foundation
import StepFlow
import StepFlowSQLite
import StepFlowTestSupport
import Testing

/// Each example runs as its own process with one command, as the README says.
@Suite("Example commands")
struct ExampleCommandTests {
    let examples = BuiltProduct(name: "stepflow-examples")

    private func run(_ arguments: String...) async throws -> BuiltProduct.Outcome {
        let outcome = try await examples.run(arguments)
        #expect(outcome.exitCode == 0, "stderr: \(outcome.stderr)")
        return outcome
    }

    @Test("refund-workflow prints the approved reply")
    func refund() async throws {
        let out = try await run("refund-workflow")
        #expect(out.lines.first?.hasPrefix("Workflow refund-workflow succeeded in ") == true)
        #expect(out.stdout.contains("generate_response  succeeded  attempts 1  output: Refund approved for ord_123."))
        #expect(out.lines.contains("Response: Refund approved for ord_123."))
    }

    @Test("support-triage prints the computed queue")
    func supportTriage() async throws {
        let out = try await run("support-triage")
        #expect(out.lines.contains("Queue: escalations (category technical, priority urgent)"))
        #expect(
            out.stdout.contains("classify_ticket  succeeded  attempts 1  output: Classified as technical (attempt 1)."))
    }

    @Test("content-review prints two moderation attempts")
    func contentReview() async throws {
        let out = try await run("content-review")
        #expect(out.stdout.contains("moderate_content  succeeded  attempts 2  output: clean"))
        #expect(out.lines.contains("Decision: publish after 2 moderation attempt(s)"))
    }

    @Test("branching-refund prints routes, END paths and skipped steps")
    func branchingRefund() async throws {
        let out = try await run("branching-refund")
        #expect(out.lines.contains("Route trace: evaluate_refund -[auto_approve]-> issue_refund"))
        #expect(
            out.lines.contains("Route trace: evaluate_refund -[review]-> manual_review, manual_review -[reject]-> END"))
        #expect(out.lines.contains("Route trace: evaluate_refund -[deny]-> END"))
        #expect(out.stdout.contains("manual_review    skipped    (not reached because workflow ended)"))
    }

    @Test("approval-refund prints the request and both decisions")
    func approvalRefund() async throws {
        let out = try await run("approval-refund")
        #expect(out.stdout.contains("Approval requested for step 'issue_refund': Approve this refund?"))
        #expect(out.stdout.contains(#"metadata: {"auto_limit":100,"policy":"refunds need a human decision"}"#))
        #expect(out.stdout.contains("approval: approved by policy-bot at "))
        #expect(out.stdout.contains("approval: denied by policy-bot at "))
        #expect(out.stdout.contains("Error: ApprovalRequiredError: Approval denied for step 'issue_refund'."))
    }

    @Test(
        "persistent-approval pauses in the store in one process and resumes once in another", arguments: [true, false])
    func persistentApproval(approve: Bool) async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("refund.checkpoint.json").path
        let storePath = folder.appendingPathComponent("store.sqlite").path
        let environment = ["STEPFLOW_STORE": storePath]

        let paused = try await examples.run(
            ["persistent-approval", "pause", "--checkpoint", file], environment: environment)
        #expect(paused.exitCode == 0, "stderr: \(paused.stderr)")
        #expect(paused.lines.first?.hasPrefix("Workflow persistent-approval paused in ") == true)
        #expect(paused.lines.contains("Checkpoint written to \(file)"))
        #expect(FileManager.default.fileExists(atPath: file))
        let store = try SQLiteRunStore(path: storePath)
        let request = try #require(try await store.pendingApprovals().first)
        #expect(paused.lines.contains("Run \(request.runID) waits for approval in the store at \(storePath)"))

        let resumed = try await examples.run(
            ["persistent-approval", "resume", file, approve ? "--approve" : "--deny", "--reason", "checked"],
            environment: environment)
        #expect(resumed.exitCode == 0, "stderr: \(resumed.stderr)")
        let runID = try #require(paused.lines.first?.split(separator: "(run ").last)
        #expect(resumed.lines.contains { $0.contains("(run \(runID)") }, "the resumed run keeps its id")
        if approve {
            #expect(resumed.stdout.contains("Workflow persistent-approval succeeded"))
            #expect(resumed.stdout.contains("output: Your refund for ord_790 is on its way."))
        } else {
            #expect(resumed.stdout.contains("Workflow persistent-approval failed"))
            #expect(resumed.stdout.contains("Approval denied for step 'issue_refund'."))
        }
        #expect(resumed.stdout.contains(#"("checked")"#))
        #expect(try await store.run(request.runID)?.status == (approve ? .succeeded : .failed))
        #expect(try await store.decision(for: request.id)?.approver == ProcessIdentity.userName)

        let again = try await examples.run(
            ["persistent-approval", "resume", file, "--approve"], environment: environment)
        #expect(again.exitCode == 2)
        #expect(again.stderr.split(separator: "\n").count == 1, "one line: \(again.stderr)")
        #expect(again.stderr.contains("Already decided by \(ProcessIdentity.userName) at "), "\(again.stderr)")
        #expect(!again.stdout.contains("Workflow persistent-approval"), "nothing ran again")
    }

    @Test("persistent-approval refuses a corrupt checkpoint with one line and exit 2")
    func persistentApprovalCorrupt() async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("bad.json")
        try Data("{ not json".utf8).write(to: file)
        let storePath = folder.appendingPathComponent("store.sqlite").path
        let out = try await examples.run(
            ["persistent-approval", "resume", file.path, "--approve"], environment: ["STEPFLOW_STORE": storePath])
        #expect(out.exitCode == 2)
        #expect(out.stderr.contains("corrupt or truncated"))
        #expect(out.stderr.split(separator: "\n").count == 1, "one line: \(out.stderr)")
        #expect(try String(contentsOf: file, encoding: .utf8) == "{ not json", "the file is left as it was")
        #expect(!FileManager.default.fileExists(atPath: storePath), "the store is not even created")
    }

    @Test("persistent-approval refuses a corrupt store with one line and exit 2, leaving it untouched")
    func persistentApprovalCorruptStore() async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let storePath = folder.appendingPathComponent("store.sqlite").path
        let garbage = Data(String(repeating: "not a store ", count: 400).utf8)
        try garbage.write(to: URL(fileURLWithPath: storePath))
        let out = try await examples.run(
            ["persistent-approval", "pause", "--checkpoint", folder.appendingPathComponent("c.json").path],
            environment: ["STEPFLOW_STORE": storePath])
        #expect(out.exitCode == 2)
        #expect(out.stdout.isEmpty)
        #expect(out.stderr.split(separator: "\n").count == 1, "one line: \(out.stderr)")
        #expect(out.stderr.contains("is unreadable"), "\(out.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: storePath)) == garbage)
    }

    @Test("workflow-hooks prints hook lines before the result")
    func workflowHooks() async throws {
        let out = try await run("workflow-hooks")
        #expect(out.lines.first?.hasPrefix("[hook] workflow started: workflow-hooks") == true)
        #expect(out.lines.filter { $0.hasPrefix("[hook]") }.count == 8)
        #expect(out.lines.contains("Tracking number: TRK-ORD_321"))
    }

    @Test("workflow-composition prints nested child results")
    func workflowComposition() async throws {
        let out = try await run("workflow-composition")
        #expect(out.stdout.contains("child workflow fraud-check succeeded"))
        #expect(out.stdout.contains("child workflow shipping-label succeeded"))
        #expect(out.stdout.contains("child workflow fraud-check failed"))
        #expect(out.stdout.contains("error: FraudSuspectedError: risk score 1.0 is above the 0.8 limit"))
        #expect(out.lines.contains("Order status: on hold"))
    }

    @Test("graph-export prints the SPEC's Mermaid text")
    func graphExport() async throws {
        let out = try await run("graph-export")
        #expect(
            out.stdout.hasSuffix(specMermaidExample + "\n"))
        #expect(out.lines.contains("  step_1  step  approve_refund  [approval]"))
    }

    @Test("stepflow-tui list prints the catalog, and --json its entries")
    func catalogListing() async throws {
        let tui = BuiltProduct(name: "stepflow-tui")
        let text = try await tui.run(["list"])
        #expect(text.exitCode == 0)
        #expect(text.lines.count == 10)  // nine entries and the final newline
        #expect(text.lines[0].hasPrefix("refund-workflow "))
        #expect(text.lines[0].contains("3 steps  Linear refund"))

        let json = try await tui.run(["list", "--json"])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 9)
        #expect(entries[3]["name"] as? String == "branching-refund")
        #expect(entries[3]["steps"] as? Int == 4)
        #expect((entries[0]["default_state"] as? [String: Any])?["orderID"] as? String == "ord_123")
    }
}

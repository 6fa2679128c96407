import ArgumentParser
import Foundation
import StepFlow
import StepFlowExamples
import StepFlowSQLite

/// `stepflow-examples`: the nine seed examples, one subcommand each.
@main
struct ExamplesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stepflow-examples",
        abstract: "Run the StepFlow seed examples.",
        subcommands: [
            RefundExample.self, SupportTriageExample.self, ContentReviewExample.self,
            BranchingRefundExample.self, ApprovalRefundExample.self, PersistentApprovalExample.self,
            WorkflowHooksExample.self, WorkflowCompositionExample.self, GraphExportExample.self,
        ]
    )
}

/// Prints report lines to standard output.
func printLines(_ lines: [String]) {
    for line in lines { print(line) }
}

/// The user running the command, recorded as the approver (as the store knows it: from the OS).
func currentUserName() -> String {
    ProcessIdentity.userName
}

/// Prints one line to standard error and exits with code 2: the command did nothing.
func refuse(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("stepflow-examples: \(VisibleText.sanitize(message))\n".utf8))
    return ExitCode(2)
}

/// The run store: `$STEPFLOW_STORE`, else `$XDG_STATE_HOME/stepflow/stepflow.sqlite`, created on first use.
func openStore() throws -> SQLiteRunStore {
    do {
        return try SQLiteRunStore.openDefault()
    } catch {
        throw refuse("\(error)")
    }
}

struct RefundExample: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refund-workflow", abstract: "Linear steps building a reply from earlier decisions.")

    func run() async {
        let result = await RefundWorkflow().run(RefundState(orderID: "ord_123", amount: 42.50))
        printLines(ResultReport.lines(for: result.erased()))
        print("Response: \(result.state.responseText)")
    }
}

struct SupportTriageExample: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "support-triage", abstract: "A typed ticket, the run context, a computed queue.")

    func run() async {
        let ticket = SupportTicket(
            ticketID: "T-1001", customerTier: "enterprise", subject: "Dashboard down",
            body: "Our dashboard shows an error since this morning. Urgent, please.")
        let result = await SupportTriageWorkflow().run(ticket)
        printLines(ResultReport.lines(for: result.erased(), stateTitle: "Ticket"))
        print("Queue: \(result.state.queue) (category \(result.state.category), priority \(result.state.priority))")
    }
}

struct ContentReviewExample: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "content-review", abstract: "A moderation step that times out once, then succeeds on retry.")

    func run() async {
        let result = await ContentReviewWorkflow().run(
            ContentReviewState(text: "Ten tips for a greener garden.", transientFailures: 1))
        printLines(ResultReport.lines(for: result.erased()))
        let moderation = result.step("moderate_content")
        print("Decision: \(result.state.decision) after \(moderation?.attempts ?? 0) moderation attempt(s)")
    }
}

struct BranchingRefundExample: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "branching-refund", abstract: "Routes to later steps, END paths, the route trace, skipped steps.")

    func run() async {
        let cases = [
            ("small refund", BranchingRefundState(orderID: "ord_456", amount: 42.50)),
            ("frequent refunder", BranchingRefundState(orderID: "ord_457", amount: 300, frequentRefunder: true)),
            ("over the ceiling", BranchingRefundState(orderID: "ord_458", amount: 2500)),
        ]
        for (index, (title, state)) in cases.enumerated() {
            if index > 0 { print("") }
            print("== \(title) ==")
            let result = await BranchingRefundWorkflow().run(state)
            printLines(ResultReport.lines(for: result.erased()))
            print("Outcome: \(result.state.outcome)")
        }
    }
}

struct ApprovalRefundExample: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approval-refund",
        abstract: "An approval handler; approved and denied decisions on the step result.")

    func run() async {
        let cases = [
            ApprovalRefundState(orderID: "ord_789", amount: 250, reason: "Arrived damaged"),
            ApprovalRefundState(orderID: "ord_791", amount: 900, reason: "Changed my mind"),
        ]
        for (index, state) in cases.enumerated() {
            if index > 0 { print("") }
            print("== refund of \(state.amount) ==")
            let handler = ApprovalHandler.answering { request in
                print("Approval requested for step '\(request.stepName)': \(request.message ?? "")")
                print("  metadata: \(JSONValue.object(request.metadata).jsonText)")
                return try await ApprovalRefundWorkflow.policyApprover.answer(request)
            }
            let result = await ApprovalRefundWorkflow().run(state, approvalHandler: handler)
            printLines(ResultReport.lines(for: result.erased()))
        }
    }
}

struct PersistentApprovalExample: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "persistent-approval",
        abstract: "Pause for approval in the run store and write a checkpoint; resume it later in another process.",
        discussion: """
            The run is recorded in the run store ($STEPFLOW_STORE, else $XDG_STATE_HOME/stepflow/stepflow.sqlite).
            'pause' leaves its approval request pending there; 'resume' decides it through the store, so a
            checkpoint is resumed once: a second resume is refused (exit 2) and nothing runs twice.
            """,
        subcommands: [Pause.self, Resume.self]
    )

    static let defaultCheckpoint = "persistent-approval.checkpoint.json"

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run until the approval step, leave its request pending in the store, and save the checkpoint.")

        @Option(help: "Where to write the checkpoint.")
        var checkpoint = PersistentApprovalExample.defaultCheckpoint

        @Option(help: "The refund amount.")
        var amount = 640.0

        func run() async throws {
            let store = try openStore()
            let state = ApprovalRefundState(orderID: "ord_790", amount: amount, reason: "Wrong size")
            // Recorded: the request is written to the store, where any process can decide it.
            let options = RunOptions(store: store, startedBy: currentUserName(), pauseOnApproval: true)
            let result = await PersistentApprovalWorkflow().run(state, options: options)
            printLines(ResultReport.lines(for: result.erased()))
            guard let pause = result.checkpoint else {
                throw refuse("the workflow did not pause")
            }
            try pause.jsonData().write(to: URL(fileURLWithPath: checkpoint), options: .atomic)
            print("Run \(pause.runID) waits for approval in the store at \(store.path)")
            print("Checkpoint written to \(checkpoint)")
            print("Resume with: swift run stepflow-examples persistent-approval resume \(checkpoint) --approve")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resume a saved checkpoint with a decision, through the store: once.")

        @Argument(help: "The checkpoint file written by 'pause'.")
        var checkpoint: String

        @Flag(help: "Approve the paused step.")
        var approve = false

        @Flag(help: "Deny the paused step.")
        var deny = false

        @Option(help: "Why.")
        var reason: String?

        func validate() throws {
            guard approve != deny else { throw ValidationError("give exactly one of --approve or --deny") }
        }

        func run() async throws {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
            } catch {
                throw refuse("cannot read checkpoint \(checkpoint): \(error.localizedDescription)")
            }
            let pause: ApprovalPause<ApprovalRefundState>
            do {
                pause = try ApprovalPause<ApprovalRefundState>(jsonData: data)
            } catch {
                throw refuse(error.message)
            }
            let store = try openStore()
            print(
                "Resuming run \(pause.runID.prefix(8)) at step '\(pause.stepName)' (paused \(StepFlowJSON.formatDate(pause.createdAt)))"
            )
            // With a store, the resume imports the run if the store does not have it, and
            // continues it only if this decision is the first: exactly once.
            let decision = ApprovalDecision(approved: approve, reason: reason, decidedBy: currentUserName())
            let result = await PersistentApprovalWorkflow().resume(
                from: pause, decision: decision, options: RunOptions(store: store, pauseOnApproval: true))
            if let error = result.error as? ApprovalResumeError { throw refuse(error.message) }
            if result.status == .running {
                print("The decision was recorded; another process continues run \(pause.runID.prefix(8)).")
                return
            }
            printLines(ResultReport.lines(for: result.erased()))
        }
    }
}

struct WorkflowHooksExample: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflow-hooks", abstract: "Lifecycle hooks log every event; then the result as usual.")

    func run() async {
        let hook = WorkflowHooksWorkflow.loggingHook { print($0) }
        let result = await WorkflowHooksWorkflow().run(
            FulfilmentState(orderID: "ord_321", items: ["mug", "teapot"]), hooks: [hook])
        print("")
        printLines(ResultReport.lines(for: result.erased()))
        print("Tracking number: \(result.state.trackingNumber)")
    }
}

struct WorkflowCompositionExample: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflow-composition",
        abstract: "Child workflows from a step; nested results; the fail-parent opt-out.")

    func run() async {
        let cases = [
            ("a safe order", OrderState(orderID: "ord_555", amount: 120, country: "DE")),
            ("a risky order", OrderState(orderID: "ord_556", amount: 1900, country: "ZZ")),
        ]
        for (index, (title, state)) in cases.enumerated() {
            if index > 0 { print("") }
            print("== \(title) ==")
            let result = await WorkflowCompositionWorkflow().run(state)
            printLines(ResultReport.lines(for: result.erased()))
            print("Order status: \(result.state.status)")
        }
    }
}

struct GraphExportExample: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph-export", abstract: "The graph from metadata alone, as Mermaid; nothing runs.")

    func run() throws {
        let graph = try GraphExportWorkflow().graph()
        print("Nodes:")
        for node in graph.nodes {
            let gate = node.requiresApproval ? "  [approval]" : ""
            print("  \(node.id)  \(node.kind.rawValue)  \(node.label)\(gate)")
        }
        print("Edges:")
        for edge in graph.edges {
            let label = edge.routeKey.map { " [\($0)]" } ?? ""
            print("  \(edge.source) -> \(edge.target)  \(edge.kind.rawValue)\(label)")
        }
        print("Mermaid:")
        print(graph.mermaid())
    }
}

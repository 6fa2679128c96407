import Foundation
import StepFlowTestSupport
import Testing

/// `stepflow-tui run`, `resume` and their exit codes, run as real processes.
@Suite("Headless runner commands")
struct RunnerCommandTests {
    let tui = BuiltProduct(name: "stepflow-tui")

    /// A private checkpoint folder and run store per test, removed afterwards.
    final class Sandbox {
        let folder: URL
        init() throws { folder = try makeTemporaryDirectory() }
        deinit { try? FileManager.default.removeItem(at: folder) }
        var storePath: String { folder.appendingPathComponent("store.sqlite").path }
        var environment: [String: String] {
            ["STEPFLOW_CHECKPOINT_DIR": folder.path, "STEPFLOW_STORE": storePath]
        }
        func files() -> [URL] {
            ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [])
                .filter { $0.pathExtension == "json" }
        }
    }

    private func run(_ arguments: [String], stdin: String? = nil, in sandbox: Sandbox) async throws
        -> BuiltProduct.Outcome
    {
        try await tui.run(arguments, stdin: stdin, environment: sandbox.environment)
    }

    private func events(_ out: BuiltProduct.Outcome) -> [String] {
        out.lines.filter { $0.hasPrefix("time=") }.map { line in
            // Drop the time and run id, which change every run.
            line.split(separator: " ").filter {
                !$0.hasPrefix("time=") && !$0.hasPrefix("run=") && !$0.hasPrefix("duration_ms=")
                    && !$0.hasPrefix("decided_at=")
            }
            .joined(separator: " ")
        }
    }

    // MARK: Plain lines and exit codes

    @Test("a successful run prints one line per event and exits 0")
    func successfulRun() async throws {
        let sandbox = try Sandbox()
        let out = try await run(["run", "refund-workflow"], in: sandbox)
        #expect(out.exitCode == 0)
        #expect(
            events(out) == [
                "workflow=refund-workflow event=workflow_started status=running",
                "workflow=refund-workflow event=step_started step=check_order status=running",
                #"workflow=refund-workflow event=step_finished step=check_order status=succeeded attempt=1 output="Order ord_123 located.""#,
                "workflow=refund-workflow event=step_started step=verify_policy status=running",
                #"workflow=refund-workflow event=step_finished step=verify_policy status=succeeded attempt=1 output="Refund policy check completed.""#,
                "workflow=refund-workflow event=step_started step=generate_response status=running",
                #"workflow=refund-workflow event=step_finished step=generate_response status=succeeded attempt=1 output="Refund approved for ord_123.""#,
                "workflow=refund-workflow event=workflow_finished status=succeeded",
            ])
        let runIDs = Set(out.lines.compactMap { $0.split(separator: " ").first { $0.hasPrefix("run=") } })
        #expect(runIDs.count == 1)
    }

    @Test("a retrying run shows the scheduled retry; a failing run exits 1 with the error")
    func retryingAndFailingRuns() async throws {
        let sandbox = try Sandbox()
        let retrying = try await run(["run", "content-review"], in: sandbox)
        #expect(retrying.exitCode == 0)
        #expect(
            events(retrying).contains(
                #"workflow=content-review event=retry_scheduled step=moderate_content attempt=1 error="ModerationTimeoutError: moderation service timed out on attempt 1" delay_ms=20"#
            ))
        #expect(
            events(retrying).contains(
                "workflow=content-review event=step_finished step=moderate_content status=succeeded attempt=2 output=clean"
            ))

        let failing = try await run(
            [
                "run", "content-review", "--state",
                #"{"text":"hi","transientFailures":5,"flagged":false,"decision":""}"#,
            ], in: sandbox)
        #expect(failing.exitCode == 1)
        #expect(
            events(failing).contains(
                #"workflow=content-review event=step_finished step=moderate_content status=failed attempt=3 error="ModerationTimeoutError: moderation service timed out on attempt 3""#
            ))
        #expect(
            events(failing).last
                == #"workflow=content-review event=workflow_finished status=failed error="ModerationTimeoutError: moderation service timed out on attempt 3""#
        )
    }

    @Test("a routed run shows each route; a child run shows the child's own lines")
    func routedAndChildRuns() async throws {
        let sandbox = try Sandbox()
        let routed = try await run(["run", "branching-refund"], in: sandbox)
        #expect(routed.exitCode == 0)
        #expect(
            events(routed).contains(
                "workflow=branching-refund event=step_finished step=evaluate_refund status=succeeded attempt=1 route=auto_approve->issue_refund output=auto_approve"
            ))
        #expect(!events(routed).contains { $0.contains("step=manual_review") }, "skipped steps emit nothing")

        let parent = try await run(["run", "workflow-composition"], in: sandbox)
        #expect(parent.exitCode == 0)
        let lines = events(parent)
        #expect(
            lines.contains {
                $0.hasPrefix(
                    "workflow=workflow-composition event=child_started step=run_fraud_check child=fraud-check child_run="
                )
            })
        #expect(
            lines.contains(
                "workflow=fraud-check event=step_finished step=decide status=succeeded attempt=1 output=cleared"))
        #expect(
            lines.contains {
                $0.hasPrefix(
                    "workflow=workflow-composition event=child_finished step=create_shipping_label status=succeeded child=shipping-label"
                )
            })
    }

    // MARK: Approvals

    @Test("--approve and --deny decide every prompt and the lines name the approver")
    func flagDecisions() async throws {
        let sandbox = try Sandbox()
        let approved = try await run(
            ["run", "approval-refund", "--approve", "--reason", "receipt checked"], in: sandbox)
        #expect(approved.exitCode == 0)
        let user = NSUserName()
        #expect(
            events(approved).contains(
                #"workflow=approval-refund event=approval_decided step=issue_refund decision=approved by=\#(user) reason="receipt checked""#
            ))

        let denied = try await run(["run", "approval-refund", "--deny"], in: sandbox)
        #expect(denied.exitCode == 1)
        #expect(
            events(denied).contains(
                #"workflow=approval-refund event=step_finished step=issue_refund status=failed attempt=0 error="ApprovalRequiredError: Approval denied for step 'issue_refund'." decision=denied by=\#(user)"#
            ))
    }

    @Test("--pause writes the checkpoint and exits 3; resume in a new process decides it", arguments: [true, false])
    func pauseThenResume(approve: Bool) async throws {
        let sandbox = try Sandbox()
        let paused = try await run(["run", "persistent-approval", "--pause"], in: sandbox)
        #expect(paused.exitCode == 3)
        let file = try #require(sandbox.files().first)
        #expect(paused.stdout.contains("checkpoint saved to \(file.path)"))
        #expect(events(paused).contains("workflow=persistent-approval event=workflow_finished status=paused"))

        let resumed = try await run(
            ["resume", file.path, approve ? "--approve" : "--deny", "--reason", "ok"], in: sandbox)
        #expect(resumed.exitCode == (approve ? 0 : 1))
        let lines = events(resumed)
        #expect(lines.first == "workflow=persistent-approval event=workflow_started status=running")
        #expect(
            lines.contains {
                $0.contains("event=approval_decided step=issue_refund decision=\(approve ? "approved" : "denied")")
            })
        #expect(
            lines.last?.hasPrefix(
                "workflow=persistent-approval event=workflow_finished status=\(approve ? "succeeded" : "failed")")
                == true)
        let runID = { (out: BuiltProduct.Outcome) in
            out.lines.first?.split(separator: " ").first { $0.hasPrefix("run=") }
        }
        #expect(runID(paused) == runID(resumed), "the resumed run keeps its run id")
    }

    @Test("an answer on stdin decides the prompt and records the reason")
    func stdinApproval() async throws {
        let sandbox = try Sandbox()
        let out = try await run(["run", "approval-refund"], stdin: "perhaps\ny\nlooks right\n", in: sandbox)
        #expect(out.exitCode == 0)
        #expect(out.lines.contains("Approval needed"))
        #expect(out.lines.contains("  message:  Approve this refund?"))
        #expect(out.lines.contains(#"  metadata: auto_limit=100 policy="refunds need a human decision""#))
        #expect(out.stdout.contains("Please answer y or n."), "a stray answer does not decide")
        #expect(events(out).contains { $0.contains(#"decision=approved by=\#(NSUserName()) reason="looks right""#) })
    }

    @Test("with no answer on stdin the run pauses with a checkpoint, as with --pause")
    func noStdinPauses() async throws {
        let sandbox = try Sandbox()
        let out = try await run(["run", "approval-refund"], stdin: "", in: sandbox)
        #expect(out.exitCode == 3)
        #expect(sandbox.files().count == 1)
        #expect(out.stdout.contains("No answer on standard input: postponing"))
    }

    // MARK: JSON

    @Test("--json prints the final result as JSON on stdout, progress on stderr")
    func jsonResult() async throws {
        let sandbox = try Sandbox()
        let out = try await run(["run", "branching-refund", "--json"], in: sandbox)
        #expect(out.exitCode == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        #expect(json["status"] as? String == "succeeded")
        #expect(json["workflow_name"] as? String == "branching-refund")
        let steps = try #require(json["steps"] as? [[String: Any]])
        #expect(steps.map { $0["status"] as? String } == ["succeeded", "skipped", "succeeded", "succeeded"])
        #expect(steps[0]["route_key"] as? String == "auto_approve")
        #expect((json["route_trace"] as? [[String: Any]])?.first?["next_step"] as? String == "issue_refund")
        #expect((json["state"] as? [String: Any])?["outcome"] as? String == "refunded")
        #expect(json.keys.contains("checkpoint_path"))
        #expect(out.stderr.contains("event=workflow_finished status=succeeded"))
        let runID = try #require(json["run_id"] as? String)
        #expect(out.stderr.contains("run=\(runID)"))

        let paused = try await run(["run", "persistent-approval", "--pause", "--json"], in: sandbox)
        let pausedJSON = try #require(
            try JSONSerialization.jsonObject(with: Data(paused.stdout.utf8)) as? [String: Any])
        #expect(pausedJSON["checkpoint_path"] as? String == sandbox.files().first?.path)
        let requestID = try #require(pausedJSON["request_id"] as? String)
        #expect(paused.stderr.contains("(request \(requestID))"), "the request waiting in the store")
        #expect(paused.exitCode == 3)
    }

    // MARK: Bad input

    @Test(
        "bad input is one clear line and exit 2",
        arguments: [
            (["run", "no-such-workflow"], "unknown workflow 'no-such-workflow'; choose one of: refund-workflow"),
            (["run", "refund-workflow", "--state", "{not json"], "the state is not valid JSON"),
            (["run", "refund-workflow", "--state", #"{"orderID":"o1"}"#], "missing key 'amount'"),
            (["run", "refund-workflow", "--state", "@/nonexistent/state.json"], "cannot read the state file"),
            (["run", "refund-workflow", "--approve", "--deny"], "stepflow-tui:"),
            (["run"], "Missing expected argument"),
            (["resume", "/nonexistent/checkpoint.json", "--approve"], "cannot read the checkpoint file"),
            (["resume", "x.json"], "give exactly one of --approve or --deny"),
        ])
    func badInput(arguments: [String], message: String) async throws {
        let sandbox = try Sandbox()
        let out = try await run(arguments, in: sandbox)
        #expect(out.exitCode == 2)
        #expect(out.stderr.contains(message), "stderr: \(out.stderr)")
        #expect(out.stderr.split(separator: "\n").count == 1, "one line: \(out.stderr)")
        #expect(out.stdout.isEmpty)
        #expect(sandbox.files().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: sandbox.storePath), "nothing changed, not even the store")
    }

    @Test("a corrupt, truncated, foreign or changed checkpoint is refused and left as it was")
    func refusedCheckpoints() async throws {
        let sandbox = try Sandbox()
        _ = try await run(["run", "persistent-approval", "--pause"], in: sandbox)
        let original = try Data(contentsOf: try #require(sandbox.files().first))
        let text = String(decoding: original, as: UTF8.self)

        let cases: [(String, String)] = [
            ("{ \"workflow_name\": ", "corrupt or truncated"),
            (String(text.prefix(text.count / 2)), "corrupt or truncated"),
            (
                text.replacingOccurrences(of: "\"persistent-approval\"", with: "\"retired-workflow\""),
                "which this build does not have"
            ),
            (
                text.replacingOccurrences(
                    of: #""definition_fingerprint" : ""#, with: #""definition_fingerprint" : "0"#),
                "has changed since the checkpoint was made"
            ),
        ]
        for (index, (content, message)) in cases.enumerated() {
            let file = sandbox.folder.appendingPathComponent("case\(index).checkpoint")
            try Data(content.utf8).write(to: file)
            let out = try await run(["resume", file.path, "--approve"], in: sandbox)
            #expect(out.exitCode == 2, "case \(index)")
            #expect(out.stderr.contains(message), "case \(index): \(out.stderr)")
            #expect(try Data(contentsOf: file) == Data(content.utf8), "case \(index): the file is left as it was")
        }
    }

    @Test("escape sequences in the state are printed visibly, never raw")
    func escapeSequencesAreHarmless() async throws {
        let sandbox = try Sandbox()
        let hostile =
            #"{"orderID":"\u001b[2J\u001b]0;pwned\u0007\u009b31m","amount":5,"orderFound":false,"policyOK":false,"responseText":""}"#
        let out = try await run(["run", "refund-workflow", "--state", hostile], in: sandbox)
        #expect(out.exitCode == 0)
        let bytes = Array(out.stdout.utf8)
        #expect(!bytes.contains(0x1B), "no raw ESC")
        #expect(!bytes.contains(0x07), "no raw BEL")
        #expect(!out.stdout.unicodeScalars.contains("\u{9B}"), "no raw CSI")
        #expect(out.stdout.contains(#"output="Order \e[2J\e]0;pwned\u{7}\u{9B}31m located.""#))
    }
}

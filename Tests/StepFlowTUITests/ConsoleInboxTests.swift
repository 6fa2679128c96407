import Foundation
import Testing

@testable import StepFlow
@testable import StepFlowTUI

/// The loop's inbox and the approval handlers that post to it.
@Suite("Console inbox")
struct ConsoleInboxTests {
    static let request = ApprovalRequest(
        workflowName: "approval-refund", stepName: "issue_refund", runID: "run1",
        state: AnyState(JSONValue.object([:])),
        message: nil, metadata: [:])

    @Test("messages come out in the order they were posted, once")
    func order() {
        let inbox = ConsoleInbox()
        inbox.post(.notice("a"))
        inbox.post(.tick(Date(timeIntervalSince1970: 1)))
        inbox.post(.notice("b"))
        let taken = inbox.takeAll()
        #expect(taken.count == 3)
        if case .notice(let first) = taken.first, case .notice(let last) = taken.last {
            #expect([first, last] == ["a", "b"])
        } else {
            Issue.record("unexpected messages \(taken)")
        }
        #expect(inbox.takeAll().isEmpty)
    }

    @Test("a wait without a timeout ends when a message is posted from another thread")
    func waitEndsOnPost() async {
        let inbox = ConsoleInbox()
        let poster = Task.detached { inbox.post(.notice("hello")) }
        await inbox.wait(timeout: nil)
        await poster.value
        #expect(inbox.takeAll().count == 1)
    }

    @Test("a wake ends a wait, and one that came before the wait ends the next wait at once")
    func waitEndsOnWake() async {
        let inbox = ConsoleInbox()
        inbox.wake()
        await inbox.wait(timeout: nil)
        let waker = Task.detached { inbox.wake() }
        await inbox.wait(timeout: nil)
        await waker.value
        #expect(inbox.takeAll().isEmpty)
    }

    @Test("a wait with a timeout ends by itself when nothing comes")
    func waitTimesOut() async {
        let inbox = ConsoleInbox()
        await inbox.wait(timeout: .milliseconds(1))
        #expect(inbox.takeAll().isEmpty)
    }

    @Test("a run that asks before the loop heard of it is announced after its start")
    func heldUntilAnnounced() async throws {
        let inbox = ConsoleInbox()
        let approvals = ApprovalWaiters(inbox: inbox)
        let asking = Task.detached { await approvals.ask(Self.request, runKey: 1) }
        // The request is held: nothing reaches the loop before the run's start.
        while true {
            await Task.yield()
            if approvals.waitingCount == 1 { break }
        }
        #expect(inbox.takeAll().isEmpty)
        inbox.post(.notice("run 1 started"))
        approvals.announce(runKey: 1)
        let messages = inbox.takeAll()
        #expect(messages.count == 2)
        guard case .approvalNeeded(let runKey, let approvalID, let request) = messages.last else {
            Issue.record("no approval message in \(messages)")
            return
        }
        #expect(runKey == 1)
        #expect(request == Self.request)
        approvals.answer(approvalID, with: .postponed)
        guard case .postponed = await asking.value else {
            Issue.record("the handler did not get the answer")
            return
        }
    }

    @Test("shutting down postpones every waiting ask and names their runs, which must pause rather than be cancelled")
    func postponeAllNamesWaitingRuns() async {
        let inbox = ConsoleInbox()
        let approvals = ApprovalWaiters(inbox: inbox)
        for key in [1, 2, 3] { approvals.announce(runKey: key) }
        let first = Task.detached { await approvals.ask(Self.request, runKey: 1) }
        let second = Task.detached { await approvals.ask(Self.request, runKey: 3) }
        while approvals.waitingCount < 2 { await Task.yield() }
        #expect(approvals.postponeAll() == [1, 3])
        for ask in [first, second] {
            guard case .postponed = await ask.value else {
                Issue.record("a waiting ask was not postponed")
                return
            }
        }
        // Later asks are postponed at once, and a second shutdown finds nothing waiting.
        guard case .postponed = await approvals.ask(Self.request, runKey: 2) else {
            Issue.record("an ask after shutdown waited")
            return
        }
        #expect(approvals.postponeAll().isEmpty)
    }

    @Test("an ask whose task is cancelled (decided elsewhere first) ends, before or while it waits")
    func cancelledAsk() async {
        let inbox = ConsoleInbox()
        let approvals = ApprovalWaiters(inbox: inbox)
        approvals.announce(runKey: 1)
        let waiting = Task.detached { await approvals.ask(Self.request, runKey: 1) }
        while approvals.waitingCount == 0 { await Task.yield() }
        waiting.cancel()
        guard case .postponed = await waiting.value else {
            Issue.record("the cancelled ask did not end")
            return
        }
        #expect(approvals.waitingCount == 0, "nothing is left waiting")

        let early = Task.detached {
            withUnsafeCurrentTask { $0?.cancel() }
            return await approvals.ask(Self.request, runKey: 1)
        }
        guard case .postponed = await early.value else {
            Issue.record("an ask cancelled before it waited did not end")
            return
        }
        #expect(approvals.waitingCount == 0)
    }

    @Test("on shutdown every waiting handler and every later one is postponed")
    func postponeAll() async {
        let inbox = ConsoleInbox()
        let approvals = ApprovalWaiters(inbox: inbox)
        approvals.announce(runKey: 1)
        let asking = Task.detached { await approvals.ask(Self.request, runKey: 1) }
        while approvals.waitingCount == 0 { await Task.yield() }
        approvals.postponeAll()
        guard case .postponed = await asking.value else {
            Issue.record("the waiting handler was not postponed")
            return
        }
        guard case .postponed = await approvals.ask(Self.request, runKey: 1) else {
            Issue.record("a later handler was not postponed")
            return
        }
    }
}

import Synchronization

/// Runs one attempt with a time limit.
///
/// The body runs in its own task on a copy of the state, racing a timer. The
/// first to finish decides; a body that ignores cancellation is abandoned (its
/// copy of the state is dropped), so a timeout always fails the attempt on time.
enum TimedAttempt {
    static func run<State: Sendable>(
        _ body: StepBody<State>,
        state: inout State,
        context: RunContext,
        timeout: Duration
    ) async throws -> JSONValue? {
        let race = AttemptRace<State>()
        let start = state
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<AttemptRace<State>.Outcome, Never>) in
                race.install(continuation)
                let work = Task {
                    var copy = start
                    do {
                        let output = try await body.run(&copy) { context }
                        race.finish(.completed(copy, output))
                    } catch {
                        race.finish(.threw(copy, error))
                    }
                }
                let timer = Task {
                    do {
                        try await Task.sleep(for: timeout)
                        race.finish(.timedOut)
                    } catch {
                        // Cancelled because the attempt finished first.
                    }
                }
                race.track(work, timer)
            }
        } onCancel: {
            race.finish(.threw(start, CancellationError()))
        }
        switch outcome {
        case .completed(let final, let output):
            state = final
            return output
        case .threw(let final, let error):
            state = final
            throw error
        case .timedOut:
            throw StepTimeoutError(
                "Step '\(context.stepName)' attempt \(context.attempt) timed out after \(timeout).")
        }
    }
}

/// The shared state of one timed attempt: whoever finishes first resumes the waiter.
final class AttemptRace<State: Sendable>: Sendable {
    enum Outcome: Sendable {
        case completed(State, JSONValue?)
        case threw(State, any Error)
        case timedOut
    }

    private struct Race {
        var continuation: CheckedContinuation<Outcome, Never>?
        var pending: Outcome?
        var tasks: [Task<Void, Never>] = []
        var finished = false
    }

    private let race = Mutex<Race>(Race())

    func install(_ continuation: CheckedContinuation<Outcome, Never>) {
        let early = race.withLock { race -> Outcome? in
            if let pending = race.pending { return pending }
            race.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func track(_ tasks: Task<Void, Never>...) {
        let finished = race.withLock { race in
            race.tasks = tasks
            return race.finished
        }
        if finished {
            for task in tasks { task.cancel() }
        }
    }

    func finish(_ outcome: Outcome) {
        let (continuation, tasks) = race.withLock {
            race -> (CheckedContinuation<Outcome, Never>?, [Task<Void, Never>]) in
            guard !race.finished else { return (nil, []) }
            race.finished = true
            if race.continuation == nil { race.pending = outcome }
            defer { race.continuation = nil }
            return (race.continuation, race.tasks)
        }
        continuation?.resume(returning: outcome)
        for task in tasks { task.cancel() }
    }
}

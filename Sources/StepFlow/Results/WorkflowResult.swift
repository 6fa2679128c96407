import Foundation
import Synchronization

/// What a run produced: final state, status, every step's result, timings, routes.
public struct WorkflowResult<State: Sendable>: Sendable {
    /// The workflow's name.
    public var workflowName: String
    /// The run's id (kept across a pause and resume).
    public var runID: String
    /// The final state.
    public var state: State
    /// The final status: `succeeded`, `failed` or `paused`.
    public var status: WorkflowStatus
    /// Step results in declaration order (see SPEC §2 for which steps appear).
    public var steps: [StepResult]
    /// The error that failed the run (the failing step's own error value).
    public var error: (any Error)?
    /// When the run started (kept across a pause and resume).
    public var startedAt: Date
    /// When the run finished.
    public var finishedAt: Date
    /// Whole milliseconds from start to finish, never negative.
    public var durationMs: Int
    /// Every route taken, in order.
    public var routeTrace: [RouteDecision]
    /// The checkpoint to resume from, when the run is paused.
    public var checkpoint: ApprovalPause<State>?

    /// Creates a workflow result.
    public init(
        workflowName: String, runID: String, state: State, status: WorkflowStatus,
        steps: [StepResult], error: (any Error)? = nil, startedAt: Date, finishedAt: Date,
        routeTrace: [RouteDecision] = [], checkpoint: ApprovalPause<State>? = nil
    ) {
        self.workflowName = workflowName
        self.runID = runID
        self.state = state
        self.status = status
        self.steps = steps
        self.error = error
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMs = wholeMilliseconds(from: startedAt, to: finishedAt)
        self.routeTrace = routeTrace
        self.checkpoint = checkpoint
    }

    /// Whether the run succeeded.
    public var succeeded: Bool { status == .succeeded }

    /// The result of the step with this name.
    public func step(_ name: String) -> StepResult? {
        steps.first { $0.stepName == name }
    }

    /// Throws a ``WorkflowExecutionError`` when the run failed (the reference's
    /// `raise_on_failure=True`); returns the result otherwise.
    ///
    /// The message is `Workflow 'W' failed at step 'S' after N attempt(s) due to T.`,
    /// or `... failed outside step execution due to T.` when no step's error failed
    /// the run; the underlying error is the cause.
    @discardableResult
    public func throwIfFailed() throws(WorkflowExecutionError) -> WorkflowResult<State> {
        guard status == .failed else { return self }
        throw WorkflowExecutionError.describing(self)
    }

}

extension WorkflowResult where State: Encodable {
    /// The same result with its state erased, for events and child results.
    public func erased() -> WorkflowResult<AnyState> {
        var copy = WorkflowResult<AnyState>(
            workflowName: workflowName, runID: runID, state: AnyState(state), status: status,
            steps: steps, error: error, startedAt: startedAt, finishedAt: finishedAt,
            routeTrace: routeTrace, checkpoint: checkpoint?.erased())
        copy.durationMs = durationMs
        return copy
    }
}

extension WorkflowResult {
    /// A failed result for a workflow whose definition is invalid (nothing ran).
    static func invalidDefinition(name: String, state: State, error: any Error) -> WorkflowResult<State> {
        let now = Date()
        return WorkflowResult(
            workflowName: name, runID: RunID.make(), state: state, status: .failed, steps: [],
            error: error, startedAt: now, finishedAt: now)
    }
}

extension WorkflowExecutionError {
    /// The error thrown for a failed result, worded as the reference words it.
    static func describing<State>(_ result: WorkflowResult<State>) -> WorkflowExecutionError {
        let underlying = result.error ?? RecordedError(typeName: "UnknownError", message: "unknown error")
        let typeName = errorTypeName(underlying)
        // Blame a step only when its own error failed the run: a refused resume or a
        // failing workflowFinished hook happened outside every step.
        let recorded = RecordedError(underlying)
        if let failed = result.steps.last(where: {
            $0.status == .failed && $0.error.map { RecordedError($0) } == recorded
        }) {
            return WorkflowExecutionError(
                "Workflow '\(result.workflowName)' failed at step '\(failed.stepName)' after \(failed.attempts) attempt(s) due to \(typeName).",
                cause: underlying)
        }
        return WorkflowExecutionError(
            "Workflow '\(result.workflowName)' failed outside step execution due to \(typeName).",
            cause: underlying)
    }
}

extension WorkflowResult: Codable where State: Codable {
    private enum CodingKeys: String, CodingKey {
        case workflowName = "workflow_name"
        case runID = "run_id"
        case state, status, steps, error
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case durationMs = "duration_ms"
        case routeTrace = "route_trace"
        case checkpoint
    }

    /// Reads a result; its error comes back as a ``RecordedError``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        workflowName = try c.decode(String.self, forKey: .workflowName)
        runID = try c.decode(String.self, forKey: .runID)
        state = try c.decode(State.self, forKey: .state)
        status = try c.decodeRawValue(WorkflowStatus.self, forKey: .status)
        steps = try c.decode([StepResult].self, forKey: .steps)
        error = try c.decodeIfPresent(RecordedError.self, forKey: .error)
        startedAt = try c.decode(Date.self, forKey: .startedAt)
        finishedAt = try c.decode(Date.self, forKey: .finishedAt)
        durationMs = try c.decode(Int.self, forKey: .durationMs)
        routeTrace = try c.decode([RouteDecision].self, forKey: .routeTrace)
        checkpoint = try c.decodeIfPresent(ApprovalPause<State>.self, forKey: .checkpoint)
    }

    // Written by hand rather than with `ExplicitNull` fields because the error
    // must be recorded anyway, and a wrapped checkpoint made every run about
    // 2,000 instructions dearer (callgrind, ten-step runs).

    /// Writes every field, `null` where absent; the error as its type name and message.
    public func encode(to encoder: any Encoder) throws {
        // Optionals, the status and empty arrays take CodingShortcuts' ways: same JSON, less work.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(workflowName, forKey: .workflowName)
        try c.encode(runID, forKey: .runID)
        try c.encode(state, forKey: .state)
        try c.encodeRawValue(status, forKey: .status)
        try c.encode(steps, forKey: .steps)
        try c.encodeOrNull(error.map { RecordedError($0) }, forKey: .error)
        try c.encodeOrNull(startedAt, forKey: .startedAt)
        try c.encodeOrNull(finishedAt, forKey: .finishedAt)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encodeArray(routeTrace, forKey: .routeTrace)
        try c.encodeOrNull(checkpoint, forKey: .checkpoint)
    }
}

/// Run ids: 32 lowercase hex digits from 128 bits of the kernel's randomness,
/// so they are unique across processes and cannot be guessed from one another.
enum RunID {
    static func make() -> String {
        let (high, low) = RandomPool.shared.next128()
        return String(unsafeUninitializedCapacity: 32) { buffer in
            func write(_ word: UInt64, at offset: Int) {
                let digits: StaticString = "0123456789abcdef"
                var rest = word
                for position in (offset..<offset + 16).reversed() {
                    buffer[position] = digits.utf8Start[Int(rest & 0xF)]
                    rest >>= 4
                }
            }
            write(high, at: 0)
            write(low, at: 16)
            return 32
        }
    }
}

/// Kernel randomness read 4 KiB at a time from `/dev/urandom`.
///
/// A `getrandom` call per id cost about a microsecond per run on a VM, as much
/// as a ten-step run's engine work; one read now serves 256 ids. Every id is
/// still fresh kernel randomness (nothing derives one id from another). Where
/// `/dev/urandom` cannot be read, it falls back to the system generator.
/// A `fork()` without `exec` would hand the child the same unread bytes: Swift
/// programs start processes with `posix_spawn`, which does not.
final class RandomPool: Sendable {
    static let shared = RandomPool()

    private struct Buffer {
        var words = [UInt64](repeating: 0, count: 512)
        /// The index of the first unused word; `words.count` when all are used.
        var next = 512
    }

    private let buffer = Mutex(Buffer())

    func next128() -> (UInt64, UInt64) {
        buffer.withLock { pool in
            if pool.next + 2 > pool.words.count {
                Self.refill(&pool.words)
                pool.next = 0
            }
            defer { pool.next += 2 }
            return (pool.words[pool.next], pool.words[pool.next + 1])
        }
    }

    private static func refill(_ words: inout [UInt64]) {
        let filled = words.withUnsafeMutableBytes { raw -> Bool in
            // Only an empty buffer has no base address, and it is filled already.
            guard let base = raw.baseAddress else { return true }
            let descriptor = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return false }
            defer { close(descriptor) }
            var offset = 0
            while offset < raw.count {
                let count = read(descriptor, base + offset, raw.count - offset)
                if count > 0 {
                    offset += count
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
        guard !filled else { return }
        var generator = SystemRandomNumberGenerator()
        for index in words.indices { words[index] = generator.next() }
    }
}

extension WorkflowResult: Equatable where State: Equatable {
    /// Field by field; errors compare by type name and message, as they are recorded.
    public static func == (lhs: WorkflowResult, rhs: WorkflowResult) -> Bool {
        lhs.workflowName == rhs.workflowName && lhs.runID == rhs.runID && lhs.state == rhs.state
            && lhs.status == rhs.status && lhs.steps == rhs.steps
            && lhs.error.map(RecordedError.init) == rhs.error.map(RecordedError.init)
            && lhs.startedAt == rhs.startedAt && lhs.finishedAt == rhs.finishedAt && lhs.durationMs == rhs.durationMs
            && lhs.routeTrace == rhs.routeTrace && lhs.checkpoint == rhs.checkpoint
    }
}

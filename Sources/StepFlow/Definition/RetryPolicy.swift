/// How a step is retried: how many extra attempts, on which errors, how long to wait.
///
/// Every field is optional: a step's field left `nil` inherits the workflow's
/// field, and a workflow's field left `nil` means the default (no retries, no
/// retryable errors, no delay, no backoff, no timeout).
public struct RetryPolicy: Sendable {
    /// Extra attempts after the first (default 0).
    public var retries: Int?
    /// The errors that are retried, matched with `is` (default: none, so nothing retries).
    public var retryOn: [any Error.Type]?
    /// The wait before each retry (default zero).
    public var delay: Duration?
    /// Grows the delay from one retry to the next (beyond the reference).
    public var backoff: Backoff?
    /// Fails an attempt that runs longer than this with ``StepTimeoutError`` (beyond the reference).
    public var timeout: Duration?

    /// Creates a policy; unset fields inherit.
    public init(
        retries: Int? = nil,
        retryOn: [any Error.Type]? = nil,
        delay: Duration? = nil,
        backoff: Backoff? = nil,
        timeout: Duration? = nil
    ) {
        self.retries = retries
        self.retryOn = retryOn
        self.delay = delay
        self.backoff = backoff
        self.timeout = timeout
    }

    /// No retries.
    public static var none: RetryPolicy { RetryPolicy() }

    /// This policy with every unset field taken from `defaults`.
    public func inheriting(from defaults: RetryPolicy) -> RetryPolicy {
        RetryPolicy(
            retries: retries ?? defaults.retries,
            retryOn: retryOn ?? defaults.retryOn,
            delay: delay ?? defaults.delay,
            backoff: backoff ?? defaults.backoff,
            timeout: timeout ?? defaults.timeout
        )
    }
}

/// Exponential backoff with an optional cap and jitter.
public struct Backoff: Sendable, Hashable {
    /// Each retry waits `multiplier` times as long as the one before (at least 1).
    public var multiplier: Double
    /// No wait is longer than this.
    public var maxDelay: Duration?
    /// Up to this fraction (0...1) of each wait is removed at random, so retries spread out.
    public var jitter: Double

    /// Creates a backoff.
    public init(multiplier: Double = 2, maxDelay: Duration? = nil, jitter: Double = 0) {
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.jitter = jitter
    }
}

/// A step's retry settings after inheritance, checked and ready for the run loop.
struct ResolvedRetry: Sendable {
    let retries: Int
    let retryOn: [any Error.Type]
    let delay: Duration
    let backoff: Backoff?
    let timeout: Duration?

    init(_ policy: RetryPolicy) {
        retries = policy.retries ?? 0
        retryOn = policy.retryOn ?? []
        delay = policy.delay ?? .zero
        backoff = policy.backoff
        timeout = policy.timeout
    }

    /// Whether a random draw is needed for the delay.
    var hasJitter: Bool { (backoff?.jitter ?? 0) > 0 }

    /// Whether a failed attempt number `attempt` (1-based) is tried again.
    func shouldRetry(after attempt: Int, error: any Error) -> Bool {
        guard attempt <= retries, !(error is CancellationError) else { return false }
        return retryOn.contains { matches(error, $0) }
    }

    /// The wait after failed attempt `attempt`; `unit` is a random number in 0..<1.
    func delay(after attempt: Int, unit: Double) -> Duration {
        guard let backoff else { return delay }
        var seconds = delay.seconds * pow(backoff.multiplier, Double(attempt - 1))
        if let cap = backoff.maxDelay { seconds = min(seconds, cap.seconds) }
        seconds *= 1 - backoff.jitter * unit
        // Whole nanoseconds, so 100 ms × 3² is exactly 900 ms and not 900.000000001.
        return .nanoseconds(Int64((max(0, seconds) * 1e9).rounded()))
    }
}

/// `error is E` for an error type known only at run time (the existential is opened).
private func matches<E: Error>(_ error: any Error, _ type: E.Type) -> Bool {
    error is E
}

extension Duration {
    /// The duration in seconds as a `Double`.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

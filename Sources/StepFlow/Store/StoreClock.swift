import Foundation

/// Where a store reads the time: every timestamp, lease and deadline comes from it.
///
/// Stores take a clock so tests can move time (a deadline passing, a lease
/// expiring) without waiting for it.
public struct StoreClock: Sendable {
    private let read: @Sendable () -> Date

    /// A clock reading `now`.
    public init(_ now: @escaping @Sendable () -> Date) {
        self.read = now
    }

    /// The current time, to the millisecond (what stores keep).
    public func now() -> Date {
        Date(storeMilliseconds: read().storeMilliseconds)
    }

    /// The system's wall clock.
    public static let system = StoreClock { Date() }
}

extension Date {
    /// Milliseconds since 1970, to the nearest: how stores keep times. (Nearest,
    /// not down, so a time read back from milliseconds maps to the same ones.)
    package var storeMilliseconds: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded())
    }

    /// The time `milliseconds` after 1970.
    package init(storeMilliseconds milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded down.
    package var storeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

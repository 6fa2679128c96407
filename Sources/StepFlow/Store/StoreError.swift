import Foundation

/// Why a run store refused an operation, in one sentence.
///
/// Catch it and switch on ``code`` to react; show ``message`` to people.
public struct StoreError: StepFlowError {
    /// What kind of refusal this is.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The store was written by a newer build; it is left untouched.
        case newerSchema
        /// The store's file or data is damaged or not a store at all; it is left untouched.
        case corrupt
        /// The store cannot be reached or opened (permissions, disk, server, lock held too long).
        case unavailable
        /// Another owner has claimed the run since this lease was taken: this writer may no longer write.
        case fencedOut
        /// No run has this id.
        case runNotFound
        /// The run already finished (succeeded, failed or cancelled).
        case runFinished
        /// A run with this id already exists.
        case duplicateRun
        /// The run is owned by another process whose lease has not expired.
        case leaseHeld
        /// The run is not in a state that can be claimed (for example still waiting for a decision).
        case notClaimable
        /// No approval request has this id.
        case requestNotFound
        /// A value given to the store is not acceptable (for example a negative lease).
        case invalidArgument
    }

    /// What kind of refusal this is.
    public let code: Code
    /// One sentence saying what went wrong.
    public let message: String
    /// The error that caused this one, if any.
    public let cause: (any Error)?

    /// Creates the error.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }
}

extension StoreError {
    /// The store at `location` was written by a newer build.
    public static func newerSchema(at location: String, unknownMigrations: [String]) -> StoreError {
        StoreError(
            .newerSchema,
            "The store at \(location) was written by a newer StepFlow (unknown migrations: "
                + "\(unknownMigrations.sorted().joined(separator: ", "))); it was left untouched: use a newer build.")
    }

    /// The store at `location` is damaged or not a store.
    public static func corrupt(at location: String, _ detail: String, cause: (any Error)? = nil) -> StoreError {
        StoreError(.corrupt, "The store at \(location) is unreadable (\(detail)); it was left untouched.", cause: cause)
    }

    /// The store at `location` cannot be used.
    public static func unavailable(at location: String, _ detail: String, cause: (any Error)? = nil) -> StoreError {
        StoreError(.unavailable, "The store at \(location) cannot be used: \(detail).", cause: cause)
    }

    /// `lease` no longer holds the run: `current` took it over.
    public static func fencedOut(_ lease: RunLease, current: RunRecord) -> StoreError {
        let holder = current.owner.map { "'\($0)'" } ?? "nobody"
        return StoreError(
            .fencedOut,
            "Run \(lease.runID) was taken over (now owned by \(holder) at version \(current.version)); "
                + "'\(lease.owner)' at version \(lease.version) may no longer write to it.")
    }

    /// No run `runID`.
    public static func runNotFound(_ runID: String) -> StoreError {
        StoreError(.runNotFound, "No run '\(runID)' in the store.")
    }

    /// `run` has finished and takes no more writes.
    public static func runFinished(_ run: RunRecord) -> StoreError {
        var text = "Run \(run.id) has already \(run.status == .cancelled ? "been cancelled" : run.status.rawValue)"
        if run.status == .cancelled, let by = run.cancelledBy { text += " by \(by)" }
        return StoreError(.runFinished, text + ".")
    }

    /// A run `runID` already exists.
    public static func duplicateRun(_ runID: String) -> StoreError {
        StoreError(.duplicateRun, "A run '\(runID)' already exists in the store.")
    }

    /// `run` is held by another owner's live lease.
    public static func leaseHeld(_ run: RunRecord) -> StoreError {
        let until = run.leaseExpiresAt.map { " until \(StepFlowJSON.formatDate($0))" } ?? ""
        return StoreError(.leaseHeld, "Run \(run.id) is owned by '\(run.owner ?? "?")'\(until).")
    }

    /// `run` cannot be claimed now, for `reason`.
    public static func notClaimable(_ run: RunRecord, _ reason: String) -> StoreError {
        StoreError(.notClaimable, "Run \(run.id) cannot be continued now: \(reason).")
    }

    /// No approval request `requestID`.
    public static func requestNotFound(_ requestID: String) -> StoreError {
        StoreError(.requestNotFound, "No approval request '\(requestID)' in the store.")
    }
}

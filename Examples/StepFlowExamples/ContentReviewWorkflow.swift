import StepFlow

/// A moderation service that did not answer in time (the seed's `TimeoutError`).
public struct ModerationTimeoutError: Error, CustomStringConvertible {
    /// Which attempt timed out.
    public let attempt: Int
    /// Creates the error.
    public init(attempt: Int) { self.attempt = attempt }
    /// The message.
    public var description: String { "moderation service timed out on attempt \(attempt)" }
}

/// A piece of content under review (seed example 3).
public struct ContentReviewState: Codable, Sendable, Equatable {
    /// The text to review.
    public var text: String
    /// How many attempts the moderation service fails before answering.
    public var transientFailures: Int
    /// Whether moderation flagged the text.
    public var flagged = false
    /// `publish` or `reject`.
    public var decision = ""

    /// Creates a review request.
    public init(text: String, transientFailures: Int = 1) {
        self.text = text
        self.transientFailures = transientFailures
    }
}

/// Example 3: a moderation step that times out transiently and succeeds on
/// retry; the final decision and attempt counts.
public struct ContentReviewWorkflow: Workflow {
    /// Creates the workflow.
    public init() {}

    /// The catalog name.
    public var name: String { "content-review" }

    /// Moderate (with retries), then decide.
    public var steps: [Step<ContentReviewState>] {
        Step(
            "moderate_content", description: "Ask the moderation service (flaky)",
            retry: RetryPolicy(retries: 2, retryOn: [ModerationTimeoutError.self], delay: .milliseconds(20))
        ) { state, context in
            if context.attempt <= state.transientFailures {
                throw ModerationTimeoutError(attempt: context.attempt)
            }
            let banned = ["spam", "scam", "abuse"]
            state.flagged = banned.contains { state.text.lowercased().contains($0) }
            return state.flagged ? "flagged" : "clean"
        }
        Step("record_decision", description: "Publish clean content, reject flagged content") { state in
            state.decision = state.flagged ? "reject" : "publish"
            return "Decision: \(state.decision)."
        }
    }
}

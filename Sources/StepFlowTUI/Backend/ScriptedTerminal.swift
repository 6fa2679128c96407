import Foundation

/// A terminal in memory for tests: plays a script of keys, resizes and waits,
/// and keeps the frames the console draws.
///
/// A `.waitFor` step holds the script until a drawn frame contains the text, so
/// a test follows what is on screen instead of guessing how long things take.
/// Like every terminal it lives on the main actor, so tests run the loop there.
@MainActor
public final class ScriptedTerminal: ConsoleTerminal {
    /// One step of the script.
    public enum Step: Sendable {
        /// Press a key.
        case key(Key)
        /// Type characters.
        case text(String)
        /// Wait until a frame shows this text.
        case waitFor(String)
        /// Change the size.
        case resize(width: Int, height: Int)
        /// The terminal goes away, as when its window is closed.
        case hangUp
        /// Runs code in the middle of the script (to look at the process while the console runs).
        case call(@MainActor @Sendable () -> Void)
    }

    /// The size in cells (changed by `.resize` steps).
    public private(set) var size: (width: Int, height: Int)
    /// Always monochrome.
    public let colors = false
    private var steps: [Step] {
        didSet { deadline = Date().addingTimeInterval(timeout) }
    }
    private let timeout: TimeInterval
    /// Each step gets the whole timeout: the clock restarts whenever the script moves on.
    private var deadline: Date
    /// The last frame drawn, as text lines.
    public private(set) var lastFrame: [String] = []
    /// How many frames were drawn.
    public private(set) var frameCount = 0
    /// Set when a wait ran past the deadline: the text waited for and the last frame.
    public private(set) var failure: String?
    /// Whether the console closed the terminal.
    public private(set) var closed = false

    /// A terminal of this size that plays `steps`, giving up when one step waits
    /// longer than `timeout` seconds.
    public init(width: Int, height: Int, steps: [Step], timeout: TimeInterval = 60) {
        size = (width, height)
        self.timeout = timeout
        deadline = Date().addingTimeInterval(timeout)
        self.steps = steps.flatMap { step -> [Step] in
            if case .text(let text) = step { return text.map { .key(.character($0)) } }
            return [step]
        }
        deadline = Date().addingTimeInterval(timeout)
    }

    /// The script's next key or resize; `nil` while it waits for a frame (or has hung up).
    public func readInput() -> TerminalInput? {
        guard let step = steps.first else { return timedOut("the end of the script") }
        switch step {
        case .key(let key):
            steps.removeFirst()
            return .key(key)
        case .resize(let width, let height):
            steps.removeFirst()
            size = (width, height)
            return .resize(width: width, height: height)
        case .waitFor(let text):
            if lastFrame.contains(where: { $0.contains(text) }) {
                steps.removeFirst()
                return readInput()
            }
            return timedOut("\"\(text)\"")
        case .text:
            steps.removeFirst()
            return nil
        case .hangUp:
            steps.removeFirst()
            hungUp = true
            return nil
        case .call(let body):
            steps.removeFirst()
            body()
            return readInput()
        }
    }

    /// Past the deadline, records the failure and quits; before it, reports "no key"
    /// (the loop then sleeps for ``inputPollInterval``).
    private func timedOut(_ waitingFor: String) -> TerminalInput? {
        if Date() > deadline {
            if failure == nil {
                failure = "timed out waiting for \(waitingFor); last frame:\n" + lastFrame.joined(separator: "\n")
            }
            // Esc closes any editor, prompt or overlay; then quit, confirming if asked.
            steps = [.key(.escape), .key(.escape), .key(.escape), .key(.character("q")), .key(.character("y"))]
            return nil
        }
        return nil
    }

    /// Set by a `.hangUp` step.
    public private(set) var hungUp = false

    /// Nothing to watch: the script's input depends only on the frames drawn.
    public func watchInput(_ wake: @escaping @Sendable () -> Void) {}

    /// Short: a `.waitFor` step is looked at again soon after each frame.
    public var inputPollInterval: Duration? { .milliseconds(2) }

    /// Keeps the frame's text.
    public func draw(_ grid: CellGrid) {
        lastFrame = grid.lines
        frameCount += 1
    }

    /// Records that the console gave the terminal back.
    public func close() {
        closed = true
    }
}

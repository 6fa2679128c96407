import Dispatch
import Foundation

/// The dispositions of some signals as they were when saved, to put back at exit:
/// a console embedded in a larger program hands its signals back as it found them.
struct SignalDispositions {
    private let saved: [(signal: Int32, action: sigaction)]

    /// Reads the current disposition of each signal.
    init(_ signals: [Int32]) {
        saved = signals.map { number in
            var action = sigaction()
            sigaction(number, nil, &action)
            return (number, action)
        }
    }

    /// Puts every saved disposition back.
    func restore() {
        for (number, action) in saved {
            var action = action
            sigaction(number, &action, nil)
        }
    }

    /// The saved disposition of `signal`, if it was saved.
    func action(for signal: Int32) -> sigaction? {
        saved.first { $0.signal == signal }?.action
    }
}

/// SIGINT, SIGTERM and SIGHUP as messages for the console loop, which restores
/// the terminal itself (never from inside a signal handler, where ncurses must
/// not be called).
///
/// Install it before ncurses opens: ncurses installs handlers of its own for
/// signals still at their default, and those would exit without saving runs.
@MainActor
final class InterruptSignals {
    /// The signals that end the console.
    static let numbers = [SIGINT, SIGTERM, SIGHUP]

    private let previous: SignalDispositions
    private var sources: [any DispatchSourceSignal]

    /// Saves the current dispositions, then turns each signal into a call of `handle`.
    init(_ handle: @escaping @Sendable (Int32) -> Void) {
        previous = SignalDispositions(Self.numbers)
        sources = Self.numbers.map { number in
            // Ignored first, so nothing kills the process before the source is armed.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            // Sendable, so not main-actor isolated: it runs on a global queue.
            source.setEventHandler { @Sendable in handle(number) }
            source.resume()
            return source
        }
    }

    /// Stops listening and puts the previous dispositions back.
    func restore() {
        for source in sources { source.cancel() }
        sources = []
        previous.restore()
    }
}

import Foundation
import Synchronization

/// A store probe running as a separate process: lines in on its stdin, lines
/// out of its stdout, and how it ended.
///
/// Output is read by Foundation's readability handler (its own thread), so a
/// test waiting for a line never blocks a thread of the concurrency pool.
package final class ProbeProcess: Sendable {
    /// How a process ended.
    package enum Exit: Sendable, Hashable, CustomStringConvertible {
        /// `exit(status)`.
        case exited(Int32)
        /// Killed by a signal.
        case signalled(Int32)

        /// "exit 0", "signal 9".
        package var description: String {
            switch self {
            case .exited(let status): "exit \(status)"
            case .signalled(let signal): "signal \(signal)"
            }
        }
    }

    private struct Lines {
        var partial = Data()
        var ready: [String] = []
        var closed = false
        var waiter: CheckedContinuation<String?, Never>?
    }

    private struct Ending {
        var exit: Exit?
        var waiters: [CheckedContinuation<Exit, Never>] = []
    }

    /// What the handlers (on Foundation's threads) and the waiters share.
    private final class Shared: Sendable {
        let lines = Mutex(Lines())
        let ending = Mutex(Ending())
    }

    private let process: Process
    private let input: FileHandle
    private let shared = Shared()

    /// Starts `executable` with `arguments`.
    package init(executable: URL, arguments: [String]) throws {
        // A probe that died must not take this process with it when written to.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        let stdin = Pipe()
        let stdout = Pipe()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = stdin
        process.standardOutput = stdout
        self.process = process
        self.input = stdin.fileHandleForWriting
        let shared = self.shared
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            let (waiter, line) = shared.lines.withLock { state -> (CheckedContinuation<String?, Never>?, String??) in
                if data.isEmpty {
                    state.closed = true
                } else {
                    state.partial.append(data)
                    while let newline = state.partial.firstIndex(of: UInt8(ascii: "\n")) {
                        state.ready.append(String(decoding: state.partial[..<newline], as: UTF8.self))
                        state.partial.removeSubrange(...newline)
                    }
                }
                guard let waiter = state.waiter else { return (nil, nil) }
                if !state.ready.isEmpty {
                    state.waiter = nil
                    return (waiter, .some(state.ready.removeFirst()))
                }
                if state.closed {
                    state.waiter = nil
                    return (waiter, .some(nil))
                }
                return (nil, nil)
            }
            if let waiter, let line { waiter.resume(returning: line) }
        }
        process.terminationHandler = { finished in
            let exit: Exit =
                finished.terminationReason == .uncaughtSignal
                ? .signalled(finished.terminationStatus) : .exited(finished.terminationStatus)
            let waiters = shared.ending.withLock { state in
                state.exit = exit
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: exit) }
        }
        try process.run()
    }

    /// The process id.
    package var processIdentifier: Int32 { process.processIdentifier }

    /// Writes `line` and a newline to the probe's stdin.
    package func send(_ line: String) throws {
        try input.write(contentsOf: Data((line + "\n").utf8))
    }

    /// The next line the probe wrote, or `nil` once its output closed.
    package func nextLine() async -> String? {
        await withCheckedContinuation { continuation in
            let line: String?? = shared.lines.withLock { state in
                if !state.ready.isEmpty { return .some(state.ready.removeFirst()) }
                if state.closed { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let line { continuation.resume(returning: line) }
        }
    }

    /// Sends SIGKILL.
    package func kill() {
        _ = Foundation.kill(process.processIdentifier, SIGKILL)
    }

    /// Closes stdin (the probe's signal to finish) and waits for the end.
    package func finish() async -> Exit {
        try? input.close()
        return await exit()
    }

    /// Waits for the process to end.
    package func exit() async -> Exit {
        await withCheckedContinuation { continuation in
            let exit = shared.ending.withLock { state in
                if state.exit == nil { state.waiters.append(continuation) }
                return state.exit
            }
            if let exit { continuation.resume(returning: exit) }
        }
    }
}

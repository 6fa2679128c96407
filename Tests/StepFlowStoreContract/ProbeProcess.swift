import Foundation
import Synchronization

/// A store probe running as a separate process: lines in on its stdin, lines
/// out of its stdout, and how it ended.
///
/// The pipes are its own (close-on-exec, each end closed exactly
/// once, by this type): thousands of short-lived probes must never close a
/// descriptor number that another probe has since been given. Output is read
/// by a thread of its own, so a test waiting for a line never blocks a thread
/// of the concurrency pool.
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
        var partial: [UInt8] = []
        var ready: [String] = []
        var closed = false
        var waiter: CheckedContinuation<String?, Never>?
    }

    private struct Ending {
        var exit: Exit?
        var waiters: [CheckedContinuation<Exit, Never>] = []
    }

    /// What the reader thread, the termination handler and the waiters share.
    private final class Shared: Sendable {
        let lines = Mutex(Lines())
        let ending = Mutex(Ending())
        /// The write end of the probe's stdin, until closed.
        let input: Mutex<Int32?>

        init(input: Int32) {
            self.input = Mutex(input)
        }
    }

    private let process: Process
    private let shared: Shared

    /// Starts `executable` with `arguments`.
    package init(executable: URL, arguments: [String]) throws {
        // A probe that died must not take this process with it when written to.
        signal(SIGPIPE, SIG_IGN)
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0 else { throw Self.lastError() }
        guard pipe(&fromChild) == 0 else {
            let error = Self.lastError()
            for descriptor in toChild { _ = close(descriptor) }
            throw error
        }
        // Not inherited by other children (the probe gets its ends by dup2, which clears the flag).
        for descriptor in toChild + fromChild { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle(fileDescriptor: toChild[0], closeOnDealloc: false)
        process.standardOutput = FileHandle(fileDescriptor: fromChild[1], closeOnDealloc: false)
        let shared = Shared(input: toChild[1])
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
        do {
            try process.run()
        } catch {
            for descriptor in toChild + fromChild { _ = close(descriptor) }
            throw error
        }
        // The child has its copies; the parent keeps only its own ends.
        _ = close(toChild[0])
        _ = close(fromChild[1])
        self.process = process
        self.shared = shared
        let output = fromChild[0]
        Thread { Self.readLines(from: output, into: shared) }.start()
    }

    deinit {
        closeInput()
    }

    private static func lastError() -> POSIXError {
        POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
    }

    /// Reads until end of file, handing each line to its waiter; then closes `descriptor`.
    private static func readLines(from descriptor: Int32, into shared: Shared) {
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            let chunk = count > 0 ? Array(buffer[..<count]) : []
            let handoff = shared.lines.withLock { state -> (CheckedContinuation<String?, Never>, String?)? in
                if chunk.isEmpty {
                    state.closed = true
                } else {
                    state.partial += chunk
                    while let newline = state.partial.firstIndex(of: UInt8(ascii: "\n")) {
                        state.ready.append(String(decoding: state.partial[..<newline], as: UTF8.self))
                        state.partial.removeSubrange(...newline)
                    }
                }
                guard let waiter = state.waiter else { return nil }
                if !state.ready.isEmpty {
                    state.waiter = nil
                    return (waiter, state.ready.removeFirst())
                }
                if state.closed {
                    state.waiter = nil
                    return (waiter, nil)
                }
                return nil
            }
            if let (waiter, line) = handoff { waiter.resume(returning: line) }
            if chunk.isEmpty { break }
        }
        _ = close(descriptor)
    }

    /// The process id.
    package var processIdentifier: Int32 { process.processIdentifier }

    /// Writes `line` and a newline to the probe's stdin.
    package func send(_ line: String) throws {
        let bytes = Array((line + "\n").utf8)
        try shared.input.withLock { input in
            guard let input else { throw POSIXError(.EBADF) }
            var written = 0
            while written < bytes.count {
                let count = bytes[written...].withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw Self.lastError()
                }
                written += count
            }
        }
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
        closeInput()
        return await exit()
    }

    private func closeInput() {
        shared.input.withLock { input in
            if let descriptor = input { _ = close(descriptor) }
            input = nil
        }
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

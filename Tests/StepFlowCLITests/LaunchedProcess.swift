import Foundation
import StepFlowTestSupport

/// A process the tests start and wait for separately (to race two of them, or
/// to kill one mid-run), its output going to files so that it never blocks on
/// a full pipe.
final class LaunchedProcess: @unchecked Sendable {
    /// What it left behind.
    struct Outcome {
        /// The exit status, or the number of the signal that ended it.
        let exitCode: Int32
        /// Whether a signal ended it.
        let signalled: Bool
        /// Everything written to standard output.
        let stdout: String
        /// Everything written to standard error.
        let stderr: String
        /// Standard output split into lines.
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
        /// Standard error split into lines.
        var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    private let process = Process()
    private let folder: URL
    private let input = Pipe()
    private let ended: AsyncStream<(Int32, Bool)>

    /// Starts `executable` with `arguments` and `environment` added to this process's own.
    ///
    /// With `gated`, it is started behind `sh -c 'read _; exec …'`: it waits
    /// for ``release()`` before it execs, so several processes started this
    /// way can be let go at the same instant.
    init(_ executable: URL, _ arguments: [String], environment: [String: String], gated: Bool = false) throws {
        folder = try makeTemporaryDirectory()
        for name in ["stdout", "stderr"] {
            _ = FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: nil)
        }
        if gated {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", #"read _; exec "$0" "$@""#, executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardInput = input
        process.standardOutput = try FileHandle(forWritingTo: folder.appendingPathComponent("stdout"))
        process.standardError = try FileHandle(forWritingTo: folder.appendingPathComponent("stderr"))
        let (stream, continuation) = AsyncStream<(Int32, Bool)>.makeStream()
        ended = stream
        process.terminationHandler = { process in
            continuation.yield((process.terminationStatus, process.terminationReason == .uncaughtSignal))
            continuation.finish()
        }
        try process.run()
        if !gated { try input.fileHandleForWriting.close() }
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The process id.
    var processIdentifier: Int32 { process.processIdentifier }

    /// Lets a gated process exec its command.
    func release() throws {
        try input.fileHandleForWriting.write(contentsOf: Data("go\n".utf8))
        try input.fileHandleForWriting.close()
    }

    /// Waits for the process to end.
    func outcome() async -> Outcome {
        var status: (Int32, Bool) = (-1, false)
        for await ending in ended { status = ending }
        let read = { (name: String) in
            (try? String(contentsOf: self.folder.appendingPathComponent(name), encoding: .utf8)) ?? ""
        }
        return Outcome(exitCode: status.0, signalled: status.1, stdout: read("stdout"), stderr: read("stderr"))
    }
}

/// Waits until `condition` holds, checking every few milliseconds; fails after `timeout`.
func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// A condition a test waited for never came.
struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

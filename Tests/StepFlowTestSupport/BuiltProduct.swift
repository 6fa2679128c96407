import Foundation

/// Runs an executable built by this package, as a separate process.
package struct BuiltProduct {
    /// The folder holding the package's built products (beside the test bundle).
    package static let directory: URL = {
        if let explicit = ProcessInfo.processInfo.environment["STEPFLOW_PRODUCTS_DIR"] {
            return URL(fileURLWithPath: explicit)
        }
        // The test runner is `.build/<config>/StepFlowPackageTests.xctest`; products sit beside it.
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return runner.deletingLastPathComponent()
    }()

    /// What a finished process left behind.
    package struct Outcome {
        /// The exit status.
        package let exitCode: Int32
        /// Everything written to standard output.
        package let stdout: String
        /// Everything written to standard error.
        package let stderr: String
        /// Standard output split into lines.
        package var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The product's name, as in Package.swift.
    package let name: String

    /// The product called `name`.
    package init(name: String) {
        self.name = name
    }

    /// Runs the product with `arguments` in `workingDirectory`, stdin given or
    /// closed, and waits for it.
    ///
    /// The wait suspends (a termination handler resumes it) and output goes to
    /// files, so a running child never holds a thread of the test pool.
    /// `environment` is added to this process's own, or with `exactEnvironment`
    /// replaces it (for locale tests).
    package func run(
        _ arguments: [String], workingDirectory: URL? = nil, stdin: String? = nil,
        environment: [String: String] = [:], exactEnvironment: Bool = false
    ) async throws -> Outcome {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let paths = ["stdin", "stdout", "stderr"].map { folder.appendingPathComponent($0) }
        try Data((stdin ?? "").utf8).write(to: paths[0])
        for path in paths.dropFirst() { _ = FileManager.default.createFile(atPath: path.path, contents: nil) }
        let input = try FileHandle(forReadingFrom: paths[0])
        let output = try FileHandle(forWritingTo: paths[1])
        let errors = try FileHandle(forWritingTo: paths[2])
        defer {
            for handle in [input, output, errors] { try? handle.close() }
        }

        let process = Process()
        process.executableURL = Self.directory.appendingPathComponent(name)
        process.arguments = arguments
        process.environment =
            exactEnvironment
            ? environment : ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Outcome(
            exitCode: status,
            stdout: (try? String(contentsOf: paths[1], encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: paths[2], encoding: .utf8)) ?? "")
    }
}

/// A fresh temporary folder, removed by the caller.
package func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("stepflow-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

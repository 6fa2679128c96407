import Foundation
import Testing

/// A text file that holds what a rendering is expected to look like, kept in a
/// `Golden` folder beside the test that checks it.
///
/// With `STEPFLOW_RECORD_GOLDENS=1` in the environment, ``check(_:recording:sourceLocation:)``
/// writes the file instead of comparing, and still fails the test: a record run
/// must never pass as if it had checked anything. Read each recorded file before
/// committing it.
package struct GoldenFile {
    /// The environment variable that turns checking into recording.
    package static let recordVariable = "STEPFLOW_RECORD_GOLDENS"

    /// Whether this test run records golden files rather than checking them.
    package static var isRecording: Bool {
        ProcessInfo.processInfo.environment[recordVariable] == "1"
    }

    /// Where the file is.
    package let url: URL

    /// The golden file `Golden/NAME.txt` in the folder of the test file `filePath`.
    package init(_ name: String, filePath: String = #filePath) {
        url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
            .appendingPathComponent("Golden").appendingPathComponent("\(name).txt")
    }

    /// The golden file at `url`.
    package init(url: URL) {
        self.url = url
    }

    /// Records an issue unless the file holds exactly `text`; when `recording`,
    /// writes `text` to the file and records an issue saying so.
    package func check(
        _ text: String, recording: Bool = GoldenFile.isRecording,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let name = url.lastPathComponent
        if recording {
            do {
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
                Issue.record(
                    "recorded golden \(name); read it, then run again without \(Self.recordVariable) to check it",
                    sourceLocation: sourceLocation)
            } catch {
                Issue.record("cannot record golden \(url.path): \(error)", sourceLocation: sourceLocation)
            }
            return
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            Issue.record(
                "missing golden \(url.path); record it with \(Self.recordVariable)=1", sourceLocation: sourceLocation)
            return
        }
        let expected = String(decoding: data, as: UTF8.self)
        guard expected != text else { return }
        Issue.record(
            Comment(
                rawValue: "\(name) differs \(Self.firstDifference(expected, text)) "
                    + "(re-record with \(Self.recordVariable)=1 if intended):\n"
                    + "--- expected\n\(expected)--- actual\n\(text)"),
            sourceLocation: sourceLocation)
    }

    /// "at line N", the first line where the two texts part.
    static func firstDifference(_ expected: String, _ actual: String) -> String {
        let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let shared = min(old.count, new.count)
        let line = (0..<shared).first { old[$0] != new[$0] } ?? shared
        return "at line \(line + 1)"
    }
}

/// Checks rendered lines against the golden file `Golden/NAME.txt` beside the
/// calling test file (one line each, ending in a newline).
///
/// `STEPFLOW_RECORD_GOLDENS=1` (re)writes the file instead, and the test fails
/// saying it recorded.
package func expectGolden(
    _ lines: [String], named name: String, filePath: String = #filePath,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    GoldenFile(name, filePath: filePath)
        .check(lines.joined(separator: "\n") + "\n", sourceLocation: sourceLocation)
}

import Foundation
import StepFlowTestSupport
import Testing

/// Each test gets its own instance, so its own folder, removed when it ends.
@Suite("Golden files")
final class GoldenFileTests {
    private let folder: URL
    private let golden: GoldenFile

    init() throws {
        folder = try makeTemporaryDirectory()
        golden = GoldenFile(url: folder.appendingPathComponent("Golden/sample.txt"))
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    @Test("a record run writes the file and still fails, so it cannot pass silently")
    func recordingFails() throws {
        withKnownIssue {
            golden.check("one\ntwo\n", recording: true)
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("recorded golden sample.txt") }
        }
        #expect(try String(contentsOf: golden.url, encoding: .utf8) == "one\ntwo\n")
        golden.check("one\ntwo\n", recording: false)
    }

    @Test("a different text fails and names the first line that differs")
    func differenceFails() {
        withKnownIssue { golden.check("one\ntwo\n", recording: true) }
        withKnownIssue {
            golden.check("one\nthree\n", recording: false)
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("sample.txt differs at line 2") }
        }
    }

    @Test("a missing file fails and says how to record it")
    func missingFails() {
        withKnownIssue {
            golden.check("one\n", recording: false)
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("STEPFLOW_RECORD_GOLDENS=1") }
        }
    }

    @Test("the golden of a test file is Golden/NAME.txt in that file's folder")
    func location() {
        let golden = GoldenFile("home-80x24", filePath: "/repo/Tests/SomeTests/ViewTests.swift")
        #expect(golden.url.path == "/repo/Tests/SomeTests/Golden/home-80x24.txt")
    }
}

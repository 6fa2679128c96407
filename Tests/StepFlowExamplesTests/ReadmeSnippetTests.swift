import Foundation
import StepFlowTestSupport
import Testing

/// The README's Swift code is the visible part of the files in `Snippets/`,
/// which SwiftPM compiles as executables: editing the README alone fails here,
/// and code that no longer compiles fails the build.
///
/// A README block is tied to its file by the line `<!-- snippet: Snippets/NAME.swift -->`
/// just before the fence. With `STEPFLOW_RECORD_GOLDENS=1` the README blocks are
/// rewritten from the files (and the test fails, saying so).
@Suite("README snippets")
struct ReadmeSnippetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test("every README Swift block is the visible code of its snippet file")
    func readmeMatchesSnippets() throws {
        let readmeURL = Self.root.appendingPathComponent("README.md")
        let readme = try String(contentsOf: readmeURL, encoding: .utf8)
        let blocks = ReadmeSnippets.blocks(in: readme)
        #expect(
            blocks.map(\.path).sorted() == Self.snippetFiles().sorted(), "each snippet file appears in the README once")
        var rewritten = readme
        for block in blocks.reversed() {
            let source = try String(contentsOf: Self.root.appendingPathComponent(block.path), encoding: .utf8)
            let visible = ReadmeSnippets.visibleCode(of: source)
            if ProcessInfo.processInfo.environment["STEPFLOW_RECORD_GOLDENS"] == "1" {
                rewritten.replaceSubrange(block.code, with: visible)
            } else {
                #expect(String(readme[block.code]) == visible, "README block for \(block.path) differs from the file")
            }
        }
        if rewritten != readme {
            try rewritten.write(to: readmeURL, atomically: true, encoding: .utf8)
            Issue.record("recorded: README blocks rewritten from Snippets/; run again without STEPFLOW_RECORD_GOLDENS")
        }
    }

    @Test("each snippet runs and prints what its comments say", arguments: snippetFiles())
    func snippetPrintsItsComments(path: String) async throws {
        let source = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
        let directives = ReadmeSnippets.directives(in: source)
        let expected = directives["output"] ?? ReadmeSnippets.expectedOutput(of: ReadmeSnippets.visibleCode(of: source))
        #expect(!expected.isEmpty, "a snippet shows what it prints")
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let arguments = directives["arguments"]?.flatMap { $0.split(separator: " ").map(String.init) } ?? []
        let outcome = try await BuiltProduct(name: name).run(arguments)
        #expect(outcome.exitCode == 0, "\(outcome.stderr)")
        #expect(outcome.lines.filter { !$0.isEmpty } == expected)
    }

    @Test("a block is read up to its own closing fence, empty blocks included")
    func blockBoundaries() {
        let readme = """
            <!-- snippet: A.swift -->
            ```swift
            ```
            text
            ```sh
            x
            ```
            <!-- snippet: B.swift -->
            ```swift
            let b = 1
            ```

            """
        let blocks = ReadmeSnippets.blocks(in: readme)
        #expect(blocks.map(\.path) == ["A.swift", "B.swift"])
        #expect(blocks.map { String(readme[$0.code]) } == ["", "let b = 1\n"])
    }

    @Test("hidden scaffolding is left out and the rest is kept verbatim")
    func visibleCodeRules() {
        let source =
            "// snippet.hide\nimport X\n// snippet.show\nlet a = 1\n    // snippet.hide\nlet b = 2\n// snippet.show\nprint(a)  // 1\n"
        #expect(ReadmeSnippets.visibleCode(of: source) == "let a = 1\nprint(a)  // 1\n")
        #expect(
            ReadmeSnippets.expectedOutput(of: "print(a)  // 1\nlet x = f()  // not printed\nprint(b, c) // two words\n")
                == ["1", "two words"])
    }

    static func snippetFiles() -> [String] {
        let folder = root.appendingPathComponent("Snippets")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".swift") }.sorted().map { "Snippets/\($0)" }
    }
}

/// Reading README blocks and snippet files.
enum ReadmeSnippets {
    /// A README Swift block tied to a snippet file: the file's path and the range of the code between the fences.
    struct Block {
        let path: String
        let code: Range<String.Index>
    }

    static let marker = "<!-- snippet: "

    static func blocks(in readme: String) -> [Block] {
        var blocks: [Block] = []
        var searchFrom = readme.startIndex
        while let markerRange = readme.range(of: marker, range: searchFrom..<readme.endIndex),
            let markerEnd = readme.range(of: " -->\n", range: markerRange.upperBound..<readme.endIndex),
            let fence = readme.range(of: "```swift\n", range: markerEnd.upperBound..<readme.endIndex),
            fence.lowerBound == markerEnd.upperBound,
            let end = closingFence(in: readme, from: fence.upperBound)
        {
            let path = String(readme[markerRange.upperBound..<markerEnd.lowerBound])
            blocks.append(Block(path: path, code: fence.upperBound..<end.lowerBound))
            searchFrom = end.upperBound
        }
        return blocks
    }

    /// The first line that is only a closing fence, from the start of a line at `start` (an empty block included).
    static func closingFence(in text: String, from start: String.Index) -> Range<String.Index>? {
        var lineStart = start
        while lineStart < text.endIndex {
            let lineEnd = text[lineStart...].firstIndex(of: "\n") ?? text.endIndex
            if text[lineStart..<lineEnd] == "```" {
                return lineStart..<(lineEnd < text.endIndex ? text.index(after: lineEnd) : lineEnd)
            }
            guard lineEnd < text.endIndex else { break }
            lineStart = text.index(after: lineEnd)
        }
        return nil
    }

    /// The file without the lines from `// snippet.hide` to `// snippet.show` (the markers included).
    static func visibleCode(of source: String) -> String {
        var hidden = false
        var kept: [Substring] = []
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            switch line.trimmingCharacters(in: .whitespaces) {
            case "// snippet.hide": hidden = true
            case "// snippet.show": hidden = false
            default: if !hidden { kept.append(line) }
            }
        }
        let text = kept.joined(separator: "\n")
        return text.hasSuffix("\n") ? text : text + "\n"
    }

    /// The hidden `// snippet.NAME: VALUE` lines, by name: how the test runs a
    /// snippet (`arguments`) and what it prints when that is not in its code (`output`).
    static func directives(in source: String) -> [String: [String]] {
        var found: [String: [String]] = [:]
        for line in source.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("// snippet."), let colon = trimmed.firstIndex(of: ":") else { continue }
            let name = String(trimmed[trimmed.index(trimmed.startIndex, offsetBy: 11)..<colon])
            found[name, default: []].append(
                trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return found
    }

    /// The trailing comments of `print(...)` lines, in order: what the snippet says it prints.
    static func expectedOutput(of code: String) -> [String] {
        code.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("print("), let comment = trimmed.range(of: "  // ") ?? trimmed.range(of: ") // ")
            else { return nil }
            return trimmed[comment.upperBound...].trimmingCharacters(in: .whitespaces)
        }
    }
}

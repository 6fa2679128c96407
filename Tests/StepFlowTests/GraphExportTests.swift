import Foundation
import StepFlow
import StepFlowTestSupport
import Synchronization
import Testing

// SPEC §8: graph export reads only the definition, validates it first, and
// writes nodes, edges, Mermaid text and (beyond) JSON.

private struct GraphState: Codable, Sendable, Equatable {
    var value = 0
}

/// Records which step bodies ran, so a test can prove none did.
private final class GraphBodyLog: Sendable {
    private let calls = Mutex<[String]>([])

    func record(_ name: String) {
        calls.withLock { $0.append(name) }
    }

    var all: [String] {
        calls.withLock { $0 }
    }
}

/// A workflow whose name and steps are given as values.
private struct GraphWorkflow: Workflow {
    var name: String = "GraphWorkflow"
    let stepList: [Step<GraphState>]

    var steps: [Step<GraphState>] {
        stepList
    }
}

/// A step that records when its body runs and returns its first route key.
private func graphStep(
    _ name: String,
    _ log: GraphBodyLog = GraphBodyLog(),
    description: String? = nil,
    routes: KeyValuePairs<String, RouteTarget>? = nil,
    approval: ApprovalGate? = nil
) -> Step<GraphState> {
    let output = routes?.first?.key ?? "done"
    return Step(name, description: description, routes: routes, approval: approval) {
        (state: inout GraphState) -> String in
        log.record(name)
        state.value += 1
        return output
    }
}

/// Three unrouted steps, the default name (the type's name).
private struct LinearGraphWorkflow: Workflow {
    var steps: [Step<GraphState>] {
        Step("check_order", description: "Find the order.") { state in
            state.value += 1
        }
        Step("verify_policy") { state in
            state.value += 1
        }
        Step("generate_response", description: "Write the reply.") { state in
            state.value += 1
        }
    }
}

/// The example of SPEC §8.
private struct RefundGraphWorkflow: Workflow {
    let log: GraphBodyLog

    var steps: [Step<GraphState>] {
        Step(
            "evaluate_refund", description: "Decide whether the refund goes ahead.",
            routes: ["approve": "approve_refund", "deny": .end]
        ) { (_: inout GraphState) -> String in
            log.record("evaluate_refund")
            return "approve"
        }
        Step("approve_refund", approval: .required(message: "Approve the refund?")) { (_: inout GraphState) in
            log.record("approve_refund")
        }
        Step("notify") { (_: inout GraphState) in
            log.record("notify")
        }
    }
}

/// A workflow with a custom name.
private struct CustomNamedWorkflow: Workflow {
    var name: String { "custom" }

    var steps: [Step<GraphState>] {
        Step("only") { state in
            state.value += 1
        }
    }
}

// MARK: Mermaid label helpers for the property tests

/// Reverses the Mermaid escaping: entity codes (`#quot;`, `#amp;`, `#lt;`, `#gt;`, `#<decimal>;`) and `\n`.
///
/// Works on Unicode scalars, so a `#` or `\` that is not part of an escape
/// makes it return `nil`.
private func unescapeMermaidLabel(_ text: String) -> String? {
    let scalars = Array(text.unicodeScalars)
    var output = String.UnicodeScalarView()
    var index = 0
    while index < scalars.count {
        let scalar = scalars[index]
        if scalar == "#" {
            guard let end = scalars[index...].firstIndex(of: ";") else { return nil }
            let entity = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
            switch entity {
            case "quot": output.append("\"")
            case "amp": output.append("&")
            case "lt": output.append("<")
            case "gt": output.append(">")
            default:
                guard !entity.isEmpty, entity.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }),
                    let value = UInt32(entity), let decoded = Unicode.Scalar(value)
                else { return nil }
                output.append(decoded)
            }
            index = end + 1
        } else if scalar == "\\" {
            guard index + 1 < scalars.count, scalars[index + 1] == "n" else { return nil }
            output.append("\n")
            index += 2
        } else {
            output.append(scalar)
            index += 1
        }
    }
    return String(output)
}

/// A small deterministic generator (SplitMix64), so failures reproduce.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Characters that need escaping, one per entry.
private let specialCharacters: [Character] = [
    "\"", "|", "\\", "#", "<", ">", "(", ")", "[", "]", "{", "}", "&", "\n", "`", "\t", ";", "@", "$", ":", "%",
]

/// Characters the SPEC lists as plain (written unchanged), plus letters and digits.
private let plainCharacters: [Character] = Array(
    "abcXYZ019 _-.,:;'!?*/+=@$%^~")

/// Whole characters beyond ASCII that combine with nothing.
private let otherCharacters: [Character] = ["é", "ß", "中", "🙂", "Ω", "n", "q", "u", "o", "t", "l", "g", "3", "5"]

private func randomName(
    using generator: inout SplitMix64, from alphabet: [Character], maxLength: Int = 12
) -> String {
    let length = Int.random(in: 1...maxLength, using: &generator)
    return String((0..<length).map { _ in alphabet[Int.random(in: alphabet.indices, using: &generator)] })
}

/// Mermaid for `[name (gated or not), routes [key: tail, "other": .end]], tail`,
/// checked line by line; returns the node label and the first edge label as written.
private func mermaidLabels(
    stepName: String, routeKey: String, gated: Bool,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> (node: String, edge: String) {
    let workflow = GraphWorkflow(stepList: [
        graphStep(stepName, routes: [routeKey: "tail", "other": .end], approval: gated ? .required : nil),
        graphStep("tail"),
    ])
    let mermaid = try workflow.graph().mermaid()
    let lines = mermaid.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    try #require(lines.count == 6, "a label leaked a line break:\n\(mermaid)", sourceLocation: sourceLocation)
    #expect(lines[0] == "flowchart TD", sourceLocation: sourceLocation)
    #expect(lines[2] == #"    step_1["tail"]"#, sourceLocation: sourceLocation)
    #expect(lines[3] == "    end_0((END))", sourceLocation: sourceLocation)
    #expect(lines[5] == "    step_0 -->|other| end_0", sourceLocation: sourceLocation)

    let nodePrefix = #"    step_0[""#
    let nodeSuffix = #""]"#
    let nodeLine = lines[1]
    try #require(
        nodeLine.hasPrefix(nodePrefix) && nodeLine.hasSuffix(nodeSuffix),
        "bad node line \(nodeLine)", sourceLocation: sourceLocation)
    var node = String(
        String.UnicodeScalarView(
            nodeLine.unicodeScalars.dropFirst(nodePrefix.unicodeScalars.count).dropLast(nodeSuffix.unicodeScalars.count)
        ))
    if gated {
        let approval = #"\napproval"#
        try #require(node.hasSuffix(approval), sourceLocation: sourceLocation)
        node = String(String.UnicodeScalarView(node.unicodeScalars.dropLast(approval.unicodeScalars.count)))
    }

    let edgePrefix = "    step_0 -->|"
    let edgeSuffix = "| step_1"
    let edgeLine = lines[4]
    try #require(
        edgeLine.hasPrefix(edgePrefix) && edgeLine.hasSuffix(edgeSuffix),
        "bad edge line \(edgeLine)", sourceLocation: sourceLocation)
    let edge = String(
        String.UnicodeScalarView(
            edgeLine.unicodeScalars.dropFirst(edgePrefix.unicodeScalars.count).dropLast(edgeSuffix.unicodeScalars.count)
        ))
    return (node, edge)
}

/// The safety properties of one escaped name: no raw quote in a node label, no
/// raw pipe, quote or bracket in an edge label, and un-escaping gives the name back.
private func expectSafeLabels(
    name: String, gated: Bool, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let (node, edge) = try mermaidLabels(stepName: name, routeKey: name, gated: gated, sourceLocation: sourceLocation)
    for raw in "\"{".unicodeScalars {
        #expect(
            !node.unicodeScalars.contains(raw), "raw \(raw) in node label \(node) for \(name.debugDescription)",
            sourceLocation: sourceLocation)
    }
    for raw in "\"|()[]{}@".unicodeScalars {
        #expect(
            !edge.unicodeScalars.contains(raw), "raw \(raw) in edge label \(edge) for \(name.debugDescription)",
            sourceLocation: sourceLocation)
    }
    #expect(
        unescapeMermaidLabel(node) == name, "node label \(node) does not read back as \(name.debugDescription)",
        sourceLocation: sourceLocation)
    #expect(
        unescapeMermaidLabel(edge) == name, "edge label \(edge) does not read back as \(name.debugDescription)",
        sourceLocation: sourceLocation)
}

/// One special character and how it must be written in each label.
private struct EscapeCase: Sendable, CustomTestStringConvertible {
    let raw: String
    let inNode: String
    let inEdge: String

    var testDescription: String { raw.debugDescription }
}

private let escapeCases: [EscapeCase] = [
    EscapeCase(raw: "\"", inNode: "#quot;", inEdge: "#quot;"),
    EscapeCase(raw: "|", inNode: "#124;", inEdge: "#124;"),
    EscapeCase(raw: "\\", inNode: "#92;", inEdge: "#92;"),
    EscapeCase(raw: "#", inNode: "#35;", inEdge: "#35;"),
    EscapeCase(raw: "<", inNode: "#lt;", inEdge: "#lt;"),
    EscapeCase(raw: ">", inNode: "#gt;", inEdge: "#gt;"),
    EscapeCase(raw: "(", inNode: "(", inEdge: "#40;"),
    EscapeCase(raw: ")", inNode: ")", inEdge: "#41;"),
    EscapeCase(raw: "[", inNode: "[", inEdge: "#91;"),
    EscapeCase(raw: "]", inNode: "]", inEdge: "#93;"),
    EscapeCase(raw: "{", inNode: "#123;", inEdge: "#123;"),
    EscapeCase(raw: "}", inNode: "}", inEdge: "#125;"),
    EscapeCase(raw: "&", inNode: "#amp;", inEdge: "#amp;"),
    EscapeCase(raw: "\n", inNode: #"\n"#, inEdge: #"\n"#),
    EscapeCase(raw: "@", inNode: "@", inEdge: "#64;"),
    EscapeCase(raw: "\u{7}", inNode: "#7;", inEdge: "#7;"),
    EscapeCase(raw: "\u{85}", inNode: "\u{85}", inEdge: "\u{85}"),
]

// MARK: Corpus for the real-Mermaid check (Scripts/check-mermaid)

/// How Mermaid draws a name: each line break (LF, CR or CRLF) starts a new line.
private func mermaidShownText(_ text: String) -> String {
    var output = String.UnicodeScalarView()
    var previous: Unicode.Scalar?
    for scalar in text.unicodeScalars {
        defer { previous = scalar }
        if scalar == "\n" && previous == "\r" { continue }
        output.append(scalar == "\r" ? "\n" : scalar)
    }
    return String(output)
}

/// What real Mermaid must show for one graph: every node label (the step name,
/// then a line `approval` for a gated step; `END`) and every edge label (the
/// route key; empty for a linear edge), with line breaks as `\n`.
private struct MermaidShownLabels: Codable, Equatable {
    struct Node: Codable, Equatable {
        let id: String
        let text: String
    }

    struct Edge: Codable, Equatable {
        let source: String
        let target: String
        let text: String
    }

    var nodes: [Node] = []
    var edges: [Edge] = []
    /// Why real Mermaid cannot show this case as written, when it cannot.
    var knownLimitation: String?

    /// Worked out from the steps themselves, not from `graph()`.
    init(steps: [Step<GraphState>]) {
        let ids = Dictionary(uniqueKeysWithValues: steps.enumerated().map { ($1.name, "step_\($0)") })
        var reachesEnd = false
        for (index, step) in steps.enumerated() {
            let id = "step_\(index)"
            nodes.append(Node(id: id, text: mermaidShownText(step.name) + (step.approval == nil ? "" : "\napproval")))
            if let routes = step.routes {
                for route in routes {
                    let target: String
                    switch route.target {
                    case .end:
                        target = "end_0"
                        reachesEnd = true
                    case .step(let name):
                        target = ids[name] ?? "?"
                    }
                    edges.append(Edge(source: id, target: target, text: mermaidShownText(route.key)))
                }
            } else if index + 1 < steps.count {
                edges.append(Edge(source: id, target: "step_\(index + 1)", text: ""))
            }
        }
        if reachesEnd {
            nodes.append(Node(id: "end_0", text: "END"))
        }
    }
}

/// Steps named `names`; each but the last routes its key to the next step and
/// `stop` to END; the steps at `gated` require approval.
private func mermaidCheckChain(_ names: [String], keys: [String], gated: Set<Int> = []) -> [Step<GraphState>] {
    names.enumerated().map { index, name in
        let approval: ApprovalGate? = gated.contains(index) ? .required : nil
        guard index + 1 < names.count else { return graphStep(name, approval: approval) }
        return graphStep(name, routes: [keys[index]: .step(names[index + 1]), "stop": .end], approval: approval)
    }
}

/// One graph per tricky thing, so a name Mermaid rejects spoils only its own case.
private let mermaidCheckCases: [(name: String, steps: [Step<GraphState>])] = {
    var cases: [(name: String, steps: [Step<GraphState>])] = [
        (
            "spec_example",
            [
                graphStep("evaluate_refund", routes: ["approve": "approve_refund", "deny": .end]),
                graphStep("approve_refund", approval: .required),
                graphStep("notify"),
            ]
        ),
        (
            "plain_names",
            mermaidCheckChain(
                ["Check order_1-2.3,4:5;6'7!8?9*10/11+12=13%14^15~ end", "graph", "end", "tail"],
                keys: ["approve", "style", "subgraph"], gated: [1])
        ),
    ]
    let specials: [(name: String, character: String)] = [
        ("quote", "\""), ("pipe", "|"), ("backslash", "\\"), ("hash", "#"), ("less_than", "<"),
        ("greater_than", ">"), ("open_paren", "("), ("close_paren", ")"), ("open_bracket", "["),
        ("close_bracket", "]"), ("open_brace", "{"), ("close_brace", "}"), ("ampersand", "&"),
        ("newline", "\n"),
    ]
    for (name, character) in specials {
        cases.append(
            (
                "special_\(name)",
                mermaidCheckChain(
                    ["a\(character)b", "\(character)x", "tail"], keys: ["k\(character)v", character], gated: [1])
            ))
    }
    cases += [
        (
            "every_special_at_once",
            [
                graphStep("x\"|\\#<>()[]{}&\ny", routes: ["x\"|\\#<>()[]{}&\ny": .end], approval: .required)
            ]
        ),
        ("carriage_returns", mermaidCheckChain(["a\r\nb", "c\rd", "tail"], keys: ["x\r\ny", "p\rq"])),
        ("backslash_n_literal", mermaidCheckChain([#"a\nb"#, "a\nb", "tail"], keys: [#"k\nv"#, #"\n"#], gated: [0])),
        (
            "entity_lookalikes",
            mermaidCheckChain(
                ["#quot;", "#35;", "&amp;", "#124;x", "&#35;", "tail"], keys: ["#quot;", "&lt;", "#92;", "#amp;", "#"])
        ),
        (
            "combining_marks",
            mermaidCheckChain(
                ["e\u{301}", "\"\u{301}", "|\u{308}x", "tail"], keys: ["(\u{301})", "\\\u{200D}", "#\u{FE0F}"],
                gated: [1])
        ),
        ("emoji_cjk", mermaidCheckChain(["👨‍👩‍👧 家族", "確認 ✅", "tail"], keys: ["はい 🙂", "Ω→ß"])),
        (
            "two_keys_one_target",
            [
                graphStep("decide", routes: ["yes": "next", "also yes": "next", "no": .end]),
                graphStep("next"),
                graphStep("last"),
            ]
        ),
        ("whitespace", mermaidCheckChain([" padded ", "two  spaces", "tail"], keys: [" lead", "tab\there"])),
        ("c0_controls", mermaidCheckChain(["a\tb", "x\u{1}y\u{7F}", "tail"], keys: ["\t", "\u{1B}[0m"])),
        // Found by this check (see Scripts/check-mermaid).
        ("at_sign", mermaidCheckChain(["ops@example.com", "@", "tail"], keys: ["@", "a@b"])),
        ("katex_dollars", mermaidCheckChain(["$$x^2$$", "cost $5", "tail"], keys: ["$$a$$", "$"])),
        ("directive_braces", mermaidCheckChain(["%%{init: {\"theme\": \"dark\"}}%%", "tail"], keys: ["%%{wrap}%%"])),
        ("style_colon_hash", mermaidCheckChain(["lifestyle:#1", "tail"], keys: ["style:(x)"])),
        ("entity_placeholders", mermaidCheckChain(["ﬂ°amp¶ß", "tail"], keys: ["¶ß"])),
        ("c1_controls", mermaidCheckChain(["x\u{85}y", "tail"], keys: ["\u{80}"])),
        ("nul", mermaidCheckChain(["a\u{0}b", "tail"], keys: ["k\u{0}"])),
    ]
    return cases
}()

/// Corpus cases that real Mermaid 11 cannot show as written, whatever the escaping.
private let mermaidKnownLimitations: [String: String] = [
    "entity_placeholders": "Mermaid uses ﬂ° ¶ß as its own entity placeholders and decodes them even when escaped",
    "nul": "HTML draws NUL as U+FFFD, escaped or not",
]

@Suite("Graph export (SPEC §8)")
struct GraphExportTests {
    // MARK: Nodes and edges

    @Test("a linear workflow: step_0.. nodes, linear edges, none from the last step, no END node")
    func linearWorkflow() throws {
        let graph = try LinearGraphWorkflow().graph()
        #expect(graph.workflowName == "LinearGraphWorkflow")
        #expect(
            graph.nodes == [
                .init(
                    id: "step_0", label: "check_order", kind: .step, requiresApproval: false,
                    description: "Find the order."),
                .init(id: "step_1", label: "verify_policy", kind: .step, requiresApproval: false, description: nil),
                .init(
                    id: "step_2", label: "generate_response", kind: .step, requiresApproval: false,
                    description: "Write the reply."),
            ])
        #expect(
            graph.edges == [
                .init(source: "step_0", target: "step_1", kind: .linear, routeKey: nil),
                .init(source: "step_1", target: "step_2", kind: .linear, routeKey: nil),
            ])
        #expect(!graph.nodes.contains { $0.kind == .end || $0.id == "end_0" })
        #expect(
            graph.mermaid() == """
                flowchart TD
                    step_0["check_order"]
                    step_1["verify_policy"]
                    step_2["generate_response"]
                    step_0 --> step_1
                    step_1 --> step_2
                """)
    }

    @Test("a single step: one node, no edges")
    func singleStep() throws {
        let graph = try CustomNamedWorkflow().graph()
        #expect(graph.nodes.map(\.id) == ["step_0"])
        #expect(graph.edges.isEmpty)
        #expect(graph.mermaid() == "flowchart TD\n    step_0[\"only\"]")
    }

    @Test("routes: one edge per entry in route-map declaration order, with keys, to the step node or end_0")
    func routeEdges() throws {
        let workflow = GraphWorkflow(
            name: "Routed",
            stepList: [
                graphStep("a", routes: ["zeta": "c", "alpha": .end, "mid": "b"]),
                graphStep("b"),
                graphStep("c", routes: ["more": "d", "finish": .end]),
                graphStep("d"),
            ])
        let graph = try workflow.graph()
        #expect(graph.nodes.map(\.id) == ["step_0", "step_1", "step_2", "step_3", "end_0"])
        #expect(
            graph.nodes.last == .init(id: "end_0", label: "END", kind: .end, requiresApproval: false, description: nil))
        #expect(
            graph.edges == [
                .init(source: "step_0", target: "step_2", kind: .route, routeKey: "zeta"),
                .init(source: "step_0", target: "end_0", kind: .route, routeKey: "alpha"),
                .init(source: "step_0", target: "step_1", kind: .route, routeKey: "mid"),
                .init(source: "step_1", target: "step_2", kind: .linear, routeKey: nil),
                .init(source: "step_2", target: "step_3", kind: .route, routeKey: "more"),
                .init(source: "step_2", target: "end_0", kind: .route, routeKey: "finish"),
            ])
        #expect(
            graph.mermaid() == """
                flowchart TD
                    step_0["a"]
                    step_1["b"]
                    step_2["c"]
                    step_3["d"]
                    end_0((END))
                    step_0 -->|zeta| step_2
                    step_0 -->|alpha| end_0
                    step_0 -->|mid| step_1
                    step_1 --> step_2
                    step_2 -->|more| step_3
                    step_2 -->|finish| end_0
                """)
    }

    @Test("the END node appears only when some route targets END")
    func endNodeOnlyWhenTargeted() throws {
        let withoutEnd = try GraphWorkflow(stepList: [
            graphStep("a", routes: ["x": "c", "y": "b"]), graphStep("b"), graphStep("c"),
        ]).graph()
        #expect(withoutEnd.nodes.map(\.id) == ["step_0", "step_1", "step_2"])
        #expect(!withoutEnd.nodes.contains { $0.kind == .end })
        #expect(!withoutEnd.edges.contains { $0.target == "end_0" })
        #expect(!withoutEnd.mermaid().contains("END"))
        #expect(!withoutEnd.mermaid().contains("end_0"))

        // END reached only from the last step.
        let withEnd = try GraphWorkflow(stepList: [graphStep("a"), graphStep("b", routes: ["stop": .end])]).graph()
        #expect(withEnd.nodes.map(\.id) == ["step_0", "step_1", "end_0"])
        #expect(withEnd.nodes.filter { $0.kind == .end }.count == 1)
        #expect(
            withEnd.edges == [
                .init(source: "step_0", target: "step_1", kind: .linear),
                .init(source: "step_1", target: "end_0", kind: .route, routeKey: "stop"),
            ])
        #expect(
            withEnd.mermaid() == """
                flowchart TD
                    step_0["a"]
                    step_1["b"]
                    end_0((END))
                    step_0 --> step_1
                    step_1 -->|stop| end_0
                """)

        // Several routes to END still give one END node.
        let manyEnds = try GraphWorkflow(stepList: [
            graphStep("a", routes: ["one": .end, "two": "b"]), graphStep("b", routes: ["three": .end]),
        ]).graph()
        #expect(manyEnds.nodes.map(\.id) == ["step_0", "step_1", "end_0"])
    }

    @Test("an approval step's node is flagged and its label gains a literal \\n and `approval`")
    func approvalLabel() throws {
        let log = GraphBodyLog()
        let graph = try RefundGraphWorkflow(log: log).graph()
        #expect(graph.nodes.map(\.requiresApproval) == [false, true, false, false])
        #expect(graph.nodes[1].label == "approve_refund")
        let mermaid = graph.mermaid()
        let line = #"    step_1["approve_refund\napproval"]"#
        #expect(mermaid.contains(line + "\n"))
        #expect(line.unicodeScalars.contains("\\"))
        #expect(!line.contains("\n"))
        // An approval with no message is flagged too.
        let bare = try GraphWorkflow(stepList: [graphStep("gate", approval: .required)]).graph()
        #expect(bare.nodes[0].requiresApproval)
        #expect(bare.mermaid() == #"flowchart TD\#n    step_0["gate\napproval"]"#)
        #expect(log.all.isEmpty)
    }

    @Test("descriptions are carried on the nodes (nil when absent, END has none)")
    func descriptions() throws {
        let graph = try RefundGraphWorkflow(log: GraphBodyLog()).graph()
        #expect(graph.nodes.map(\.description) == ["Decide whether the refund goes ahead.", nil, nil, nil])
        let linear = try LinearGraphWorkflow().graph()
        #expect(linear.nodes.map(\.description) == ["Find the order.", nil, "Write the reply."])
        // Descriptions are not part of the Mermaid text.
        #expect(!linear.mermaid().contains("Find the order."))
    }

    @Test("a custom workflow name is the graph's workflow name; the default is the type name")
    func customWorkflowName() throws {
        #expect(try CustomNamedWorkflow().graph().workflowName == "custom")
        #expect(try reference.exportGraph(CustomNamedWorkflow()).workflowName == "custom")
        #expect(try RefundGraphWorkflow(log: GraphBodyLog()).graph().workflowName == "RefundGraphWorkflow")
        #expect(try GraphWorkflow(name: "given", stepList: [graphStep("a")]).graph().workflowName == "given")
    }

    @Test("export never runs a step body (bodies do run when the workflow runs)")
    func exportRunsNoBody() async throws {
        let log = GraphBodyLog()
        let workflow = RefundGraphWorkflow(log: log)
        let graph = try workflow.graph()
        _ = graph.mermaid()
        _ = try reference.exportGraph(workflow)
        _ = try workflow.definition().graph()
        _ = try StepFlowJSON.encoder.encode(graph)
        #expect(log.all.isEmpty)

        let generic = GraphWorkflow(stepList: [
            graphStep("a", log, routes: ["go": "b", "stop": .end]), graphStep("b", log),
        ])
        _ = try generic.graph().mermaid()
        #expect(log.all.isEmpty)

        // Control: the same log does see bodies when a run executes them.
        let result = await generic.run(GraphState())
        #expect(result.status == .succeeded)
        #expect(log.all == ["a", "b"])
    }

    @Test("exportWorkflowGraph(_:) equals workflow.graph() and the definition's graph")
    func exportFunctionMatchesMethod() throws {
        let refund = RefundGraphWorkflow(log: GraphBodyLog())
        #expect(try reference.exportGraph(refund) == refund.graph())
        #expect(try reference.exportGraph(refund) == refund.definition().graph())
        let linear = LinearGraphWorkflow()
        #expect(try reference.exportGraph(linear) == linear.graph())
        #expect(try reference.exportGraph(linear) != reference.exportGraph(refund))
        #expect(reference.end == .end)
    }

    // MARK: Mermaid

    @Test("the SPEC §8 Mermaid example, byte for byte, with no trailing newline")
    func specMermaidExampleMatches() throws {
        let mermaid = try RefundGraphWorkflow(log: GraphBodyLog()).graph().mermaid()
        #expect(mermaid == specMermaidExample)
        #expect(Array(mermaid.utf8) == Array(specMermaidExample.utf8))
        #expect(!mermaid.hasSuffix("\n"))
        #expect(mermaid.split(separator: "\n", omittingEmptySubsequences: false).count == 8)
    }

    @Test("each special character is written as its entity code in node and edge labels", arguments: escapeCases)
    fileprivate func escapesEachCharacter(_ escape: EscapeCase) throws {
        let workflow = GraphWorkflow(stepList: [
            graphStep("a\(escape.raw)b", routes: ["k\(escape.raw)v": "tail"]),
            graphStep("tail"),
        ])
        let expected =
            "flowchart TD\n"
            + "    step_0[\"a\(escape.inNode)b\"]\n"
            + "    step_1[\"tail\"]\n"
            + "    step_0 -->|k\(escape.inEdge)v| step_1"
        let graph = try workflow.graph()
        #expect(graph.mermaid() == expected)
        // The graph itself keeps the names as they are; only the Mermaid text escapes.
        #expect(graph.nodes[0].label == "a\(escape.raw)b")
        #expect(graph.edges[0].routeKey == "k\(escape.raw)v")
    }

    @Test("a name with every special character at once, in a gated step and a route key")
    func escapesAllAtOnce() throws {
        let raw = "x\"|\\#<>()[]{}&\ny"
        let workflow = GraphWorkflow(stepList: [
            graphStep(raw, routes: [raw: .end], approval: .required)
        ])
        let expected = #"""
            flowchart TD
                step_0["x#quot;#124;#92;#35;#lt;#gt;()[]#123;}#amp;\ny\napproval"]
                end_0((END))
                step_0 -->|x#quot;#124;#92;#35;#lt;#gt;#40;#41;#91;#93;#123;#125;#amp;\ny| end_0
            """#
        #expect(try workflow.graph().mermaid() == expected)
    }

    @Test("a backslash followed by n is not confused with a newline")
    func backslashNIsNotNewline() throws {
        let workflow = GraphWorkflow(stepList: [
            graphStep(#"a\nb"#, routes: [#"k\nv"#: .end]),
            graphStep("a\nb"),
        ])
        #expect(
            try workflow.graph().mermaid() == #"""
                flowchart TD
                    step_0["a#92;nb"]
                    step_1["a\nb"]
                    end_0((END))
                    step_0 -->|k#92;nv| end_0
                """#)
    }

    @Test(
        "plain names (letters, digits, spaces and _ - . , : ; ' ! ? * / + = @ $ % ^ ~) are written unchanged, but @ in route keys"
    )
    func plainNamesUnchanged() throws {
        let plain = "Check order_1-2.3,4;5'7!8?9*10/11+12=13@14$15%16^17~ end"
        let workflow = GraphWorkflow(stepList: [
            graphStep(plain, routes: [plain.replacing("@", with: ""): "next"]),
            graphStep("next"),
        ])
        #expect(
            try workflow.graph().mermaid() == """
                flowchart TD
                    step_0["\(plain)"]
                    step_1["next"]
                    step_0 -->|\(plain.replacing("@", with: ""))| step_1
                """)

        var generator = SplitMix64(state: 0x5EED_0001)
        for _ in 0..<300 {
            let name = randomName(using: &generator, from: plainCharacters, maxLength: 16)
            guard name != "run", name != "tail", name != "other" else { continue }
            let (node, edge) = try mermaidLabels(stepName: name, routeKey: name, gated: false)
            // The two exceptions Mermaid 11 forces (see the next test).
            let drawnAsMath = name.split(separator: "$$", omittingEmptySubsequences: false).count > 2
            #expect(node == name || drawnAsMath)
            #expect(edge == name || drawnAsMath || name.contains("@"))
            #expect(unescapeMermaidLabel(node) == name)
            #expect(unescapeMermaidLabel(edge) == name)
        }
    }

    @Test("what real Mermaid 11 misreads in otherwise plain text is escaped: @ in route keys, $$…$$, %%{, style:…#")
    func mermaidMisreadings() throws {
        let workflow = GraphWorkflow(stepList: [
            graphStep("ops@example.com", routes: ["a@b": "math"]),
            graphStep("math", routes: ["$$a$$": "cost"]),
            graphStep("cost", routes: ["$5 or $$6": "%%{init: x}%%"]),
            graphStep("%%{init: x}%%", routes: ["style:(x)": "lifestyle:#1"]),
            graphStep("lifestyle:#1", routes: ["ratio 1:2": .end]),
        ])
        #expect(
            try workflow.graph().mermaid() == #"""
                flowchart TD
                    step_0["ops@example.com"]
                    step_1["math"]
                    step_2["cost"]
                    step_3["%%#123;init#58; x}%%"]
                    step_4["lifestyle#58;#35;1"]
                    end_0((END))
                    step_0 -->|a#64;b| step_1
                    step_1 -->|#36;#36;a#36;#36;| step_2
                    step_2 -->|$5 or $$6| step_3
                    step_3 -->|style#58;#40;x#41;| step_4
                    step_4 -->|ratio 1:2| end_0
                """#)
    }

    @Test("property: generated names never leak a raw quote or pipe and read back exactly")
    func generatedNamesAreSafe() throws {
        var generator = SplitMix64(state: 0xC0FF_EE00_1234)
        let alphabet = specialCharacters + plainCharacters + otherCharacters
        var checked = 0
        for round in 0..<500 {
            let name = randomName(using: &generator, from: alphabet)
            guard name != "run", name != "tail", name != "other" else { continue }
            try expectSafeLabels(name: name, gated: round.isMultiple(of: 3))
            checked += 1
        }
        // Also every special character alone, doubled, and at either end.
        for character in specialCharacters {
            for name in [String(character), String([character, character]), "\(character)x", "x\(character)"] {
                try expectSafeLabels(name: name, gated: false)
                try expectSafeLabels(name: name, gated: true)
                checked += 1
            }
        }
        #expect(checked > 500)
    }

    @Test("property: a special character followed by a combining mark is still escaped")
    func combiningMarksDoNotHideSpecialCharacters() throws {
        // "\"" + U+0301 is one Swift Character but still a raw quote for Mermaid.
        let marks: [Unicode.Scalar] = ["\u{0301}", "\u{0308}", "\u{200D}", "\u{FE0F}"]
        for special in "\"|\\#<>()[]{}&".unicodeScalars {
            for mark in marks {
                var scalars = String.UnicodeScalarView()
                scalars.append(contentsOf: "a".unicodeScalars)
                scalars.append(special)
                scalars.append(mark)
                scalars.append(contentsOf: "b".unicodeScalars)
                try expectSafeLabels(name: String(scalars), gated: false)
            }
        }
    }

    @Test("real-Mermaid check corpus: expectations agree with graph(); dumped for Scripts/check-mermaid")
    func mermaidCheckCorpus() throws {
        // With STEPFLOW_MERMAID_DUMP=DIR, writes DIR/NAME.mmd (the exact mermaid() text)
        // and DIR/NAME.json (what Mermaid must show); Scripts/check-mermaid renders them.
        let dump = ProcessInfo.processInfo.environment["STEPFLOW_MERMAID_DUMP"].map { URL(fileURLWithPath: $0) }
        if let dump {
            try FileManager.default.createDirectory(at: dump, withIntermediateDirectories: true)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var allNames = String.UnicodeScalarView()
        var allKeys = String.UnicodeScalarView()
        for check in mermaidCheckCases {
            let graph = try GraphWorkflow(name: check.name, stepList: check.steps).graph()
            var expected = MermaidShownLabels(steps: check.steps)
            expected.knownLimitation = mermaidKnownLimitations[check.name]
            #expect(expected.nodes.map(\.id) == graph.nodes.map(\.id), "\(check.name)")
            #expect(
                expected.nodes.map(\.text)
                    == graph.nodes.map {
                        mermaidShownText($0.label) + ($0.requiresApproval ? "\napproval" : "")
                    }, "\(check.name)")
            #expect(
                expected.edges.map { [$0.source, $0.target, $0.text] }
                    == graph.edges.map {
                        [$0.source, $0.target, mermaidShownText($0.routeKey ?? "")]
                    }, "\(check.name)")
            // No label leaks a line break: one line per node and edge after the header.
            let mermaid = graph.mermaid()
            let breaks = mermaid.unicodeScalars.filter { $0 == "\n" || $0 == "\r" }.count
            #expect(breaks == graph.nodes.count + graph.edges.count, "\(check.name)")
            for step in check.steps {
                allNames.append(contentsOf: step.name.unicodeScalars)
                for route in step.routes ?? [] {
                    allKeys.append(contentsOf: route.key.unicodeScalars)
                }
            }

            if let dump {
                let text = dump.appendingPathComponent("\(check.name).mmd")
                try Data(mermaid.utf8).write(to: text)
                try encoder.encode(expected).write(to: dump.appendingPathComponent("\(check.name).json"))
                #expect(try Data(contentsOf: text) == Data(mermaid.utf8))
            }
        }
        #expect(Set(mermaidKnownLimitations.keys).isSubset(of: mermaidCheckCases.map(\.name)))
        // The corpus covers every character of the SPEC list in a step name and in a route key.
        for special in "\"|\\#<>()[]{}&\n".unicodeScalars {
            #expect(allNames.contains(special), "no step name with \(special.escaped(asASCII: true))")
            #expect(allKeys.contains(special), "no route key with \(special.escaped(asASCII: true))")
        }
        #expect(Set(mermaidCheckCases.map(\.name)).count == mermaidCheckCases.count)
    }

    // MARK: JSON

    @Test("JSON: workflow_name, nodes and edges with snake_case keys and nulls for absent values")
    func jsonShape() throws {
        let graph = try RefundGraphWorkflow(log: GraphBodyLog()).graph()
        let data = try StepFlowJSON.encoder.encode(graph)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["workflow_name", "nodes", "edges"])
        #expect(object["workflow_name"] as? String == "RefundGraphWorkflow")

        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes.count == 4)
        for node in nodes {
            #expect(Set(node.keys) == ["id", "label", "kind", "requires_approval", "description"])
        }
        #expect(nodes.map { $0["id"] as? String } == ["step_0", "step_1", "step_2", "end_0"])
        #expect(nodes.map { $0["label"] as? String } == ["evaluate_refund", "approve_refund", "notify", "END"])
        #expect(nodes.map { $0["kind"] as? String } == ["step", "step", "step", "end"])
        #expect(nodes.map { $0["requires_approval"] as? Bool } == [false, true, false, false])
        #expect(nodes[0]["description"] as? String == "Decide whether the refund goes ahead.")
        for node in nodes.dropFirst() {
            #expect(node["description"] is NSNull)
        }

        let edges = try #require(object["edges"] as? [[String: Any]])
        #expect(edges.count == 3)
        for edge in edges {
            #expect(Set(edge.keys) == ["source", "target", "kind", "route_key"])
        }
        #expect(edges.map { $0["source"] as? String } == ["step_0", "step_0", "step_1"])
        #expect(edges.map { $0["target"] as? String } == ["step_1", "end_0", "step_2"])
        #expect(edges.map { $0["kind"] as? String } == ["route", "route", "linear"])
        #expect(edges[0]["route_key"] as? String == "approve")
        #expect(edges[1]["route_key"] as? String == "deny")
        #expect(edges[2]["route_key"] is NSNull)
    }

    @Test("JSON: the exact compact, sorted-keys bytes of a small graph")
    func jsonExactBytes() throws {
        let graph = try GraphWorkflow(
            name: "Tiny",
            stepList: [
                graphStep("a", description: "First", routes: ["go": "b", "stop": .end]),
                graphStep("b", approval: .required),
                graphStep("c"),
            ]
        ).graph()
        let text = String(decoding: try StepFlowJSON.encoder.encode(graph), as: UTF8.self)
        let expected =
            #"{"edges":["#
            + #"{"kind":"route","route_key":"go","source":"step_0","target":"step_1"},"#
            + #"{"kind":"route","route_key":"stop","source":"step_0","target":"end_0"},"#
            + #"{"kind":"linear","route_key":null,"source":"step_1","target":"step_2"}],"#
            + #""nodes":["#
            + #"{"description":"First","id":"step_0","kind":"step","label":"a","requires_approval":false},"#
            + #"{"description":null,"id":"step_1","kind":"step","label":"b","requires_approval":true},"#
            + #"{"description":null,"id":"step_2","kind":"step","label":"c","requires_approval":false},"#
            + #"{"description":null,"id":"end_0","kind":"end","label":"END","requires_approval":false}],"#
            + #""workflow_name":"Tiny"}"#
        #expect(text == expected)
    }

    @Test("JSON: decoding gives back an equal WorkflowGraph, names with special characters included")
    func jsonRoundTrip() throws {
        let graphs = try [
            RefundGraphWorkflow(log: GraphBodyLog()).graph(),
            LinearGraphWorkflow().graph(),
            CustomNamedWorkflow().graph(),
            GraphWorkflow(
                name: "we\"ird|name",
                stepList: [
                    graphStep("x\"|\\#<>()[]{}&\ny", description: "d\"\n", routes: ["k|\"\n": .end, "z": "t"]),
                    graphStep("t", approval: .required),
                ]
            ).graph(),
        ]
        for graph in graphs {
            let data = try StepFlowJSON.encoder.encode(graph)
            let decoded = try StepFlowJSON.decoder.decode(WorkflowGraph.self, from: data)
            #expect(decoded == graph)
            #expect(decoded.mermaid() == graph.mermaid())
            let pretty = try StepFlowJSON.prettyEncoder.encode(graph)
            #expect(try StepFlowJSON.decoder.decode(WorkflowGraph.self, from: pretty) == graph)
        }
    }
}

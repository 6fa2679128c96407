import Foundation
import StepFlowTestSupport
import Testing

@testable import StepFlow

// StepFlow's own JSON coders must write and read exactly what Foundation's
// JSONEncoder/JSONDecoder with StepFlow's options do. Each check runs both and
// compares bytes, values or error messages, and checks that the fast path was
// taken where it should be (a silent fallback would pass on output alone).

/// Both encoders, compact and indented: the same bytes or the same error.
private func expectSameEncoding<T: Encodable>(
    _ value: T, fast: Bool = true, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    for pretty in [false, true] {
        let reference = Result { try StepFlowJSON.foundationEncoder(pretty: pretty).encode(value) }
        let ours = Result { try StepFlowJSONEncoder(pretty: pretty).encode(value) }
        switch (reference, ours) {
        case (.success(let expected), .success(let actual)):
            #expect(
                String(decoding: actual, as: UTF8.self) == String(decoding: expected, as: UTF8.self), comment,
                sourceLocation: sourceLocation)
        case (.failure(let expected), .failure(let actual)):
            #expect("\(actual)" == "\(expected)", comment, sourceLocation: sourceLocation)
        default:
            Issue.record("one encoder failed: Foundation \(reference), ours \(ours)", sourceLocation: sourceLocation)
        }
        let tookFastPath = StepFlowJSONEncoder(pretty: pretty).encodedData(value) != nil
        #expect(tookFastPath == fast, "fast path (pretty: \(pretty))", sourceLocation: sourceLocation)
    }
}

/// Both decoders on the same text: equal values (by `same`) or the same error.
private func expectSameDecoding<T: Decodable>(
    _ type: T.Type, _ text: String, fast: Bool? = true, same: (T, T) -> Bool,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let data = Data(text.utf8)
    let reference = Result { try StepFlowJSON.foundationDecoder.decode(type, from: data) }
    let ours = Result { try StepFlowJSON.decoder.decode(type, from: data) }
    switch (reference, ours) {
    case (.success(let expected), .success(let actual)):
        #expect(
            same(actual, expected), "\(text): ours \(actual), Foundation \(expected)", sourceLocation: sourceLocation)
    case (.failure(let expected), .failure(let actual)):
        #expect("\(actual)" == "\(expected)", "\(text)", sourceLocation: sourceLocation)
    default:
        Issue.record(
            "\(text): one decoder failed: Foundation \(reference), ours \(ours)", sourceLocation: sourceLocation)
    }
    if let fast {
        let tookFastPath = StepFlowJSON.decoder.decodedValue(type, from: data) != nil
        #expect(tookFastPath == fast, "fast path for \(text)", sourceLocation: sourceLocation)
    }
}

private func expectSameDecoding<T: Decodable & Equatable>(
    _ type: T.Type, _ text: String, fast: Bool? = true, sourceLocation: SourceLocation = #_sourceLocation
) {
    expectSameDecoding(type, text, fast: fast, same: ==, sourceLocation: sourceLocation)
}

/// Structural equality in which NaN equals NaN and `.integer(1)` differs from `.number(1)`.
private func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): true
    case (.bool(let x), .bool(let y)): x == y
    case (.integer(let x), .integer(let y)): x == y
    case (.number(let x), .number(let y)): x.bitPattern == y.bitPattern
    case (.string(let x), .string(let y)): x == y
    case (.array(let x), .array(let y)): x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
    case (.object(let x), .object(let y)):
        x.count == y.count && x.allSatisfy { key, value in y[key].map { same(value, $0) } ?? false }
    default: false
    }
}

private struct Inner: Codable, Equatable {
    var name = "inner"
    var values: [Double] = [1, 2.5, -0.125]
}

private struct Everything: Codable, Equatable, Sendable {
    var int = -42
    var int8: Int8 = -8
    var int16: Int16 = 16
    var int32: Int32 = -32
    var int64 = Int64.min
    var uint = UInt.max
    var uint8: UInt8 = 255
    var uint16: UInt16 = 16
    var uint32: UInt32 = 32
    var uint64 = UInt64.max
    var float: Float = 0.1
    var double = 0.1
    var bigDouble = 1e300
    var tinyDouble = Double.leastNonzeroMagnitude
    var negativeZero = -0.0
    var integralDouble = 250.0
    var hugeIntegralDouble = 1e20
    var infinity = Double.infinity
    var minusInfinity = -Double.infinity
    var floatInfinity = Float.infinity
    var flag = true
    var text = "plain"
    var escapes = "quote \" backslash \\ slash / \n\r\t\u{8}\u{C}\u{0}\u{1F}\u{7F} end"
    var unicode = "café ☕️ 𝄞 ﬁ e\u{301} \u{2028}"
    var date = Date(timeIntervalSince1970: 1_700_000_000.123)
    var dateBefore1970 = Date(timeIntervalSince1970: -1_234_567.891)
    var dateBeforeGregorian = Date(timeIntervalSince1970: -12_219_292_800.5)
    var farFuture = Date(timeIntervalSince1970: 253_402_300_799.999)
    var beyondYear9999 = Date(timeIntervalSince1970: 253_402_300_800)
    var optionalSome: String? = "here"
    var optionalNone: String?
    @ExplicitNull var explicitNone: Int?
    @ExplicitNull var explicitSome: Int? = 7
    var nested = Inner()
    var nestedArray = [Inner(), Inner(name: "b", values: [])]
    var emptyArray: [Int] = []
    var emptyObject: [String: Int] = [:]
    var emptyStrings = ["", ""]
    var dictionary = ["b": 2, "a": 1, "é": 3, "e\u{301}x": 4, "Z": 0, "": 5, "aa": 6, "a\u{0}": 7, "☕️": 8]
    var intKeyed = [3: "c", 1: "a", 20: "t", -4: "m"]
    var matrix = [[1, 2], [], [3]]
    var optionals: [Int?] = [1, nil, 3]
    var json: JSONValue = ["k": [1, 2.5, "s", nil, true, ["x": [:], "y": []]], "n": 1e-7]
    var status = StepStatus.succeeded
    var route = RouteDecision(stepName: "a", routeKey: "k", nextStep: nil, ended: true)
}

/// Uses nested containers the way hand-written `Codable` code may.
private struct NestedContainers: Codable, Equatable {
    var point = (x: 1, y: 2)
    var tags = ["t1", "t2"]
    var pairs = [[String: Int]](arrayLiteral: ["a": 1], ["b": 2])

    init() {}

    private enum Keys: String, CodingKey { case point, tags, pairs, zeta }
    private enum PointKeys: String, CodingKey { case y, x }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        var point = container.nestedContainer(keyedBy: PointKeys.self, forKey: .point)
        try point.encode(self.point.y, forKey: .y)
        try point.encode(self.point.x, forKey: .x)
        var tags = container.nestedUnkeyedContainer(forKey: .tags)
        for tag in self.tags { try tags.encode(tag) }
        var pairs = container.nestedUnkeyedContainer(forKey: .pairs)
        for pair in self.pairs {
            var object = pairs.nestedContainer(keyedBy: PointKeys.self)
            try object.encode(pair.values.first, forKey: .x)
            var inner = pairs.nestedUnkeyedContainer()
            try inner.encode(pair.keys.first)
        }
        try container.encode("last", forKey: .zeta)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let point = try container.nestedContainer(keyedBy: PointKeys.self, forKey: .point)
        self.point = (try point.decode(Int.self, forKey: .x), try point.decode(Int.self, forKey: .y))
        var tags = try container.nestedUnkeyedContainer(forKey: .tags)
        self.tags = []
        while !tags.isAtEnd { self.tags.append(try tags.decode(String.self)) }
        var pairs = try container.nestedUnkeyedContainer(forKey: .pairs)
        self.pairs = []
        while !pairs.isAtEnd {
            let object = try pairs.nestedContainer(keyedBy: PointKeys.self)
            var inner = try pairs.nestedUnkeyedContainer()
            self.pairs.append([try inner.decode(String.self): try object.decode(Int.self, forKey: .x)])
        }
    }

    static func == (a: Self, b: Self) -> Bool { a.point == b.point && a.tags == b.tags && a.pairs == b.pairs }
}

private class Base: Encodable {
    var base = 1
    private enum Keys: CodingKey { case base }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(base, forKey: .base)
    }
}

/// `superEncoder()`: left to Foundation.
private final class Derived: Base {
    var derived = 2
    private enum Keys: CodingKey { case derived }
    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(derived, forKey: .derived)
        try super.encode(to: container.superEncoder())
    }
}

/// Two `encode(to:)` calls sharing one encoder, as subclasses without `superEncoder` do.
private final class Merged: Base {
    var merged = 3
    private enum Keys: CodingKey { case merged }
    override func encode(to encoder: any Encoder) throws {
        try super.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(merged, forKey: .merged)
    }
}

/// A key written twice: Foundation keeps the last; left to it.
private struct TwiceEncoded: Encodable {
    private enum Keys: CodingKey { case key }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(1, forKey: .key)
        try container.encode(2, forKey: .key)
    }
}

/// Encodes nothing: `{}` inside another value, an error at the top.
private struct Silent: Encodable {
    func encode(to encoder: any Encoder) throws {}
}

private struct HoldsSilent: Encodable {
    var silent = Silent()
    var after = 1
}

/// Types Foundation's encoder special-cases; left to it.
private struct FoundationTypes: Codable, Equatable {
    var data = Data([0, 1, 2, 250])
    var url = URL(filePath: "/tmp/a b/c")
    var decimal = Decimal(sign: .minus, exponent: -3, significand: 12_345)
}

private struct WideIntegers: Codable, Equatable {
    var big = Int128(Int64.max) * 4
}

/// Remembers, weakly, the encoder it was given.
private final class EncoderWitness: Encodable, @unchecked Sendable {
    weak var encoder: AnyObject?
    func encode(to encoder: any Encoder) throws {
        self.encoder = encoder as AnyObject
        var container = encoder.container(keyedBy: IndexCodingKey.self)
        try container.encode([1, 2], forKey: IndexCodingKey(index: 0))
    }
}

/// Remembers, weakly, the decoder it was given.
private struct DecoderWitness: Decodable {
    nonisolated(unsafe) static weak var decoder: AnyObject?
    init(from decoder: any Decoder) throws {
        Self.decoder = decoder as AnyObject
        _ = try decoder.singleValueContainer().decode([Int].self)
    }
}

/// A key that is not ASCII but canonically equal to an ASCII one (KELVIN SIGN is K):
/// Foundation finds it by `String` comparison, so must StepFlow's decoder.
private struct KelvinKeyed: Codable, Equatable {
    var value: Int
    private enum CodingKeys: String, CodingKey { case value = "\u{212A}ey" }
}

/// Step results with every field unset, set, and set to what reads back differently.
private func sampleStepResults() -> [StepResult] {
    let child = WorkflowResult(
        workflowName: "Child", runID: "c1", state: AnyState(["n": 1] as JSONValue), status: .succeeded,
        steps: [StepResult(stepName: "inner", status: .succeeded, attempts: 1)],
        startedAt: Date(timeIntervalSince1970: 1_700_000_000), finishedAt: Date(timeIntervalSince1970: 1_700_000_002),
        routeTrace: [RouteDecision(stepName: "inner", routeKey: "k", nextStep: nil, ended: true)])
    return [
        StepResult(stepName: "plain", status: .pending),
        StepResult(
            stepName: "full \"quoted\"", status: .failed, attempts: 3, output: ["k": [1, "x", nil], "e": "é"],
            error: RecordedError(typeName: "Boom", message: "went\nwrong"),
            startedAt: Date(timeIntervalSince1970: 1_700_000_000.5),
            finishedAt: Date(timeIntervalSince1970: 1_700_000_001.25),
            routeKey: "go", nextStep: "next", skippedReason: "because", requiresApproval: true,
            approvalDecision: ApprovalDecision(
                approved: false, reason: "no", metadata: ["m": 1], decidedBy: "ana",
                decidedAt: Date(timeIntervalSince1970: 0)),
            childWorkflows: [child, child]),
        StepResult(stepName: "null output", status: .skipped, output: .null, skippedReason: "route not taken"),
        StepResult(
            stepName: "old dates", status: .succeeded, startedAt: Date(timeIntervalSince1970: -20_000_000_000),
            finishedAt: Date(timeIntervalSince1970: 300_000_000_000)),
    ]
}

/// Random JSON values, with numbers and strings chosen to hit the edge cases.
private func randomJSON(_ rng: inout SeededGenerator, depth: Int = 0) -> JSONValue {
    let strings = [
        "", "a", "Infinity", "NaN", "-Infinity", "é", "\"q\"", "\\", "/", "\n\u{1}", "𝄞", "long string " + "x",
    ]
    // 1e16 and larger integral numbers that fit an Int go through Foundation's Decimal path: not here.
    let numbers: [Double] = [0, -0.0, 0.5, -1.25, 1e-300, 1e300, 3.141592653589793, 42, 1e15, .infinity, -.infinity]
    switch Int.random(in: 0..<(depth > 3 ? 6 : 8), using: &rng) {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .integer(Int.random(in: Int.min...Int.max, using: &rng) >> Int.random(in: 0..<63, using: &rng))
    case 3: return .number(numbers[Int.random(in: numbers.indices, using: &rng)])
    case 4: return .number(Double.random(in: -1e6...1e6, using: &rng))
    case 5: return .string(strings[Int.random(in: strings.indices, using: &rng)])
    case 6:
        return .array((0..<Int.random(in: 0..<5, using: &rng)).map { _ in randomJSON(&rng, depth: depth + 1) })
    default:
        var members: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0..<6, using: &rng) {
            let key = strings[Int.random(in: strings.indices, using: &rng)] + String(Int.random(in: 0..<3, using: &rng))
            members[key] = randomJSON(&rng, depth: depth + 1)
        }
        return .object(members)
    }
}

private func nested(_ depth: Int) -> JSONValue {
    (0..<depth).reduce(JSONValue.integer(1)) { inner, _ in .array([inner]) }
}

@Suite("StepFlow's JSON coders")
struct StepFlowJSONTests {
    @Test("the encoder writes Foundation's bytes for every primitive, container and special value")
    func encodesLikeFoundation() {
        expectSameEncoding(Everything())
        expectSameEncoding(NestedContainers())
        expectSameEncoding(Merged())
        expectSameEncoding(HoldsSilent())
        expectSameEncoding([Everything(), Everything()])
        expectSameEncoding("top-level string")
        expectSameEncoding(42)
        expectSameEncoding(Optional<Int>.none)
        expectSameEncoding(Date(timeIntervalSince1970: 0))
        expectSameEncoding(Double.nan)
        expectSameEncoding(JSONValue.number(.nan))
        expectSameEncoding(AnyState(Everything()))
        expectSameEncoding(nested(400))
        expectSameEncoding(JSONValue.number(1e16))
        expectSameEncoding(["b": 1, "a": [true, nil], "é": ["x": 2.5]] as [String: JSONValue])
        expectSameEncoding([1, "two", [:], []] as [JSONValue])
    }

    @Test("encoding keeps nothing alive: the encoders it hands out are freed when it returns")
    func nothingLeaks() throws {
        let witness = EncoderWitness()
        for pretty in [false, true] {
            let data = try #require(StepFlowJSONEncoder(pretty: pretty).encodedData([witness, witness]))
            #expect(!data.isEmpty)
            #expect(witness.encoder == nil)
        }
    }

    @Test("decoding keeps nothing alive: the decoders it hands out are freed when it returns")
    func nothingLeaksDecoding() throws {
        let values = try #require(
            StepFlowJSON.decoder.decodedValue([DecoderWitness].self, from: Data("[[1],[2]]".utf8)))
        #expect(values.count == 2)
        #expect(DecoderWitness.decoder == nil)
    }

    @Test("what the encoder does not handle itself goes to Foundation's, with the same result")
    func handsOverToFoundation() {
        expectSameEncoding(Derived(), fast: false)
        expectSameEncoding(TwiceEncoded(), fast: false)
        expectSameEncoding(Silent(), fast: false)
        expectSameEncoding(FoundationTypes(), fast: false)
        expectSameEncoding(WideIntegers(), fast: false)
        expectSameEncoding(nested(600), fast: false)
    }

    @Test("random JSON values encode to Foundation's bytes and decode to Foundation's values")
    func randomValues() throws {
        var rng = SeededGenerator(seed: 12)
        for _ in 0..<300 {
            let value = randomJSON(&rng)
            expectSameEncoding(value)
            for pretty in [false, true] {
                let text = String(
                    decoding: try StepFlowJSON.foundationEncoder(pretty: pretty).encode(value), as: UTF8.self)
                expectSameDecoding(JSONValue.self, text, same: same)
            }
        }
    }

    @Test("typed values decode to Foundation's values")
    func decodesLikeFoundation() throws {
        for pretty in [false, true] {
            let encoder = StepFlowJSON.foundationEncoder(pretty: pretty)
            expectSameDecoding(Everything.self, String(decoding: try encoder.encode(Everything()), as: UTF8.self))
            expectSameDecoding(
                NestedContainers.self, String(decoding: try encoder.encode(NestedContainers()), as: UTF8.self))
            expectSameDecoding([Inner].self, String(decoding: try encoder.encode([Inner(), Inner()]), as: UTF8.self))
            let wide = Dictionary(uniqueKeysWithValues: (0..<40).map { ("key\($0)", $0) })
            expectSameDecoding([String: Int].self, String(decoding: try encoder.encode(wide), as: UTF8.self))
        }
        expectSameDecoding(Int?.self, "null")
        expectSameDecoding(Int?.self, " 7 ")
        expectSameDecoding(Date.self, #""2024-02-29T12:34:56.789Z""#)
        expectSameDecoding([String: Int].self, #"{"a":1,"a":2}"#)
        expectSameDecoding(RouteDecision.self, #"{"step_name":"a","route_key":"k","ended":true}"#)
        expectSameDecoding(Double.self, #""Infinity""#)
        expectSameDecoding(Float.self, "3.4028235e38")
        let sameObject = { (a: [String: JSONValue], b: [String: JSONValue]) in same(.object(a), .object(b)) }
        expectSameDecoding([String: JSONValue].self, #"{"a":[1,2.5,"NaN"],"b":{"c":null},"a":0}"#, same: sameObject)
        expectSameDecoding([String: JSONValue].self, "[1]", fast: false, same: sameObject)
        expectSameDecoding([JSONValue].self, #"[1,{"x":true},"Infinity"]"#) { same(.array($0), .array($1)) }
        expectSameDecoding(KelvinKeyed.self, #"{"Key":1}"#)
        expectSameDecoding(KelvinKeyed.self, #"{"K\u0065y":2,"Key":3}"#)
    }

    @Test("step results, written and read directly, match Foundation's coders field for field")
    func stepResults() throws {
        let steps = sampleStepResults()
        for step in steps { expectSameEncoding(step) }
        expectSameEncoding(steps)
        for pretty in [false, true] {
            let encoder = StepFlowJSON.foundationEncoder(pretty: pretty)
            for step in steps {
                expectSameDecoding(StepResult.self, String(decoding: try encoder.encode(step), as: UTF8.self))
            }
            expectSameDecoding([StepResult].self, String(decoding: try encoder.encode(steps), as: UTF8.self))
        }
        let plain = String(decoding: try StepFlowJSON.encoder.encode(steps[0]), as: UTF8.self)
        func edited(_ change: (inout String) -> Void) -> String {
            var text = plain
            change(&text)
            return text
        }
        // Repeated, unknown, missing, null, reordered and escaped keys.
        expectSameDecoding(
            StepResult.self,
            edited { $0.insert(contentsOf: #""step_name":"first","#, at: $0.index(after: $0.startIndex)) })
        expectSameDecoding(
            StepResult.self, edited { $0 = $0.replacingOccurrences(of: "}", with: #","extra":[1,{"a":2}]}"#) })
        expectSameDecoding(
            StepResult.self, edited { $0 = $0.replacingOccurrences(of: #""attempts":0,"#, with: "") }, fast: false)
        expectSameDecoding(
            StepResult.self, edited { $0 = $0.replacingOccurrences(of: #""attempts":0"#, with: #""attempts":null"#) },
            fast: false)
        expectSameDecoding(
            StepResult.self,
            edited { $0 = $0.replacingOccurrences(of: #""route_key":null"#, with: #""route_key":"r""#) })
        expectSameDecoding(
            StepResult.self, edited { $0 = $0.replacingOccurrences(of: #""step_name""#, with: #""step\u005fname""#) })
        expectSameDecoding(
            StepResult.self,
            edited { $0 = $0.replacingOccurrences(of: #""duration_ms":0"#, with: #""duration_ms":1.5"#) }, fast: false)
        let reversed = try #require(try JSONSerialization.jsonObject(with: Data(plain.utf8)) as? [String: Any])
        expectSameDecoding(
            StepResult.self, String(decoding: try JSONSerialization.data(withJSONObject: reversed), as: UTF8.self))
    }

    @Test("a result's unknown status is reported as the enum's own decoding reports it")
    func unknownStatus() throws {
        struct Holder: Decodable { var status: RunStatus }
        let step = String(
            decoding: try StepFlowJSON.encoder.encode(StepResult(stepName: "a", status: .succeeded)), as: UTF8.self)
        let broken = step.replacingOccurrences(of: #""status":"succeeded""#, with: #""status":"bogus""#)
        #expect(broken != step)
        func failure<T: Decodable>(_ type: T.Type, _ text: String) -> String {
            let result = Result { try StepFlowJSON.decoder.decode(type, from: Data(text.utf8)) }
            guard case .failure(let error) = result else { return "decoded" }
            return describeDecodingError(error)
        }
        #expect(failure(StepResult.self, broken) == failure(Holder.self, #"{"status":"bogus"}"#))
        expectSameDecoding(StepResult.self, broken, fast: false)
    }

    @Test("what the decoder does not handle itself goes to Foundation's, with the same value or error")
    func decoderHandsOver() {
        // Numbers Foundation converts in its slow paths, and types it special-cases.
        expectSameDecoding(Int.self, "42.0", fast: false)
        expectSameDecoding(Int.self, "1e2", fast: false)
        expectSameDecoding(Int8.self, "300", fast: false)
        expectSameDecoding(Double.self, "1e400", fast: false)
        expectSameDecoding(Double.self, "1e-400", fast: false)
        expectSameDecoding(Double.self, #""\u0049nfinity""#, fast: false)
        expectSameDecoding(Float.self, "1e39", fast: false)
        expectSameDecoding(
            FoundationTypes.self, #"{"data":"AAEC+g==","url":"https://e.com","decimal":1.5}"#, fast: false)
        expectSameDecoding(Date.self, #""1500-01-01T00:00:00.000Z""#)
        expectSameDecoding(Date.self, #""2024-01-01T00:00:00Z""#)
        expectSameDecoding(Date.self, #""2023-02-29T00:00:00.000Z""#)
        // Every decoding error is Foundation's own.
        expectSameDecoding(Date.self, #""yesterday""#, fast: false)
        expectSameDecoding(Inner.self, #"{"name":"x"}"#, fast: false)
        expectSameDecoding(Inner.self, #"{"name":1,"values":[]}"#, fast: false)
        expectSameDecoding(Inner.self, #"{"name":null,"values":[]}"#, fast: false)
        expectSameDecoding(Inner.self, #"{"name":"x","values":[1,"2"]}"#, fast: false)
        expectSameDecoding([Int].self, "[1,2,", fast: false)
        expectSameDecoding(Int.self, "", fast: false)
        expectSameDecoding(Int.self, "\u{FEFF}1", fast: false)
    }

    @Test("JSON text edge cases decode to Foundation's JSONValue, or fail alike")
    func jsonEdgeCases() {
        let fastTexts = [
            "0", "-0", "42", "-17", "12345678901234567890", "42.0", "1e2", "1E+2", "-1.5e-3", "0.0", "-0.0", "0e10",
            "9007199254740991.0",
            "12345.678", "true", "false", "null", #""Infinity""#, #""-Infinity""#, #""NaN""#, #""a\/b""#,
            #""tab\tq\"\\""#, #""\ud83d\ude00 \u00e9 \u0000""#, #"{"a":1,"a":2}"#, #"{"e\u0301":1,"é":2}"#,
            "\n\t {\"a\" : [ 1 , 2 ] } \r\n", "[]", "{}", "[[],{}]", #"{"é":{"ü":[1.5]}}"#,
        ]
        for text in fastTexts { expectSameDecoding(JSONValue.self, text, same: same) }
        let handedOver = [
            "9007199254740993.0", "1e16", "1e+18", "1e400", "-1e400", "1e-400", #""\u0049nfinity""#,
            #""\ud83d""#, "[1,]", #"{"a":1,}"#, "01", "1.", ".5", "+1", #""\x""#, "nul", "[", "", " ",
            "\u{FEFF}{}", #"{"a":1} x"#, "\"raw\ttab\"", "NaN",
        ]
        for text in handedOver { expectSameDecoding(JSONValue.self, text, fast: false, same: same) }
        expectSameDecoding(JSONValue.self, nested(400).jsonText, same: same)
        expectSameDecoding(
            JSONValue.self, String(repeating: "[", count: 600) + String(repeating: "]", count: 600), fast: false,
            same: same)
    }

    @Test("a paused run's checkpoint and result read back the same through both decoders")
    func checkpointRoundTrip() async throws {
        struct Flow: Workflow {
            var name: String { "JSONFlow" }
            var steps: [Step<Everything>] {
                Step("first") { state in
                    state.text = "first ran"
                    return JSONValue.object(["out": 1.5, "list": [1, 2]])
                }
                Step("gate", approval: .required(message: "Go?", metadata: ["limit": 100])) { _ in "gated" }
            }
        }
        let paused = await Flow().run(Everything(), pauseOnApproval: true)
        let checkpoint = try #require(paused.checkpoint)
        expectSameEncoding(checkpoint)
        expectSameEncoding(paused)
        let text = String(decoding: try checkpoint.jsonData(), as: UTF8.self)
        expectSameDecoding(ApprovalPause<Everything>.self, text)
        expectSameDecoding(ApprovalPause<AnyState>.self, text)
        let result = String(decoding: try StepFlowJSON.encoder.encode(paused), as: UTF8.self)
        expectSameDecoding(WorkflowResult<Everything>.self, result) { ours, theirs in
            (try? StepFlowJSON.encoder.encode(ours)) == (try? StepFlowJSON.encoder.encode(theirs))
        }
    }
}

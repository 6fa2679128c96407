import Foundation

/// Writes `Encodable` values as StepFlow's JSON, byte for byte what
/// `JSONEncoder` with ``StepFlowJSON``'s options writes, at a fraction of the cost.
///
/// Checkpoints, results and states are encoded on every recorded step, and
/// Foundation's encoder spends most of its time on bookkeeping this shape does
/// not need. This one writes each member where it stands as it is encoded and,
/// when an object closes with its keys out of order, moves the members into
/// UTF-8 key order; the rest follows `JSONWriter`: its indentation and escapes,
/// integers in decimal, floating-point numbers as their `description` without a
/// trailing `.0`, non-finite ones as `"Infinity"`, `"-Infinity"`, `"NaN"`.
///
/// Whatever it does not handle the same way (`Data`, `URL`, `Decimal`, a
/// `superEncoder`, a key written twice, a container written
/// after a sibling was, two kinds of container from one encoder, nesting 512
/// deep, a top-level value that encodes nothing), and any error, sends the whole
/// value to Foundation's encoder instead, so output and errors are Foundation's
/// by construction. `StepFlowJSONTests` compares the two.
package struct StepFlowJSONEncoder: Sendable {
    /// Whether the output is indented (`JSONEncoder`'s `.prettyPrinted`).
    package let pretty: Bool

    /// Creates an encoder.
    package init(pretty: Bool) {
        self.pretty = pretty
    }

    /// The value as JSON text.
    package func encode<T: Encodable>(_ value: T) throws -> Data {
        if let data = encodedData(value) { return data }
        return try StepFlowJSON.foundationEncoder(pretty: pretty).encode(value)
    }

    /// The value as JSON text, or `nil` when Foundation's encoder must write it.
    package func encodedData<T: Encodable>(_ value: T) -> Data? {
        let stream = JSONStream(pretty: pretty)
        // Spare encoders refer to the stream: let both go.
        defer { stream.releaseSpareEncoders() }
        do {
            try stream.writeValue(value, parent: nil, key: nil, topLevel: true)
        } catch {
            return nil
        }
        stream.closeLevels(downTo: 0)
        return stream.handOver ? nil : stream.out.data
    }
}

/// The reason a write stopped; the encoding is then redone by Foundation.
private struct HandedOver: Error {}

/// A container still open for writing: its members are at the end of the output.
private struct OpenLevel {
    let id: Int
    let isObject: Bool
    /// The indentation of its members (its closing bracket is one less).
    let indent: Int
    /// Its first entry in ``JSONStream/members``.
    let firstMember: Int
    var count = 0
    /// Whether its keys so far are in UTF-8 order.
    var sorted = true
    /// Whether one of its members' values is being encoded (nothing else may write to it).
    var busy = false
}

/// A growable byte buffer: appending is a bounds check and a copy.
private struct ByteBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var data: Data { Data(bytes: base, count: count) }

    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private mutating func grow(_ needed: Int) {
        let newCapacity = max(capacity * 2, needed)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inline(__always)
    mutating func append(spaces: Int) {
        reserve(spaces)
        (base + count).initialize(repeating: UInt8(ascii: " "), count: spaces)
        count += spaces
    }

    /// The bytes in `range`.
    @inline(__always)
    func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// Appends bytes from another buffer.
    mutating func append(from other: borrowing ByteBuffer, _ range: Range<Int>) {
        append(other.bytes(range))
    }

    mutating func removeLast(_ n: Int) { count -= n }
    mutating func removeAll() { count = 0 }
}

/// Where an open object's member lies in the output.
private struct Member {
    /// Where its separator and indentation begin.
    let prefixStart: Int
    /// Where its key's opening quote is.
    let contentStart: Int
    /// Where its key's closing quote is.
    let keyEnd: Int
    /// For a key written with escapes, its index in ``JSONStream/escapedKeys``; -1 otherwise.
    let escapedKey: Int
    /// The key's first eight bytes, big-endian, zero-padded: most keys differ there, so
    /// comparing these orders most pairs. (Keys with a zero byte are escaped keys.)
    let keyPrefix: UInt64
}

/// One encoding's output and the containers still open in it.
private final class JSONStream {
    /// Foundation refuses to write containers nested this deep.
    static let maximumDepth = 512

    let pretty: Bool
    // One encoding runs on one thread, and nothing holds these across a call that
    // could touch them again, so the runtime's exclusivity checks are not needed.
    @exclusivity(unchecked) var out: ByteBuffer
    @exclusivity(unchecked) var levels: [OpenLevel] = []
    @exclusivity(unchecked) var members: [Member] = []
    @exclusivity(unchecked) private var scratch = ByteBuffer(capacity: 0)
    /// Keys that needed escapes, as given: their written bytes do not sort like them.
    @exclusivity(unchecked) private var escapedKeys: [String] = []
    @exclusivity(unchecked) var handOver = false
    @exclusivity(unchecked) private var lastLevelID = 0
    /// Encoders no one holds any more, for the next nested value.
    @exclusivity(unchecked) private var spareEncoders: [StreamEncoder] = []

    init(pretty: Bool) {
        self.pretty = pretty
        out = ByteBuffer(capacity: pretty ? 4096 : 1024)
        levels.reserveCapacity(16)
        members.reserveCapacity(64)
    }

    func fail() -> HandedOver {
        handOver = true
        return HandedOver()
    }

    // MARK: Containers

    /// Opens a container at the end of the output.
    func openLevel(isObject: Bool) throws -> (index: Int, id: Int) {
        guard levels.count + 1 < Self.maximumDepth else { throw fail() }
        out.append(isObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
        if pretty { out.append(UInt8(ascii: "\n")) }
        lastLevelID += 1
        let indent = (levels.last?.indent ?? 0) + 1
        levels.append(OpenLevel(id: lastLevelID, isObject: isObject, indent: indent, firstMember: members.count))
        return (levels.count - 1, lastLevelID)
    }

    /// Makes the container at `index` the innermost one, closing those inside it;
    /// fails if it is closed already (written to after a sibling or its parent was).
    func enter(_ index: Int, _ id: Int) throws {
        guard index >= 0, index < levels.count, levels[index].id == id, !levels[index].busy else { throw fail() }
        if levels.count > index + 1 { closeLevels(downTo: index + 1) }
    }

    func closeLevels(downTo count: Int) {
        while levels.count > count { closeInnermost() }
    }

    private func closeInnermost() {
        let level = levels.removeLast()
        if level.isObject {
            if !level.sorted { sortMembers(of: level) }
            members.removeLast(members.count - level.firstMember)
        }
        if pretty {
            out.append(UInt8(ascii: "\n"))
            appendIndent(level.indent - 1)
        }
        out.append(level.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
    }

    /// Rewrites an object's members in UTF-8 key order (insertion sort: objects are
    /// small); a repeated key, whose last-write-wins is Foundation's, hands over.
    private func sortMembers(of level: OpenLevel) {
        let levelIndent = level.indent
        let first = level.firstMember
        let count = level.count
        let regionStart = members[first].prefixStart
        let regionEnd = out.count
        scratch.removeAll()
        scratch.append(from: out, regionStart..<regionEnd)
        out.removeLast(regionEnd - regionStart)

        members.withUnsafeBufferPointer { all in
            let level = UnsafeBufferPointer(rebasing: all[first..<(first + count)])
            func key(_ member: Member) -> UnsafeBufferPointer<UInt8> {
                scratch.bytes((member.contentStart + 1 - regionStart)..<(member.keyEnd - regionStart))
            }
            func compare(_ lhs: Member, _ rhs: Member) -> Int {
                if lhs.escapedKey < 0 && rhs.escapedKey < 0 {
                    if lhs.keyPrefix != rhs.keyPrefix { return lhs.keyPrefix < rhs.keyPrefix ? -1 : 1 }
                    return compareBytes(key(lhs), key(rhs))
                }
                func text(_ member: Member) -> String {
                    member.escapedKey >= 0
                        ? escapedKeys[member.escapedKey] : String(decoding: key(member), as: UTF8.self)
                }
                return compareUTF8(text(lhs), text(rhs))
            }
            withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { order in
                for position in 0..<count { order[position] = position }
                for next in 1..<count {
                    let moving = order[next]
                    var slot = next
                    while slot > 0 {
                        let comparison = compare(level[moving], level[order[slot - 1]])
                        if comparison == 0 {
                            handOver = true
                            return
                        }
                        if comparison > 0 { break }
                        order[slot] = order[slot - 1]
                        slot -= 1
                    }
                    order[slot] = moving
                }
                for position in 0..<count {
                    if position > 0 { appendSeparator() }
                    if pretty { out.append(spaces: 2 * levelIndent) }
                    let member = order[position]
                    let contentEnd = member + 1 < count ? level[member + 1].prefixStart : regionEnd
                    out.append(from: scratch, (level[member].contentStart - regionStart)..<(contentEnd - regionStart))
                }
            }
        }
    }

    /// Starts an object member: separator, indentation, key; the value follows.
    func beginMember(_ index: Int, _ id: Int, key: String) throws {
        try enter(index, id)
        let prefixStart = out.count
        if levels[index].count > 0 { appendSeparator() }
        if pretty { out.append(spaces: 2 * levels[index].indent) }
        let contentStart = out.count
        var escapedKey = -1
        var keyPrefix: UInt64 = 0
        if !appendPlainKey(key, prefix: &keyPrefix) {
            escapedKey = escapedKeys.count
            escapedKeys.append(key)
            appendString(key)
        }
        try finishKey(index, prefixStart: prefixStart, contentStart: contentStart, escapedKey: escapedKey, keyPrefix)
    }

    /// ``beginMember(_:_:key:)`` for a key known to need no escapes.
    func beginMember(_ index: Int, _ id: Int, plainKey key: StaticString) throws {
        try enter(index, id)
        let prefixStart = out.count
        if levels[index].count > 0 { appendSeparator() }
        if pretty { out.append(spaces: 2 * levels[index].indent) }
        let contentStart = out.count
        let bytes = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        var keyPrefix: UInt64 = 0
        for (index, byte) in bytes.prefix(8).enumerated() { keyPrefix |= UInt64(byte) << (56 - 8 * UInt64(index)) }
        out.append(UInt8(ascii: "\""))
        out.append(bytes)
        out.append(UInt8(ascii: "\""))
        try finishKey(index, prefixStart: prefixStart, contentStart: contentStart, escapedKey: -1, keyPrefix)
    }

    /// Writes the colon after a member's key, notes whether the object's keys are
    /// still in order, and records the member.
    private func finishKey(
        _ index: Int, prefixStart: Int, contentStart: Int, escapedKey: Int, _ keyPrefix: UInt64
    ) throws {
        var level = levels[index]
        let keyEnd = out.count - 1
        if pretty { out.append(" : ") } else { out.append(UInt8(ascii: ":")) }
        if level.count > 0, level.sorted, let previous = members.last {
            if previous.escapedKey >= 0 || escapedKey >= 0 {
                // Sorted or not, an object with such keys is put in order at its close.
                level.sorted = false
            } else if previous.keyPrefix != keyPrefix {
                level.sorted = previous.keyPrefix < keyPrefix
            } else {
                let order = compareBytes(
                    out.bytes((previous.contentStart + 1)..<previous.keyEnd), out.bytes((contentStart + 1)..<keyEnd))
                if order == 0 { throw fail() }
                level.sorted = order < 0
            }
        }
        level.count += 1
        levels[index] = level
        members.append(
            Member(
                prefixStart: prefixStart, contentStart: contentStart, keyEnd: keyEnd, escapedKey: escapedKey,
                keyPrefix: keyPrefix))
    }

    /// Starts an array element: separator and indentation; the value follows.
    func beginElement(_ index: Int, _ id: Int) throws {
        try enter(index, id)
        if levels[index].count > 0 { appendSeparator() }
        if pretty { out.append(spaces: 2 * levels[index].indent) }
        levels[index].count += 1
    }

    // MARK: Values

    /// Writes one value: JSON primitives directly, anything else through its `encode(to:)`.
    ///
    /// The checks compare metatypes, which is cheap, where Foundation casts (`as? Date`);
    /// a cast also matches an `Optional` holding the type, whose `encode(to:)` here
    /// reaches the same check through a single-value container.
    func writeValue<T: Encodable>(
        _ value: T, parent: StreamEncoder?, key: (any CodingKey)?, topLevel: Bool = false
    ) throws {
        if T.self == String.self { return appendString(unsafeBitCast(value, to: String.self)) }
        if T.self == Int.self { return appendInteger(Int64(unsafeBitCast(value, to: Int.self))) }
        if T.self == Bool.self { return append(unsafeBitCast(value, to: Bool.self) ? "true" : "false") }
        if T.self == Double.self { return appendFloatingPoint(unsafeBitCast(value, to: Double.self)) }
        if T.self == Date.self { return appendDate(unsafeBitCast(value, to: Date.self)) }
        if T.self == JSONValue.self { return try appendJSON(unsafeBitCast(value, to: JSONValue.self)) }
        if T.self == [String: JSONValue].self {
            return try appendJSON(.object(unsafeBitCast(value, to: [String: JSONValue].self)))
        }
        if T.self == [JSONValue].self { return try appendJSON(.array(unsafeBitCast(value, to: [JSONValue].self))) }
        if try appendOtherPrimitive(value) { return }
        if T.self == Data.self || T.self == URL.self || T.self == Decimal.self { throw fail() }
        if T.self == StepResult.self {
            return try withUnsafePointer(to: value) { pointer in
                try pointer.withMemoryRebound(to: StepResult.self, capacity: 1) { step in
                    try appendStepResult(step.pointee, parent: parent, key: key)
                }
            }
        }

        let start = out.count
        let openLevels = levels.count
        var encoder = makeEncoder(parent: parent, key: key)
        // The value's own containers open inside the one holding it, which waits meanwhile.
        if openLevels > 0 { levels[openLevels - 1].busy = true }
        try value.encode(to: encoder)
        closeLevels(downTo: openLevels)
        if openLevels > 0 { levels[openLevels - 1].busy = false }
        encoder.isActive = false
        if isKnownUniquelyReferenced(&encoder) { spareEncoders.append(encoder) }
        if out.count == start {
            // A value that encoded nothing is `{}` in Foundation's output, except at the top.
            if topLevel { throw fail() }
            try appendEmptyObject()
        }
    }

    func releaseSpareEncoders() {
        spareEncoders.removeAll()
    }

    /// A ``StepResult``, written directly, its keys already in order.
    ///
    /// It writes what its `encode(to:)` writes (same keys, same values, `null` where
    /// absent) without a container call per field. Results are written on every
    /// recorded step; `StepFlowJSONTests` checks both paths against Foundation's encoder
    /// with every field set and unset.
    private func appendStepResult(_ step: StepResult, parent: StreamEncoder?, key: (any CodingKey)?) throws {
        let (index, id) = try openLevel(isObject: true)
        // The result's own encoder, the parent of the values nested in it.
        var encoder = makeEncoder(parent: parent, key: key)
        defer {
            encoder.isActive = false
            if isKnownUniquelyReferenced(&encoder) { spareEncoders.append(encoder) }
        }
        func member(_ name: StaticString) throws {
            try beginMember(index, id, plainKey: name)
        }
        func nested<V: Encodable>(_ value: V?, _ name: StaticString) throws {
            try member(name)
            guard let value else { return append("null") }
            try writeValue(value, parent: encoder, key: NameCodingKey(String(describing: name)))
        }
        try nested(step.approvalDecision, "approval_decision")
        try member("attempts")
        appendInteger(Int64(step.attempts))
        try member("child_workflows")
        if step.childWorkflows.isEmpty {
            try appendJSON(.array([]))
        } else {
            try writeValue(step.childWorkflows, parent: encoder, key: NameCodingKey("child_workflows"))
        }
        try member("duration_ms")
        appendInteger(Int64(step.durationMs))
        try nested(step.error.map { RecordedError($0) }, "error")
        try member("finished_at")
        if let finishedAt = step.finishedAt { appendDate(finishedAt) } else { append("null") }
        try member("next_step")
        if let nextStep = step.nextStep { appendString(nextStep) } else { append("null") }
        try member("output")
        if let output = step.output { try appendJSON(output) } else { append("null") }
        try member("requires_approval")
        append(step.requiresApproval ? "true" : "false")
        try member("route_key")
        if let routeKey = step.routeKey { appendString(routeKey) } else { append("null") }
        try member("skipped_reason")
        if let skippedReason = step.skippedReason { appendString(skippedReason) } else { append("null") }
        try member("started_at")
        if let startedAt = step.startedAt { appendDate(startedAt) } else { append("null") }
        try member("status")
        appendString(step.status.rawValue)
        try member("step_name")
        appendString(step.stepName)
    }

    private func makeEncoder(parent: StreamEncoder?, key: (any CodingKey)?) -> StreamEncoder {
        guard let encoder = spareEncoders.popLast() else {
            return StreamEncoder(stream: self, parent: parent, key: key)
        }
        encoder.reset(parent: parent, key: key)
        return encoder
    }

    private func appendOtherPrimitive<T>(_ value: T) throws -> Bool {
        if T.self == Float.self {
            appendFloatingPoint(unsafeBitCast(value, to: Float.self))
        } else if T.self == Int64.self {
            appendInteger(unsafeBitCast(value, to: Int64.self))
        } else if T.self == Int32.self {
            appendInteger(Int64(unsafeBitCast(value, to: Int32.self)))
        } else if T.self == Int16.self {
            appendInteger(Int64(unsafeBitCast(value, to: Int16.self)))
        } else if T.self == Int8.self {
            appendInteger(Int64(unsafeBitCast(value, to: Int8.self)))
        } else if T.self == UInt.self {
            appendDecimal(UInt64(unsafeBitCast(value, to: UInt.self)), negative: false)
        } else if T.self == UInt64.self {
            appendDecimal(unsafeBitCast(value, to: UInt64.self), negative: false)
        } else if T.self == UInt32.self {
            appendDecimal(UInt64(unsafeBitCast(value, to: UInt32.self)), negative: false)
        } else if T.self == UInt16.self {
            appendDecimal(UInt64(unsafeBitCast(value, to: UInt16.self)), negative: false)
        } else if T.self == UInt8.self {
            appendDecimal(UInt64(unsafeBitCast(value, to: UInt8.self)), negative: false)
        } else if T.self == Int128.self || T.self == UInt128.self {
            throw fail()
        } else {
            return false
        }
        return true
    }

    private func appendEmptyObject() throws {
        guard levels.count + 1 < Self.maximumDepth else { throw fail() }
        out.append(UInt8(ascii: "{"))
        if pretty {
            append("\n\n")
            appendIndent(levels.last?.indent ?? 0)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A ``JSONValue``, as its `encode(to:)` would write it.
    func appendJSON(_ json: JSONValue) throws {
        try appendJSON(json, depth: levels.count, indent: levels.last?.indent ?? 0)
    }

    private func appendJSON(_ json: JSONValue, depth: Int, indent: Int) throws {
        switch json {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .integer(let number): appendInteger(Int64(number))
        case .number(let number): appendFloatingPoint(number)
        case .string(let text): appendString(text)
        case .array(let elements):
            guard depth + 1 < Self.maximumDepth else { throw fail() }
            out.append(UInt8(ascii: "["))
            if pretty { out.append(UInt8(ascii: "\n")) }
            for (position, element) in elements.enumerated() {
                if position > 0 { appendSeparator() }
                if pretty { appendIndent(indent + 1) }
                try appendJSON(element, depth: depth + 1, indent: indent + 1)
            }
            closeJSONContainer(UInt8(ascii: "]"), indent: indent)
        case .object(let members):
            guard depth + 1 < Self.maximumDepth else { throw fail() }
            out.append(UInt8(ascii: "{"))
            if pretty { out.append(UInt8(ascii: "\n")) }
            for (position, key) in members.keys.sorted(by: { compareUTF8($0, $1) < 0 }).enumerated() {
                if position > 0 { appendSeparator() }
                if pretty { appendIndent(indent + 1) }
                appendString(key)
                if pretty { append(" : ") } else { out.append(UInt8(ascii: ":")) }
                if let member = members[key] { try appendJSON(member, depth: depth + 1, indent: indent + 1) }
            }
            closeJSONContainer(UInt8(ascii: "}"), indent: indent)
        }
    }

    private func closeJSONContainer(_ bracket: UInt8, indent: Int) {
        if pretty {
            out.append(UInt8(ascii: "\n"))
            appendIndent(indent)
        }
        out.append(bracket)
    }

    // MARK: Text

    func append(_ text: StaticString) {
        out.append(text)
    }

    private func appendSeparator() {
        if pretty { append(",\n") } else { out.append(UInt8(ascii: ",")) }
    }

    private func appendIndent(_ level: Int) {
        out.append(spaces: 2 * level)
    }

    func appendInteger(_ number: Int64) {
        appendDecimal(number.magnitude, negative: number < 0)
    }

    func appendDecimal(_ magnitude: UInt64, negative: Bool) {
        if negative { out.append(UInt8(ascii: "-")) }
        if magnitude < 10 {
            out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var rest = magnitude
            var start = 20
            while rest > 0 {
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            }
            out.append(UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }

    func appendFloatingPoint<F: BinaryFloatingPoint & CustomStringConvertible>(_ number: F) {
        guard number.isFinite else {
            appendString(number.isNaN ? "NaN" : number < 0 ? "-Infinity" : "Infinity")
            return
        }
        var text = number.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        text.withUTF8 { out.append($0) }
    }

    func appendDate(_ date: Date) {
        let written = JSONTimestamp.withBytes(date) { bytes in
            out.append(UInt8(ascii: "\""))
            out.append(bytes)
            out.append(UInt8(ascii: "\""))
        }
        if !written { appendString(StepFlowJSON.formatDate(date)) }
    }

    /// Appends a key in quotes if it needs no escapes, setting its sort prefix; `false`
    /// (nothing appended) if it does.
    private func appendPlainKey(_ key: String, prefix: inout UInt64) -> Bool {
        var key = key
        return key.withUTF8 { utf8 in
            let count = utf8.count
            var head: UInt64 = 0
            if let start = utf8.baseAddress {
                let raw = UnsafeRawPointer(start)
                if count >= 8 {
                    // Whole words, then one more ending at the last byte (it may overlap).
                    var offset = 0
                    while offset + 8 <= count {
                        if needsEscape(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) {
                            return false
                        }
                        offset += 8
                    }
                    if offset < count,
                        needsEscape(raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
                    {
                        return false
                    }
                    head = UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self))
                } else {
                    for index in 0..<count {
                        let byte = start[index]
                        if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
                        head |= UInt64(byte) << (56 &- 8 &* UInt64(index))
                    }
                }
            }
            prefix = head
            out.append(UInt8(ascii: "\""))
            out.append(utf8)
            out.append(UInt8(ascii: "\""))
            return true
        }
    }

    func appendString(_ text: String) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { out.append(UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                appendEscape(byte)
                runStart = index + 1
            }
            if runStart < utf8.count { out.append(UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
        out.append(UInt8(ascii: "\""))
    }

    private func appendEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): append("\\\"")
        case UInt8(ascii: "\\"): append("\\\\")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        case UInt8(ascii: "\n"): append("\\n")
        case UInt8(ascii: "\r"): append("\\r")
        case UInt8(ascii: "\t"): append("\\t")
        default:
            let hex: StaticString = "0123456789abcdef"
            append("\\u00")
            out.append(hex.utf8Start[Int(byte >> 4)])
            out.append(hex.utf8Start[Int(byte & 0xF)])
        }
    }
}

/// A key by name, for coding paths through the direct paths of StepFlow's own types.
struct NameCodingKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { nil }
}

/// The key of an array element in a coding path, spelled as Foundation spells it.
struct IndexCodingKey: CodingKey {
    let intValue: Int?
    let stringValue: String

    init(index: Int) {
        intValue = index
        stringValue = "Index \(index)"
    }

    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.init(index: intValue) }
}

/// The `Encoder` handed to each value that is not a JSON primitive.
private final class StreamEncoder: Encoder {
    private enum State {
        case fresh
        case single
        case container(index: Int, id: Int, isObject: Bool)
    }

    let stream: JSONStream
    /// The encoder of the container holding this value (`nil` at the top).
    private(set) var parent: StreamEncoder?
    /// This value's key in its container.
    private(set) var key: (any CodingKey)?
    /// Whether this value is the one being written (it is not once `encode(to:)` returned).
    var isActive = true
    private var state = State.fresh

    init(stream: JSONStream, parent: StreamEncoder?, key: (any CodingKey)?) {
        self.stream = stream
        self.parent = parent
        self.key = key
    }

    /// An encoder standing for a nested container, so its members' paths include its key.
    convenience init(nestedIn parent: StreamEncoder, key: any CodingKey, index: Int, id: Int, isObject: Bool) {
        self.init(stream: parent.stream, parent: parent, key: key)
        isActive = false
        state = .container(index: index, id: id, isObject: isObject)
    }

    func reset(parent: StreamEncoder?, key: (any CodingKey)?) {
        self.parent = parent
        self.key = key
        isActive = true
        state = .fresh
    }

    // The path is only built when asked for: most values never look at it.
    var codingPath: [any CodingKey] {
        var path = parent?.codingPath ?? []
        if let key { path.append(key) }
        return path
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The container this encoder's value is, opening it on first use; `(-1, -1)`
    /// (which every write refuses) when it cannot be.
    private func level(isObject: Bool) -> (index: Int, id: Int) {
        switch state {
        case .fresh where isActive:
            guard let (index, id) = try? stream.openLevel(isObject: isObject) else { return (-1, -1) }
            state = .container(index: index, id: id, isObject: isObject)
            return (index, id)
        case .container(let index, let id, isObject):
            // Foundation merges a second request for the same kind of container.
            return (index, id)
        default:
            stream.handOver = true
            return (-1, -1)
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let (index, id) = level(isObject: true)
        return KeyedEncodingContainer(
            KeyedStreamContainer<Key>(encoder: self, index: index, id: id))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let (index, id) = level(isObject: false)
        return UnkeyedStreamContainer(encoder: self, index: index, id: id)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueStreamContainer(encoder: self)
    }

    /// Claims the single value; a second one, or one after a container, is Foundation's business.
    func beginSingleValue() throws {
        guard isActive, case .fresh = state else { throw stream.fail() }
        state = .single
    }

    /// An encoder for a `superEncoder()` call: never active, so Foundation encodes the value.
    func handedOverEncoder() -> any Encoder {
        stream.handOver = true
        let encoder = StreamEncoder(stream: stream, parent: self, key: nil)
        encoder.isActive = false
        return encoder
    }
}

extension JSONValue {
    /// Writes into a ``StepFlowJSONEncoder`` stream directly; `false` for another encoder.
    func encode(fastTo encoder: any Encoder) throws -> Bool {
        guard let stream = encoder as? StreamEncoder else { return false }
        try stream.beginSingleValue()
        try stream.stream.appendJSON(self)
        return true
    }
}

// Containers hold one reference (their encoder; a nested one has its own), since
// the standard library's boxes copy them on every call.

private struct KeyedStreamContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: StreamEncoder
    let index: Int
    let id: Int

    private var stream: JSONStream { encoder.stream }
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func begin(_ key: Key) throws { try stream.beginMember(index, id, key: key.stringValue) }

    mutating func encodeNil(forKey key: Key) throws {
        try begin(key)
        stream.append("null")
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        try begin(key)
        stream.append(value ? "true" : "false")
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        try begin(key)
        stream.appendString(value)
    }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        try begin(key)
        stream.appendFloatingPoint(value)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        try begin(key)
        stream.appendFloatingPoint(value)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws {
        try begin(key)
        stream.appendInteger(Int64(value))
    }
    mutating func encode(_ value: Int8, forKey key: Key) throws {
        try begin(key)
        stream.appendInteger(Int64(value))
    }
    mutating func encode(_ value: Int16, forKey key: Key) throws {
        try begin(key)
        stream.appendInteger(Int64(value))
    }
    mutating func encode(_ value: Int32, forKey key: Key) throws {
        try begin(key)
        stream.appendInteger(Int64(value))
    }
    mutating func encode(_ value: Int64, forKey key: Key) throws {
        try begin(key)
        stream.appendInteger(value)
    }
    mutating func encode(_ value: UInt, forKey key: Key) throws {
        try begin(key)
        stream.appendDecimal(UInt64(value), negative: false)
    }
    mutating func encode(_ value: UInt8, forKey key: Key) throws {
        try begin(key)
        stream.appendDecimal(UInt64(value), negative: false)
    }
    mutating func encode(_ value: UInt16, forKey key: Key) throws {
        try begin(key)
        stream.appendDecimal(UInt64(value), negative: false)
    }
    mutating func encode(_ value: UInt32, forKey key: Key) throws {
        try begin(key)
        stream.appendDecimal(UInt64(value), negative: false)
    }
    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        try begin(key)
        stream.appendDecimal(value, negative: false)
    }
    mutating func encode(_ value: Int128, forKey key: Key) throws { throw stream.fail() }
    mutating func encode(_ value: UInt128, forKey key: Key) throws { throw stream.fail() }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try begin(key)
        try stream.writeValue(value, parent: encoder, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let (index, id) = (try? openNested(key, isObject: true)) ?? (-1, -1)
        let nested = StreamEncoder(nestedIn: encoder, key: key, index: index, id: id, isObject: true)
        return KeyedEncodingContainer(KeyedStreamContainer<NestedKey>(encoder: nested, index: index, id: id))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let (index, id) = (try? openNested(key, isObject: false)) ?? (-1, -1)
        let nested = StreamEncoder(nestedIn: encoder, key: key, index: index, id: id, isObject: false)
        return UnkeyedStreamContainer(encoder: nested, index: index, id: id)
    }

    private func openNested(_ key: Key, isObject: Bool) throws -> (index: Int, id: Int) {
        try begin(key)
        return try stream.openLevel(isObject: isObject)
    }

    mutating func superEncoder() -> any Encoder { encoder.handedOverEncoder() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder.handedOverEncoder() }
}

private struct UnkeyedStreamContainer: UnkeyedEncodingContainer {
    let encoder: StreamEncoder
    let index: Int
    let id: Int

    private var stream: JSONStream { encoder.stream }
    var codingPath: [any CodingKey] { encoder.codingPath }

    var count: Int {
        guard index >= 0, index < stream.levels.count, stream.levels[index].id == id else { return 0 }
        return stream.levels[index].count
    }

    private func begin() throws { try stream.beginElement(index, id) }

    mutating func encodeNil() throws {
        try begin()
        stream.append("null")
    }
    mutating func encode(_ value: Bool) throws {
        try begin()
        stream.append(value ? "true" : "false")
    }
    mutating func encode(_ value: String) throws {
        try begin()
        stream.appendString(value)
    }
    mutating func encode(_ value: Double) throws {
        try begin()
        stream.appendFloatingPoint(value)
    }
    mutating func encode(_ value: Float) throws {
        try begin()
        stream.appendFloatingPoint(value)
    }
    mutating func encode(_ value: Int) throws {
        try begin()
        stream.appendInteger(Int64(value))
    }
    mutating func encode(_ value: Int8) throws {
        try begin()
        stream.appendInteger(Int64(value))
    }
    mutating func encode(_ value: Int16) throws {
        try begin()
        stream.appendInteger(Int64(value))
    }
    mutating func encode(_ value: Int32) throws {
        try begin()
        stream.appendInteger(Int64(value))
    }
    mutating func encode(_ value: Int64) throws {
        try begin()
        stream.appendInteger(value)
    }
    mutating func encode(_ value: UInt) throws {
        try begin()
        stream.appendDecimal(UInt64(value), negative: false)
    }
    mutating func encode(_ value: UInt8) throws {
        try begin()
        stream.appendDecimal(UInt64(value), negative: false)
    }
    mutating func encode(_ value: UInt16) throws {
        try begin()
        stream.appendDecimal(UInt64(value), negative: false)
    }
    mutating func encode(_ value: UInt32) throws {
        try begin()
        stream.appendDecimal(UInt64(value), negative: false)
    }
    mutating func encode(_ value: UInt64) throws {
        try begin()
        stream.appendDecimal(value, negative: false)
    }
    mutating func encode(_ value: Int128) throws { throw stream.fail() }
    mutating func encode(_ value: UInt128) throws { throw stream.fail() }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let key = IndexCodingKey(index: count)
        try begin()
        try stream.writeValue(value, parent: encoder, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<
        NestedKey
    > {
        let key = IndexCodingKey(index: count)
        let (index, id) = (try? openNested(isObject: true)) ?? (-1, -1)
        let nested = StreamEncoder(nestedIn: encoder, key: key, index: index, id: id, isObject: true)
        return KeyedEncodingContainer(KeyedStreamContainer<NestedKey>(encoder: nested, index: index, id: id))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let key = IndexCodingKey(index: count)
        let (index, id) = (try? openNested(isObject: false)) ?? (-1, -1)
        let nested = StreamEncoder(nestedIn: encoder, key: key, index: index, id: id, isObject: false)
        return UnkeyedStreamContainer(encoder: nested, index: index, id: id)
    }

    private func openNested(isObject: Bool) throws -> (index: Int, id: Int) {
        try begin()
        return try stream.openLevel(isObject: isObject)
    }

    mutating func superEncoder() -> any Encoder { encoder.handedOverEncoder() }
}

private struct SingleValueStreamContainer: SingleValueEncodingContainer {
    let encoder: StreamEncoder

    private var stream: JSONStream { encoder.stream }
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws {
        try encoder.beginSingleValue()
        stream.append("null")
    }
    mutating func encode(_ value: Bool) throws {
        try encoder.beginSingleValue()
        stream.append(value ? "true" : "false")
    }
    mutating func encode(_ value: String) throws {
        try encoder.beginSingleValue()
        stream.appendString(value)
    }
    mutating func encode(_ value: Double) throws {
        try encoder.beginSingleValue()
        stream.appendFloatingPoint(value)
    }
    mutating func encode(_ value: Float) throws {
        try encoder.beginSingleValue()
        stream.appendFloatingPoint(value)
    }
    mutating func encode(_ value: Int) throws {
        try encoder.beginSingleValue()
        stream.appendInteger(Int64(value))
    }
    mutating func encode(_ value: Int8) throws {
        try encoder.beginSingleValue()
        stream.appendInteger(Int64(value))
    }
    mutating func encode(_ value: Int16) throws {
        try encoder.beginSingleValue()
        stream.appendInteger(Int64(value))
    }
    mutating func encode(_ value: Int32) throws {
        try encoder.beginSingleValue()
        stream.appendInteger(Int64(value))
    }
    mutating func encode(_ value: Int64) throws {
        try encoder.beginSingleValue()
        stream.appendInteger(value)
    }
    mutating func encode(_ value: UInt) throws {
        try encoder.beginSingleValue()
        stream.appendDecimal(UInt64(value), negative: false)
    }
    mutating func encode(_ value: UInt8) throws {
        try encoder.beginSingleValue()
        stream.appendDecimal(UInt64(value), negative: false)
    }
    mutating func encode(_ value: UInt16) throws {
        try encoder.beginSingleValue()
        stream.appendDecimal(UInt64(value), negative: false)
    }
    mutating func encode(_ value: UInt32) throws {
        try encoder.beginSingleValue()
        stream.appendDecimal(UInt64(value), negative: false)
    }
    mutating func encode(_ value: UInt64) throws {
        try encoder.beginSingleValue()
        stream.appendDecimal(value, negative: false)
    }
    mutating func encode(_ value: Int128) throws { throw stream.fail() }
    mutating func encode(_ value: UInt128) throws { throw stream.fail() }

    mutating func encode<T: Encodable>(_ value: T) throws {
        // Foundation encodes the wrapped value with this same encoder: same path, no key.
        try encoder.beginSingleValue()
        try stream.writeValue(value, parent: encoder, key: nil)
    }
}

/// Whether any byte of `word` is `"`, `\` or below 0x20: one a JSON string must escape.
@inline(__always)
private func needsEscape(_ word: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highBits: UInt64 = 0x8080_8080_8080_8080
    func hasZeroByte(_ x: UInt64) -> Bool { (x &- ones) & ~x & highBits != 0 }
    let control = (word &- ones &* 0x20) & ~word & highBits
    return control != 0 || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
}

/// Compares two byte strings: negative, zero or positive, as `memcmp` then length.
private func compareBytes(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Int {
    let shared = min(lhs.count, rhs.count)
    if shared > 0, let a = lhs.baseAddress, let b = rhs.baseAddress {
        let order = memcmp(a, b, shared)
        if order != 0 { return Int(order) }
    }
    return lhs.count - rhs.count
}

/// Compares two strings by their UTF-8 bytes, the order Foundation sorts keys in
/// (not `String`'s `<`, which compares Unicode scalars after normalisation).
func compareUTF8(_ lhs: String, _ rhs: String) -> Int {
    var left = lhs.utf8.makeIterator()
    var right = rhs.utf8.makeIterator()
    while true {
        switch (left.next(), right.next()) {
        case (let a?, let b?): if a != b { return a < b ? -1 : 1 }
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        }
    }
}

import Foundation
import StepFlow
import Testing

/// The SDK's store records on their own: hashes, receipts, JSON, messages.
@Suite("Store records")
struct StoreRecordTests {
    @Test("SHA-256 matches the FIPS 180-4 examples")
    func sha256Vectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            SHA256.hex(String(repeating: "a", count: 1_000))
                == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test("a receipt binds every field of the decision")
    func receipts() {
        let at = Date(timeIntervalSince1970: 1_800_000_000.123)
        let base = DecisionReceipt(
            requestID: "q", outcome: .approve, approver: "alice", decidedAt: at, seenStateHash: "h")
        #expect(
            base
                == DecisionReceipt(
                    requestID: "q", outcome: .approve, approver: "alice", decidedAt: at, seenStateHash: "h"))
        let variants = [
            DecisionReceipt(requestID: "q2", outcome: .approve, approver: "alice", decidedAt: at, seenStateHash: "h"),
            DecisionReceipt(requestID: "q", outcome: .deny, approver: "alice", decidedAt: at, seenStateHash: "h"),
            DecisionReceipt(requestID: "q", outcome: .approve, approver: "bob", decidedAt: at, seenStateHash: "h"),
            DecisionReceipt(
                requestID: "q", outcome: .approve, approver: "alice", decidedAt: at + 0.001, seenStateHash: "h"),
            DecisionReceipt(requestID: "q", outcome: .approve, approver: "alice", decidedAt: at, seenStateHash: "h2"),
            // Moving text between fields must not give the same receipt.
            DecisionReceipt(
                requestID: "q\n5:alice", outcome: .approve, approver: "", decidedAt: at, seenStateHash: "h"),
        ]
        #expect(Set(variants + [base]).count == variants.count + 1)
        #expect(base.value.count == 64 && base.short == String(base.value.prefix(12)))
        var record = DecisionRecord(
            requestID: "q", runID: "r", outcome: .approve, reason: nil, approver: "alice", identitySource: .osUser,
            seenStateHash: "h", idempotencyKey: "k", decidedAt: at, receipt: base)
        #expect(record.hasValidReceipt)
        record.approver = "mallory"
        #expect(!record.hasValidReceipt)
    }

    @Test("stored JSON is canonical text, embedded as JSON in records")
    func storedJSON() throws {
        struct State: Codable { var b = 2, a = "x" }
        let document = try StoredJSON(encoding: State())
        #expect(document.text == #"{"a":"x","b":2}"#)
        #expect(document == StoredJSON(["b": 2, "a": "x"]))
        #expect(document.sha256 == "sha256:" + SHA256.hex(#"{"a":"x","b":2}"#))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(["s": document]), as: UTF8.self) == #"{"s":{"a":"x","b":2}}"#)
        #expect(try document.decode(as: [String: JSONValue].self) == ["a": "x", "b": 2])
    }

    @Test("store times are whole milliseconds and survive the round trip")
    func milliseconds() {
        for milliseconds: Int64 in [0, 1, 999, 1_800_000_000_123, 1_799_999_999_999, 4_102_444_800_001] {
            #expect(Date(storeMilliseconds: milliseconds).storeMilliseconds == milliseconds)
        }
        let clock = StoreClock { Date(timeIntervalSince1970: 10.000_6) }
        #expect(clock.now().storeMilliseconds == 10_001)
        #expect(
            Duration.milliseconds(1_500).storeMilliseconds == 1_500 && Duration.microseconds(999).storeMilliseconds == 0
        )
    }

    @Test("every deciding result says what happened in one line")
    func summaries() {
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let human = DecisionRecord(
            requestID: "q", runID: "r", outcome: .approve, reason: nil, approver: "alice", identitySource: .osUser,
            seenStateHash: "h", idempotencyKey: "k", decidedAt: at,
            receipt: DecisionReceipt(
                requestID: "q", outcome: .approve, approver: "alice", decidedAt: at, seenStateHash: "h"))
        var timeout = human
        timeout.identitySource = .timeout
        timeout.approver = "timeout"
        timeout.outcome = .deny
        let results: [DecisionResult] = [
            .decided(human), .alreadyRecorded(human), .alreadyDecided(human), .alreadyDecided(timeout),
            .staleState(requestHash: "a", seenHash: "b"), .approverNotAllowed(approver: "m", allowed: ["a"]),
            .selfApprovalRefused(approver: "c"), .requestClosed(requestID: "q", status: .cancelled),
            .noSuchRequest("q"),
        ]
        for result in results {
            #expect(!result.summary.isEmpty && !result.summary.contains("\n"))
        }
        #expect(
            results[0].summary
                == "Recorded: approved by alice (OS user) at 2027-01-15T08:00:00.000Z; receipt \(human.receipt.short).")
        #expect(results[2].summary == "Already decided by alice at 2027-01-15T08:00:00.000Z (approved).")
        #expect(results[3].summary.hasPrefix("Already decided: the deadline passed at 2027-01-15T08:00:00.000Z"))
        #expect(Set(results.map(\.code)).count == results.count - 1)
    }
}

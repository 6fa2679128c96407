import Foundation
import Testing

@testable import StepFlow

// SPEC's JSON writes every field, `null` where absent; reading accepts `null` or a missing key.

private func json<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try StepFlowJSON.encoder.encode(value), as: UTF8.self)
}

private func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try StepFlowJSON.decoder.decode(type, from: Data(text.utf8))
}

@Suite("JSON nulls")
struct ExplicitNullTests {
    @Test("a route decision writes next_step as null for END, and as the step's name otherwise")
    func routeDecision() throws {
        #expect(
            try json(RouteDecision(stepName: "decide", routeKey: "stop", nextStep: nil, ended: true))
                == #"{"ended":true,"next_step":null,"route_key":"stop","step_name":"decide"}"#)
        #expect(
            try json(RouteDecision(stepName: "decide", routeKey: "go", nextStep: "b", ended: false))
                == #"{"ended":false,"next_step":"b","route_key":"go","step_name":"decide"}"#)
    }

    @Test("a decision writes reason, decided_by and decided_at as null when absent")
    func decision() throws {
        #expect(
            try json(ApprovalDecision(approved: true))
                == #"{"approved":true,"decided_at":null,"decided_by":null,"metadata":{},"reason":null}"#)
        let full = ApprovalDecision(
            approved: false, reason: "too much", metadata: ["limit": 5], decidedBy: "ana",
            decidedAt: Date(timeIntervalSince1970: 0))
        #expect(
            try json(full) == #"{"approved":false,"decided_at":"1970-01-01T00:00:00.000Z","decided_by":"ana","#
                + #""metadata":{"limit":5},"reason":"too much"}"#)
        #expect(try decode(ApprovalDecision.self, json(full)) == full)
    }

    @Test("a request writes a missing message as null")
    func request() throws {
        let request = ApprovalRequest(
            workflowName: "W", stepName: "s", runID: "r", state: AnyState(["n": 1]), message: nil, metadata: [:])
        #expect(
            try json(request)
                == #"{"message":null,"metadata":{},"run_id":"r","state":{"n":1},"step_name":"s","workflow_name":"W"}"#)
    }

    @Test("reading accepts null or a missing key for every optional field")
    func lenientReading() throws {
        let decision = try decode(ApprovalDecision.self, #"{"approved":true}"#)
        #expect(decision == ApprovalDecision(approved: true))
        #expect(try decode(ApprovalDecision.self, #"{"approved":true,"reason":null,"decided_by":null}"#) == decision)
        let route = try decode(RouteDecision.self, #"{"step_name":"a","route_key":"k","ended":true}"#)
        #expect(route == RouteDecision(stepName: "a", routeKey: "k", nextStep: nil, ended: true))
        let request = try decode(
            ApprovalRequest.self, #"{"workflow_name":"W","step_name":"s","run_id":"r","state":{},"metadata":{}}"#)
        #expect(request.message == nil)
    }

    @Test("a present field of the wrong type is still an error")
    func wrongType() {
        #expect(throws: DecodingError.self) {
            try decode(RouteDecision.self, #"{"step_name":"a","route_key":"k","next_step":7,"ended":false}"#)
        }
    }
}

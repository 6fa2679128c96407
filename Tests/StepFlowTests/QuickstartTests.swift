import StepFlow
import Testing

/// The seed's quickstart, ported: three linear steps over one state.
private struct RefundState: Codable, Sendable, Equatable {
    var orderID: String
    var amount: Double
    var orderFound = false
    var policyOK = false
    var responseText = ""
}

private struct RefundWorkflow: Workflow {
    var steps: [Step<RefundState>] {
        Step("check_order") { state in
            state.orderFound = true
            return "Order \(state.orderID) located."
        }
        Step("verify_policy") { state in
            state.policyOK = state.orderFound && state.amount <= 100.0
            return "Refund policy check completed."
        }
        Step("generate_response") { state in
            state.responseText =
                state.policyOK
                ? "Refund approved for \(state.orderID)."
                : "Refund denied for \(state.orderID)."
            return state.responseText
        }
    }
}

@Suite("Quickstart")
struct QuickstartTests {
    @Test("the seed's refund quickstart gives the seed's results")
    func quickstart() async throws {
        let result = await RefundWorkflow().run(RefundState(orderID: "ord_123", amount: 42.50))
        #expect(result.status == .succeeded)
        #expect(result.state.responseText == "Refund approved for ord_123.")
        #expect(result.steps.last?.output == "Refund approved for ord_123.")
        #expect(result.steps.map(\.stepName) == ["check_order", "verify_policy", "generate_response"])
        #expect(result.workflowName == "RefundWorkflow")
    }

    @Test("an amount over the limit is denied by the same steps")
    func deniedQuickstart() async throws {
        let result = await RefundWorkflow().run(RefundState(orderID: "ord_9", amount: 150))
        #expect(result.state.responseText == "Refund denied for ord_9.")
        #expect(result.state.policyOK == false)
    }
}

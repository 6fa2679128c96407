import Foundation
import StepFlow

/// An order moving through fulfilment (seed example 7).
public struct FulfilmentState: Codable, Sendable, Equatable {
    /// The order.
    public var orderID: String
    /// Items to pack.
    public var items: [String]
    /// Whether the items were reserved.
    public var reserved = false
    /// The parcel's tracking number.
    public var trackingNumber = ""

    /// Creates an order.
    public init(orderID: String, items: [String]) {
        self.orderID = orderID
        self.items = items
    }
}

/// Example 7: lifecycle hooks logging workflow and step events, then normal
/// result inspection.
public struct WorkflowHooksWorkflow: Workflow {
    /// Creates the workflow.
    public init() {}

    /// The catalog name.
    public var name: String { "workflow-hooks" }

    /// Reserve, pack, ship.
    public var steps: [Step<FulfilmentState>] {
        Step("reserve_items", description: "Reserve stock") { state in
            state.reserved = true
            return "Reserved \(state.items.count) item(s)."
        }
        Step("pack_order", description: "Pack the parcel") { state in
            "Packed \(state.items.joined(separator: ", "))."
        }
        Step("ship_order", description: "Hand over to the carrier") { state in
            state.trackingNumber = "TRK-\(state.orderID.uppercased())"
            return "Shipped with \(state.trackingNumber)."
        }
    }

    /// A hook that writes one line per lifecycle event through `log`.
    public static func loggingHook(_ log: @escaping @Sendable (String) -> Void) -> WorkflowHook {
        WorkflowHook { event in
            switch event {
            case .workflowStarted(let e):
                log("[hook] workflow started: \(e.workflowName) (run \(e.runID.prefix(8)))")
            case .stepStarted(let e):
                log("[hook]   step started: \(e.stepName)")
            case .stepFinished(let e):
                log("[hook]   step finished: \(e.stepName) -> \(e.result.status.rawValue) in \(e.result.durationMs) ms")
            case .workflowFinished(let e):
                log("[hook] workflow finished: \(e.workflowName) -> \(e.result.status.rawValue)")
            default:
                break
            }
        }
    }
}

/// SPEC §8's Mermaid example: the graph-export workflow's text, byte for byte
/// (the SDK, the example workflow and the `stepflow-examples` command all print it).
package let specMermaidExample = #"""
    flowchart TD
        step_0["evaluate_refund"]
        step_1["approve_refund\napproval"]
        step_2["notify"]
        end_0((END))
        step_0 -->|approve| step_1
        step_0 -->|deny| end_0
        step_1 --> step_2
    """#

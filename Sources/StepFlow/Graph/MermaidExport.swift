extension WorkflowGraph {
    /// The graph as Mermaid `flowchart TD` text (SPEC §8), with no trailing newline.
    ///
    /// Plain names are written exactly as the reference writes them; any other
    /// character Mermaid would misread becomes a Mermaid entity code, so Mermaid
    /// accepts the text and shows every name as it reads.
    public func mermaid() -> String {
        var lines = ["flowchart TD"]
        lines.reserveCapacity(1 + nodes.count + edges.count)
        for node in nodes {
            switch node.kind {
            case .step:
                let label =
                    MermaidText.escape(node.label, context: .nodeLabel)
                    + (node.requiresApproval ? "\\napproval" : "")
                lines.append("    \(node.id)[\"\(label)\"]")
            case .end:
                lines.append("    \(node.id)((END))")
            }
        }
        for edge in edges {
            if let key = edge.routeKey, edge.kind == .route {
                lines.append("    \(edge.source) -->|\(MermaidText.escape(key, context: .edgeLabel))| \(edge.target)")
            } else {
                lines.append("    \(edge.source) --> \(edge.target)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// Mermaid's text escaping: entity codes (`#quot;`, `#124;` ...) instead of the
/// backslashes the reference writes, which Mermaid 11 does not read.
///
/// Checked against real Mermaid 11.16 rendering in Chromium
/// (`Scripts/check-mermaid`), which found the non-obvious rules below.
enum MermaidText {
    enum Context {
        /// Inside `["..."]`: brackets are safe, quotes are not.
        case nodeLabel
        /// Inside `-->|...|`: pipes and brackets end or confuse the label.
        case edgeLabel
    }

    /// Escapes scalar by scalar: Mermaid reads code points, so a quote fused with a
    /// combining mark into one `Character` is still a quote to Mermaid.
    static func escape(_ text: String, context: Context) -> String {
        // `$$…$$` is drawn as KaTeX math, so such a label writes every `$` as an entity.
        let escapeDollars = text.split(separator: "$$", omittingEmptySubsequences: false).count > 2
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            defer { previous = scalar }
            if scalar == "\n" && previous == "\r" { continue }  // CRLF is one line break
            if scalar == "$" && escapeDollars {
                output += "#36;"
            } else {
                output += escape(scalar, context: context)
            }
        }
        // On a line with `style` or `classDef`, `:`, then `#`, Mermaid deletes the
        // last `;` before decoding entities, breaking ours; so in a label that has
        // an entity, `:` is one too. Plain labels have no `#` and stay unchanged.
        if output.contains("#") {
            output.replace(":", with: "#58;")
        }
        return output
    }

    private static func escape(_ scalar: Unicode.Scalar, context: Context) -> String {
        switch scalar {
        case "\"": return "#quot;"
        case "&": return "#amp;"
        case "<": return "#lt;"
        case ">": return "#gt;"
        // `{` also everywhere: Mermaid strips `%%{…}%%` directives from any text.
        case "#", "|", "\\", "`", "{": return "#\(scalar.value);"
        case "\n", "\r": return "\\n"
        case "(", ")", "[", "]", "}":
            return context == .edgeLabel ? "#\(scalar.value);" : String(scalar)
        // In an edge label `x@y` is read as an edge id: a parse error.
        case "@":
            return context == .edgeLabel ? "#64;" : "@"
        default:
            // Only C0 controls and DEL: HTML reads `&#128;`–`&#159;` as Windows-1252
            // (`&#128;` is drawn as €), while C1 controls written raw show as themselves.
            let isC0Control = scalar.value < 0x80 && scalar.properties.generalCategory == .control
            return isC0Control ? "#\(scalar.value);" : String(scalar)
        }
    }
}

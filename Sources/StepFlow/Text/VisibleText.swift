/// Makes untrusted text safe to print on a terminal.
///
/// State, outputs, errors and messages come from agents and users. Printed raw,
/// an escape sequence could move the cursor, recolour the screen, set the window
/// title or hide text. Every such string passes through ``sanitize(_:keepNewlines:)``, which
/// shows control characters visibly instead of emitting them.
public enum VisibleText {
    /// The text with every control character, escape sequence and bidi override
    /// replaced by a visible escape (`\e`, `\n`, `\t`, `\u{9B}` ...).
    ///
    /// With `keepNewlines`, line feeds stay real line breaks (for multi-line blocks).
    public static func sanitize(_ text: String, keepNewlines: Bool = false) -> String {
        // Fast path: most text has nothing to escape.
        if !text.unicodeScalars.contains(where: needsEscape) { return text }
        var output = ""
        output.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if scalar == "\n" && keepNewlines {
                output.unicodeScalars.append(scalar)
            } else if needsEscape(scalar) {
                output += visible(scalar)
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// Whether a scalar must not reach a terminal as it is.
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true  // C0 controls (ESC among them), DEL, C1 controls
        case 0x202A...0x202E, 0x2066...0x2069: true  // bidi embeddings, overrides, isolates
        case 0x200E, 0x200F, 0x061C: true  // bidi marks
        default: false
        }
    }

    private static func visible(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\u{1B}": "\\e"
        case "\n": "\\n"
        case "\r": "\\r"
        case "\t": "\\t"
        default: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        }
    }
}

//! Content lines (RFC 5545 §3.1): TEXT escaping, parameter values, URI values, and folding
//! at 75 octets with CRLF line endings.

/// Escapes a TEXT value (§3.3.11): backslash, semicolon, comma and line breaks.
///
/// Any line break (`\r\n`, `\r` or `\n`) becomes `\n`, because an unescaped one would end the
/// content line. Other ASCII control characters are dropped: TEXT forbids them (only HTAB is
/// allowed) and parsers differ on what they do with them.
pub(crate) fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + value.len() / 8);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\t' => out.push('\t'),
            c if c.is_ascii_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (§3.2), e.g. a `CN` display name, quoted when it holds `:`, `;` or `,`.
///
/// A parameter value has no escape mechanism in RFC 5545, and RFC 6868's `^` escapes are not
/// understood by every client, so the characters it cannot carry are replaced instead: a double
/// quote becomes a single quote and control characters (line breaks included) become spaces.
pub(crate) fn param_value(value: &str) -> String {
    let clean: String = value
        .chars()
        .map(|c| match c {
            '"' => '\'',
            c if c.is_ascii_control() => ' ',
            c => c,
        })
        .collect();
    if clean.contains([':', ';', ',']) {
        format!("\"{clean}\"")
    } else {
        clean
    }
}

/// A URI or CAL-ADDRESS value, which is written without TEXT escaping.
///
/// Control characters are dropped so that a stray line break in a URL or an e-mail address
/// cannot end the content line and start a property of its own.
pub(crate) fn uri_value(value: &str) -> String {
    value.chars().filter(|c| !c.is_ascii_control()).collect()
}

/// Accumulates content lines, each folded and terminated with CRLF.
#[derive(Default)]
pub(crate) struct Lines {
    out: String,
}

impl Lines {
    /// Adds a property whose value is already in its final form (not TEXT-escaped here).
    /// `name` may carry parameters, e.g. `DTSTART;TZID=Europe/Berlin`.
    pub(crate) fn raw(&mut self, name: &str, value: &str) {
        fold(&format!("{name}:{value}"), &mut self.out);
    }

    /// Adds a property with a TEXT value, escaping it.
    pub(crate) fn text(&mut self, name: &str, value: &str) {
        self.raw(name, &escape_text(value));
    }

    pub(crate) fn begin(&mut self, component: &str) {
        self.raw("BEGIN", component);
    }

    pub(crate) fn end(&mut self, component: &str) {
        self.raw("END", component);
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// The most octets a physical line may hold, not counting its CRLF (§3.1).
const MAX_OCTETS: usize = 75;

/// Appends `line` folded into physical lines of at most 75 octets, each ending with CRLF.
///
/// A continuation line starts with one space, which counts towards its 75 octets. Breaks fall
/// only between characters, never inside a UTF-8 sequence, so each physical line is valid
/// UTF-8 on its own (some clients decode line by line).
pub(crate) fn fold(line: &str, out: &mut String) {
    let mut limit = MAX_OCTETS;
    let mut start = 0;
    let mut len = 0;
    for (i, c) in line.char_indices() {
        let width = c.len_utf8();
        if len + width > limit {
            out.push_str(&line[start..i]);
            out.push_str("\r\n ");
            start = i;
            len = 0;
            limit = MAX_OCTETS - 1;
        }
        len += width;
    }
    out.push_str(&line[start..]);
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(line: &str) -> String {
        let mut out = String::new();
        fold(line, &mut out);
        out
    }

    fn physical_lines(folded: &str) -> Vec<&str> {
        let body = folded.strip_suffix("\r\n").unwrap();
        body.split("\r\n").collect()
    }

    fn unfold(folded: &str) -> String {
        folded.strip_suffix("\r\n").unwrap().replace("\r\n ", "")
    }

    #[test]
    fn escapes_the_four_specials_and_line_breaks() {
        assert_eq!(escape_text(r"a\b"), r"a\\b");
        assert_eq!(escape_text("a;b,c"), r"a\;b\,c");
        assert_eq!(escape_text("one\ntwo"), r"one\ntwo");
        assert_eq!(escape_text("one\r\ntwo\rthree"), r"one\ntwo\nthree");
        // A backslash already followed by `n` is a backslash, not a line break.
        assert_eq!(escape_text(r"C:\new"), r"C:\\new");
        // Colons need no escaping in TEXT; double quotes neither.
        assert_eq!(escape_text("at 10:00 \"sharp\""), "at 10:00 \"sharp\"");
    }

    #[test]
    fn keeps_tabs_and_unicode_but_drops_other_controls() {
        assert_eq!(escape_text("a\tb"), "a\tb");
        assert_eq!(escape_text("x\u{0}y\u{7}z\u{7f}"), "xyz");
        assert_eq!(escape_text("Grüße, 東京 😀"), "Grüße\\, 東京 😀");
    }

    #[test]
    fn parameter_values_are_quoted_only_when_needed_and_never_carry_quotes_or_breaks() {
        assert_eq!(param_value("Ada Lovelace"), "Ada Lovelace");
        assert_eq!(param_value("Lovelace, Ada"), "\"Lovelace, Ada\"");
        assert_eq!(param_value("a:b"), "\"a:b\"");
        assert_eq!(param_value("a;b"), "\"a;b\"");
        assert_eq!(param_value("Ada \"the\" Countess"), "Ada 'the' Countess");
        assert_eq!(param_value("Ada\r\nX-EVIL:1"), "\"Ada  X-EVIL:1\"");
    }

    #[test]
    fn uri_values_lose_control_characters() {
        assert_eq!(
            uri_value("https://example.com/a\r\nX-EVIL:1"),
            "https://example.com/aX-EVIL:1"
        );
    }

    #[test]
    fn a_line_of_75_octets_is_not_folded_and_76_is() {
        let exact = "X".repeat(75);
        assert_eq!(folded(&exact), format!("{exact}\r\n"));
        let over = "X".repeat(76);
        assert_eq!(folded(&over), format!("{}\r\n X\r\n", "X".repeat(75)));
    }

    #[test]
    fn continuation_lines_hold_74_octets_after_their_space() {
        let line = "y".repeat(75 + 74 + 10);
        let out = folded(&line);
        let lines = physical_lines(&out);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].len(), 75);
        assert_eq!(lines[1].len(), 75);
        assert!(lines[1].starts_with(' '));
        assert_eq!(lines[2], format!(" {}", "y".repeat(10)));
        assert_eq!(unfold(&out), line);
    }

    #[test]
    fn folding_never_splits_a_multi_byte_character() {
        // "a" then 3-octet euro signs: 1 + 24 * 3 = 73 octets fit, a 25th would make 76.
        let line = format!("a{}", "€".repeat(60));
        let out = folded(&line);
        let lines = physical_lines(&out);
        assert_eq!(lines[0].len(), 73);
        // Continuation: a space, then 24 euro signs (73 octets); a 25th would make 76.
        assert_eq!(lines[1].len(), 73);
        for l in &lines {
            assert!(l.len() <= 75, "{l:?} is {} octets", l.len());
        }
        assert_eq!(unfold(&out), line);

        // 4-octet characters after an odd prefix: the break must land on a boundary.
        let line = format!("DESCRIPTION:{}", "𝄞é".repeat(40));
        let out = folded(&line);
        for l in physical_lines(&out) {
            assert!(l.len() <= 75, "{l:?} is {} octets", l.len());
            // Each physical line must start on a character boundary of the original.
            let body = l.strip_prefix(' ').unwrap_or(l);
            assert!(line.contains(body));
        }
        assert_eq!(unfold(&out), line);
    }

    #[test]
    fn lines_end_with_crlf() {
        let mut lines = Lines::default();
        lines.begin("VEVENT");
        lines.text("SUMMARY", "a\nb");
        lines.end("VEVENT");
        assert_eq!(
            lines.finish(),
            "BEGIN:VEVENT\r\nSUMMARY:a\\nb\r\nEND:VEVENT\r\n"
        );
    }
}

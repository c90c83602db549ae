//! RFC 5545 §3.1 content lines: unfolding, and splitting `NAME;PARAM=value:VALUE`.
//!
//! Hostile input is expected here (a calendar comes from anyone's server), so a line is never
//! allowed to grow past [`MAX_LINE_BYTES`]: past that it is skipped with a warning, and its
//! continuation lines are consumed without being kept.

use super::Warnings;

/// Longest unfolded line kept. Real properties are short; the long ones are inline `ATTACH`
/// data and descriptions, which busy time never needs.
pub(crate) const MAX_LINE_BYTES: usize = 256 * 1024;

/// One property (or a `BEGIN`/`END` marker): upper-cased name, parameters, raw value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContentLine {
    pub(crate) name: String,
    /// Upper-cased parameter names with their values (quotes removed; several values kept
    /// comma-separated as written).
    pub(crate) params: Vec<(String, String)>,
    pub(crate) value: String,
}

impl ContentLine {
    /// The value of parameter `name` (upper case), if present.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Calls `each` with every unfolded, well-formed content line of `text`, in order. Malformed and
/// over-long lines are reported in `warnings` and skipped. `each` returns `false` to stop early.
pub(crate) fn for_each_line(
    text: &str,
    warnings: &mut Warnings,
    mut each: impl FnMut(ContentLine, &mut Warnings) -> bool,
) {
    let mut current = String::new();
    let mut current_no = 0usize;
    let mut too_long = false;
    let mut started = false;
    for (index, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t']) {
            // A continuation of the line before (RFC 5545 §3.1).
            if !too_long {
                if current.len() + rest.len() > MAX_LINE_BYTES {
                    too_long = true;
                    current = String::new();
                } else {
                    current.push_str(rest);
                }
            }
            continue;
        }
        if started && !finish(&current, current_no, too_long, warnings, &mut each) {
            return;
        }
        started = true;
        current_no = index + 1;
        too_long = raw.len() > MAX_LINE_BYTES;
        current.clear();
        if !too_long {
            current.push_str(raw);
        }
    }
    if started {
        finish(&current, current_no, too_long, warnings, &mut each);
    }
}

fn finish(
    line: &str,
    line_no: usize,
    too_long: bool,
    warnings: &mut Warnings,
    each: &mut impl FnMut(ContentLine, &mut Warnings) -> bool,
) -> bool {
    if too_long {
        warnings.push(format!(
            "line {line_no} skipped: longer than {} KiB",
            MAX_LINE_BYTES / 1024
        ));
        return true;
    }
    if line.trim().is_empty() {
        return true;
    }
    match parse_line(line) {
        Some(parsed) => each(parsed, warnings),
        None => {
            warnings.push(format!("line {line_no} skipped: not a content line"));
            true
        }
    }
}

/// Splits one unfolded line. `None` when it has no name or no `:`.
pub(crate) fn parse_line(line: &str) -> Option<ContentLine> {
    let name_end = line.find([';', ':'])?;
    let name = &line[..name_end];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return None;
    }
    let mut params = Vec::new();
    let mut rest = &line[name_end..];
    while let Some(after) = rest.strip_prefix(';') {
        let eq = after.find('=')?;
        let param_name = after[..eq].to_ascii_uppercase();
        let (value, remaining) = param_values(&after[eq + 1..])?;
        params.push((param_name, value));
        rest = remaining;
    }
    let value = rest.strip_prefix(':')?;
    Some(ContentLine {
        name: name.to_ascii_uppercase(),
        params,
        value: value.to_string(),
    })
}

/// Reads `value[,value…]` where each may be `"quoted"` (and then contain `;`, `:` and `,`).
/// Returns the values joined by `,` and the text after them (starting at `;` or `:`).
fn param_values(mut s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    loop {
        if let Some(quoted) = s.strip_prefix('"') {
            let close = quoted.find('"')?;
            out.push_str(&quoted[..close]);
            s = &quoted[close + 1..];
        } else {
            let end = s.find([',', ';', ':'])?;
            out.push_str(&s[..end]);
            s = &s[end..];
        }
        match s.strip_prefix(',') {
            Some(next) => {
                out.push(',');
                s = next;
            }
            None => return Some((out, s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> (Vec<ContentLine>, Vec<String>) {
        let mut warnings = Warnings::default();
        let mut out = Vec::new();
        for_each_line(text, &mut warnings, |l, _| {
            out.push(l);
            true
        });
        (out, warnings.finish())
    }

    #[test]
    fn unfolds_and_splits_parameters() {
        let (got, warnings) = lines(
            "DTSTART;TZID=\"America/New_York\";X-A=a,\"b:c\":20260101T\r\n 090000\r\nuid:x\n",
        );
        assert!(warnings.is_empty());
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name, "DTSTART");
        assert_eq!(got[0].param("TZID"), Some("America/New_York"));
        assert_eq!(got[0].param("X-A"), Some("a,b:c"));
        assert_eq!(got[0].value, "20260101T090000");
        assert_eq!(got[1].name, "UID");
    }

    #[test]
    fn garbage_lines_are_skipped_with_a_warning() {
        let (got, warnings) = lines("no colon here\n:empty-name\nBAD NAME:x\nOK:1\n");
        assert_eq!(got.len(), 1);
        assert_eq!(warnings.len(), 3);
    }

    #[test]
    fn an_over_long_folded_line_is_dropped_without_keeping_it() {
        let chunk = format!(" {}\r\n", "a".repeat(70));
        let mut text = String::from("DESCRIPTION:start\r\n");
        for _ in 0..(MAX_LINE_BYTES / 70 + 10) {
            text.push_str(&chunk);
        }
        text.push_str("UID:after\r\n");
        let (got, warnings) = lines(&text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].value, "after");
        assert!(warnings[0].contains("longer than"), "{warnings:?}");
    }
}

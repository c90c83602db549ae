//! The component tree (`BEGIN:X` … `END:X`), keeping only the properties busy time reads.
//!
//! Nesting is limited to [`MAX_DEPTH`]: real calendars nest three deep (VCALENDAR › VEVENT ›
//! VALARM), and a document nested deeper is refused rather than walked.

use super::lines::{ContentLine, for_each_line};
use super::{IcsError, Warnings};

/// Deepest nesting accepted.
pub(crate) const MAX_DEPTH: usize = 8;

/// Properties kept; everything else (descriptions, attendees, attachments) is dropped on
/// reading, so memory follows what busy time needs, not what the file carries.
const KEPT: &[&str] = &[
    "UID",
    "DTSTART",
    "DTEND",
    "DURATION",
    "RRULE",
    "RDATE",
    "EXDATE",
    "RECURRENCE-ID",
    "STATUS",
    "TRANSP",
    "TZID",
    "TZOFFSETFROM",
    "TZOFFSETTO",
    "X-LIC-LOCATION",
    "FREEBUSY",
];

#[derive(Debug, Default)]
pub(crate) struct Component {
    /// Upper-cased name, e.g. `VEVENT`.
    pub(crate) name: String,
    pub(crate) props: Vec<ContentLine>,
    pub(crate) children: Vec<Component>,
}

impl Component {
    /// The first property called `name`.
    pub(crate) fn prop(&self, name: &str) -> Option<&ContentLine> {
        self.props.iter().find(|p| p.name == name)
    }

    /// Every property called `name`.
    pub(crate) fn props_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a ContentLine> + 'a {
        self.props.iter().filter(move |p| p.name == name)
    }
}

/// Reads `text` into its top-level components. Unbalanced `END`s and unclosed components are
/// repaired with a warning; nesting past [`MAX_DEPTH`] is an error.
pub(crate) fn parse(text: &str, warnings: &mut Warnings) -> Result<Vec<Component>, IcsError> {
    let mut top = Vec::new();
    let mut stack: Vec<Component> = Vec::new();
    let mut too_deep = false;
    for_each_line(text, warnings, |line, warnings| {
        match line.name.as_str() {
            "BEGIN" => {
                if stack.len() >= MAX_DEPTH {
                    too_deep = true;
                    return false;
                }
                stack.push(Component {
                    name: line.value.trim().to_ascii_uppercase(),
                    ..Component::default()
                });
            }
            "END" => {
                let name = line.value.trim().to_ascii_uppercase();
                match stack.iter().rposition(|c| c.name == name) {
                    Some(at) => {
                        if at + 1 != stack.len() {
                            warnings
                                .push(format!("END:{} closed unfinished components", short(&name)));
                        }
                        while stack.len() > at {
                            close(&mut stack, &mut top);
                        }
                    }
                    None => warnings.push(format!("END:{} without BEGIN ignored", short(&name))),
                }
            }
            name if KEPT.contains(&name) => match stack.last_mut() {
                Some(current) => current.props.push(line),
                None => warnings.push(format!("{name} outside any component ignored")),
            },
            _ => {}
        }
        true
    });
    if too_deep {
        return Err(IcsError::TooDeep { limit: MAX_DEPTH });
    }
    if !stack.is_empty() {
        warnings.push("the calendar ends inside a component (END missing)".to_string());
        while !stack.is_empty() {
            close(&mut stack, &mut top);
        }
    }
    Ok(top)
}

/// Pops the innermost open component into its parent (or the top level).
fn close(stack: &mut Vec<Component>, top: &mut Vec<Component>) {
    if let Some(done) = stack.pop() {
        match stack.last_mut() {
            Some(parent) => parent.children.push(done),
            None => top.push(done),
        }
    }
}

/// A name cut short for a warning, so hostile input cannot make warnings huge.
pub(crate) fn short(s: &str) -> String {
    const MAX: usize = 60;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_nested_components_keeping_only_needed_properties() {
        let mut w = Warnings::default();
        let top = parse(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nSUMMARY:private\nBEGIN:VALARM\nEND:VALARM\nEND:VEVENT\nEND:VCALENDAR\n",
            &mut w,
        )
        .unwrap();
        assert_eq!(top.len(), 1);
        let event = &top[0].children[0];
        assert_eq!(event.name, "VEVENT");
        assert_eq!(event.props.len(), 1, "SUMMARY is not kept");
        assert_eq!(event.children[0].name, "VALARM");
        assert!(w.finish().is_empty());
    }

    #[test]
    fn repairs_unbalanced_ends() {
        let mut w = Warnings::default();
        let top = parse(
            "BEGIN:VCALENDAR\nEND:VTODO\nBEGIN:VEVENT\nUID:a\nEND:VCALENDAR\nBEGIN:VEVENT\n",
            &mut w,
        )
        .unwrap();
        assert_eq!(top.len(), 2);
        assert_eq!(
            top[0].children[0].prop("UID").map(|p| p.value.as_str()),
            Some("a")
        );
        assert_eq!(w.finish().len(), 3);
    }

    #[test]
    fn refuses_deep_nesting() {
        let text = "BEGIN:VEVENT\n".repeat(MAX_DEPTH + 1);
        let mut w = Warnings::default();
        assert_eq!(
            parse(&text, &mut w).err(),
            Some(IcsError::TooDeep { limit: MAX_DEPTH })
        );
    }
}

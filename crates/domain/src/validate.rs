//! Field-level validation errors, collected rather than failing on the first,
//! so a form or an API client learns everything that is wrong at once.

use serde::Serialize;
use std::collections::BTreeMap;

/// Messages keyed by field name (`"email"`, `"rubric.3"`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, message);
        e
    }

    /// Records a message for a field; the first message for a field wins.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }

    /// Runs a parser and records its error under `field`, returning the value if it parsed.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(msg) => {
                self.add(field, msg);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// `Ok(value)` when nothing was recorded, else the errors.
    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}

/// Trims a text field and checks its length in characters.
pub fn text(value: &str, min: usize, max: usize) -> Result<String, String> {
    let v = value.trim();
    let n = v.chars().count();
    if n < min {
        if min == 1 {
            return Err("is required".into());
        }
        return Err(format!("must be at least {min} characters"));
    }
    if n > max {
        return Err(format!("must be at most {max} characters"));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err("must not contain control characters".into());
    }
    Ok(v.to_string())
}

/// A single-line text: like [`text`] but without line breaks.
pub fn line(value: &str, min: usize, max: usize) -> Result<String, String> {
    let v = text(value, min, max)?;
    if v.contains(['\n', '\r']) {
        return Err("must be a single line".into());
    }
    Ok(v)
}

/// A URL-safe identifier: lowercase letters, digits and single hyphens.
pub fn slug(value: &str) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err("is required".into());
    }
    if v.len() > 80 {
        return Err("must be at most 80 characters".into());
    }
    let ok = v
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !v.starts_with('-')
        && !v.ends_with('-')
        && !v.contains("--");
    if !ok {
        return Err("use lowercase letters, digits and single hyphens (e.g. career-pivot)".into());
    }
    Ok(v.to_string())
}

/// Turns a title into a slug suggestion ("30-min Career Pivot" → "30-min-career-pivot").
pub fn slugify(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_trims_and_bounds() {
        assert_eq!(text("  hi ", 1, 5), Ok("hi".into()));
        assert!(text("   ", 1, 5).is_err());
        assert!(text("abcdef", 1, 5).is_err());
        assert!(text("a\u{0}b", 1, 5).is_err());
        assert!(line("a\nb", 1, 5).is_err());
    }

    #[test]
    fn slugs() {
        assert!(slug("career-pivot").is_ok());
        assert!(slug("Career").is_err());
        assert!(slug("a--b").is_err());
        assert!(slug("-a").is_err());
        assert_eq!(slugify("30-min Career  Pivot!"), "30-min-career-pivot");
    }

    #[test]
    fn first_message_per_field_wins() {
        let mut e = FieldErrors::new();
        e.add("x", "one");
        e.add("x", "two");
        assert_eq!(e.get("x"), Some("one"));
        assert!(e.finish(|| ()).is_err());
    }
}

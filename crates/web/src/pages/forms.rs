//! Helpers for forms: lists typed one per line, numbers typed as text.

use stint_domain::FieldErrors;

/// Non-empty trimmed lines.
pub fn lines(raw: &str) -> Vec<String> {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// A whole number typed into a text field, with a message for the field if it is not one.
pub fn number(errors: &mut FieldErrors, field: &str, raw: &str) -> i64 {
    match raw.trim().parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            errors.add(field, "must be a whole number");
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_numbers() {
        assert_eq!(lines(" a \n\n b\r\n"), vec!["a", "b"]);
        let mut e = FieldErrors::new();
        assert_eq!(number(&mut e, "n", " 42 "), 42);
        assert!(e.is_empty());
        number(&mut e, "n", "4x");
        assert!(e.get("n").is_some());
    }
}

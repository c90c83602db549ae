//! Template filters.

/// Field names as words: `display_name` → "Display name", `rubric.3` → "Rubric 3".
#[askama::filter_fn]
pub fn humanize<T: std::fmt::Display>(value: T, _: &dyn askama::Values) -> askama::Result<String> {
    let raw = value.to_string().replace(['_', '.'], " ");
    let mut chars = raw.chars();
    Ok(match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => raw,
    })
}

//! Template filters.

/// Field names as words: `display_name` → "Display name", `rubric.3` → "Rubric 3".
#[askama::filter_fn]
pub fn humanize<T: std::fmt::Display>(value: T, _: &dyn askama::Values) -> askama::Result<String> {
    let field = value.to_string();
    // The words the forms use as labels, so a message points at what the person sees.
    let label = match field.as_str() {
        "email" => Some("E-mail"),
        "display_name" => Some("Your name"),
        "duration_minutes" => Some("Length (minutes)"),
        "price_credits" => Some("Price (credits)"),
        "cancel_cutoff_hours" => Some("Free cancellation"),
        "reschedule_cutoff_hours" => Some("Rescheduling"),
        "target" => Some("Competency and checkpoint"),
        "followup_template" => Some("Follow-up template"),
        "outcome" => Some("Outcome statement"),
        "meeting_url" => Some("Your video room"),
        "pre_reads" => Some("Pre-reads"),
        "assessment_questions" => Some("Assessment questions"),
        "followup_delay_days" => Some("Follow-up assessment after (days)"),
        "skus" => Some("Sessions you deliver"),
        "timezone" => Some("Time zone"),
        "url" => Some("URL"),
        "event_types" => Some("Events"),
        "disabled_reason" => Some("Reason"),
        _ => None,
    };
    if let Some(label) = label {
        return Ok(label.to_string());
    }
    if let Some(level) = field.strip_prefix("rubric.") {
        return Ok(format!("Level {level}"));
    }
    let raw = field.replace(['_', '.'], " ");
    let mut chars = raw.chars();
    Ok(match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => raw,
    })
}

/// A message as a sentence: its first letter in upper case, the rest as written.
#[askama::filter_fn]
pub fn sentence<T: std::fmt::Display>(value: T, _: &dyn askama::Values) -> askama::Result<String> {
    let text = value.to_string();
    let mut chars = text.chars();
    Ok(match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    })
}

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

/// An RFC 3339 time with its offset (as the API writes it) for people: "Sun 6 Dec 2026,
/// 08:19", in the offset it was written in (the viewer's zone). Anything else as it is.
#[askama::filter_fn]
pub fn readable_time<T: std::fmt::Display>(
    value: T,
    _: &dyn askama::Values,
) -> askama::Result<String> {
    let text = value.to_string();
    // The local date and time are the text before its offset.
    let local = text
        .parse::<jiff::Timestamp>()
        .ok()
        .and_then(|_| text.get(..19))
        .and_then(|dt| dt.parse::<jiff::civil::DateTime>().ok());
    Ok(match local {
        Some(dt) => dt.strftime("%a %-d %b %Y, %H:%M").to_string(),
        None => text,
    })
}

/// An IANA zone as the city people know it by: "America/New_York" → "New York".
#[askama::filter_fn]
pub fn city<T: std::fmt::Display>(value: T, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(stint_domain::mentor::zone_city(&value.to_string()))
}

/// A 1–5 rating as stars: 4 → "★★★★☆".
#[askama::filter_fn]
pub fn stars<T: std::fmt::Display>(value: T, _: &dyn askama::Values) -> askama::Result<String> {
    let full = value.to_string().parse::<usize>().unwrap_or(0).min(5);
    Ok(format!("{}{}", "★".repeat(full), "☆".repeat(5 - full)))
}

/// A moment as its month and year, "December 2026" (reviews are dated no closer).
#[askama::filter_fn]
pub fn month_year<T: std::fmt::Display>(
    value: T,
    _: &dyn askama::Values,
) -> askama::Result<String> {
    let text = value.to_string();
    Ok(match text.parse::<jiff::Timestamp>() {
        Ok(t) => t.strftime("%B %Y").to_string(),
        Err(_) => text,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_read_as_people_write_them() {
        let f = |s: &str| super::readable_time::default().execute(s, &()).unwrap();
        assert_eq!(f("2026-12-06T08:19:26-06:00"), "Sun 6 Dec 2026, 08:19");
        assert_eq!(f("not a time"), "not a time");
        let m = |s: &str| super::month_year::default().execute(s, &()).unwrap();
        assert_eq!(m("2026-12-06T08:19:26Z"), "December 2026");
        let stars = |n: i64| super::stars::default().execute(n, &()).unwrap();
        assert_eq!(stars(4), "★★★★☆");
    }
}

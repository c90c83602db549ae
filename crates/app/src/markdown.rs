//! Notes are written in Markdown and shown as HTML: rendered by pulldown-cmark, then
//! cleaned by ammonia's allow-list, so no script, event handler, style or `javascript:` link
//! written into a note ever reaches a browser. A note is rendered once, when it is saved, on
//! a blocking thread ([`render`]); views read the stored HTML.

//!
//! Anyone who writes a note chooses its Markdown, so its cost is bounded: the parser's work
//! grows with the square of the nesting of quotes and lists, and a 20 KB note of nested `>`
//! took seconds. [`MAX_NESTING`] quote and list markers at the start of a line are kept; those
//! past it are dropped (their text stays). `cargo bench -p stint-app --bench markdown` times
//! the worst inputs known.

use pulldown_cmark::{Options, Parser, html};

/// Quote and list markers kept at the start of a line.
pub const MAX_NESTING: usize = 8;

/// Safe HTML for a note's Markdown. Links open in a new tab without handing over the page.
pub fn to_safe_html(markdown: &str) -> String {
    let markdown = bounded(markdown);
    let mut raw = String::with_capacity(markdown.len() * 2);
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    html::push_html(&mut raw, Parser::new_ext(&markdown, options));
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&raw)
        .to_string()
}

/// [`to_safe_html`] on a blocking thread, off the async workers that serve every request.
pub async fn render(markdown: String) -> String {
    match tokio::task::spawn_blocking(move || to_safe_html(&markdown)).await {
        Ok(html) => html,
        // Only a panic in the renderer gets here; the note then shows as nothing, not as
        // unsanitized text.
        Err(e) => {
            tracing::error!(error = %e, "a note could not be rendered");
            String::new()
        }
    }
}

/// `markdown` with at most [`MAX_NESTING`] container markers (`>`, `-`, `*`, `+`, `1.`, `1)`)
/// at the start of each line.
fn bounded(markdown: &str) -> std::borrow::Cow<'_, str> {
    if !markdown.lines().any(|l| nesting_prefix(l).1 > MAX_NESTING) {
        return std::borrow::Cow::Borrowed(markdown);
    }
    let mut out = String::with_capacity(markdown.len());
    for line in markdown.split_inclusive('\n') {
        let (cut, _) = nesting_prefix(line);
        match cut {
            Some((keep, rest)) => {
                out.push_str(&line[..keep]);
                out.push(' ');
                out.push_str(line[rest..].trim_start_matches([' ', '\t']));
            }
            None => out.push_str(line),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The container markers at the start of `line`: how many, and, past [`MAX_NESTING`], where
/// the kept prefix ends and where the text after the whole prefix starts.
fn nesting_prefix(line: &str) -> (Option<(usize, usize)>, usize) {
    let bytes = line.as_bytes();
    let (mut i, mut markers, mut keep) = (0, 0, None);
    loop {
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        let marker_end = match bytes.get(i) {
            Some(b'>') => Some(i + 1),
            Some(b'-' | b'*' | b'+') if matches!(bytes.get(i + 1), Some(b' ' | b'\t')) => {
                Some(i + 1)
            }
            Some(b'0'..=b'9') => {
                let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
                match (bytes.get(i + digits), bytes.get(i + digits + 1)) {
                    (Some(b'.' | b')'), Some(b' ' | b'\t')) if digits <= 9 => Some(i + digits + 1),
                    _ => None,
                }
            }
            _ => None,
        };
        let Some(end) = marker_end else {
            break;
        };
        markers += 1;
        if markers == MAX_NESTING {
            keep = Some(end);
        }
        i = end;
    }
    match keep {
        Some(k) if markers > MAX_NESTING => (Some((k, i)), markers),
        _ => (None, markers),
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_NESTING, to_safe_html};

    #[test]
    fn deep_nesting_is_cut_and_the_text_kept() {
        let deep = format!("{} the point", ">".repeat(5_000));
        let html = to_safe_html(&deep);
        assert_eq!(html.matches("<blockquote>").count(), MAX_NESTING, "{html}");
        assert!(html.contains("the point"));
        let lists = format!("{}item", "- ".repeat(3_000));
        let html = to_safe_html(&lists);
        assert!(html.matches("<ul>").count() <= MAX_NESTING, "{html}");
        assert!(html.contains("item"));
        // Ordinary notes are untouched.
        let plain = "> a quote\n>> a reply\n\n- one\n  - two\n1. first\n";
        assert_eq!(super::bounded(plain), plain);
    }

    #[test]
    fn markdown_renders() {
        let html = to_safe_html("# Plan\n\n- **anchor** high\n- [script](https://example.com)");
        assert!(html.contains("<h1>Plan</h1>"), "{html}");
        assert!(html.contains("<strong>anchor</strong>"), "{html}");
        assert!(html.contains(r#"href="https://example.com""#), "{html}");
        assert!(html.contains("noopener"), "{html}");
    }

    #[test]
    fn injected_script_and_handlers_never_survive() {
        for hostile in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg onload=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<p onclick=\"alert(1)\">x</p>",
            "[x](JaVaScRiPt:alert(1))",
            "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
        ] {
            let html = to_safe_html(hostile).to_lowercase();
            for bad in [
                "<script",
                "onerror",
                "onload",
                "onclick",
                "javascript:",
                "<iframe",
                "style=",
                "data:text",
            ] {
                assert!(!html.contains(bad), "{hostile:?} became {html:?}");
            }
        }
    }
}

//! A session as one Markdown file for the mentee's own note app (Obsidian and Logseq open it
//! as it is): YAML front matter with the facts a note app can sort and query by (date,
//! mentor, session type, competency, checkpoint, result), then the notes, the follow-up, the
//! tasks as a checklist and the promised artifacts. What goes in is decided by the caller
//! (only what the reader may read); this module only writes it down.

use crate::outcome::closing::CheckpointResult;
use jiff::civil::Date;

/// One task of the session, as the checklist shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteTask {
    pub title: String,
    pub due: Date,
    pub done: bool,
}

/// Everything one session's file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionNote {
    /// The booking's id, kept in the front matter so a later export updates the same file.
    pub booking: i64,
    /// The day and time of the start in the reader's zone ("2026-06-03", "14:00").
    pub date: Date,
    pub time: String,
    pub time_zone: String,
    pub mentor: String,
    pub mentee: String,
    pub session_type: String,
    pub competency: String,
    pub checkpoint: String,
    /// `None` until the mentor closes the session.
    pub result: Option<CheckpointResult>,
    /// The mentee's self-ratings (1–5) before and after, when the reader may see them.
    pub baseline: Option<i64>,
    pub followup_level: Option<i64>,
    pub status: String,
    /// (heading, Markdown body) of each note the reader may read.
    pub notes: Vec<(String, String)>,
    pub evidence: String,
    pub followup: String,
    pub tasks: Vec<NoteTask>,
    /// (title, ticked) of each artifact the session type promises.
    pub artifacts: Vec<(String, bool)>,
    /// The session's page, when the site's address is known.
    pub link: Option<String>,
}

impl SessionNote {
    /// "2026-06-03 Negotiation clinic with Maya Chen.md": sorted by date in a folder, and
    /// free of the characters file systems and note apps refuse in names.
    pub fn file_name(&self) -> String {
        // The file is the mentee's: it is named after whom they met.
        let title = format!("{} {} with {}", self.date, self.session_type, self.mentor);
        let safe: String = title
            .chars()
            .map(|c| match c {
                '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '#' | '^' | '[' | ']' => '-',
                c if c.is_control() => ' ',
                c => c,
            })
            .collect();
        let mut name: String = safe.trim().trim_matches('.').chars().take(120).collect();
        name.push_str(&format!(" ({}).md", self.booking));
        name
    }

    /// The same name in ASCII only (for a download's `filename=`): letters, digits and dashes.
    pub fn ascii_file_name(&self) -> String {
        let mut slug = String::new();
        for c in format!("{} {}", self.date, self.session_type).chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.ends_with('-') {
                slug.push('-');
            }
        }
        format!("{}-{}.md", slug.trim_matches('-'), self.booking)
    }

    /// The file's text: front matter, then the body.
    pub fn markdown(&self) -> String {
        let mut out = String::from("---\n");
        let mut field = |key: &str, value: String| out.push_str(&format!("{key}: {value}\n"));
        field("date", self.date.to_string());
        field("time", quoted(&self.time));
        field("time_zone", quoted(&self.time_zone));
        field("mentor", quoted(&self.mentor));
        field("mentee", quoted(&self.mentee));
        field("session_type", quoted(&self.session_type));
        field("competency", quoted(&self.competency));
        field("checkpoint", quoted(&self.checkpoint));
        field(
            "result",
            self.result
                .map(|r| r.as_str().to_string())
                .unwrap_or_else(|| "open".to_string()),
        );
        if let Some(level) = self.baseline {
            field("level_before", level.to_string());
        }
        if let Some(level) = self.followup_level {
            field("level_after", level.to_string());
        }
        field("status", quoted(&self.status));
        field("stint_booking", self.booking.to_string());
        if let Some(link) = &self.link {
            field("source", quoted(link));
        }
        field("tags", "[stint, mentoring]".to_string());
        out.push_str("---\n\n");
        out.push_str(&format!(
            "# {} with {}\n\n{} {} ({}) · aiming at **{}** in {}.\n",
            self.session_type,
            self.mentor,
            self.date,
            self.time,
            self.time_zone,
            self.checkpoint,
            self.competency
        ));
        if let Some(result) = self.result {
            out.push_str(&format!("\n**Checkpoint: {}.**", result_words(result)));
            if !self.evidence.trim().is_empty() {
                out.push_str(&format!(" {}", self.evidence.trim()));
            }
            out.push('\n');
        }
        for (heading, body) in &self.notes {
            if !body.trim().is_empty() {
                out.push_str(&format!(
                    "\n## {heading}\n\n{}\n",
                    demote_headings(body.trim_end())
                ));
            }
        }
        if !self.followup.trim().is_empty() {
            out.push_str(&format!("\n## Follow-up\n\n{}\n", self.followup.trim_end()));
        }
        if !self.tasks.is_empty() {
            out.push_str("\n## Tasks\n\n");
            for t in &self.tasks {
                let tick = if t.done { 'x' } else { ' ' };
                out.push_str(&format!(
                    "- [{tick}] {} (due {})\n",
                    one_line(&t.title),
                    t.due
                ));
            }
        }
        if !self.artifacts.is_empty() {
            out.push_str("\n## Artifacts\n\n");
            for (title, ticked) in &self.artifacts {
                let tick = if *ticked { 'x' } else { ' ' };
                out.push_str(&format!("- [{tick}] {}\n", one_line(title)));
            }
        }
        if let Some(link) = &self.link {
            out.push_str(&format!("\n[Open in Stint]({link})\n"));
        }
        out
    }
}

fn result_words(r: CheckpointResult) -> &'static str {
    match r {
        CheckpointResult::Reached => "reached",
        CheckpointResult::Partly => "partly reached",
        CheckpointResult::NotReached => "not reached yet",
    }
}

/// A YAML double-quoted scalar: JSON's string syntax is a subset of YAML's, so every
/// character (quotes, colons, line breaks, `#`, `---`) stays text and never becomes syntax.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// A note's own headings one level down (outside code blocks), so they sit under the file's
/// "## Shared notes" rather than beside it.
fn demote_headings(body: &str) -> String {
    let mut in_code = false;
    let lines: Vec<String> = body
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                in_code = !in_code;
            }
            let hashes = trimmed.chars().take_while(|c| *c == '#').count();
            let is_heading = (1..6).contains(&hashes)
                && trimmed[hashes..].starts_with(' ')
                && line.len() - trimmed.len() < 4;
            if !in_code && is_heading {
                format!("#{trimmed}")
            } else {
                line.to_string()
            }
        })
        .collect();
    lines.join("\n")
}

/// A list item stays one item whatever the title holds.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn note() -> SessionNote {
        SessionNote {
            booking: 7,
            date: date(2026, 6, 3),
            time: "14:00".into(),
            time_zone: "Europe/Berlin".into(),
            mentor: "Maya Chen".into(),
            mentee: "Sam Rivera".into(),
            session_type: "Negotiation clinic: 45 min".into(),
            competency: "Negotiation".into(),
            checkpoint: "Counter-offer \"script\" ready\n---\nfoo: bar".into(),
            result: Some(CheckpointResult::Reached),
            baseline: Some(2),
            followup_level: None,
            status: "completed".into(),
            notes: vec![(
                "Shared notes".into(),
                "## Plan\n- anchor high\n```\n# code\n```\n#hashtag".into(),
            )],
            evidence: "Wrote the script.".into(),
            followup: "Send it by Friday.".into(),
            tasks: vec![NoteTask {
                title: "Send\nthe counter".into(),
                due: date(2026, 6, 10),
                done: true,
            }],
            artifacts: vec![("Offer worksheet".into(), false)],
            link: Some("https://stint.example/sessions/7".into()),
        }
    }

    #[test]
    fn front_matter_keeps_hostile_text_as_values() {
        let md = note().markdown();
        let front = md.split("---\n").nth(1).unwrap();
        // The checkpoint's line breaks and `---` stay inside one quoted value.
        assert!(front.contains(r#"checkpoint: "Counter-offer \"script\" ready\n---\nfoo: bar""#));
        assert!(!front.lines().any(|l| l.starts_with("foo:")));
        assert!(front.contains("result: reached\n"));
        assert!(front.contains("level_before: 2\n"));
        assert!(!front.contains("level_after"));
        assert!(md.contains("- [x] Send the counter (due 2026-06-10)"));
        // The note's heading sits under the file's; code and tags stay as written.
        assert!(
            md.contains("## Shared notes\n\n### Plan\n- anchor high\n```\n# code\n```\n#hashtag")
        );
        assert!(md.contains("- [ ] Offer worksheet"));
    }

    #[test]
    fn names_are_safe_for_file_systems() {
        let n = note();
        assert_eq!(
            n.file_name(),
            "2026-06-03 Negotiation clinic- 45 min with Maya Chen (7).md"
        );
        assert_eq!(
            n.ascii_file_name(),
            "2026-06-03-negotiation-clinic-45-min-7.md"
        );
    }
}

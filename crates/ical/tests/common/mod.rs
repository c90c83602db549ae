//! A small iCalendar reader for the tests, written from RFC 5545 rather than from the encoder:
//! the wire-format checks, unfolding, content lines, unescaping, components, and resolving a
//! wall time through the calendar's own VTIMEZONE.
#![allow(dead_code)]

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::Offset;

/// Asserts the physical format: every line ends with CRLF (no bare CR or LF anywhere), holds at
/// most 75 octets, and is not empty.
pub fn assert_wire_format(ics: &str) {
    assert!(ics.ends_with("\r\n"), "output does not end with CRLF");
    let bytes = ics.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'\r' => assert_eq!(bytes.get(i + 1), Some(&b'\n'), "bare CR at octet {i}"),
            b'\n' => assert!(i > 0 && bytes[i - 1] == b'\r', "bare LF at octet {i}"),
            _ => {}
        }
    }
    for line in ics.strip_suffix("\r\n").unwrap().split("\r\n") {
        assert!(!line.is_empty(), "empty line in output");
        assert!(line.len() <= 75, "line of {} octets: {line:?}", line.len());
    }
}

/// Logical content lines: a CRLF followed by a space or tab joins the next line (§3.1).
pub fn unfold(ics: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for physical in ics.strip_suffix("\r\n").unwrap().split("\r\n") {
        if let Some(rest) = physical.strip_prefix([' ', '\t']) {
            lines.last_mut().expect("continuation first").push_str(rest);
        } else {
            lines.push(physical.to_string());
        }
    }
    lines
}

/// Reverses TEXT escaping (§3.3.11).
pub fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            // An unescaped comma or semicolon would split a TEXT value.
            assert!(c != ',' && c != ';', "unescaped {c:?} in {value:?}");
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some(';') => out.push(';'),
            Some(',') => out.push(','),
            Some('n' | 'N') => out.push('\n'),
            other => panic!("bad escape \\{other:?} in {value:?}"),
        }
    }
    out
}

/// One content line: `NAME;PARAM=value;...:value`.
#[derive(Debug, Clone)]
pub struct Prop {
    pub name: String,
    pub params: Vec<(String, String)>,
    pub value: String,
}

impl Prop {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        unescape(&self.value)
    }
}

/// Splits a content line; parameter values may be quoted and hold `:;,` inside quotes.
pub fn parse_line(line: &str) -> Prop {
    let mut params = Vec::new();
    // The name runs to the first `;` or `:`.
    let mut pos = line
        .find([';', ':'])
        .unwrap_or_else(|| panic!("no ':' in {line:?}"));
    let name = line[..pos].to_string();
    let mut c = line[pos..].chars().next().unwrap();
    while c == ';' {
        let rest = &line[pos + 1..];
        let eq = rest
            .find('=')
            .unwrap_or_else(|| panic!("parameter without '=' in {line:?}"));
        let pname = rest[..eq].to_string();
        let after = &rest[eq + 1..];
        let (pvalue, consumed) = if let Some(quoted) = after.strip_prefix('"') {
            let close = quoted
                .find('"')
                .unwrap_or_else(|| panic!("unclosed quote in {line:?}"));
            (quoted[..close].to_string(), close + 2)
        } else {
            let end = after
                .find([';', ':'])
                .unwrap_or_else(|| panic!("no ':' in {line:?}"));
            let v = &after[..end];
            assert!(
                !v.contains(','),
                "unquoted ',' in a parameter value: {line:?}"
            );
            (v.to_string(), end)
        };
        params.push((pname, pvalue));
        pos = pos + 1 + eq + 1 + consumed;
        c = line[pos..]
            .chars()
            .next()
            .unwrap_or_else(|| panic!("no value in {line:?}"));
    }
    assert_eq!(c, ':');
    Prop {
        name,
        params,
        value: line[pos + 1..].to_string(),
    }
}

#[derive(Debug, Clone)]
pub struct Component {
    pub name: String,
    pub props: Vec<Prop>,
    pub children: Vec<Component>,
}

impl Component {
    pub fn prop(&self, name: &str) -> Option<&Prop> {
        let mut all = self.props.iter().filter(|p| p.name == name);
        let first = all.next();
        assert!(
            all.next().is_none(),
            "{name} appears twice in {}",
            self.name
        );
        first
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.prop(name).map(|p| p.value.as_str())
    }

    pub fn text(&self, name: &str) -> Option<String> {
        self.prop(name).map(Prop::text)
    }

    pub fn children(&self, name: &str) -> Vec<&Component> {
        self.children.iter().filter(|c| c.name == name).collect()
    }

    pub fn events(&self) -> Vec<&Component> {
        self.children("VEVENT")
    }

    pub fn timezone(&self, tzid: &str) -> &Component {
        let found: Vec<_> = self
            .children("VTIMEZONE")
            .into_iter()
            .filter(|z| z.text("TZID").as_deref() == Some(tzid))
            .collect();
        assert_eq!(found.len(), 1, "VTIMEZONEs with TZID {tzid}");
        found[0]
    }
}

/// Parses a whole stream, checking its wire format, into its one top-level component.
pub fn parse(ics: &str) -> Component {
    assert_wire_format(ics);
    let mut stack: Vec<Component> = Vec::new();
    let mut done: Vec<Component> = Vec::new();
    for line in unfold(ics) {
        let prop = parse_line(&line);
        match prop.name.as_str() {
            "BEGIN" => stack.push(Component {
                name: prop.value,
                props: Vec::new(),
                children: Vec::new(),
            }),
            "END" => {
                let c = stack.pop().expect("END without BEGIN");
                assert_eq!(c.name, prop.value, "mismatched END");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(c),
                    None => done.push(c),
                }
            }
            _ => stack
                .last_mut()
                .expect("property outside a component")
                .props
                .push(prop),
        }
    }
    assert!(stack.is_empty(), "unclosed components");
    assert_eq!(done.len(), 1, "top-level components");
    let cal = done.remove(0);
    assert_eq!(cal.name, "VCALENDAR");
    cal
}

/// `YYYYMMDDTHHMMSS` as a civil date-time.
pub fn parse_civil(s: &str) -> DateTime {
    assert_eq!(s.len(), 15, "not a local DATE-TIME: {s:?}");
    assert_eq!(&s[8..9], "T");
    let n = |r: std::ops::Range<usize>| s[r].parse::<i32>().unwrap();
    jiff::civil::datetime(
        n(0..4) as i16,
        n(4..6) as i8,
        n(6..8) as i8,
        n(9..11) as i8,
        n(11..13) as i8,
        n(13..15) as i8,
        0,
    )
}

/// `YYYYMMDDTHHMMSSZ` as an instant.
pub fn parse_utc(s: &str) -> Timestamp {
    let local = s
        .strip_suffix('Z')
        .unwrap_or_else(|| panic!("not UTC: {s:?}"));
    Offset::UTC.to_timestamp(parse_civil(local)).unwrap()
}

/// `+HHMM` or `+HHMMSS` as seconds east of UTC.
pub fn parse_offset(s: &str) -> i32 {
    let sign = match &s[..1] {
        "+" => 1,
        "-" => -1,
        _ => panic!("bad offset {s:?}"),
    };
    let n = |r: std::ops::Range<usize>| s[r].parse::<i32>().unwrap();
    let secs = match s.len() {
        5 => n(1..3) * 3600 + n(3..5) * 60,
        7 => n(1..3) * 3600 + n(3..5) * 60 + n(5..7),
        _ => panic!("bad offset {s:?}"),
    };
    sign * secs
}

/// A STANDARD or DAYLIGHT observance with its onset as an instant.
#[derive(Debug, Clone)]
pub struct Observance {
    pub daylight: bool,
    pub local_start: String,
    pub onset: Timestamp,
    pub from: i32,
    pub to: i32,
    pub name: Option<String>,
}

/// A VTIMEZONE's observances in onset order. Explicit DTSTARTs only: recurrence rules are
/// asserted absent, as the encoder promises.
pub fn observances(vtz: &Component) -> Vec<Observance> {
    let mut out: Vec<Observance> = vtz
        .children
        .iter()
        .map(|o| {
            assert!(o.name == "STANDARD" || o.name == "DAYLIGHT", "{}", o.name);
            assert!(o.prop("RRULE").is_none() && o.prop("RDATE").is_none());
            let local_start = o.value("DTSTART").expect("observance DTSTART").to_string();
            let from = parse_offset(o.value("TZOFFSETFROM").expect("TZOFFSETFROM"));
            let to = parse_offset(o.value("TZOFFSETTO").expect("TZOFFSETTO"));
            // The onset is written in the wall time in force before it (§3.6.5).
            let onset = Offset::from_seconds(from)
                .unwrap()
                .to_timestamp(parse_civil(&local_start))
                .unwrap();
            Observance {
                daylight: o.name == "DAYLIGHT",
                local_start,
                onset,
                from,
                to,
                name: o.text("TZNAME"),
            }
        })
        .collect();
    out.sort_by_key(|o| o.onset);
    out
}

/// The UTC offset (seconds) the VTIMEZONE gives for an instant.
pub fn offset_at(vtz: &Component, ts: Timestamp) -> i32 {
    let obs = observances(vtz);
    match obs.iter().rev().find(|o| o.onset <= ts) {
        Some(o) => o.to,
        None => obs[0].from,
    }
}

/// The instant a wall time names under a VTIMEZONE: of the instants it could be, the first
/// (§3.3.5: a repeated wall time means its first occurrence). Panics for a skipped wall time.
pub fn local_to_instant(vtz: &Component, local: DateTime) -> Timestamp {
    let obs = observances(vtz);
    let mut candidates = Vec::new();
    let before_first = Offset::from_seconds(obs[0].from)
        .unwrap()
        .to_timestamp(local)
        .unwrap();
    if before_first < obs[0].onset {
        candidates.push(before_first);
    }
    for (i, o) in obs.iter().enumerate() {
        let ts = Offset::from_seconds(o.to)
            .unwrap()
            .to_timestamp(local)
            .unwrap();
        let ends = obs.get(i + 1).map(|n| n.onset);
        if o.onset <= ts && ends.is_none_or(|e| ts < e) {
            candidates.push(ts);
        }
    }
    *candidates
        .iter()
        .min()
        .unwrap_or_else(|| panic!("{local} does not exist in the VTIMEZONE"))
}

/// The instant a DTSTART/DTEND names: UTC form, or wall time with TZID resolved through the
/// calendar's own VTIMEZONE (not through any tz database).
pub fn instant(cal: &Component, prop: &Prop) -> Timestamp {
    match prop.param("TZID") {
        None => parse_utc(&prop.value),
        Some(tzid) => local_to_instant(cal.timezone(tzid), parse_civil(&prop.value)),
    }
}

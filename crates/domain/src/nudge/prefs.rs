//! Each person's nudge preferences: reminder lead times, quiet hours and the channels each
//! kind of nudge goes by. Stored whole as JSON; a person who never chose gets the defaults.

use super::kind::{Channel, NudgeKind};
use crate::validate::FieldErrors;
use jiff::civil::Time;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The shortest and longest reminder lead, in minutes: five minutes to a week.
pub const MIN_LEAD: u32 = 5;
pub const MAX_LEAD: u32 = 7 * 24 * 60;
/// More reminders than this per session stops being a reminder.
pub const MAX_REMINDERS: usize = 4;

/// A daily span of local time in which non-urgent nudges wait; it may run over midnight
/// (22:00–07:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub start: Time,
    pub end: Time,
}

impl QuietHours {
    /// Whether the local time `t` falls inside.
    pub fn contains(self, t: Time) -> bool {
        if self.start <= self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NudgePrefs {
    /// Minutes before a session, longest first. A whole number of days is counted in the
    /// recipient's calendar, so a 24 h reminder for a 09:00 session comes at 09:00 local
    /// the day before, across a DST change too.
    pub reminders: Vec<u32>,
    pub quiet: Option<QuietHours>,
    /// The channels of each kind; a kind missing here goes by every channel.
    pub channels: BTreeMap<NudgeKind, BTreeSet<Channel>>,
}

impl Default for NudgePrefs {
    fn default() -> Self {
        NudgePrefs {
            reminders: vec![24 * 60, 60],
            quiet: Some(QuietHours {
                start: Time::constant(22, 0, 0, 0),
                end: Time::constant(7, 0, 0, 0),
            }),
            channels: BTreeMap::new(),
        }
    }
}

impl NudgePrefs {
    /// The channels `kind` goes by.
    pub fn channels_for(&self, kind: NudgeKind) -> BTreeSet<Channel> {
        self.channels
            .get(&kind)
            .cloned()
            .unwrap_or_else(|| Channel::ALL.into_iter().collect())
    }

    pub fn wants(&self, kind: NudgeKind, channel: Channel) -> bool {
        self.channels_for(kind).contains(&channel)
    }
}

/// Preferences as a form or the API sends them, checked all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NudgePrefsInput {
    /// Reminder leads in minutes.
    pub reminders: Vec<i64>,
    /// `HH:MM`, or empty (with `quiet_end`) for no quiet hours.
    pub quiet_start: String,
    pub quiet_end: String,
    /// Kind name → channel names; a kind left out gets no channel at all.
    pub channels: BTreeMap<String, Vec<String>>,
}

impl NudgePrefsInput {
    pub fn from_prefs(p: &NudgePrefs) -> Self {
        let hhmm = |t: Time| t.strftime("%H:%M").to_string();
        NudgePrefsInput {
            reminders: p.reminders.iter().map(|&m| i64::from(m)).collect(),
            quiet_start: p.quiet.map(|q| hhmm(q.start)).unwrap_or_default(),
            quiet_end: p.quiet.map(|q| hhmm(q.end)).unwrap_or_default(),
            channels: NudgeKind::ALL
                .into_iter()
                .map(|k| {
                    let names = p.channels_for(k).into_iter().map(|c| c.as_str().into());
                    (k.as_str().to_string(), names.collect())
                })
                .collect(),
        }
    }

    pub fn validate(&self) -> Result<NudgePrefs, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut leads = BTreeSet::new();
        for &m in &self.reminders {
            match u32::try_from(m) {
                Ok(m) if (MIN_LEAD..=MAX_LEAD).contains(&m) => {
                    leads.insert(m);
                }
                _ => errors.add(
                    "reminders",
                    format!(
                        "Each reminder is between {MIN_LEAD} minutes and 7 days (10080 minutes) before the session."
                    ),
                ),
            }
        }
        if leads.len() > MAX_REMINDERS {
            errors.add(
                "reminders",
                format!("At most {MAX_REMINDERS} reminders per session."),
            );
        }
        let quiet = match (self.quiet_start.trim(), self.quiet_end.trim()) {
            ("", "") => None,
            (s, e) => {
                let start = errors.check("quiet_start", hhmm(s));
                let end = errors.check("quiet_end", hhmm(e));
                match (start, end) {
                    (Some(start), Some(end)) if start == end => {
                        errors.add(
                            "quiet_end",
                            "Quiet hours end at a different time than they start.",
                        );
                        None
                    }
                    (Some(start), Some(end)) => Some(QuietHours { start, end }),
                    _ => None,
                }
            }
        };
        let mut channels = BTreeMap::new();
        for (kind_name, names) in &self.channels {
            let Some(kind) = NudgeKind::parse(kind_name) else {
                errors.add(
                    &format!("channels.{kind_name}"),
                    "There is no nudge of this kind.",
                );
                continue;
            };
            let mut set = BTreeSet::new();
            for name in names {
                match Channel::parse(name) {
                    Some(c) => {
                        set.insert(c);
                    }
                    None => errors.add(
                        &format!("channels.{kind_name}"),
                        format!("Unknown channel “{name}”: use in_app or email."),
                    ),
                }
            }
            channels.insert(kind, set);
        }
        // A kind the input leaves out is switched off, so a form's unticked boxes mean "none".
        for kind in NudgeKind::ALL {
            channels.entry(kind).or_default();
        }
        errors.finish(|| NudgePrefs {
            reminders: leads.into_iter().rev().collect(),
            quiet,
            channels,
        })
    }
}

fn hhmm(raw: &str) -> Result<Time, String> {
    let bad = || format!("“{raw}” is not a time of day: write it as HH:MM, e.g. 22:00.");
    let (h, m) = raw.split_once(':').ok_or_else(bad)?;
    let (h, m): (i8, i8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    Time::new(h, m, 0, 0).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_channels() -> BTreeMap<String, Vec<String>> {
        NudgeKind::ALL
            .into_iter()
            .map(|k| (k.as_str().into(), vec!["in_app".into(), "email".into()]))
            .collect()
    }

    #[test]
    fn defaults_round_trip_through_the_input() {
        let d = NudgePrefs::default();
        let again = NudgePrefsInput::from_prefs(&d).validate().unwrap();
        assert_eq!(again.reminders, vec![1440, 60]);
        assert_eq!(again.quiet, d.quiet);
        for k in NudgeKind::ALL {
            assert_eq!(again.channels_for(k), d.channels_for(k));
        }
    }

    #[test]
    fn leads_are_deduplicated_and_sorted_longest_first() {
        let p = NudgePrefsInput {
            reminders: vec![60, 1440, 60, 15],
            channels: all_channels(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(p.reminders, vec![1440, 60, 15]);
        assert_eq!(p.quiet, None);
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut channels = all_channels();
        channels.insert("reminder".into(), vec!["sms".into()]);
        channels.insert("horoscope".into(), vec!["email".into()]);
        let e = NudgePrefsInput {
            reminders: vec![1, 60],
            quiet_start: "25:00".into(),
            quiet_end: "07:00".into(),
            channels,
        }
        .validate()
        .unwrap_err();
        for field in [
            "reminders",
            "quiet_start",
            "channels.reminder",
            "channels.horoscope",
        ] {
            assert!(e.get(field).is_some(), "{field} missing from {e:?}");
        }
        assert!(e.get("quiet_end").is_none());
    }

    #[test]
    fn too_many_reminders_and_empty_quiet_hours_are_refused() {
        let e = NudgePrefsInput {
            reminders: vec![10, 20, 30, 40, 50],
            quiet_start: "07:00".into(),
            quiet_end: "07:00".into(),
            channels: all_channels(),
        }
        .validate()
        .unwrap_err();
        assert!(e.get("reminders").unwrap().contains("At most 4"));
        assert!(e.get("quiet_end").is_some());
    }

    #[test]
    fn a_kind_left_out_goes_by_no_channel() {
        let p = NudgePrefsInput {
            channels: BTreeMap::from([("reminder".into(), vec!["email".into()])]),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert!(p.wants(NudgeKind::Reminder, Channel::Email));
        assert!(!p.wants(NudgeKind::Reminder, Channel::InApp));
        assert!(!p.wants(NudgeKind::Booked, Channel::Email));
    }

    #[test]
    fn quiet_hours_may_run_over_midnight() {
        let q = QuietHours {
            start: Time::constant(22, 0, 0, 0),
            end: Time::constant(7, 0, 0, 0),
        };
        assert!(q.contains(Time::constant(23, 30, 0, 0)));
        assert!(q.contains(Time::constant(6, 59, 0, 0)));
        assert!(!q.contains(Time::constant(7, 0, 0, 0)));
        assert!(!q.contains(Time::constant(12, 0, 0, 0)));
        let day = QuietHours {
            start: Time::constant(12, 0, 0, 0),
            end: Time::constant(13, 0, 0, 0),
        };
        assert!(day.contains(Time::constant(12, 30, 0, 0)));
        assert!(!day.contains(Time::constant(23, 0, 0, 0)));
    }
}

//! The nudge preferences section of the account page (`/account#nudges`): reminder lead
//! times, quiet hours and a kinds × channels table, saved at `POST /account/nudges`. A
//! refused form comes back on the account page with what was entered and a message per
//! field; nothing is saved.

use super::render::{OrPage, PageResult, failure};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use stint_app::nudges as nudge_ops;
use stint_app::{AppError, ErrorKind};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::nudge::{Channel, NudgeKind, NudgePrefsInput};
use stint_domain::role::Role;

/// The reminder leads offered as checkboxes, in minutes, longest first.
const PRESETS: [i64; 6] = [10080, 2880, 1440, 180, 60, 15];

/// A lead time as a number and a unit: weeks, days (from two), hours or minutes.
fn lead_parts(minutes: i64) -> (i64, &'static str) {
    if minutes != 0 && minutes % (7 * 1440) == 0 {
        (minutes / (7 * 1440), "week")
    } else if minutes.abs() >= 2 * 1440 && minutes % 1440 == 0 {
        (minutes / 1440, "day")
    } else if minutes != 0 && minutes % 60 == 0 {
        (minutes / 60, "hour")
    } else {
        (minutes, "minute")
    }
}

/// "1 week", "2 days", "24 hours", "15 minutes".
pub fn lead_label(minutes: i64) -> String {
    let (n, unit) = lead_parts(minutes);
    let s = if n == 1 { "" } else { "s" };
    format!("{n} {unit}{s}")
}

/// "24 hour reminder", "1 week reminder", "15 minute reminder".
pub fn reminder_name(minutes: i64) -> String {
    let (n, unit) = lead_parts(minutes);
    format!("{n} {unit} reminder")
}

pub struct LeadBox {
    pub minutes: i64,
    pub label: String,
    pub checked: bool,
}

pub struct ChannelBox {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
    /// Whether this kind can go by this channel at all (chat carries session nudges only).
    pub offered: bool,
}

pub struct KindRow {
    pub name: &'static str,
    pub label: &'static str,
    pub boxes: Vec<ChannelBox>,
    pub error: Option<String>,
}

/// What the section shows: saved preferences, or a refused form as it was entered.
pub struct NudgeSection {
    pub leads: Vec<LeadBox>,
    pub quiet_start: String,
    pub quiet_end: String,
    pub kinds: Vec<KindRow>,
    /// The table's column headings.
    pub channels: Vec<&'static str>,
    pub errors: FieldErrors,
    /// Show the confirmation of a save.
    pub saved: bool,
}

fn channel_heading(c: Channel) -> &'static str {
    match c {
        Channel::InApp => "In Stint",
        Channel::Email => "E-mail",
        Channel::Chat => "Chat",
    }
}

impl NudgeSection {
    /// The section for someone with `roles` (only the kinds that can reach them are shown).
    pub fn from_input(
        input: &NudgePrefsInput,
        errors: FieldErrors,
        saved: bool,
        roles: &[Role],
    ) -> Self {
        // The presets, and any other lead saved (through the API) or entered.
        let mut minutes: Vec<i64> = PRESETS.to_vec();
        for &m in &input.reminders {
            if !minutes.contains(&m) {
                minutes.push(m);
            }
        }
        minutes.sort_unstable_by(|a, b| b.cmp(a));
        let leads = minutes
            .into_iter()
            .map(|m| LeadBox {
                minutes: m,
                label: lead_label(m),
                checked: input.reminders.contains(&m),
            })
            .collect();
        let kinds = NudgeKind::ALL
            .into_iter()
            .filter(|k| k.reaches(roles))
            .map(|k| {
                let chosen = input.channels.get(k.as_str());
                KindRow {
                    name: k.as_str(),
                    label: k.label(),
                    boxes: Channel::ALL
                        .into_iter()
                        .map(|c| ChannelBox {
                            value: c.as_str(),
                            label: channel_heading(c),
                            checked: chosen.is_some_and(|v| v.iter().any(|n| n == c.as_str())),
                            // Chat carries session nudges only.
                            offered: c != Channel::Chat || k.about_a_session(),
                        })
                        .collect(),
                    error: errors
                        .get(&format!("channels.{}", k.as_str()))
                        .map(str::to_string),
                }
            })
            .collect();
        NudgeSection {
            leads,
            quiet_start: input.quiet_start.clone(),
            quiet_end: input.quiet_end.clone(),
            kinds,
            channels: Channel::ALL.into_iter().map(channel_heading).collect(),
            errors,
            saved,
        }
    }
}

/// The section with `me`'s saved preferences (the defaults until they choose).
pub async fn section(
    state: &AppState,
    me: &Account,
    saved: bool,
) -> Result<NudgeSection, Response> {
    let prefs = nudge_ops::prefs_of(state, me.id).await.or_page()?;
    Ok(NudgeSection::from_input(
        &NudgePrefsInput::from_prefs(&prefs),
        FieldErrors::new(),
        saved,
        &me.roles,
    ))
}

/// The form as posted: checkboxes `reminders` (minutes), `quiet_start`, `quiet_end`, and
/// `channels.<kind>` (one per ticked channel). A kind with no box ticked goes by no
/// channel. A lead that is not a number is reported here, since the input holds numbers.
fn read_form(pairs: &[(String, String)]) -> (NudgePrefsInput, FieldErrors) {
    let mut input = NudgePrefsInput::default();
    let mut errors = FieldErrors::new();
    for (key, value) in pairs {
        match key.as_str() {
            "reminders" => match value.trim().parse::<i64>() {
                Ok(m) => input.reminders.push(m),
                Err(_) => errors.add(
                    "reminders",
                    format!("“{value}” is not a number of minutes."),
                ),
            },
            "quiet_start" => input.quiet_start = value.clone(),
            "quiet_end" => input.quiet_end = value.clone(),
            _ => {
                if let Some(kind) = key.strip_prefix("channels.") {
                    input
                        .channels
                        .entry(kind.to_string())
                        .or_default()
                        .push(value.clone());
                }
            }
        }
    }
    (input, errors)
}

pub async fn save(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let (mut input, mut unreadable) = read_form(&pairs);
    // The kinds the form does not show (they cannot reach this person) keep their channels.
    let saved = nudge_ops::prefs_of(&state, me.id).await.map_err(failure)?;
    for (kind, channels) in NudgePrefsInput::from_prefs(&saved).channels {
        if NudgeKind::parse(&kind).is_some_and(|k| !k.reaches(&me.roles)) {
            input.channels.insert(kind, channels);
        }
    }
    let result = if unreadable.is_empty() {
        nudge_ops::save_prefs(&state, &me, &input).await
    } else {
        // Every other field is checked too, so the form reports everything at once.
        if let Err(more) = input.validate() {
            for (field, message) in more.0 {
                unreadable.add(&field, message);
            }
        }
        Err(AppError::validation(unreadable))
    };
    match result {
        Ok(_) => Ok(Redirect::to("/account?nudges=saved#nudges").into_response()),
        Err(e) if e.kind == ErrorKind::Invalid => {
            let section = NudgeSection::from_input(&input, FieldErrors(e.fields), false, &me.roles);
            super::account::settings_with_nudges(&state, me, &csrf.0, section).await
        }
        Err(e) => Err(failure(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leads_read_as_people_say_them() {
        let labels: Vec<String> = PRESETS.into_iter().map(lead_label).collect();
        assert_eq!(
            labels,
            [
                "1 week",
                "2 days",
                "24 hours",
                "3 hours",
                "1 hour",
                "15 minutes"
            ]
        );
        assert_eq!(lead_label(1), "1 minute");
        assert_eq!(lead_label(90), "90 minutes");
        assert_eq!(lead_label(4320), "3 days");
        assert_eq!(reminder_name(1440), "24 hour reminder");
        assert_eq!(reminder_name(10080), "1 week reminder");
        assert_eq!(reminder_name(15), "15 minute reminder");
    }

    #[test]
    fn the_form_is_read_into_the_input() {
        let pairs: Vec<(String, String)> = serde_html_form::from_str(
            "csrf=t&reminders=1440&reminders=x&quiet_start=22%3A00&quiet_end=\
             &channels.reminder=email&channels.reminder=in_app&channels.booked=email",
        )
        .unwrap_or_default();
        let (input, errors) = read_form(&pairs);
        assert_eq!(input.reminders, vec![1440]);
        assert!(errors.get("reminders").is_some());
        assert_eq!(input.quiet_start, "22:00");
        assert_eq!(input.quiet_end, "");
        assert_eq!(input.channels["reminder"], vec!["email", "in_app"]);
        assert_eq!(input.channels["booked"], vec!["email"]);
        assert!(!input.channels.contains_key("cancelled"));
    }

    #[test]
    fn a_saved_lead_outside_the_presets_is_shown_ticked() {
        let input = NudgePrefsInput {
            reminders: vec![90, 60],
            ..Default::default()
        };
        let s = NudgeSection::from_input(&input, FieldErrors::new(), false, &[]);
        let ticked: Vec<i64> = s
            .leads
            .iter()
            .filter(|l| l.checked)
            .map(|l| l.minutes)
            .collect();
        assert_eq!(ticked, vec![90, 60]);
        assert_eq!(s.leads.len(), PRESETS.len() + 1);
        assert!(s.kinds.iter().all(|k| k.boxes.iter().all(|b| !b.checked)));
    }
}

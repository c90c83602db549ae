//! Row formats of JSON kept in columns, owned by the store. During a rolling deploy a node
//! one release older reads rows a newer one wrote, so what is read back ignores what this
//! release does not know (fields, nudge kinds, channels); strict validation belongs to
//! input (the API's and the forms' own types), never to reading.

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use stint_domain::nudge::{Channel, NudgeKind, NudgePrefs, QuietHours};

/// Nudge preferences as stored.
#[derive(Deserialize)]
struct NudgePrefsRow {
    reminders: Vec<u32>,
    #[serde(default)]
    quiet: Option<QuietHours>,
    #[serde(default)]
    channels: BTreeMap<String, BTreeSet<String>>,
}

/// Reads stored nudge preferences; a kind or channel this release does not know is left out.
pub(crate) fn nudge_prefs(json: &str) -> Result<NudgePrefs, serde_json::Error> {
    let row: NudgePrefsRow = serde_json::from_str(json)?;
    let channels = row
        .channels
        .into_iter()
        .filter_map(|(kind, channels)| {
            let kind: NudgeKind = known(kind)?;
            let channels = channels.into_iter().filter_map(known::<Channel>).collect();
            Some((kind, channels))
        })
        .collect();
    Ok(NudgePrefs {
        reminders: row.reminders,
        quiet: row.quiet,
        channels,
    })
}

/// A name as the serde form of `T` writes it, if this release knows it.
fn known<T: serde::de::DeserializeOwned>(name: String) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name)).ok()
}

/// Roles as `string_agg(role, ',')` lists them, sorted, each once; a role this release does
/// not know is left out.
pub(super) fn roles_listed(listed: Option<&str>) -> Vec<stint_domain::role::Role> {
    let mut roles: Vec<stint_domain::role::Role> = listed
        .unwrap_or_default()
        .split(',')
        .filter_map(stint_domain::role::Role::parse)
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_prefs_round_trip_and_skip_what_a_newer_release_added() {
        let mut prefs = NudgePrefs::default();
        for kind in NudgeKind::ALL {
            prefs
                .channels
                .insert(kind, [Channel::Email].into_iter().collect());
        }
        let json = serde_json::to_string(&prefs).unwrap_or_default();
        assert_eq!(
            nudge_prefs(&json).ok(),
            Some(prefs),
            "every kind reads back"
        );
        let newer = r#"{"reminders":[60],"quiet":null,"digest":"weekly",
            "channels":{"reminder":["email","sms"],"weekly_digest":["email"]}}"#;
        let read = nudge_prefs(newer).ok();
        let channels = read.map(|p| p.channels).unwrap_or_default();
        assert_eq!(channels.len(), 1, "the unknown kind is left out");
        assert_eq!(
            channels.get(&NudgeKind::Reminder).map(|c| c.len()),
            Some(1),
            "the unknown channel is left out"
        );
    }
}

//! The 90-day retention comparison (its admins): the organisation's list of who is still
//! employed (CSV with `email` and `employed` columns) against who took part in sessions its
//! budget paid for. The rules that keep it about groups are `stint_domain::sponsor::retention`;
//! here the list is read, the cohort made (every member who belonged for 90 days, none left
//! out), and the result kept as aggregates only (`org_notices`, `retention:<time>`): the list
//! itself is never stored.

use super::administered;
use crate::App;
use crate::error::{AppError, ErrorKind};
use jiff::{SignedDuration, Timestamp};
use std::collections::{HashMap, HashSet};
use stint_domain::FieldErrors;
use stint_domain::account::{Account, Email};
use stint_domain::ids::OrgId;
use stint_domain::sponsor::OrgRole;
use stint_domain::sponsor::retention::{
    CohortMember, RETENTION_DAYS, RETENTION_WINDOW_DAYS, Retention, compare as compare_cohort,
};

/// The largest list read (bytes), and its most rows.
pub const MAX_LIST_BYTES: usize = 1_000_000;
pub const MAX_LIST_ROWS: usize = 50_000;

/// A comparison as it was run: the figures (or why they are hidden), how many members it
/// covered and how many rows of the list were not members of the cohort.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RetentionReport {
    pub figures: Retention,
    pub cohort: u64,
    pub rows_ignored: u64,
    #[serde(with = "jiff::fmt::serde::timestamp::second::required")]
    pub ran_at: Timestamp,
}

const PREFIX: &str = "retention:";

fn file_error(message: impl Into<String>) -> AppError {
    AppError::validation(FieldErrors::single("file", message))
}

/// The last comparison `org` ran, if any (its admins).
pub async fn latest(
    app: &App,
    admin: &Account,
    org: OrgId,
) -> Result<Option<RetentionReport>, AppError> {
    administered(app, admin, org).await?;
    let Some((_, Some(detail), _)) = app.store.latest_notice(org, PREFIX).await? else {
        return Ok(None);
    };
    Ok(serde_json::from_str(&detail).ok())
}

/// Reads the list: each address once, with whether it is still employed.
fn read_list(text: &str) -> Result<HashMap<String, bool>, AppError> {
    if text.len() > MAX_LIST_BYTES {
        return Err(file_error(format!(
            "is larger than {} MB; send only the email and employed columns",
            MAX_LIST_BYTES / 1_000_000
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| file_error("must be CSV with a header row"))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(email_at), Some(employed_at)) = (column("email"), column("employed")) else {
        return Err(file_error(
            "needs a header row with the columns email and employed",
        ));
    };
    let mut list = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        if i >= MAX_LIST_ROWS {
            return Err(file_error(format!("has more than {MAX_LIST_ROWS} rows")));
        }
        let record = record.map_err(|_| file_error(format!("line {line} is not valid CSV")))?;
        let email = Email::parse(record.get(email_at).unwrap_or_default())
            .map_err(|m| file_error(format!("line {line}: the email {m}")))?;
        let employed = match record
            .get(employed_at)
            .unwrap_or_default()
            .to_ascii_lowercase()
            .as_str()
        {
            "yes" | "y" | "true" | "1" => true,
            "no" | "n" | "false" | "0" => false,
            other => {
                return Err(file_error(format!(
                    "line {line}: employed must be yes or no, not \"{other}\""
                )));
            }
        };
        if list.insert(email.as_str().to_string(), employed).is_some() {
            return Err(file_error(format!(
                "line {line}: {} is listed twice",
                email.as_str()
            )));
        }
    }
    Ok(list)
}

/// Runs the comparison from `list` (CSV). Refused by field, with nothing kept: a list that is
/// not CSV with `email` and `employed`, that leaves out a member of the cohort, or that comes
/// within 30 days of the last comparison.
#[tracing::instrument(level = "debug", skip_all, fields(org = %org))]
pub async fn compare(
    app: &App,
    admin: &Account,
    org: OrgId,
    list: &str,
) -> Result<RetentionReport, AppError> {
    administered(app, admin, org).await?;
    // Whole seconds: the time is stored and shown as such.
    let now = Timestamp::from_second(app.now().as_second()).unwrap_or(app.now());
    let list = read_list(list)?;
    let joined_by = now
        .checked_sub(SignedDuration::from_hours(24 * RETENTION_DAYS))
        .unwrap_or(now);
    let cohort: Vec<_> = app
        .store
        .members(org)
        .await?
        .into_iter()
        .filter(|m| m.role == OrgRole::Member && m.joined_at <= joined_by)
        .collect();
    let missing: Vec<&str> = cohort
        .iter()
        .filter(|m| !list.contains_key(&m.email.to_lowercase()))
        .map(|m| m.email.as_str())
        .collect();
    if let Some(first) = missing.first() {
        return Err(file_error(format!(
            "must say for every member who belonged {RETENTION_DAYS} days ago whether they are \
             still employed: {} {} missing, {first} among them",
            missing.len(),
            if missing.len() == 1 { "is" } else { "are" }
        )));
    }
    if let Some((_, _, at)) = app.store.latest_notice(org, PREFIX).await?
        && let Ok(next) = at.checked_add(SignedDuration::from_hours(24 * RETENTION_WINDOW_DAYS))
        && next > now
    {
        return Err(AppError::field(
            ErrorKind::Conflict,
            "too_early",
            "file",
            format!(
                "A comparison runs at most once in {RETENTION_WINDOW_DAYS} days, so two cannot be \
                 set against each other; the next is possible from {}.",
                crate::outcomes::when_for(admin, next)
            ),
        ));
    }
    let took_part: HashSet<_> = app
        .store
        .participant_ids(org, now)
        .await?
        .into_iter()
        .collect();
    let members: Vec<CohortMember> = cohort
        .iter()
        .map(|m| CohortMember {
            participant: took_part.contains(&m.user),
            employed: list.get(&m.email.to_lowercase()).copied().unwrap_or(false),
        })
        .collect();
    let report = RetentionReport {
        figures: compare_cohort(&members),
        cohort: members.len() as u64,
        rows_ignored: (list.len() - members.len()) as u64,
        ran_at: now,
    };
    let detail = serde_json::to_string(&report).map_err(|_| AppError::internal())?;
    app.store
        .open_notice(
            org,
            &format!("{PREFIX}{}", now.as_second()),
            Some(&detail),
            None,
            now,
        )
        .await?;
    tracing::info!(org = %org, cohort = report.cohort, "retention comparison run");
    Ok(report)
}

//! What a member lets their organisation see of them, and what its admins then see: by
//! default figures about groups only ("nothing" leaves them out of those too); a member who
//! chooses to share "my progress" shows
//! their own sessions, checkpoints reached, skill gain and tasks — never notes or answers.
//! Whether an admin may read a member's progress is `stint_domain::access::may_read`'s to
//! decide; the choice is the member's alone and takes effect at once.

use super::administered;
use crate::App;
use crate::error::AppError;
use stint_domain::FieldErrors;
use stint_domain::access::{DataClass, Relation, Sharing, may_read};
use stint_domain::account::Account;
use stint_domain::ids::{OrgId, UserId};
use stint_domain::outcome::metrics::OutcomeStats;
use stint_domain::sponsor::OrgRole;
use stint_store::OutcomeFilter;

/// The choices, as forms and the API name them.
pub const NOTHING: &str = "nothing";
pub const AGGREGATES: &str = "aggregates";
pub const PROGRESS: &str = "progress";

/// The name of what `sharing` shares.
pub fn name_of(sharing: &Sharing) -> &'static str {
    if !sharing.in_sponsor_figures() {
        NOTHING
    } else if may_read(Relation::SponsorOfMember, DataClass::Scores, sharing) {
        PROGRESS
    } else {
        AGGREGATES
    }
}

/// Sets what `member` shares with `org`: `aggregates` or `progress`. Anything else is refused
/// by field; `NotFound` if they do not belong to it.
#[tracing::instrument(level = "debug", skip_all, fields(org = %org))]
pub async fn set(app: &App, member: &Account, org: OrgId, share: &str) -> Result<(), AppError> {
    let sharing = match share.trim() {
        NOTHING => Sharing::nothing(),
        AGGREGATES => Sharing::default(),
        PROGRESS => Sharing::progress(),
        _ => {
            return Err(AppError::validation(FieldErrors::single(
                "share",
                "must be nothing, aggregates or progress",
            )));
        }
    };
    if app
        .store
        .set_sharing(org, member.id, &sharing, app.now())
        .await?
    {
        tracing::info!(org = %org, share = name_of(&sharing), "sharing with a sponsor changed");
        let org_name = app
            .store
            .org(org)
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        let change = match name_of(&sharing) {
            PROGRESS => format!("{org_name} sees your progress"),
            NOTHING => format!("{org_name} sees nothing of you, not even in its figures"),
            _ => format!("{org_name} sees only figures about groups"),
        };
        app.store
            .record_privacy_change(member.id, &change, app.now())
            .await?;
        Ok(())
    } else {
        Err(AppError::not_found("organisation"))
    }
}

/// One member's progress over the sessions the budget paid for, as they shared it.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberProgress {
    pub user: UserId,
    pub name: String,
    pub sessions: u64,
    pub checkpoints_reached: u64,
    /// Mean levels gained from baseline to follow-up, where both were taken.
    pub mean_gain: Option<f64>,
    pub tasks_done: u64,
    pub tasks_total: u64,
}

/// The progress of the active members who chose to share it with `org` (its admins), by
/// name. Nobody else's appears, whatever an admin asks.
pub async fn shared_progress(
    app: &App,
    admin: &Account,
    org: OrgId,
) -> Result<Vec<MemberProgress>, AppError> {
    administered(app, admin, org).await?;
    let mut out = Vec::new();
    for m in app.store.members(org).await? {
        let readable = m.is_active()
            && m.role == OrgRole::Member
            && may_read(Relation::SponsorOfMember, DataClass::Scores, &m.sharing);
        if !readable {
            continue;
        }
        let sessions = app
            .store
            .outcomes(OutcomeFilter {
                mentee: Some(m.user),
                sponsor: Some(org),
                ..OutcomeFilter::default()
            })
            .await?;
        let stats = OutcomeStats::of(&sessions);
        crate::access_log::record(
            app,
            &[stint_store::NewAccess {
                owner: m.user,
                reader: admin.id,
                what: crate::access_log::PROGRESS,
                booking: None,
            }],
        )
        .await?;
        out.push(MemberProgress {
            user: m.user,
            name: m.name,
            sessions: stats.sessions,
            checkpoints_reached: stats.checkpoints_reached,
            mean_gain: stats.mean_gain,
            tasks_done: stats.tasks_done,
            tasks_total: stats.tasks_total,
        });
    }
    Ok(out)
}

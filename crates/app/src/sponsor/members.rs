//! Who belongs: invitations mailed as single-use links, joining by one, leaving.
//!
//! An invitation's link is made when its mail is sent (`new_invite_link`, called by the
//! `org.invite_mail` job), so its secret never sits in the job queue; until then the stored
//! digest matches no link. A member who leaves keeps the sessions already booked, paid by the
//! budget as they were; they can book nothing more with it.

use super::{administered, queue_link_mail, unsent_digest, within_hourly_limit};
use crate::App;
use crate::auth::secret;
use crate::error::{AppError, ErrorKind};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use stint_domain::FieldErrors;
use stint_domain::account::{Account, Email};
use stint_domain::ids::OrgId;
use stint_domain::sponsor::OrgRole;
use stint_store::sponsor::{InviteRecord, Membership, NewInvite};

/// The job that mails an invitation.
pub const INVITE_MAIL: &str = "org.invite_mail";
/// How long an invitation works.
pub const INVITE_DAYS: i64 = 14;
/// The most invitations (each a mail) an organisation sends in an hour.
pub const INVITES_PER_HOUR: usize = 100;

/// The `org.invite_mail` job's payload.
#[derive(Debug, Serialize, Deserialize)]
pub struct InviteMailJob {
    pub invite: i64,
}

/// Invites `email` to `org` as `role` (its admins) and queues the mail with the link.
#[tracing::instrument(level = "debug", skip_all, fields(org = %org))]
pub async fn invite(
    app: &App,
    admin: &Account,
    org: OrgId,
    email: &str,
    role: &str,
) -> Result<InviteRecord, AppError> {
    administered(app, admin, org).await?;
    let mut e = FieldErrors::new();
    let email = e.check("email", Email::parse(email));
    let role = e.check(
        "role",
        OrgRole::parse(role.trim()).ok_or_else(|| "must be member or admin".to_string()),
    );
    let (Some(email), Some(role)) = (email, role) else {
        return Err(AppError::validation(e));
    };
    let now = app.now();
    // Each invitation sends a mail: an organisation sends at most this many an hour.
    let sent = app.store.invites(org).await?;
    within_hourly_limit(
        app,
        sent.iter().map(|i| i.created_at),
        INVITES_PER_HOUR,
        "invitations",
    )?;
    let unsent = unsent_digest()?;
    let invite = app
        .store
        .create_invite(
            &NewInvite {
                org,
                email: email.as_str(),
                role,
                digest: &unsent,
                invited_by: admin.id,
                expires_at: now
                    .saturating_add(SignedDuration::from_hours(24 * INVITE_DAYS))
                    .unwrap_or(now),
            },
            now,
        )
        .await?;
    queue_link_mail(
        app,
        INVITE_MAIL,
        &InviteMailJob { invite: invite.id },
        invite.id,
    )
    .await?;
    Ok(invite)
}

/// A mailable invitation: the link's secret, who it is for and from which organisation.
pub struct InviteLink {
    pub token: String,
    pub email: String,
    pub org_name: String,
    pub role: OrgRole,
    pub expires_at: Timestamp,
}

/// A new link for invitation `id`, if it is still open (unused, unexpired); the store keeps
/// only its digest, and any earlier link of it stops working.
pub async fn new_invite_link(app: &App, id: i64) -> Result<Option<InviteLink>, AppError> {
    let token = secret::new_secret()?;
    let Some((invite, org_name)) = app
        .store
        .reissue_invite(id, &secret::digest(&token), app.now())
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(InviteLink {
        token,
        email: invite.email,
        org_name,
        role: invite.role,
        expires_at: invite.expires_at,
    }))
}

/// Joins the organisation an invitation link names, as its role. An unknown, used or
/// expired link is refused by field, and nothing changes.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn accept(app: &App, user: &Account, token: &str) -> Result<OrgId, AppError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 200 {
        return Err(invite_refused());
    }
    app.store
        .accept_invite(&secret::digest(token), user.id, app.now())
        .await
        .map_err(|e| match e {
            stint_store::StoreError::NotFound => invite_refused(),
            other => other.into(),
        })
}

fn invite_refused() -> AppError {
    AppError::field(
        ErrorKind::Invalid,
        "invite_invalid",
        "token",
        "This invitation has expired or was already used. Ask the organisation for a new one.",
    )
}

/// Leaves `org`. What was booked stays booked; `NotFound` if `user` was not a member.
pub async fn leave(app: &App, user: &Account, org: OrgId) -> Result<(), AppError> {
    if app.store.leave_org(org, user.id, app.now()).await? {
        Ok(())
    } else {
        Err(AppError::not_found("organisation"))
    }
}

/// Everyone who belongs or belonged to `org` (its admins).
pub async fn members(app: &App, admin: &Account, org: OrgId) -> Result<Vec<Membership>, AppError> {
    administered(app, admin, org).await?;
    Ok(app.store.members(org).await?)
}

/// The invitations sent, newest first (its admins).
pub async fn invites(
    app: &App,
    admin: &Account,
    org: OrgId,
) -> Result<Vec<InviteRecord>, AppError> {
    administered(app, admin, org).await?;
    Ok(app.store.invites(org).await?)
}

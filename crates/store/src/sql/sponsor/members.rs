//! Who belongs to an organisation: memberships, joining (again) and leaving, and the
//! invitations, each stored only as the digest of its link's secret.

use super::broken;
use crate::StoreError;
use crate::interfaces::Result;
use crate::sponsor::{InviteRecord, Membership, NewInvite};
use crate::sql::SqlStore;
use crate::sql::bookings::ts;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use stint_domain::access::Sharing;
use stint_domain::ids::{OrgId, UserId};
use stint_domain::role::Role;
use stint_domain::sponsor::OrgRole;

pub(super) fn role(row: &AnyRow) -> Result<OrgRole> {
    let r: String = row.try_get("role")?;
    OrgRole::parse(&r).ok_or_else(|| broken("role", &r))
}

fn membership_row(row: &AnyRow) -> Result<Membership> {
    Ok(Membership {
        org: OrgId(row.try_get("org_id")?),
        org_name: row.try_get("org_name")?,
        user: UserId(row.try_get("user_id")?),
        name: row.try_get("display_name")?,
        email: row.try_get("email")?,
        role: role(row)?,
        joined_at: ts(row.try_get("joined_at")?)?,
        left_at: row
            .try_get::<Option<i64>, _>("left_at")?
            .map(ts)
            .transpose()?,
        sharing: sharing_of(
            &row.try_get::<String, _>("shares")?,
            row.try_get::<i64, _>("withheld")? != 0,
        ),
    })
}

/// What a member's `shares` column lets the sponsor see.
fn sharing_of(shares: &str, withheld: bool) -> Sharing {
    match (shares, withheld) {
        (_, true) => Sharing::nothing(),
        ("progress", _) => Sharing::progress(),
        _ => Sharing::default(),
    }
}

const MEMBERSHIP_SELECT: &str = "SELECT m.org_id, o.name AS org_name, m.user_id, u.display_name, \
    u.email, m.role, m.joined_at, m.left_at, m.shares, m.withheld FROM org_members m \
    JOIN organisations o ON o.id = m.org_id JOIN users u ON u.id = m.user_id";

fn invite_row(row: &AnyRow) -> Result<InviteRecord> {
    Ok(InviteRecord {
        id: row.try_get("id")?,
        org: OrgId(row.try_get("org_id")?),
        email: row.try_get("email")?,
        role: role(row)?,
        created_at: ts(row.try_get("created_at")?)?,
        expires_at: ts(row.try_get("expires_at")?)?,
        used_at: row
            .try_get::<Option<i64>, _>("used_at")?
            .map(ts)
            .transpose()?,
    })
}

pub(super) async fn memberships_of(store: &SqlStore, user: UserId) -> Result<Vec<Membership>> {
    let sql = format!("{MEMBERSHIP_SELECT} WHERE m.user_id = $1 ORDER BY o.name, m.org_id");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user.0)
        .fetch_all(store.reader())
        .await?
        .iter()
        .map(membership_row)
        .collect()
}

pub(super) async fn members(store: &SqlStore, org: OrgId) -> Result<Vec<Membership>> {
    let sql = format!("{MEMBERSHIP_SELECT} WHERE m.org_id = $1 ORDER BY u.display_name, m.user_id");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org.0)
        .fetch_all(store.reader())
        .await?
        .iter()
        .map(membership_row)
        .collect()
}

pub(super) async fn add_member(
    store: &SqlStore,
    org: OrgId,
    user: UserId,
    role: OrgRole,
    now: Timestamp,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    upsert_member(&mut tx, org, user, role, now).await?;
    tx.commit().await?;
    store.forget_people_and_catalog();
    Ok(())
}

pub(super) async fn set_sharing(
    store: &SqlStore,
    org: OrgId,
    user: UserId,
    sharing: &Sharing,
    now: Timestamp,
) -> Result<bool> {
    let shares = if *sharing == Sharing::progress() {
        "progress"
    } else {
        "aggregates"
    };
    let done = sqlx::query(
        "UPDATE org_members SET shares = $3, shares_changed_at = $4, withheld = $5 \
         WHERE org_id = $1 AND user_id = $2 AND left_at IS NULL",
    )
    .bind(org.0)
    .bind(user.0)
    .bind(shares)
    .bind(now.as_second())
    .bind(i64::from(sharing.withheld_from_sponsor))
    .execute(store.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn leave_org(
    store: &SqlStore,
    org: OrgId,
    user: UserId,
    now: Timestamp,
) -> Result<bool> {
    let left = sqlx::query(
        "UPDATE org_members SET left_at = $3 WHERE org_id = $1 AND user_id = $2 \
         AND left_at IS NULL",
    )
    .bind(org.0)
    .bind(user.0)
    .bind(now.as_second())
    .execute(store.writer())
    .await?;
    Ok(left.rows_affected() == 1)
}

pub(super) async fn create_invite(
    store: &SqlStore,
    invite: &NewInvite<'_>,
    now: Timestamp,
) -> Result<InviteRecord> {
    let row = sqlx::query(
        "INSERT INTO org_invites (org_id, email, role, digest, invited_by, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         RETURNING id, org_id, email, role, created_at, expires_at, used_at",
    )
    .bind(invite.org.0)
    .bind(invite.email.to_string())
    .bind(invite.role.as_str())
    .bind(invite.digest.to_string())
    .bind(invite.invited_by.0)
    .bind(now.as_second())
    .bind(invite.expires_at.as_second())
    .fetch_one(store.writer())
    .await?;
    invite_row(&row)
}

pub(super) async fn invites(store: &SqlStore, org: OrgId) -> Result<Vec<InviteRecord>> {
    sqlx::query(
        "SELECT id, org_id, email, role, created_at, expires_at, used_at FROM org_invites \
         WHERE org_id = $1 ORDER BY id DESC LIMIT 200",
    )
    .bind(org.0)
    .fetch_all(store.reader())
    .await?
    .iter()
    .map(invite_row)
    .collect()
}

pub(super) async fn reissue_invite(
    store: &SqlStore,
    id: i64,
    digest: &str,
    now: Timestamp,
) -> Result<Option<(InviteRecord, String)>> {
    let changed = sqlx::query(
        "UPDATE org_invites SET digest = $2 WHERE id = $1 AND used_at IS NULL \
         AND expires_at > $3",
    )
    .bind(id)
    .bind(digest.to_string())
    .bind(now.as_second())
    .execute(store.writer())
    .await?;
    if changed.rows_affected() == 0 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT i.id, i.org_id, i.email, i.role, i.created_at, i.expires_at, i.used_at, \
         o.name AS org_name FROM org_invites i JOIN organisations o ON o.id = i.org_id \
         WHERE i.id = $1",
    )
    .bind(id)
    .fetch_one(store.writer())
    .await?;
    Ok(Some((invite_row(&row)?, row.try_get("org_name")?)))
}

pub(super) async fn accept_invite(
    store: &SqlStore,
    digest: &str,
    user: UserId,
    now: Timestamp,
) -> Result<OrgId> {
    let mut tx = store.begin_write().await?;
    let used = sqlx::query(
        "UPDATE org_invites SET used_at = $2 WHERE digest = $1 AND used_at IS NULL \
         AND expires_at > $2 RETURNING org_id, role",
    )
    .bind(digest.to_string())
    .bind(now.as_second())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = used else {
        return Err(StoreError::NotFound);
    };
    let org = OrgId(row.try_get("org_id")?);
    upsert_member(&mut tx, org, user, role(&row)?, now).await?;
    tx.commit().await?;
    store.forget_people_and_catalog();
    Ok(org)
}

/// Makes `user` a member of `org` with `role` (again, if they had left).
pub(super) async fn upsert_member(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    org: OrgId,
    user: UserId,
    role: OrgRole,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "INSERT INTO org_members (org_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (org_id, user_id) DO UPDATE SET left_at = NULL, \
           role = CASE WHEN org_members.role = 'admin' THEN 'admin' ELSE excluded.role END, \
           joined_at = CASE WHEN org_members.left_at IS NULL THEN org_members.joined_at \
                            ELSE excluded.joined_at END",
    )
    .bind(org.0)
    .bind(user.0)
    .bind(role.as_str())
    .bind(now.as_second())
    .execute(&mut **tx)
    .await;
    match done {
        Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
            return Err(StoreError::NotFound);
        }
        other => {
            other?;
        }
    }
    if role == OrgRole::Admin {
        grant_sponsor_role(tx, user).await?;
    }
    Ok(())
}

/// An organisation's admin holds the sponsor admin role, which opens the console.
pub(super) async fn grant_sponsor_role(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user: UserId,
) -> Result<()> {
    sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(user.0)
        .bind(Role::SponsorAdmin.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

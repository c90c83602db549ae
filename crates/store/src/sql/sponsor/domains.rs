//! An organisation's e-mail domains: a request mailed to an address at the domain (only the
//! link's digest stored), verified once by that link, and then every account at the domain
//! joining as a member, now and when it is made later. A member who left is not joined again.

use super::members::upsert_member;
use crate::StoreError;
use crate::interfaces::Result;
use crate::sponsor::{DomainRecord, NewDomain};
use crate::sql::SqlStore;
use crate::sql::bookings::ts;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use stint_domain::ids::{OrgId, UserId};
use stint_domain::sponsor::OrgRole;

const COLUMNS: &str =
    "id, org_id, domain, address, created_at, expires_at, verified_at, removed_at";

fn domain_row(row: &AnyRow) -> Result<DomainRecord> {
    let opt = |name: &str| -> Result<Option<Timestamp>> {
        row.try_get::<Option<i64>, _>(name)?.map(ts).transpose()
    };
    Ok(DomainRecord {
        id: row.try_get("id")?,
        org: OrgId(row.try_get("org_id")?),
        domain: row.try_get("domain")?,
        address: row.try_get("address")?,
        created_at: ts(row.try_get("created_at")?)?,
        expires_at: ts(row.try_get("expires_at")?)?,
        verified_at: opt("verified_at")?,
        removed_at: opt("removed_at")?,
    })
}

pub(super) async fn request_domain(
    store: &SqlStore,
    new: &NewDomain<'_>,
    now: Timestamp,
) -> Result<DomainRecord> {
    let sql = format!(
        "INSERT INTO org_domains (org_id, domain, address, digest, requested_by, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(new.org.0)
        .bind(new.domain.to_string())
        .bind(new.address.to_string())
        .bind(new.digest.to_string())
        .bind(new.requested_by.0)
        .bind(now.as_second())
        .bind(new.expires_at.as_second())
        .fetch_one(store.writer())
        .await?;
    domain_row(&row)
}

pub(super) async fn domains(store: &SqlStore, org: OrgId) -> Result<Vec<DomainRecord>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM org_domains WHERE org_id = $1 AND removed_at IS NULL \
         ORDER BY id DESC LIMIT 100"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org.0)
        .fetch_all(store.reader())
        .await?
        .iter()
        .map(domain_row)
        .collect()
}

/// The verified domain `domain`, whichever organisation holds it.
pub(super) async fn verified_domain(store: &SqlStore, domain: &str) -> Result<Option<OrgId>> {
    let row = sqlx::query(
        "SELECT org_id FROM org_domains WHERE domain = $1 AND verified_at IS NOT NULL \
         AND removed_at IS NULL",
    )
    .bind(domain.to_string())
    .fetch_optional(store.reader())
    .await?;
    Ok(row.map(|r| r.try_get("org_id")).transpose()?.map(OrgId))
}

pub(super) async fn reissue_domain_link(
    store: &SqlStore,
    id: i64,
    digest: &str,
    now: Timestamp,
) -> Result<Option<(DomainRecord, String)>> {
    let sql = format!(
        "UPDATE org_domains SET digest = $2 WHERE id = $1 AND verified_at IS NULL \
         AND removed_at IS NULL AND expires_at > $3 RETURNING {COLUMNS}"
    );
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(digest.to_string())
        .bind(now.as_second())
        .fetch_optional(store.writer())
        .await?
    else {
        return Ok(None);
    };
    let domain = domain_row(&row)?;
    let name: String = sqlx::query("SELECT name FROM organisations WHERE id = $1")
        .bind(domain.org.0)
        .fetch_one(store.writer())
        .await?
        .try_get("name")?;
    Ok(Some((domain, name)))
}

pub(super) async fn domain_request(
    store: &SqlStore,
    digest: &str,
    now: Timestamp,
) -> Result<Option<(DomainRecord, String)>> {
    let sql = "SELECT d.id, d.org_id, d.domain, d.address, d.created_at, d.expires_at, \
               d.verified_at, d.removed_at, o.name AS org_name FROM org_domains d \
               JOIN organisations o ON o.id = d.org_id WHERE d.digest = $1 \
               AND d.verified_at IS NULL AND d.removed_at IS NULL AND d.expires_at > $2";
    let Some(row) = sqlx::query(sql)
        .bind(digest.to_string())
        .bind(now.as_second())
        .fetch_optional(store.reader())
        .await?
    else {
        return Ok(None);
    };
    Ok(Some((domain_row(&row)?, row.try_get("org_name")?)))
}

pub(super) async fn verify_domain(
    store: &SqlStore,
    digest: &str,
    now: Timestamp,
) -> Result<(DomainRecord, u64)> {
    let mut tx = store.begin_write().await?;
    let sql = format!(
        "UPDATE org_domains SET verified_at = $2 WHERE digest = $1 AND verified_at IS NULL \
         AND removed_at IS NULL AND expires_at > $2 RETURNING {COLUMNS}"
    );
    let verified = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(digest.to_string())
        .bind(now.as_second())
        .fetch_optional(&mut *tx)
        .await;
    let row = match verified {
        Ok(Some(row)) => row,
        Ok(None) => return Err(StoreError::NotFound),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            return Err(StoreError::Conflict {
                field: "domain",
                message: "another organisation has verified this domain".into(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    let domain = domain_row(&row)?;
    // Everyone at the domain joins, except those who once belonged and left.
    let joined = sqlx::query(
        "INSERT INTO org_members (org_id, user_id, role, joined_at) \
         SELECT $1, id, 'member', $2 FROM users WHERE email LIKE $3 \
         ON CONFLICT (org_id, user_id) DO NOTHING",
    )
    .bind(domain.org.0)
    .bind(now.as_second())
    .bind(format!("%@{}", domain.domain))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    store.forget_people_and_catalog();
    Ok((domain, joined))
}

pub(super) async fn remove_domain(
    store: &SqlStore,
    org: OrgId,
    id: i64,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE org_domains SET removed_at = $3 WHERE id = $1 AND org_id = $2 \
         AND removed_at IS NULL",
    )
    .bind(id)
    .bind(org.0)
    .bind(now.as_second())
    .execute(store.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Joins `user` to the organisation that verified `domain`, if any and if they never
/// belonged to it.
pub(super) async fn join_by_domain(
    store: &SqlStore,
    user: UserId,
    domain: &str,
    now: Timestamp,
) -> Result<Option<OrgId>> {
    let Some(org) = verified_domain(store, domain).await? else {
        return Ok(None);
    };
    let mut tx = store.begin_write().await?;
    let known = sqlx::query("SELECT 1 AS one FROM org_members WHERE org_id = $1 AND user_id = $2")
        .bind(org.0)
        .bind(user.0)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
    if !known {
        upsert_member(&mut tx, org, user, OrgRole::Member, now).await?;
    }
    tx.commit().await?;
    store.forget_people_and_catalog();
    Ok((!known).then_some(org))
}

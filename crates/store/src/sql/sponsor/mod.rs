//! `SponsorStore` on SQLite and PostgreSQL: organisations, members, invitations, funding
//! and the budget's figures (`console.rs`); a budget's hold in a booking's write (`holds.rs`).

mod approvals;
mod console;
pub(crate) mod holds;

use super::SqlStore;
use super::bookings::ts;
use super::ledger::write_movement;
use crate::StoreError;
use crate::interfaces::{Admit, BookingOutcome, IdempotencyKey, NewBooking, Result};
use crate::ledger::{Moved, Movement};
use crate::sponsor::{
    ApprovalRow, BudgetCharge, FundingRecord, InviteRecord, Membership, NewInvite, OrgRecord,
    SpendRow, SponsorStore, StatementLine,
};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::BTreeSet;
use stint_domain::booking::BookingId;
use stint_domain::ids::{OrgId, SkuId, UserId};
use stint_domain::ledger::{Account, Credits, Transfer, TransferKind};
use stint_domain::role::Role;
use stint_domain::sponsor::{Approval, BudgetRules, Leftover, OrgRole, Period};

fn broken(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("sponsor: unknown {what} {value:?}").into())
}

fn role(row: &AnyRow) -> Result<OrgRole> {
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
    })
}

const MEMBERSHIP_SELECT: &str = "SELECT m.org_id, o.name AS org_name, m.user_id, u.display_name, \
    u.email, m.role, m.joined_at, m.left_at FROM org_members m \
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

fn funding_row(row: &AnyRow) -> Result<FundingRecord> {
    Ok(FundingRecord {
        id: row.try_get("id")?,
        org: OrgId(row.try_get("org_id")?),
        credits: row.try_get("credits")?,
        reference: row.try_get("reference")?,
        paid_at: row
            .try_get::<Option<i64>, _>("paid_at")?
            .map(ts)
            .transpose()?,
        created_at: ts(row.try_get("created_at")?)?,
    })
}

impl SqlStore {
    /// The organisations `where_sql` picks, with their rules and session types.
    async fn orgs_where(&self, where_sql: &str, id: Option<i64>) -> Result<Vec<OrgRecord>> {
        let sql = format!(
            "SELECT id, name, period, leftover, cap_credits, cap_sessions, approval_hours, \
             created_at FROM organisations {where_sql} ORDER BY name, id"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(id) = id {
            q = q.bind(id);
        }
        let rows = q.fetch_all(self.reader()).await?;
        let mut skus = sqlx::query("SELECT org_id, sku_id FROM budget_skus")
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(|r| Ok((r.try_get::<i64, _>("org_id")?, SkuId(r.try_get("sku_id")?))))
            .collect::<Result<Vec<_>>>()?;
        skus.sort();
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                let cap_credits: i64 = row.try_get("cap_credits")?;
                let period: String = row.try_get("period")?;
                let leftover: String = row.try_get("leftover")?;
                let rules = (cap_credits > 0)
                    .then(|| -> Result<BudgetRules> {
                        Ok(BudgetRules {
                            period: Period::parse(&period)
                                .ok_or_else(|| broken("period", &period))?,
                            leftover: Leftover::parse(&leftover)
                                .ok_or_else(|| broken("leftover", &leftover))?,
                            cap_credits,
                            cap_sessions: row.try_get("cap_sessions")?,
                            skus: skus
                                .iter()
                                .filter(|(o, _)| *o == id)
                                .map(|(_, s)| *s)
                                .collect::<BTreeSet<_>>(),
                            approval_hours: row.try_get("approval_hours")?,
                        })
                    })
                    .transpose()?;
                Ok(OrgRecord {
                    id: OrgId(id),
                    name: row.try_get("name")?,
                    rules,
                    created_at: ts(row.try_get("created_at")?)?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl SponsorStore for SqlStore {
    async fn create_org(&self, name: &str, admin: UserId, now: Timestamp) -> Result<OrgRecord> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organisations (name, created_at, updated_at) VALUES ($1, $2, $2) \
             RETURNING id",
        )
        .bind(name.to_string())
        .bind(now.as_second())
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO org_members (org_id, user_id, role, joined_at) VALUES ($1, $2, 'admin', $3)",
        )
        .bind(id)
        .bind(admin.0)
        .bind(now.as_second())
        .execute(&mut *tx)
        .await?;
        grant_sponsor_role(&mut tx, admin).await?;
        tx.commit().await?;
        self.forget_people_and_catalog();
        Ok(OrgRecord {
            id: OrgId(id),
            name: name.to_string(),
            rules: None,
            created_at: now,
        })
    }

    async fn org(&self, id: OrgId) -> Result<Option<OrgRecord>> {
        Ok(self.orgs_where("WHERE id = $1", Some(id.0)).await?.pop())
    }

    async fn orgs(&self) -> Result<Vec<OrgRecord>> {
        self.orgs_where("", None).await
    }

    async fn set_budget_rules(
        &self,
        org: OrgId,
        rules: &BudgetRules,
        now: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE organisations SET period = $2, leftover = $3, cap_credits = $4, \
             cap_sessions = $5, updated_at = $6, approval_hours = $7 WHERE id = $1",
        )
        .bind(org.0)
        .bind(rules.period.as_str())
        .bind(rules.leftover.as_str())
        .bind(rules.cap_credits)
        .bind(rules.cap_sessions)
        .bind(now.as_second())
        .bind(rules.approval_hours)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        // New rules apply from the next period: this one counts as closed.
        mark_period_closed(&mut tx, org, rules.period.start(now), now).await?;
        sqlx::query("DELETE FROM budget_skus WHERE org_id = $1")
            .bind(org.0)
            .execute(&mut *tx)
            .await?;
        for sku in &rules.skus {
            let added = sqlx::query("INSERT INTO budget_skus (org_id, sku_id) VALUES ($1, $2)")
                .bind(org.0)
                .bind(sku.0)
                .execute(&mut *tx)
                .await;
            if let Err(sqlx::Error::Database(db)) = &added
                && db.is_foreign_key_violation()
            {
                return Err(StoreError::Invalid(stint_domain::FieldErrors::single(
                    "skus",
                    "names a session type that does not exist",
                )));
            }
            added?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn memberships_of(&self, user: UserId) -> Result<Vec<Membership>> {
        let sql = format!("{MEMBERSHIP_SELECT} WHERE m.user_id = $1 ORDER BY o.name, m.org_id");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user.0)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(membership_row)
            .collect()
    }

    async fn members(&self, org: OrgId) -> Result<Vec<Membership>> {
        let sql =
            format!("{MEMBERSHIP_SELECT} WHERE m.org_id = $1 ORDER BY u.display_name, m.user_id");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org.0)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(membership_row)
            .collect()
    }

    async fn add_member(
        &self,
        org: OrgId,
        user: UserId,
        role: OrgRole,
        now: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        upsert_member(&mut tx, org, user, role, now).await?;
        tx.commit().await?;
        self.forget_people_and_catalog();
        Ok(())
    }

    async fn leave_org(&self, org: OrgId, user: UserId, now: Timestamp) -> Result<bool> {
        let left = sqlx::query(
            "UPDATE org_members SET left_at = $3 WHERE org_id = $1 AND user_id = $2 \
             AND left_at IS NULL",
        )
        .bind(org.0)
        .bind(user.0)
        .bind(now.as_second())
        .execute(self.writer())
        .await?;
        Ok(left.rows_affected() == 1)
    }

    async fn create_invite(&self, invite: &NewInvite<'_>, now: Timestamp) -> Result<InviteRecord> {
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
        .fetch_one(self.writer())
        .await?;
        invite_row(&row)
    }

    async fn invites(&self, org: OrgId) -> Result<Vec<InviteRecord>> {
        sqlx::query(
            "SELECT id, org_id, email, role, created_at, expires_at, used_at FROM org_invites \
             WHERE org_id = $1 ORDER BY id DESC LIMIT 200",
        )
        .bind(org.0)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(invite_row)
        .collect()
    }

    async fn reissue_invite(
        &self,
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
        .execute(self.writer())
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
        .fetch_one(self.writer())
        .await?;
        Ok(Some((invite_row(&row)?, row.try_get("org_name")?)))
    }

    async fn accept_invite(&self, digest: &str, user: UserId, now: Timestamp) -> Result<OrgId> {
        let mut tx = self.begin_write().await?;
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
        self.forget_people_and_catalog();
        Ok(org)
    }

    async fn budget_usage(
        &self,
        org: OrgId,
        member: UserId,
        period_start: Timestamp,
    ) -> Result<(Credits, i64)> {
        let row = sqlx::query(
            "SELECT credits, sessions FROM budget_usage \
             WHERE org_id = $1 AND member_id = $2 AND period_start = $3",
        )
        .bind(org.0)
        .bind(member.0)
        .bind(period_start.as_second())
        .fetch_optional(self.reader())
        .await?;
        match row {
            Some(r) => Ok((r.try_get("credits")?, r.try_get("sessions")?)),
            None => Ok((0, 0)),
        }
    }

    async fn request_funding(
        &self,
        org: OrgId,
        credits: Credits,
        reference: &str,
        by: UserId,
        now: Timestamp,
    ) -> Result<FundingRecord> {
        let row = sqlx::query(
            "INSERT INTO budget_fundings (org_id, credits, reference, state, created_by, \
             created_at) VALUES ($1, $2, $3, 'pending', $4, $5) \
             RETURNING id, org_id, credits, reference, paid_at, created_at",
        )
        .bind(org.0)
        .bind(credits)
        .bind(reference.to_string())
        .bind(by.0)
        .bind(now.as_second())
        .fetch_one(self.writer())
        .await?;
        funding_row(&row)
    }

    async fn fundings(&self, org: Option<OrgId>) -> Result<Vec<FundingRecord>> {
        const COLUMNS: &str = "SELECT id, org_id, credits, reference, paid_at, created_at \
                               FROM budget_fundings";
        let rows = match org {
            Some(o) => {
                let sql = format!("{COLUMNS} WHERE org_id = $1 ORDER BY id DESC LIMIT 200");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(o.0)
                    .fetch_all(self.reader())
                    .await?
            }
            None => {
                let sql = format!("{COLUMNS} WHERE state = 'pending' ORDER BY id LIMIT 200");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .fetch_all(self.reader())
                    .await?
            }
        };
        rows.iter().map(funding_row).collect()
    }

    async fn mark_funding_paid(&self, id: i64, now: Timestamp) -> Result<FundingRecord> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE budget_fundings SET state = 'paid', paid_at = $2 \
             WHERE id = $1 AND state = 'pending' \
             RETURNING id, org_id, credits, reference, paid_at, created_at",
        )
        .bind(id)
        .bind(now.as_second())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            let known: Option<i64> =
                sqlx::query_scalar("SELECT id FROM budget_fundings WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            return Err(match known {
                Some(_) => StoreError::conflict("funding", "this invoice is paid already"),
                None => StoreError::NotFound,
            });
        };
        let funding = funding_row(&row)?;
        let movement = Movement {
            key: format!("funding:{id}"),
            transfers: vec![Transfer {
                from: Account::World,
                to: Account::Budget(funding.org),
                amount: funding.credits,
                kind: TransferKind::Purchase,
            }],
            reference: format!("funding:{id}"),
            money: None,
        };
        if write_movement(&mut tx, self.backend(), &movement, now).await? == Moved::AlreadyDone {
            return Err(StoreError::conflict(
                "funding",
                "this invoice is paid already",
            ));
        }
        tx.commit().await?;
        Ok(funding)
    }

    async fn create_sponsored_booking(
        &self,
        new: &NewBooking,
        key: Option<&IdempotencyKey>,
        admit: Admit<'_>,
        charge: BudgetCharge,
        now: Timestamp,
    ) -> Result<BookingOutcome> {
        self.claim_sponsored(new, key, admit, charge, now).await
    }

    async fn pending_approvals(&self, org: OrgId) -> Result<Vec<ApprovalRow>> {
        approvals::pending(self, org).await
    }

    async fn decide_approval(
        &self,
        org: Option<OrgId>,
        booking: BookingId,
        decision: Approval,
        now: Timestamp,
    ) -> Result<bool> {
        approvals::decide(self, org, booking, decision, now).await
    }

    async fn close_budget_period(
        &self,
        org: OrgId,
        period_start: Timestamp,
        now: Timestamp,
    ) -> Result<Option<Credits>> {
        let mut tx = self.begin_write().await?;
        if !mark_period_closed(&mut tx, org, period_start, now).await? {
            return Ok(None);
        }
        let funded: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(credits), 0) AS BIGINT) FROM budget_fundings \
             WHERE org_id = $1 AND paid_at >= $2",
        )
        .bind(org.0)
        .bind(period_start.as_second())
        .fetch_one(&mut *tx)
        .await?;
        let held: Option<i64> =
            sqlx::query_scalar("SELECT balance FROM ledger_accounts WHERE name = $1")
                .bind(Account::Budget(org).to_string())
                .fetch_optional(&mut *tx)
                .await?;
        let left = (held.unwrap_or(0) - funded).max(0);
        if left > 0 {
            let movement = Movement {
                key: format!("budget-expire:{}:{}", org.0, period_start.as_second()),
                transfers: vec![Transfer {
                    from: Account::Budget(org),
                    to: Account::Expired,
                    amount: left,
                    kind: TransferKind::Expiry,
                }],
                reference: format!("budget:{}", org.0),
                money: None,
            };
            write_movement(&mut tx, self.backend(), &movement, now).await?;
            sqlx::query(
                "UPDATE budget_periods SET expired = $3 WHERE org_id = $1 AND period_start = $2",
            )
            .bind(org.0)
            .bind(period_start.as_second())
            .bind(left)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Some(left))
    }

    async fn budget_statement(
        &self,
        org: OrgId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<StatementLine>> {
        console::statement(self, org, from, to).await
    }

    async fn budget_spend(&self, org: OrgId) -> Result<Vec<SpendRow>> {
        console::spend(self, org).await
    }

    async fn participants(&self, org: OrgId) -> Result<i64> {
        console::participants(self, org).await
    }
}

/// Records `org`'s period from `start` as closed: false if it was already.
async fn mark_period_closed(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    org: OrgId,
    start: Timestamp,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO budget_periods (org_id, period_start, expired, closed_at) \
         VALUES ($1, $2, 0, $3) ON CONFLICT (org_id, period_start) DO NOTHING",
    )
    .bind(org.0)
    .bind(start.as_second())
    .bind(now.as_second())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Makes `user` a member of `org` with `role` (again, if they had left).
async fn upsert_member(
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
async fn grant_sponsor_role(
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

//! `SponsorStore` on SQLite and PostgreSQL: organisations and their budget's rules here;
//! members and invitations (`members.rs`), funding and the end of a period (`funding.rs`),
//! the budget's figures (`console.rs`), approvals (`approvals.rs`) and a budget's hold in a
//! booking's write (`holds.rs`).

mod approvals;
mod console;
mod domains;
mod funding;
pub(crate) mod holds;
mod members;
mod notices;

use super::SqlStore;
use super::bookings::ts;
use crate::StoreError;
use crate::interfaces::{Admit, BookingOutcome, IdempotencyKey, NewBooking, Result};
use crate::sponsor::{
    ApprovalRow, BudgetCharge, BudgetHoldInfo, DomainRecord, FundingRecord, InviteRecord,
    Membership, NewDomain, NewInvite, OrgRecord, SpendRow, SponsorStore, StatementLine,
};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use std::collections::BTreeSet;
use stint_domain::booking::BookingId;
use stint_domain::ids::{OrgId, SkuId, UserId};
use stint_domain::ledger::Credits;
use stint_domain::sponsor::{Approval, BudgetRules, Leftover, OrgRole, Period};

pub(super) fn broken(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("sponsor: unknown {what} {value:?}").into())
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
        // One organisation's session types when one was asked for (every booking paid by a
        // budget asks), not the whole table.
        let skus_sql = match id {
            Some(_) => "SELECT org_id, sku_id FROM budget_skus WHERE org_id = $1",
            None => "SELECT org_id, sku_id FROM budget_skus",
        };
        let mut skus_query = sqlx::query(skus_sql);
        if let Some(id) = id {
            skus_query = skus_query.bind(id);
        }
        let mut skus = skus_query
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
        members::grant_sponsor_role(&mut tx, admin).await?;
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
        funding::mark_period_closed(&mut tx, org, rules.period.start(now), now).await?;
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
        members::memberships_of(self, user).await
    }

    async fn members(&self, org: OrgId) -> Result<Vec<Membership>> {
        members::members(self, org).await
    }

    async fn add_member(
        &self,
        org: OrgId,
        user: UserId,
        role: OrgRole,
        now: Timestamp,
    ) -> Result<()> {
        members::add_member(self, org, user, role, now).await
    }

    async fn set_sharing(
        &self,
        org: OrgId,
        user: UserId,
        sharing: &stint_domain::access::Sharing,
        now: Timestamp,
    ) -> Result<bool> {
        members::set_sharing(self, org, user, sharing, now).await
    }

    async fn leave_org(&self, org: OrgId, user: UserId, now: Timestamp) -> Result<bool> {
        members::leave_org(self, org, user, now).await
    }

    async fn create_invite(&self, invite: &NewInvite<'_>, now: Timestamp) -> Result<InviteRecord> {
        members::create_invite(self, invite, now).await
    }

    async fn invites(&self, org: OrgId) -> Result<Vec<InviteRecord>> {
        members::invites(self, org).await
    }

    async fn reissue_invite(
        &self,
        id: i64,
        digest: &str,
        now: Timestamp,
    ) -> Result<Option<(InviteRecord, String)>> {
        members::reissue_invite(self, id, digest, now).await
    }

    async fn accept_invite(&self, digest: &str, user: UserId, now: Timestamp) -> Result<OrgId> {
        members::accept_invite(self, digest, user, now).await
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
        funding::request_funding(self, org, credits, reference, by, None, now).await
    }

    async fn fundings(&self, org: Option<OrgId>) -> Result<Vec<FundingRecord>> {
        funding::fundings(self, org).await
    }

    async fn mark_funding_paid(&self, id: i64, now: Timestamp) -> Result<FundingRecord> {
        funding::mark_funding_paid(self, id, "invoice", now).await
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
        funding::close_budget_period(self, org, period_start, now).await
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

    async fn request_domain(&self, new: &NewDomain<'_>, now: Timestamp) -> Result<DomainRecord> {
        domains::request_domain(self, new, now).await
    }

    async fn domains(&self, org: OrgId) -> Result<Vec<DomainRecord>> {
        domains::domains(self, org).await
    }

    async fn verified_domain(&self, domain: &str) -> Result<Option<OrgId>> {
        domains::verified_domain(self, domain).await
    }

    async fn reissue_domain_link(
        &self,
        id: i64,
        digest: &str,
        now: Timestamp,
    ) -> Result<Option<(DomainRecord, String)>> {
        domains::reissue_domain_link(self, id, digest, now).await
    }

    async fn domain_request(
        &self,
        digest: &str,
        now: Timestamp,
    ) -> Result<Option<(DomainRecord, String)>> {
        domains::domain_request(self, digest, now).await
    }

    async fn verify_domain(&self, digest: &str, now: Timestamp) -> Result<(DomainRecord, u64)> {
        domains::verify_domain(self, digest, now).await
    }

    async fn remove_domain(&self, org: OrgId, id: i64, now: Timestamp) -> Result<bool> {
        domains::remove_domain(self, org, id, now).await
    }

    async fn join_by_domain(
        &self,
        user: UserId,
        domain: &str,
        now: Timestamp,
    ) -> Result<Option<OrgId>> {
        domains::join_by_domain(self, user, domain, now).await
    }

    async fn open_notice(
        &self,
        org: OrgId,
        notice: &str,
        detail: Option<&str>,
        job: Option<&crate::NewJob>,
        now: Timestamp,
    ) -> Result<bool> {
        notices::open_notice(self, org, notice, detail, job, now).await
    }

    async fn latest_notice(
        &self,
        org: OrgId,
        prefix: &str,
    ) -> Result<Option<(String, Option<String>, Timestamp)>> {
        notices::latest_notice(self, org, prefix).await
    }

    async fn participant_ids(&self, org: OrgId, before: Timestamp) -> Result<Vec<UserId>> {
        notices::participant_ids(self, org, before).await
    }

    async fn budget_hold_of(&self, booking: BookingId) -> Result<Option<BudgetHoldInfo>> {
        notices::budget_hold_of(self, booking).await
    }

    async fn request_card_funding(
        &self,
        org: OrgId,
        credits: Credits,
        reference: &str,
        by: UserId,
        price_minor: i64,
        currency: &str,
        now: Timestamp,
    ) -> Result<FundingRecord> {
        let card = Some((price_minor, currency));
        funding::request_funding(self, org, credits, reference, by, card, now).await
    }

    async fn mark_card_funding_paid(&self, id: i64, now: Timestamp) -> Result<FundingRecord> {
        funding::mark_funding_paid(self, id, "stripe", now).await
    }

    async fn funding(&self, id: i64) -> Result<Option<FundingRecord>> {
        funding::funding(self, id).await
    }
}

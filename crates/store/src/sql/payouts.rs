//! `PayoutStore` on SQLite and PostgreSQL: a run is one write transaction of ledger movements
//! (`write_movement`, which refuses to take more than an earnings account holds) and the rows
//! its CSV is read from.

use super::SqlStore;
use super::bookings::ts;
use super::ledger::write_movement;
use crate::StoreError;
use crate::interfaces::Result;
use crate::ledger::{Moved, Movement};
use crate::payouts::{EarningsEntry, Owed, PayoutRecord, PayoutRun, PayoutStore};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use stint_domain::FieldErrors;
use stint_domain::ids::UserId;
use stint_domain::ledger::{Account, Transfer, TransferKind};

fn run_row(row: &AnyRow) -> Result<PayoutRun> {
    Ok(PayoutRun {
        id: row.try_get("id")?,
        operator: UserId(row.try_get("operator_id")?),
        total: row.try_get("total")?,
        payouts: row.try_get("payouts")?,
        at: ts(row.try_get("created_at")?)?,
    })
}

const RUNS: &str = "SELECT r.id, r.operator_id, r.total, r.created_at, \
    (SELECT COUNT(*) FROM payouts p WHERE p.run_id = r.id) AS payouts FROM payout_runs r";

#[async_trait]
impl PayoutStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn owed(&self) -> Result<Vec<Owed>> {
        let rows = sqlx::query(
            "SELECT name, balance FROM ledger_accounts WHERE name LIKE 'earnings:%' AND balance > 0",
        )
        .fetch_all(self.reader())
        .await?;
        let mut owed = Vec::with_capacity(rows.len());
        for row in rows {
            let name: String = row.try_get("name")?;
            if let Ok(Account::Earnings(mentor)) = Account::parse(&name) {
                owed.push(Owed {
                    mentor,
                    credits: row.try_get("balance")?,
                });
            }
        }
        owed.sort_by_key(|o| o.mentor.0);
        Ok(owed)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn run_payouts(
        &self,
        operator: UserId,
        payouts: &[Owed],
        now: Timestamp,
    ) -> Result<PayoutRun> {
        let mut seen = std::collections::HashSet::new();
        for p in payouts {
            if p.credits <= 0 {
                return Err(StoreError::Invalid(FieldErrors::single(
                    "credits",
                    "a payout is at least 1 credit",
                )));
            }
            if !seen.insert(p.mentor) {
                return Err(StoreError::Invalid(FieldErrors::single(
                    "mentor_id",
                    "each mentor is paid once per run",
                )));
            }
        }
        let total: i64 = payouts.iter().map(|p| p.credits).sum();
        let mut tx = self.begin_write().await?;
        let run: i64 = sqlx::query_scalar(
            "INSERT INTO payout_runs (operator_id, total, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(operator.0)
        .bind(total)
        .bind(now.as_second())
        .fetch_one(&mut *tx)
        .await?;
        // Mentors in id order, so two runs lock their accounts in the same order.
        let mut ordered = payouts.to_vec();
        ordered.sort_by_key(|p| p.mentor.0);
        for p in &ordered {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO payouts (run_id, mentor_id, credits, created_at) VALUES ($1, $2, $3, $4) \
                 RETURNING id",
            )
            .bind(run)
            .bind(p.mentor.0)
            .bind(p.credits)
            .bind(now.as_second())
            .fetch_one(&mut *tx)
            .await?;
            let movement = Movement {
                key: format!("payout:{id}"),
                transfers: vec![Transfer {
                    from: Account::Earnings(p.mentor),
                    to: Account::World,
                    amount: p.credits,
                    kind: TransferKind::Payout,
                }],
                reference: format!("payout:{id}"),
                money: None,
            };
            if write_movement(&mut tx, self.backend, &movement, now).await? != Moved::Done {
                return Err(StoreError::Backend("a new payout's key was used".into()));
            }
        }
        tx.commit().await?;
        Ok(PayoutRun {
            id: run,
            operator,
            total,
            payouts: i64::try_from(ordered.len()).unwrap_or(i64::MAX),
            at: now,
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn payout_runs(&self, limit: u32) -> Result<Vec<PayoutRun>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{RUNS} ORDER BY r.id DESC LIMIT $1"
        )))
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(run_row).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn payouts_in(&self, run: i64) -> Result<Vec<PayoutRecord>> {
        let rows = sqlx::query(
            "SELECT id, run_id, mentor_id, credits, created_at FROM payouts WHERE run_id = $1 \
             ORDER BY mentor_id",
        )
        .bind(run)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PayoutRecord {
                    id: row.try_get("id")?,
                    run: row.try_get("run_id")?,
                    mentor: UserId(row.try_get("mentor_id")?),
                    credits: row.try_get("credits")?,
                    at: ts(row.try_get("created_at")?)?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn earnings_entries(&self, mentor: UserId) -> Result<Vec<EarningsEntry>> {
        let name = Account::Earnings(mentor).to_string();
        // The account's own transfers (index walks on from/to), and the fees on the mentor's
        // sessions (their bookings' references).
        let rows = sqlx::query(
            "SELECT id, at, kind, amount, reference FROM ledger_transfers \
                 WHERE to_account = $1 OR from_account = $1 \
             UNION ALL \
             SELECT t.id, t.at, t.kind, t.amount, t.reference FROM bookings b \
                 JOIN ledger_transfers t ON t.reference = 'booking:' || CAST(b.id AS TEXT) \
                 WHERE b.mentor_id = $2 AND t.kind = 'fee' \
             ORDER BY id",
        )
        .bind(name)
        .bind(mentor.0)
        .fetch_all(self.reader())
        .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            let kind: String = row.try_get("kind")?;
            let Some(kind) = TransferKind::parse(&kind) else {
                return Err(StoreError::Backend(
                    format!("ledger: unknown kind {kind:?}").into(),
                ));
            };
            entries.push(EarningsEntry {
                at: ts(row.try_get("at")?)?,
                kind,
                credits: row.try_get("amount")?,
                reference: row.try_get("reference")?,
            });
        }
        Ok(entries)
    }
}

//! `AdjustmentStore` on SQLite and PostgreSQL: each refund or correction is one write
//! transaction that holds the wallet's row first (PostgreSQL), changes its lots, writes the
//! ledger movement and records the adjustment.

use super::SqlStore;
use super::bookings::ts;
use super::ledger::write_movement;
use crate::StoreError;
use crate::adjustments::{AdjustmentKind, AdjustmentRecord, AdjustmentStore};
use crate::interfaces::Result;
use crate::ledger::{Money, Moved, Movement};
use crate::migrations::Backend;
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use stint_domain::FieldErrors;
use stint_domain::ids::UserId;
use stint_domain::ledger::{
    Account, Credits, Lot, Transfer, TransferKind, refund_money, take_first_expiring,
};

fn adjustment_row(row: &AnyRow) -> Result<AdjustmentRecord> {
    let kind: String = row.try_get("kind")?;
    let minor: Option<i64> = row.try_get("money_minor")?;
    let currency: Option<String> = row.try_get("currency")?;
    Ok(AdjustmentRecord {
        id: row.try_get("id")?,
        kind: if kind == "refund" {
            AdjustmentKind::Refund
        } else {
            AdjustmentKind::Correction
        },
        operator: UserId(row.try_get("operator_id")?),
        user: UserId(row.try_get("user_id")?),
        credits: row.try_get("credits")?,
        purchase: row.try_get("purchase_id")?,
        money: minor
            .zip(currency)
            .map(|(minor, currency)| Money { minor, currency }),
        provider: row.try_get("provider")?,
        reason: row.try_get("reason")?,
        at: ts(row.try_get("created_at")?)?,
    })
}

const COLUMNS: &str = "id, kind, operator_id, user_id, credits, purchase_id, money_minor, \
    currency, reason, created_at, (SELECT p.provider FROM purchases p \
        WHERE p.id = ledger_adjustments.purchase_id) AS provider";

/// Holds `user`'s wallet row for the rest of `tx` (PostgreSQL; SQLite's writer is alone).
async fn hold_wallet(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    user: UserId,
) -> Result<()> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT name FROM ledger_accounts WHERE name = $1 FOR UPDATE")
            .bind(Account::Wallet(user).to_string())
            .fetch_optional(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Records an adjustment and writes its movement, in `tx`.
#[allow(clippy::too_many_arguments)]
async fn record(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    kind: AdjustmentKind,
    (operator, user): (UserId, UserId),
    credits: Credits,
    purchase: Option<i64>,
    money: Option<Money>,
    reason: &str,
    now: Timestamp,
) -> Result<AdjustmentRecord> {
    let sql = format!(
        "INSERT INTO ledger_adjustments (kind, operator_id, user_id, credits, purchase_id, \
         money_minor, currency, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING {COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(kind.as_str())
        .bind(operator.0)
        .bind(user.0)
        .bind(credits)
        .bind(purchase)
        .bind(money.as_ref().map(|m| m.minor))
        .bind(money.as_ref().map(|m| m.currency.clone()))
        .bind(reason.to_string())
        .bind(now.as_second())
        .fetch_one(&mut **tx)
        .await?;
    let adjustment = adjustment_row(&row)?;
    let wallet = Account::Wallet(user);
    let (from, to) = if credits > 0 {
        (Account::World, wallet)
    } else {
        (wallet, Account::World)
    };
    let movement = Movement {
        key: format!("{}:{}", kind.as_str(), adjustment.id),
        transfers: vec![Transfer {
            from,
            to,
            amount: credits.abs(),
            kind: match kind {
                AdjustmentKind::Refund => TransferKind::Refund,
                AdjustmentKind::Correction => TransferKind::Correction,
            },
        }],
        reference: match purchase {
            Some(p) => format!("purchase:{p}"),
            None => format!("correction:{}", adjustment.id),
        },
        money,
    };
    if write_movement(tx, backend, &movement, now).await? != Moved::Done {
        return Err(StoreError::Backend(
            "a new adjustment's key was used".into(),
        ));
    }
    Ok(adjustment)
}

#[async_trait]
impl AdjustmentStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn refund(
        &self,
        operator: UserId,
        purchase: i64,
        credits: Credits,
        reason: &str,
        now: Timestamp,
    ) -> Result<AdjustmentRecord> {
        if credits <= 0 {
            return Err(StoreError::Invalid(FieldErrors::single(
                "credits",
                "must be at least 1",
            )));
        }
        let mut tx = self.begin_write().await?;
        let bought = sqlx::query(
            "SELECT user_id, credits, price_minor, currency, state, provider, provider_ref \
             FROM purchases WHERE id = $1",
        )
        .bind(purchase)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let state: String = bought.try_get("state")?;
        if state != "paid" {
            return Err(StoreError::conflict(
                "purchase",
                format!("a {state} purchase has nothing to refund"),
            ));
        }
        let user = UserId(bought.try_get("user_id")?);
        hold_wallet(&mut tx, self.backend, user).await?;
        let left: i64 =
            sqlx::query_scalar("SELECT remaining FROM credit_lots WHERE purchase_id = $1")
                .bind(purchase)
                .fetch_optional(&mut *tx)
                .await?
                .unwrap_or(0);
        if credits > left {
            return Err(StoreError::Invalid(FieldErrors::single(
                "credits",
                format!("is more than the {left} credits of this purchase left unspent"),
            )));
        }
        let refunded: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(-credits), 0) AS BIGINT) FROM ledger_adjustments \
             WHERE purchase_id = $1",
        )
        .bind(purchase)
        .fetch_optional(&mut *tx)
        .await?;
        let bought_credits: i64 = bought.try_get("credits")?;
        let money = Money {
            minor: refund_money(
                bought.try_get("price_minor")?,
                bought_credits,
                refunded.unwrap_or(0),
                credits,
            ),
            currency: bought.try_get("currency")?,
        };
        sqlx::query("UPDATE credit_lots SET remaining = remaining - $2 WHERE purchase_id = $1")
            .bind(purchase)
            .bind(credits)
            .execute(&mut *tx)
            .await?;
        let minor = money.minor;
        let done = record(
            &mut tx,
            self.backend,
            AdjustmentKind::Refund,
            (operator, user),
            -credits,
            Some(purchase),
            Some(money),
            reason,
            now,
        )
        .await?;
        let provider: String = bought.try_get("provider")?;
        if provider == "stripe" && minor > 0 {
            let job = crate::outbox::ProviderRefund {
                adjustment: done.id,
                provider,
                payment: bought.try_get("provider_ref")?,
                amount_minor: minor,
            };
            super::outbox::provider_refund(&mut tx, &job, now).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn correct(
        &self,
        operator: UserId,
        user: UserId,
        credits: Credits,
        reason: &str,
        now: Timestamp,
    ) -> Result<AdjustmentRecord> {
        if credits == 0 {
            return Err(StoreError::Invalid(FieldErrors::single(
                "credits",
                "must not be 0: positive gives credits, negative takes them",
            )));
        }
        let mut tx = self.begin_write().await?;
        hold_wallet(&mut tx, self.backend, user).await?;
        if credits > 0 {
            sqlx::query(
                "INSERT INTO credit_lots (user_id, purchase_id, credits, remaining, expires_at, \
                 created_at) VALUES ($1, NULL, $2, $2, NULL, $3)",
            )
            .bind(user.0)
            .bind(credits)
            .bind(now.as_second())
            .execute(&mut *tx)
            .await?;
        } else {
            let rows = sqlx::query(
                "SELECT id, remaining, expires_at FROM credit_lots WHERE user_id = $1 AND remaining > 0",
            )
            .bind(user.0)
            .fetch_all(&mut *tx)
            .await?;
            let mut lots = Vec::with_capacity(rows.len());
            for row in rows {
                let expires: Option<i64> = row.try_get("expires_at")?;
                lots.push(Lot {
                    id: row.try_get("id")?,
                    remaining: row.try_get("remaining")?,
                    expires_at: expires.map(ts).transpose()?,
                });
            }
            let held: Credits = lots.iter().map(|l| l.remaining).sum();
            // Every lot counts, expired or not: the lots that expire first go first.
            let Some(takes) = take_first_expiring(&lots, -credits, Timestamp::MIN) else {
                return Err(StoreError::Insufficient {
                    account: Account::Wallet(user).to_string(),
                    balance: held,
                    needed: -credits,
                });
            };
            for take in takes {
                sqlx::query("UPDATE credit_lots SET remaining = remaining - $2 WHERE id = $1")
                    .bind(take.lot)
                    .bind(take.amount)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let done = record(
            &mut tx,
            self.backend,
            AdjustmentKind::Correction,
            (operator, user),
            credits,
            None,
            None,
            reason,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(done)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn adjustments(&self, limit: u32) -> Result<Vec<AdjustmentRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM ledger_adjustments ORDER BY id DESC LIMIT $1");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(adjustment_row).collect()
    }
}

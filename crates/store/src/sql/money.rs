//! `MoneyStore` on SQLite and PostgreSQL.

use super::SqlStore;
use super::bookings::ts;
use super::ledger::write_movement;
use crate::StoreError;
use crate::interfaces::Result;
use crate::ledger::{Money, Moved, Movement};
use crate::migrations::Backend;
use crate::money::{
    ExpiredLot, LotRecord, MoneyStore, PackRecord, Paid, PurchaseRecord, PurchaseState,
};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use stint_domain::ids::UserId;
use stint_domain::ledger::{Account, Pack, Transfer, TransferKind, lot_expiry};

const PACK_COLUMNS: &str = "id, name, credits, price_minor, currency, months_valid, active";
const PURCHASE_SELECT: &str = "SELECT p.id, p.user_id, p.pack_id, k.name AS pack_name, \
    p.credits, p.price_minor, p.currency, p.months_valid, p.provider, p.provider_ref, p.state, \
    p.created_at, p.paid_at FROM purchases p JOIN credit_packs k ON k.id = p.pack_id";

fn months(v: Option<i64>) -> Option<u32> {
    v.and_then(|m| u32::try_from(m).ok())
}

fn pack_row(row: &AnyRow) -> Result<PackRecord> {
    Ok(PackRecord {
        id: row.try_get("id")?,
        pack: Pack {
            name: row.try_get("name")?,
            credits: row.try_get("credits")?,
            price_minor: row.try_get("price_minor")?,
            currency: row.try_get("currency")?,
            months_valid: months(row.try_get("months_valid")?),
            active: row.try_get::<i32, _>("active")? == 1,
        },
    })
}

fn purchase_row(row: &AnyRow) -> Result<PurchaseRecord> {
    let state: String = row.try_get("state")?;
    Ok(PurchaseRecord {
        id: row.try_get("id")?,
        user: UserId(row.try_get("user_id")?),
        pack_id: row.try_get("pack_id")?,
        pack_name: row.try_get("pack_name")?,
        credits: row.try_get("credits")?,
        price_minor: row.try_get("price_minor")?,
        currency: row.try_get("currency")?,
        months_valid: months(row.try_get("months_valid")?),
        provider: row.try_get("provider")?,
        provider_ref: row.try_get("provider_ref")?,
        state: PurchaseState::parse(&state)
            .ok_or_else(|| StoreError::Backend(format!("purchase state {state:?}").into()))?,
        created_at: ts(row.try_get("created_at")?)?,
        paid_at: row
            .try_get::<Option<i64>, _>("paid_at")?
            .map(ts)
            .transpose()?,
    })
}

#[async_trait]
impl MoneyStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn queue_expiry_warnings(
        &self,
        now: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> Result<Vec<i64>> {
        let mut tx = self.begin_write().await?;
        let lock = if self.backend == Backend::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "SELECT id FROM credit_lots WHERE remaining > 0 AND warned_at IS NULL \
             AND expires_at > $1 AND expires_at <= $2 ORDER BY expires_at, id LIMIT $3{lock}"
        );
        let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(now.as_second())
            .bind(until.as_second())
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        for id in &ids {
            sqlx::query("UPDATE credit_lots SET warned_at = $2 WHERE id = $1")
                .bind(id)
                .bind(now.as_second())
                .execute(&mut *tx)
                .await?;
            let payload = serde_json::to_string(&crate::money::ExpiryWarning { lot: *id })
                .map_err(|e| StoreError::Backend(e.into()))?;
            sqlx::query(
                "INSERT INTO jobs (kind, payload, dedupe_key, state, due_at, attempts, \
                 max_attempts, created_at, updated_at) VALUES ($1, $2, NULL, 'queued', $3, 0, 12, $3, $3)",
            )
            .bind(crate::money::EXPIRY_WARNING_MAIL)
            .bind(payload)
            .bind(now.as_second())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(ids)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn lot(&self, id: i64) -> Result<Option<(LotRecord, UserId)>> {
        let row = sqlx::query(
            "SELECT id, user_id, purchase_id, credits, remaining, expires_at, created_at \
             FROM credit_lots WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires: Option<i64> = row.try_get("expires_at")?;
        Ok(Some((
            LotRecord {
                id: row.try_get("id")?,
                purchase_id: row.try_get("purchase_id")?,
                credits: row.try_get("credits")?,
                remaining: row.try_get("remaining")?,
                expires_at: expires.map(ts).transpose()?,
                created_at: ts(row.try_get("created_at")?)?,
            },
            UserId(row.try_get("user_id")?),
        )))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn expire_lots(&self, now: Timestamp, limit: u32) -> Result<Vec<ExpiredLot>> {
        let due: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM credit_lots WHERE expires_at <= $1 AND remaining > 0 \
             ORDER BY expires_at, id LIMIT $2",
        )
        .bind(now.as_second())
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        let mut expired = Vec::new();
        for id in due {
            let mut tx = self.begin_write().await?;
            // Read again inside the write (and, on PostgreSQL, lock the row): another worker
            // may have expired it meanwhile.
            let lock = if self.backend == Backend::Postgres {
                " FOR UPDATE"
            } else {
                ""
            };
            let sql = format!(
                "SELECT user_id, remaining FROM credit_lots \
                 WHERE id = $1 AND remaining > 0 AND expires_at <= $2{lock}"
            );
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .bind(now.as_second())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else { continue };
            let user = UserId(row.try_get("user_id")?);
            let remaining: i64 = row.try_get("remaining")?;
            let wallet = Account::Wallet(user);
            let balance: i64 =
                sqlx::query_scalar("SELECT balance FROM ledger_accounts WHERE name = $1")
                    .bind(wallet.to_string())
                    .fetch_optional(&mut *tx)
                    .await?
                    .unwrap_or(0);
            // Never more than the wallet holds: what a lot lends to a hold is not its to lose.
            let credits = remaining.min(balance);
            if credits > 0 {
                // A lot can expire more than once: credits a released hold gives back to an
                // expired lot expire again. Each time is its own movement, numbered (the lot
                // is held, so the count cannot change under us).
                let before: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM ledger_transfers WHERE reference = $1 AND kind = 'expiry'",
                )
                .bind(format!("lot:{id}"))
                .fetch_one(&mut *tx)
                .await?;
                let movement = Movement {
                    key: format!("expiry:lot:{id}:{}", before + 1),
                    transfers: vec![Transfer {
                        from: wallet,
                        to: Account::Expired,
                        amount: credits,
                        kind: TransferKind::Expiry,
                    }],
                    reference: format!("lot:{id}"),
                    money: None,
                };
                if write_movement(&mut tx, self.backend, &movement, now).await? != Moved::Done {
                    return Err(StoreError::Backend(
                        "an expiry's movement key was used already".into(),
                    ));
                }
            }
            sqlx::query("UPDATE credit_lots SET remaining = 0 WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            expired.push(ExpiredLot {
                lot: id,
                user,
                credits,
            });
        }
        Ok(expired)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_pack(&self, pack: &Pack, now: Timestamp) -> Result<PackRecord> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO credit_packs (name, credits, price_minor, currency, months_valid, active, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(pack.name.clone())
        .bind(pack.credits)
        .bind(pack.price_minor)
        .bind(pack.currency.clone())
        .bind(pack.months_valid.map(i64::from))
        .bind(i32::from(pack.active))
        .bind(now.as_second())
        .fetch_one(self.writer())
        .await?;
        Ok(PackRecord {
            id,
            pack: pack.clone(),
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_pack(&self, id: i64, pack: &Pack, now: Timestamp) -> Result<PackRecord> {
        let done = sqlx::query(
            "UPDATE credit_packs SET name = $1, credits = $2, price_minor = $3, currency = $4, \
             months_valid = $5, active = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(pack.name.clone())
        .bind(pack.credits)
        .bind(pack.price_minor)
        .bind(pack.currency.clone())
        .bind(pack.months_valid.map(i64::from))
        .bind(i32::from(pack.active))
        .bind(now.as_second())
        .bind(id)
        .execute(self.writer())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(PackRecord {
            id,
            pack: pack.clone(),
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn pack(&self, id: i64) -> Result<Option<PackRecord>> {
        let sql = format!("SELECT {PACK_COLUMNS} FROM credit_packs WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(pack_row).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn packs(&self, inactive_too: bool) -> Result<Vec<PackRecord>> {
        let filter = if inactive_too { "" } else { "WHERE active = 1" };
        let sql = format!(
            "SELECT {PACK_COLUMNS} FROM credit_packs {filter} ORDER BY currency, \
             CAST(price_minor AS DOUBLE PRECISION) / credits, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(pack_row).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_purchase(
        &self,
        user: UserId,
        pack: &PackRecord,
        provider: &str,
        now: Timestamp,
    ) -> Result<PurchaseRecord> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO purchases (user_id, pack_id, credits, price_minor, currency, \
             months_valid, provider, state, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8) RETURNING id",
        )
        .bind(user.0)
        .bind(pack.id)
        .bind(pack.pack.credits)
        .bind(pack.pack.price_minor)
        .bind(pack.pack.currency.clone())
        .bind(pack.pack.months_valid.map(i64::from))
        .bind(provider.to_string())
        .bind(now.as_second())
        .fetch_one(self.writer())
        .await?;
        Ok(PurchaseRecord {
            id,
            user,
            pack_id: pack.id,
            pack_name: pack.pack.name.clone(),
            credits: pack.pack.credits,
            price_minor: pack.pack.price_minor,
            currency: pack.pack.currency.clone(),
            months_valid: pack.pack.months_valid,
            provider: provider.to_string(),
            provider_ref: String::new(),
            state: PurchaseState::Pending,
            created_at: now,
            paid_at: None,
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn purchase(&self, id: i64) -> Result<Option<PurchaseRecord>> {
        let sql = format!("{PURCHASE_SELECT} WHERE p.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.writer())
            .await?;
        row.as_ref().map(purchase_row).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn purchases_of(&self, user: UserId, limit: u32) -> Result<Vec<PurchaseRecord>> {
        let sql = format!("{PURCHASE_SELECT} WHERE p.user_id = $1 ORDER BY p.id DESC LIMIT $2");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user.0)
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(purchase_row).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn purchases_in(
        &self,
        state: PurchaseState,
        provider: &str,
        limit: u32,
    ) -> Result<Vec<PurchaseRecord>> {
        let sql = format!(
            "{PURCHASE_SELECT} WHERE p.state = $1 AND p.provider = $2 ORDER BY p.id LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(state.as_str())
            .bind(provider.to_string())
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(purchase_row).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_purchase_paid(
        &self,
        id: i64,
        provider_ref: &str,
        now: Timestamp,
    ) -> Result<Paid> {
        let mut tx = self.begin_write().await?;
        // Of two marks at once, one moves the state; the other finds it paid.
        let moved = sqlx::query(
            "UPDATE purchases SET state = 'paid', paid_at = $1, \
             provider_ref = CASE WHEN $2 = '' THEN provider_ref ELSE $2 END \
             WHERE id = $3 AND state = 'pending'",
        )
        .bind(now.as_second())
        .bind(provider_ref.to_string())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let sql = format!("{PURCHASE_SELECT} WHERE p.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(purchase) = row.as_ref().map(purchase_row).transpose()? else {
            return Err(StoreError::NotFound);
        };
        if moved.rows_affected() == 0 {
            return match purchase.state {
                PurchaseState::Paid => Ok(Paid::Already(purchase)),
                _ => Err(StoreError::conflict(
                    "state",
                    "this purchase was cancelled and cannot be paid",
                )),
            };
        }
        let movement = Movement {
            key: format!("purchase:{id}"),
            transfers: vec![Transfer {
                from: Account::World,
                to: Account::Wallet(purchase.user),
                amount: purchase.credits,
                kind: TransferKind::Purchase,
            }],
            reference: format!("purchase:{id}"),
            money: Some(Money {
                minor: purchase.price_minor,
                currency: purchase.currency.clone(),
            }),
        };
        write_movement(&mut tx, self.backend, &movement, now).await?;
        sqlx::query(
            "INSERT INTO credit_lots (user_id, purchase_id, credits, remaining, expires_at, \
             created_at) VALUES ($1, $2, $3, $3, $4, $5)",
        )
        .bind(purchase.user.0)
        .bind(id)
        .bind(purchase.credits)
        .bind(lot_expiry(now, purchase.months_valid).map(|t| t.as_second()))
        .bind(now.as_second())
        .execute(&mut *tx)
        .await?;
        super::outbox::receipt_mail(&mut tx, id, now).await?;
        tx.commit().await?;
        Ok(Paid::Now(purchase))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn payment_event_seen(&self, provider: &str, event_id: &str) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM payment_events WHERE provider = $1 AND event_id = $2",
        )
        .bind(provider.to_string())
        .bind(event_id.to_string())
        .fetch_optional(self.reader())
        .await?;
        Ok(found.is_some())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn record_payment_event(
        &self,
        provider: &str,
        event_id: &str,
        kind: &str,
        purchase: Option<i64>,
        now: Timestamp,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "INSERT INTO payment_events (provider, event_id, kind, purchase_id, received_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(provider.to_string())
        .bind(event_id.to_string())
        .bind(kind.to_string())
        .bind(purchase)
        .bind(now.as_second())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn lots_of(&self, user: UserId) -> Result<Vec<LotRecord>> {
        let rows = sqlx::query(
            "SELECT id, purchase_id, credits, remaining, expires_at, created_at FROM credit_lots \
             WHERE user_id = $1 AND remaining > 0 \
             ORDER BY CASE WHEN expires_at IS NULL THEN 1 ELSE 0 END, expires_at, id",
        )
        .bind(user.0)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LotRecord {
                    id: row.try_get("id")?,
                    purchase_id: row.try_get("purchase_id")?,
                    credits: row.try_get("credits")?,
                    remaining: row.try_get("remaining")?,
                    expires_at: row
                        .try_get::<Option<i64>, _>("expires_at")?
                        .map(ts)
                        .transpose()?,
                    created_at: ts(row.try_get("created_at")?)?,
                })
            })
            .collect()
    }
}

//! `LedgerStore` on SQLite and PostgreSQL. A movement is one write transaction: its accounts'
//! rows are made if new and (PostgreSQL) locked in name order, so two movements never
//! deadlock; each transfer takes its amount from an account only if the balance allows it,
//! and the CHECK on `ledger_accounts` would refuse a negative balance even if it did not.

use super::SqlStore;
use super::bookings::ts;
use crate::StoreError;
use crate::error::is_unique_violation;
use crate::interfaces::Result;
use crate::ledger::{Entry, LedgerStore, Money, Moved, Movement, TransferRow};
use crate::migrations::Backend;
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::{Any, Row, Transaction};
use stint_domain::FieldErrors;
use stint_domain::ledger::{Account, Credits, TransferKind};

fn invalid(message: String) -> StoreError {
    StoreError::Invalid(FieldErrors::single("amount", message))
}

/// A stored value that is not one of the ledger's.
fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("ledger: unknown {what} {value:?}").into())
}

#[async_trait]
impl LedgerStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn ledger_transfers_after(&self, after: i64, limit: u32) -> Result<Vec<TransferRow>> {
        let rows = sqlx::query(
            "SELECT id, at, movement, seq, from_account, to_account, amount, kind, reference, \
             money_minor, currency FROM ledger_transfers WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|row| {
                let minor: Option<i64> = row.try_get("money_minor")?;
                let currency: Option<String> = row.try_get("currency")?;
                Ok(TransferRow {
                    id: row.try_get("id")?,
                    at: ts(row.try_get("at")?)?,
                    movement: row.try_get("movement")?,
                    seq: row.try_get("seq")?,
                    from: row.try_get("from_account")?,
                    to: row.try_get("to_account")?,
                    amount: row.try_get("amount")?,
                    kind: row.try_get("kind")?,
                    reference: row.try_get("reference")?,
                    money: minor
                        .zip(currency)
                        .map(|(minor, currency)| Money { minor, currency }),
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn move_credits(&self, movement: &Movement, now: Timestamp) -> Result<Moved> {
        let mut tx = self.begin_write().await?;
        let moved = write_movement(&mut tx, self.backend, movement, now).await?;
        if moved == Moved::Done {
            tx.commit().await?;
        }
        Ok(moved)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn ledger_balance(&self, account: Account) -> Result<Credits> {
        let balance: Option<i64> =
            sqlx::query_scalar("SELECT balance FROM ledger_accounts WHERE name = $1")
                .bind(account.to_string())
                .fetch_optional(self.reader())
                .await?;
        Ok(balance.unwrap_or(0))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn ledger_entries(
        &self,
        account: Account,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Entry>> {
        let name = account.to_string();
        let before = before.unwrap_or(i64::MAX);
        let mut tx = self.reader().begin().await?;
        // One snapshot for the balance and the entries, so the running balance is exact. An
        // older page starts from the balance before the entries newer than it.
        let balance: Option<i64> = sqlx::query_scalar(
            "SELECT balance \
                - CAST(COALESCE((SELECT SUM(amount) FROM ledger_transfers \
                    WHERE to_account = $1 AND id >= $2), 0) AS BIGINT) \
                + CAST(COALESCE((SELECT SUM(amount) FROM ledger_transfers \
                    WHERE from_account = $1 AND id >= $2), 0) AS BIGINT) \
             FROM ledger_accounts WHERE name = $1",
        )
        .bind(name.clone())
        .bind(before)
        .fetch_optional(&mut *tx)
        .await?;
        // Each side walks its own index newest first; only `limit` rows of each are read.
        let rows = sqlx::query(
            "SELECT * FROM (SELECT id, at, kind, from_account, to_account, amount, reference, \
                    money_minor, currency FROM ledger_transfers WHERE from_account = $1 \
                    AND id < $3 ORDER BY id DESC LIMIT $2) AS o \
             UNION ALL \
             SELECT * FROM (SELECT id, at, kind, from_account, to_account, amount, reference, \
                    money_minor, currency FROM ledger_transfers WHERE to_account = $1 \
                    AND id < $3 ORDER BY id DESC LIMIT $2) AS i \
             ORDER BY id DESC LIMIT $2",
        )
        .bind(name.clone())
        .bind(i64::from(limit))
        .bind(before)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut after = balance.unwrap_or(0);
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            let from: String = row.try_get("from_account")?;
            let to: String = row.try_get("to_account")?;
            let amount: i64 = row.try_get("amount")?;
            let (counterpart, signed) = if from == name {
                (to, -amount)
            } else {
                (from, amount)
            };
            let kind: String = row.try_get("kind")?;
            let minor: Option<i64> = row.try_get("money_minor")?;
            let currency: Option<String> = row.try_get("currency")?;
            entries.push(Entry {
                id: row.try_get("id")?,
                at: ts(row.try_get("at")?)?,
                kind: TransferKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
                counterpart: Account::parse(&counterpart)
                    .map_err(|_| corrupt("account", &counterpart))?,
                amount: signed,
                balance: after,
                reference: row.try_get("reference")?,
                money: minor
                    .zip(currency)
                    .map(|(minor, currency)| Money { minor, currency }),
            });
            after -= signed;
        }
        Ok(entries)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn booking_holds(
        &self,
        bookings: &[stint_domain::booking::BookingId],
    ) -> Result<Vec<crate::ledger::HoldRecord>> {
        super::holds::holds_of(self, bookings).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn holding_violations(&self) -> Result<Vec<String>> {
        hold_and_lot_violations(self).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn pay_bonus(
        &self,
        booking: stint_domain::booking::BookingId,
        fee_basis_points: u32,
        now: Timestamp,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let end = super::holds::BonusEnd::Pay { fee_basis_points };
        let paid = super::holds::settle_bonus(&mut tx, self.backend, booking, end, now).await?;
        tx.commit().await?;
        Ok(paid)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn return_due_bonuses(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<stint_domain::booking::BookingId>> {
        let due: Vec<i64> = sqlx::query_scalar(
            "SELECT booking_id FROM booking_charges WHERE bonus_state = 'escrowed' \
             AND bonus_until < $1 ORDER BY bonus_until, booking_id LIMIT $2",
        )
        .bind(now.as_second())
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        let mut returned = Vec::new();
        for id in due {
            let booking = stint_domain::booking::BookingId(id);
            // One transaction each: a bonus confirmed a moment ago is skipped, not undone.
            let mut tx = self.begin_write().await?;
            if super::holds::settle_bonus(
                &mut tx,
                self.backend,
                booking,
                super::holds::BonusEnd::Return,
                now,
            )
            .await?
            {
                returned.push(booking);
            }
            tx.commit().await?;
        }
        Ok(returned)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn ledger_violations(&self) -> Result<Vec<String>> {
        let mut found = Vec::new();
        let rows = sqlx::query(
            "SELECT a.name, a.balance, a.may_go_negative, \
                    CAST(COALESCE(i.s, 0) - COALESCE(o.s, 0) AS BIGINT) AS computed \
             FROM ledger_accounts a \
             LEFT JOIN (SELECT to_account AS n, SUM(amount) AS s FROM ledger_transfers \
                        GROUP BY to_account) i ON i.n = a.name \
             LEFT JOIN (SELECT from_account AS n, SUM(amount) AS s FROM ledger_transfers \
                        GROUP BY from_account) o ON o.n = a.name \
             ORDER BY a.name",
        )
        .fetch_all(self.reader())
        .await?;
        let mut total: i128 = 0;
        for row in rows {
            let name: String = row.try_get("name")?;
            let balance: i64 = row.try_get("balance")?;
            let negative_allowed: i32 = row.try_get("may_go_negative")?;
            let computed: i64 = row.try_get("computed")?;
            total += i128::from(balance);
            match Account::parse(&name) {
                Err(_) => found.push(format!("{name:?} is not a ledger account")),
                Ok(account) => {
                    if account.may_go_negative() != (negative_allowed == 1) {
                        found.push(format!("{name} has the wrong may-go-negative flag"));
                    }
                    if balance < 0 && !account.may_go_negative() {
                        found.push(format!("{name} is negative: {balance}"));
                    }
                }
            }
            if balance != computed {
                found.push(format!(
                    "{name} holds {balance} but its transfers add up to {computed}"
                ));
            }
        }
        if total != 0 {
            found.push(format!("the balances sum to {total}, not 0"));
        }
        let kinds: Vec<String> = sqlx::query_scalar("SELECT DISTINCT kind FROM ledger_transfers")
            .fetch_all(self.reader())
            .await?;
        for kind in kinds {
            if TransferKind::parse(&kind).is_none() {
                found.push(format!("{kind:?} is not a kind of transfer"));
            }
        }
        Ok(found)
    }
}

/// See `LedgerStore::holding_violations`.
async fn hold_and_lot_violations(store: &SqlStore) -> Result<Vec<String>> {
    // One snapshot for every read: a claim that commits between two of them (on a live
    // system, or in a backend still finishing the statement of a process that was killed)
    // would look like a balance out of step by one price.
    let mut tx = match store.backend() {
        Backend::Postgres => {
            store
                .reader()
                .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await?
        }
        Backend::Sqlite => store.reader().begin().await?,
    };
    let mut found = Vec::new();
    let held: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(price), 0) AS BIGINT) FROM booking_charges WHERE state = 'held'",
    )
    .fetch_optional(&mut *tx)
    .await?;
    let in_account: Option<i64> =
        sqlx::query_scalar("SELECT balance FROM ledger_accounts WHERE name = 'held'")
            .fetch_optional(&mut *tx)
            .await?;
    let (held, in_account) = (held.unwrap_or(0), in_account.unwrap_or(0));
    if held != in_account {
        found.push(format!(
            "held holds {in_account} but the open holds add up to {held}"
        ));
    }
    let escrowed: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(bonus), 0) AS BIGINT) FROM booking_charges \
         WHERE bonus_state = 'escrowed'",
    )
    .fetch_optional(&mut *tx)
    .await?;
    let in_escrow: Option<i64> =
        sqlx::query_scalar("SELECT balance FROM ledger_accounts WHERE name = 'bonus_escrow'")
            .fetch_optional(&mut *tx)
            .await?;
    let (escrowed, in_escrow) = (escrowed.unwrap_or(0), in_escrow.unwrap_or(0));
    if escrowed != in_escrow {
        found.push(format!(
            "bonus_escrow holds {in_escrow} but the escrowed bonuses add up to {escrowed}"
        ));
    }
    let stateless: Vec<i64> = sqlx::query_scalar(
        "SELECT booking_id FROM booking_charges \
         WHERE (bonus > 0) <> (bonus_state IS NOT NULL) ORDER BY booking_id LIMIT 20",
    )
    .fetch_all(&mut *tx)
    .await?;
    for booking in stateless {
        found.push(format!(
            "the bonus of booking {booking} and its state disagree"
        ));
    }
    let uneven = sqlx::query(
        "SELECT c.booking_id, c.price + c.bonus AS price, \
                CAST(COALESCE(SUM(h.amount), 0) AS BIGINT) AS taken \
         FROM booking_charges c LEFT JOIN hold_lots h ON h.booking_id = c.booking_id \
         WHERE c.payer LIKE 'wallet:%' \
         GROUP BY c.booking_id, c.price, c.bonus \
         HAVING COALESCE(SUM(h.amount), 0) <> c.price + c.bonus \
         ORDER BY c.booking_id LIMIT 20",
    )
    .fetch_all(&mut *tx)
    .await?;
    for row in uneven {
        let (booking, price, taken): (i64, i64, i64) = (
            row.try_get("booking_id")?,
            row.try_get("price")?,
            row.try_get("taken")?,
        );
        found.push(format!(
            "the hold (and bonus) of booking {booking} is {price} but took {taken} from lots"
        ));
    }
    let unbudgeted: Vec<i64> = sqlx::query_scalar(
        "SELECT c.booking_id FROM booking_charges c \
         LEFT JOIN budget_holds b ON b.booking_id = c.booking_id \
         WHERE c.payer LIKE 'budget:%' \
           AND (b.booking_id IS NULL OR b.credits <> c.price + c.bonus \
                OR c.payer <> 'budget:' || CAST(b.org_id AS TEXT)) \
         ORDER BY c.booking_id LIMIT 20",
    )
    .fetch_all(&mut *tx)
    .await?;
    for booking in unbudgeted {
        found.push(format!(
            "the hold of booking {booking} is paid by a budget that does not count it"
        ));
    }
    let wallets = sqlx::query(
        "SELECT a.name, a.balance, CAST(COALESCE(l.s, 0) AS BIGINT) AS in_lots \
         FROM ledger_accounts a LEFT JOIN (SELECT 'wallet:' || CAST(user_id AS TEXT) AS n, \
              SUM(remaining) AS s FROM credit_lots GROUP BY user_id) l ON l.n = a.name \
         WHERE a.name LIKE 'wallet:%' AND a.balance <> COALESCE(l.s, 0) ORDER BY a.name LIMIT 20",
    )
    .fetch_all(&mut *tx)
    .await?;
    for row in wallets {
        let (name, balance, in_lots): (String, i64, i64) = (
            row.try_get("name")?,
            row.try_get("balance")?,
            row.try_get("in_lots")?,
        );
        found.push(format!(
            "{name} holds {balance} but its lots have {in_lots} left"
        ));
    }
    tx.commit().await?;
    Ok(found)
}

/// Checks `movement` and writes it in `tx`: `AlreadyDone` if its key was used, and then
/// nothing is written; an error leaves `tx` to be rolled back. Other writes of the caller
/// (a purchase marked paid, a booking claimed) share the transaction, so they and the
/// credits happen together or not at all.
pub(crate) async fn write_movement(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    movement: &Movement,
    now: Timestamp,
) -> Result<Moved> {
    if movement.key.is_empty() || movement.key.len() > 200 {
        return Err(invalid(
            "a movement needs a key of 1 to 200 characters".into(),
        ));
    }
    if movement.transfers.is_empty() {
        return Err(invalid("a movement moves something".into()));
    }
    for t in &movement.transfers {
        t.check().map_err(|e| invalid(e.to_string()))?;
    }
    let done: Option<i64> =
        sqlx::query_scalar("SELECT id FROM ledger_transfers WHERE movement = $1 LIMIT 1")
            .bind(movement.key.clone())
            .fetch_optional(&mut **tx)
            .await?;
    if done.is_some() {
        return Ok(Moved::AlreadyDone);
    }
    let mut accounts: Vec<Account> = movement
        .transfers
        .iter()
        .flat_map(|t| [t.from, t.to])
        .collect();
    accounts.sort_by_key(|a| a.to_string());
    accounts.dedup();
    for account in &accounts {
        sqlx::query(
            "INSERT INTO ledger_accounts (name, balance, may_go_negative) VALUES ($1, 0, $2) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(account.to_string())
        .bind(i32::from(account.may_go_negative()))
        .execute(&mut **tx)
        .await?;
        if backend == Backend::Postgres {
            sqlx::query("SELECT name FROM ledger_accounts WHERE name = $1 FOR UPDATE")
                .bind(account.to_string())
                .fetch_one(&mut **tx)
                .await?;
        }
    }
    for (seq, t) in movement.transfers.iter().enumerate() {
        let taken = sqlx::query(
            "UPDATE ledger_accounts SET balance = balance - $2, version = version + 1 \
             WHERE name = $1 AND (may_go_negative = 1 OR balance >= $2)",
        )
        .bind(t.from.to_string())
        .bind(t.amount)
        .execute(&mut **tx)
        .await?;
        if taken.rows_affected() == 0 {
            let balance: i64 =
                sqlx::query_scalar("SELECT balance FROM ledger_accounts WHERE name = $1")
                    .bind(t.from.to_string())
                    .fetch_one(&mut **tx)
                    .await?;
            return Err(StoreError::Insufficient {
                account: t.from.to_string(),
                balance,
                needed: t.amount,
            });
        }
        sqlx::query(
            "UPDATE ledger_accounts SET balance = balance + $2, version = version + 1 WHERE name = $1",
        )
            .bind(t.to.to_string())
            .bind(t.amount)
            .execute(&mut **tx)
            .await?;
        let money = movement.money.as_ref().filter(|_| seq == 0);
        let inserted = sqlx::query(
            "INSERT INTO ledger_transfers (movement, seq, from_account, to_account, amount, \
             kind, reference, money_minor, currency, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(movement.key.clone())
        .bind(i64::try_from(seq).unwrap_or(i64::MAX))
        .bind(t.from.to_string())
        .bind(t.to.to_string())
        .bind(t.amount)
        .bind(t.kind.as_str())
        .bind(movement.reference.clone())
        .bind(money.map(|m| m.minor))
        .bind(money.map(|m| m.currency.clone()))
        .bind(now.as_second())
        .execute(&mut **tx)
        .await;
        match inserted {
            Ok(_) => {}
            // The same movement, written meanwhile by another request.
            Err(e) if is_unique_violation(&e) => return Ok(Moved::AlreadyDone),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Moved::Done)
}

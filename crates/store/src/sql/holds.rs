//! Ending a booking's hold inside the transaction that changes the booking (cancel, no-show,
//! close): the hold's state leaves `held` once, its price leaves `held` as the domain's
//! `HoldEnd` divides it (one movement, key `hold-end:<booking>`), and what goes back to the
//! payer returns to the lots it came from, the latest to expire first. The outcome bonus
//! escrowed beside it goes back in the same movement if the session did not take place; if
//! it did, its window opens, and it is paid or returned later, once (`bonus-end:<booking>`).

use super::bookings::ts;
use super::ledger::write_movement;
use super::sponsor::holds::give_back_usage;
use crate::StoreError;
use crate::interfaces::Result;
use crate::ledger::HoldRecord;
use crate::ledger::Movement;
use crate::migrations::Backend;
use jiff::Timestamp;
use sqlx::{Any, Row, Transaction};
use stint_domain::booking::BookingId;
use stint_domain::ids::UserId;
use stint_domain::ledger::bonus::{self, BonusState};
use stint_domain::ledger::{Account, HoldEnd, HoldState, Lot, restore_to_lots};

/// Ends `booking`'s hold as `end` says, in `tx`; a booking without a hold (free, or made
/// before credits) has nothing to end.
pub(crate) async fn end_hold(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    booking: BookingId,
    mentor: UserId,
    end: HoldEnd,
    now: Timestamp,
) -> Result<()> {
    let ended = sqlx::query(
        "UPDATE booking_charges SET state = $2, ended_at = $3 WHERE booking_id = $1 AND state = 'held' \
         RETURNING payer, price, bonus, bonus_state",
    )
    .bind(booking.0)
    .bind(end.state().as_str())
    .bind(now.as_second())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = ended else {
        return Ok(());
    };
    let payer_account = payer_account(&row.try_get::<String, _>("payer")?)?;
    let price: i64 = row.try_get("price")?;
    let escrowed = row.try_get::<Option<String>, _>("bonus_state")?.as_deref()
        == Some(BonusState::Escrowed.as_str());
    let bonus: i64 = if escrowed { row.try_get("bonus")? } else { 0 };
    let mut transfers = end.transfers(price, payer_account, mentor);
    let mut back = end.returned(price);
    if bonus > 0 {
        if matches!(end, HoldEnd::Settle { .. }) {
            // The session took place: the mentee's window to confirm the milestone opens.
            sqlx::query("UPDATE booking_charges SET bonus_until = $2 WHERE booking_id = $1")
                .bind(booking.0)
                .bind(bonus::window_end(now).as_second())
                .execute(&mut **tx)
                .await?;
        } else {
            end_bonus(tx, booking, BonusState::Returned, now).await?;
            transfers.extend(bonus::returned_transfer(bonus, payer_account));
            back += bonus;
        }
    }
    if matches!(payer_account, Account::Budget(_)) {
        // Before the movement: the usage row is taken before the accounts, as at booking.
        give_back_usage(tx, booking, back, end == HoldEnd::Release).await?;
    }
    let movement = Movement {
        key: format!("hold-end:{}", booking.0),
        transfers,
        reference: format!("booking:{}", booking.0),
        money: None,
    };
    write_movement(tx, backend, &movement, now).await?;
    if back > 0 {
        return_to_lots(tx, booking, back).await?;
    }
    Ok(())
}

/// A stored payer's account; a name that is not one is a broken database.
fn payer_account(name: &str) -> Result<Account> {
    Account::parse(name)
        .map_err(|_| StoreError::Backend(format!("ledger: unknown payer {name:?}").into()))
}

/// Moves `booking`'s escrowed bonus to `to`, once: false if it was not escrowed.
async fn end_bonus(
    tx: &mut Transaction<'static, Any>,
    booking: BookingId,
    to: BonusState,
    now: Timestamp,
) -> Result<bool> {
    let moved = sqlx::query(
        "UPDATE booking_charges SET bonus_state = $2, bonus_ended_at = $3 \
         WHERE booking_id = $1 AND bonus_state = 'escrowed'",
    )
    .bind(booking.0)
    .bind(to.as_str())
    .bind(now.as_second())
    .execute(&mut **tx)
    .await?;
    Ok(moved.rows_affected() == 1)
}

/// How a closed session's escrowed bonus ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BonusEnd {
    /// The mentee confirmed within the window: to the mentor, less the fee.
    Pay { fee_basis_points: u32 },
    /// The window closed unconfirmed: back to the payer's lots.
    Return,
}

/// Ends `booking`'s escrowed bonus after its session, in `tx`, as `end` says: paying only
/// while the window is open at `now`, returning only once it has closed. False, with
/// nothing written, when that does not apply.
pub(crate) async fn settle_bonus(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    booking: BookingId,
    end: BonusEnd,
    now: Timestamp,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT c.payer, c.bonus, c.bonus_until, b.mentor_id FROM booking_charges c \
         JOIN bookings b ON b.id = c.booking_id \
         WHERE c.booking_id = $1 AND c.bonus_state = 'escrowed' AND c.bonus_until IS NOT NULL",
    )
    .bind(booking.0)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok(false);
    };
    let until: i64 = row.try_get("bonus_until")?;
    let open = now.as_second() <= until;
    if open != matches!(end, BonusEnd::Pay { .. }) {
        return Ok(false);
    }
    let bonus: i64 = row.try_get("bonus")?;
    let payer = payer_account(&row.try_get::<String, _>("payer")?)?;
    let mentor = UserId(row.try_get("mentor_id")?);
    let (state, transfers) = match end {
        BonusEnd::Pay { fee_basis_points } => (
            BonusState::Paid,
            bonus::paid_transfers(bonus, mentor, fee_basis_points),
        ),
        BonusEnd::Return => (
            BonusState::Returned,
            bonus::returned_transfer(bonus, payer).into_iter().collect(),
        ),
    };
    if !end_bonus(tx, booking, state, now).await? {
        return Ok(false);
    }
    let movement = Movement {
        key: format!("bonus-end:{}", booking.0),
        transfers,
        reference: format!("booking:{}", booking.0),
        money: None,
    };
    write_movement(tx, backend, &movement, now).await?;
    if end == BonusEnd::Return {
        return_to_lots(tx, booking, bonus).await?;
    }
    Ok(true)
}

/// Gives `amount` credits back to the lots `booking`'s hold took them from.
async fn return_to_lots(
    tx: &mut Transaction<'static, Any>,
    booking: BookingId,
    amount: i64,
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT h.lot_id, h.amount, l.expires_at FROM hold_lots h \
         JOIN credit_lots l ON l.id = h.lot_id WHERE h.booking_id = $1",
    )
    .bind(booking.0)
    .fetch_all(&mut **tx)
    .await?;
    let mut taken = Vec::with_capacity(rows.len());
    for row in rows {
        let expires: Option<i64> = row.try_get("expires_at")?;
        let lot = Lot {
            id: row.try_get("lot_id")?,
            remaining: 0,
            expires_at: expires.map(ts).transpose()?,
        };
        taken.push((lot, row.try_get::<i64, _>("amount")?));
    }
    for back in restore_to_lots(&taken, amount) {
        sqlx::query("UPDATE credit_lots SET remaining = remaining + $2 WHERE id = $1")
            .bind(back.lot)
            .bind(back.amount)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The holds of `bookings` (those that have one), a few hundred ids per query.
pub(crate) async fn holds_of(
    store: &super::SqlStore,
    bookings: &[BookingId],
) -> Result<Vec<HoldRecord>> {
    let mut found = Vec::new();
    for chunk in bookings.chunks(500) {
        // Integer ids formatted into SQL cannot inject anything.
        let ids: Vec<String> = chunk.iter().map(|b| b.0.to_string()).collect();
        let sql = format!(
            "SELECT booking_id, payer, price, state, ended_at, bonus, bonus_state, bonus_until \
             FROM booking_charges \
             WHERE booking_id IN ({}) ORDER BY booking_id",
            ids.join(",")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(store.reader())
            .await?;
        for row in rows {
            let state: String = row.try_get("state")?;
            let ended: Option<i64> = row.try_get("ended_at")?;
            found.push(HoldRecord {
                booking: BookingId(row.try_get("booking_id")?),
                payer: payer_account(&row.try_get::<String, _>("payer")?)?,
                price: row.try_get("price")?,
                state: HoldState::parse(&state).ok_or_else(|| {
                    StoreError::Backend(format!("ledger: unknown hold state {state:?}").into())
                })?,
                ended_at: ended.map(ts).transpose()?,
                bonus: row.try_get("bonus")?,
                bonus_state: row
                    .try_get::<Option<String>, _>("bonus_state")?
                    .as_deref()
                    .and_then(BonusState::parse),
                bonus_until: row
                    .try_get::<Option<i64>, _>("bonus_until")?
                    .map(ts)
                    .transpose()?,
            });
        }
    }
    Ok(found)
}

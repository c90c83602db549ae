//! Ending a booking's hold inside the transaction that changes the booking (cancel, no-show,
//! close): the hold's state leaves `held` once, its price leaves `held` as the domain's
//! `HoldEnd` divides it (one movement, key `hold-end:<booking>`), and what goes back to the
//! payer returns to the lots it came from, the latest to expire first.

use super::bookings::ts;
use super::ledger::write_movement;
use crate::StoreError;
use crate::interfaces::Result;
use crate::ledger::HoldRecord;
use crate::ledger::Movement;
use crate::migrations::Backend;
use jiff::Timestamp;
use sqlx::{Any, Row, Transaction};
use stint_domain::booking::BookingId;
use stint_domain::ids::UserId;
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
         RETURNING payer, price",
    )
    .bind(booking.0)
    .bind(end.state().as_str())
    .bind(now.as_second())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = ended else {
        return Ok(());
    };
    let payer: String = row.try_get("payer")?;
    let price: i64 = row.try_get("price")?;
    let payer_account = Account::parse(&payer)
        .map_err(|_| StoreError::Backend(format!("ledger: unknown payer {payer:?}").into()))?;
    let movement = Movement {
        key: format!("hold-end:{}", booking.0),
        transfers: end.transfers(price, payer_account, mentor),
        reference: format!("booking:{}", booking.0),
        money: None,
    };
    write_movement(tx, backend, &movement, now).await?;
    let back = end.returned(price);
    if back > 0 {
        return_to_lots(tx, booking, back).await?;
    }
    Ok(())
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
            "SELECT booking_id, payer, price, state, ended_at FROM booking_charges \
             WHERE booking_id IN ({}) ORDER BY booking_id",
            ids.join(",")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(store.reader())
            .await?;
        for row in rows {
            let payer: String = row.try_get("payer")?;
            let state: String = row.try_get("state")?;
            let ended: Option<i64> = row.try_get("ended_at")?;
            found.push(HoldRecord {
                booking: BookingId(row.try_get("booking_id")?),
                payer: Account::parse(&payer).map_err(|_| {
                    StoreError::Backend(format!("ledger: unknown payer {payer:?}").into())
                })?,
                price: row.try_get("price")?,
                state: HoldState::parse(&state).ok_or_else(|| {
                    StoreError::Backend(format!("ledger: unknown hold state {state:?}").into())
                })?,
                ended_at: ended.map(ts).transpose()?,
            });
        }
    }
    Ok(found)
}

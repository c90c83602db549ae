//! A budget paying for a booking, inside the booking's write transaction: the member's cap
//! for the period, their membership and the session type are checked by the one `UPDATE`
//! that counts the booking against the cap, and the budget by the ledger movement that holds
//! the price (`write_movement` refuses to take an account below zero). A refusal returns an
//! error and the caller's transaction, claim included, is rolled back.
//!
//! Rows are taken in one order everywhere — the mentor (the claim), the member's usage row,
//! then the ledger accounts by name — and a hold's end gives usage back before it moves
//! credits, in the same order, so two transactions never wait on each other in a circle.

use crate::StoreError;
use crate::interfaces::{NewBooking, Result};
use crate::ledger::Movement;
use crate::migrations::Backend;
use crate::sponsor::BudgetCharge;
use crate::sql::ledger::write_movement;
use jiff::Timestamp;
use sqlx::{Any, Transaction};
use stint_domain::booking::BookingId;
use stint_domain::ledger::{Account, Transfer, TransferKind};
use stint_domain::sponsor::{Approval, PayRefusal};

/// The refusal a member hears, as the store's error.
pub(crate) fn refused(r: PayRefusal) -> StoreError {
    StoreError::conflict("paid_by", r.as_str())
}

/// Holds `new`'s price and bonus from the budget `charge` names for booking `id`, just made
/// in `tx` for `new.mentee_id`.
pub(crate) async fn hold_from_budget(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    id: BookingId,
    new: &NewBooking,
    charge: BudgetCharge,
    now: Timestamp,
) -> Result<()> {
    let (org, member, period) = (
        charge.org.0,
        new.mentee_id.0,
        charge.period_start.as_second(),
    );
    let total = new.total();
    sqlx::query(
        "INSERT INTO budget_usage (org_id, member_id, period_start, credits, sessions) \
         VALUES ($1, $2, $3, 0, 0) ON CONFLICT (org_id, member_id, period_start) DO NOTHING",
    )
    .bind(org)
    .bind(member)
    .bind(period)
    .execute(&mut **tx)
    .await?;
    // On PostgreSQL the row lock makes a concurrent booking of the same member wait here and
    // then test the cap against the count this one left.
    let counted = sqlx::query(
        "UPDATE budget_usage SET credits = credits + $4, sessions = sessions + 1 \
         WHERE org_id = $1 AND member_id = $2 AND period_start = $3 \
           AND EXISTS (SELECT 1 FROM org_members m WHERE m.org_id = $1 AND m.user_id = $2 \
                       AND m.left_at IS NULL) \
           AND EXISTS (SELECT 1 FROM budget_skus s WHERE s.org_id = $1 AND s.sku_id = $5) \
           AND credits + $4 <= (SELECT cap_credits FROM organisations WHERE id = $1) \
           AND sessions + 1 <= (SELECT cap_sessions FROM organisations WHERE id = $1)",
    )
    .bind(org)
    .bind(member)
    .bind(period)
    .bind(total)
    .bind(new.sku_id.0)
    .execute(&mut **tx)
    .await?;
    if counted.rows_affected() == 0 {
        return Err(refused(why_not(tx, new, charge).await?));
    }
    let budget = Account::Budget(charge.org);
    let mut transfers = vec![Transfer {
        from: budget,
        to: Account::Held,
        amount: new.price,
        kind: TransferKind::Hold,
    }];
    if new.bonus > 0 {
        transfers.push(Transfer {
            from: budget,
            to: Account::BonusEscrow,
            amount: new.bonus,
            kind: TransferKind::BonusEscrow,
        });
    }
    let movement = Movement {
        key: format!("hold:{}", id.0),
        transfers,
        reference: format!("booking:{}", id.0),
        money: None,
    };
    match write_movement(tx, backend, &movement, now).await {
        Ok(_) => {}
        Err(StoreError::Insufficient { .. }) => return Err(refused(PayRefusal::BudgetSpent)),
        Err(e) => return Err(e),
    }
    sqlx::query(
        "INSERT INTO booking_charges (booking_id, payer, price, state, bonus, bonus_state) \
         VALUES ($1, $2, $3, 'held', $4, CASE WHEN $4 > 0 THEN 'escrowed' END)",
    )
    .bind(id.0)
    .bind(budget.to_string())
    .bind(new.price)
    .bind(new.bonus)
    .execute(&mut **tx)
    .await?;
    // Where the budget asks for approval, the request waits for an admin until it is due,
    // and a job that lapses it then is queued in this same transaction.
    let hours: Option<i64> =
        sqlx::query_scalar("SELECT approval_hours FROM organisations WHERE id = $1")
            .bind(org)
            .fetch_one(&mut **tx)
            .await?;
    let due = hours.map(|h| Approval::due(now, new.start, h).as_second());
    sqlx::query(
        "INSERT INTO budget_holds (booking_id, org_id, member_id, period_start, credits, \
         approval, approval_due) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.0)
    .bind(org)
    .bind(member)
    .bind(period)
    .bind(total)
    .bind(due.map(|_| Approval::Pending.as_str()))
    .bind(due)
    .execute(&mut **tx)
    .await?;
    if let Some(due) = due {
        sqlx::query(
            "INSERT INTO jobs (kind, payload, state, due_at, attempts, max_attempts, created_at, \
             updated_at) VALUES ($1, $2, 'queued', $3, 0, 12, $4, $4)",
        )
        .bind(APPROVAL_LAPSE)
        .bind(serde_json::json!({ "booking": id.0 }).to_string())
        .bind(due)
        .bind(now.as_second())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The job that lapses a request nobody decided in time: `{"booking": id}`.
pub const APPROVAL_LAPSE: &str = "sponsor.approval_lapse";

/// Why the cap's `UPDATE` counted nothing.
async fn why_not(
    tx: &mut Transaction<'static, Any>,
    new: &NewBooking,
    charge: BudgetCharge,
) -> Result<PayRefusal> {
    let member: Option<i64> = sqlx::query_scalar(
        "SELECT user_id FROM org_members WHERE org_id = $1 AND user_id = $2 AND left_at IS NULL",
    )
    .bind(charge.org.0)
    .bind(new.mentee_id.0)
    .fetch_optional(&mut **tx)
    .await?;
    if member.is_none() {
        return Ok(PayRefusal::NotAMember);
    }
    let allowed: Option<i64> =
        sqlx::query_scalar("SELECT sku_id FROM budget_skus WHERE org_id = $1 AND sku_id = $2")
            .bind(charge.org.0)
            .bind(new.sku_id.0)
            .fetch_optional(&mut **tx)
            .await?;
    if allowed.is_none() {
        return Ok(PayRefusal::SkuNotAllowed);
    }
    let cap: i64 = sqlx::query_scalar("SELECT cap_credits FROM organisations WHERE id = $1")
        .bind(charge.org.0)
        .fetch_one(&mut **tx)
        .await?;
    Ok(if new.total() > cap {
        PayRefusal::OverCap
    } else {
        PayRefusal::CapReached
    })
}

/// Gives back to the member's cap what a budget-paid booking's ending returns: `credits`, and
/// its session too when `session` (the session did not take place). Nothing for a booking
/// a budget did not pay for.
pub(crate) async fn give_back_usage(
    tx: &mut Transaction<'static, Any>,
    booking: BookingId,
    credits: i64,
    session: bool,
) -> Result<()> {
    sqlx::query(
        "UPDATE budget_usage \
         SET credits = CASE WHEN credits > $2 THEN credits - $2 ELSE 0 END, \
             sessions = sessions - $3 \
         WHERE (org_id, member_id, period_start) IN \
               (SELECT org_id, member_id, period_start FROM budget_holds WHERE booking_id = $1) \
           AND sessions >= $3",
    )
    .bind(booking.0)
    .bind(credits)
    .bind(i64::from(session))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

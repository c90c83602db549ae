//! A mentor's earnings: what they are owed now, and per month (in their own time zone) the
//! sessions paid, the shares of late cancels and missed sessions, outcome bonuses, the
//! platform's fees and what was paid out. Read from the ledger, never kept twice.

use crate::App;
use crate::access::require;
use crate::error::AppError;
use stint_domain::account::Account;
use stint_domain::ledger::{self, Credits, TransferKind};
use stint_domain::role::Role;
use stint_store::payouts::EarningsEntry;

/// One month of a mentor's earnings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Month {
    /// `2026-12`.
    pub month: String,
    /// Sessions closed and paid.
    pub sessions: i64,
    /// What those sessions paid the mentor (after the fee).
    pub settled: Credits,
    /// Shares of late cancels and mentee no-shows (after the fee).
    pub forfeits: Credits,
    pub bonuses: Credits,
    /// The platform's fees on the mentor's sessions.
    pub fees: Credits,
    pub paid_out: Credits,
}

impl Month {
    /// What the month earned the mentor.
    pub fn earned(&self) -> Credits {
        self.settled + self.forfeits + self.bonuses
    }
}

/// Everything the earnings page and API show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Earnings {
    /// Earned and not yet paid out.
    pub owed: Credits,
    /// Newest month first.
    pub months: Vec<Month>,
}

/// `me`'s own earnings (mentors).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mine(app: &App, me: &Account) -> Result<Earnings, AppError> {
    require(me, Role::Mentor)?;
    let owed = app
        .store
        .ledger_balance(ledger::Account::Earnings(me.id))
        .await?;
    let entries = app.store.earnings_entries(me.id).await?;
    Ok(Earnings {
        owed,
        months: by_month(&entries, &me.zone()),
    })
}

/// Sums `entries` per calendar month in `tz`, newest month first.
pub fn by_month(entries: &[EarningsEntry], tz: &jiff::tz::TimeZone) -> Vec<Month> {
    let mut months: std::collections::BTreeMap<String, Month> = Default::default();
    for e in entries {
        let key =
            e.at.to_zoned_datetime(tz.clone())
                .strftime("%Y-%m")
                .to_string();
        let m = months.entry(key.clone()).or_insert_with(|| Month {
            month: key,
            ..Month::default()
        });
        match e.kind {
            TransferKind::Settle => {
                m.sessions += 1;
                m.settled += e.credits;
            }
            TransferKind::Forfeit => m.forfeits += e.credits,
            TransferKind::BonusPaid => m.bonuses += e.credits,
            TransferKind::Fee => m.fees += e.credits,
            TransferKind::Payout => m.paid_out += e.credits,
            _ => {}
        }
    }
    months.into_values().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_sum_per_month_in_the_mentors_zone() {
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        let e = |t: &str, kind, credits| EarningsEntry {
            at: at(t),
            kind,
            credits,
            reference: String::new(),
        };
        let entries = [
            // 23:30 on 30 November in UTC is already December in Berlin.
            e("2026-11-30T23:30:00Z", TransferKind::Settle, 38),
            e("2026-11-30T23:30:00Z", TransferKind::Fee, 7),
            e("2026-11-10T10:00:00Z", TransferKind::Settle, 25),
            e("2026-11-12T10:00:00Z", TransferKind::Forfeit, 19),
            e("2026-12-02T10:00:00Z", TransferKind::Payout, 44),
        ];
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        let months = by_month(&entries, &berlin);
        assert_eq!(months.len(), 2);
        let (dec, nov) = (&months[0], &months[1]);
        assert_eq!(
            (
                dec.month.as_str(),
                dec.sessions,
                dec.settled,
                dec.fees,
                dec.paid_out
            ),
            ("2026-12", 1, 38, 7, 44)
        );
        assert_eq!((nov.sessions, nov.earned()), (1, 25 + 19));
    }
}

//! Paying mentors (operators): who is owed what, a payout run that pays everyone what they are
//! owed (or the amounts the operator chose, never more than owed), and each run's CSV for the
//! bank transfers. Each payout leaves the mentor's earnings in the ledger once.

use crate::App;
use crate::access::require;
use crate::error::{AppError, ErrorKind};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::ids::UserId;
use stint_domain::role::Role;
use stint_store::StoreError;
use stint_store::payouts::{Owed, PayoutRecord, PayoutRun};

/// A mentor owed credits, with who they are.
#[derive(Debug, Clone)]
pub struct OwedTo {
    pub mentor: Account,
    pub credits: i64,
}

/// Every mentor owed something now, by name (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn owed(app: &App, op: &Account) -> Result<Vec<OwedTo>, AppError> {
    require(op, Role::Operator)?;
    let mut rows = Vec::new();
    for o in app.store.owed().await? {
        if let Some(mentor) = app.store.account(o.mentor).await? {
            rows.push(OwedTo {
                mentor,
                credits: o.credits,
            });
        }
    }
    rows.sort_by(|a, b| a.mentor.display_name.cmp(&b.mentor.display_name));
    Ok(rows)
}

/// Pays mentors (operators): `chosen` amounts, or with `None` everyone what they are owed. An
/// amount above what a mentor is owed is refused with the figure, and nothing is paid.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn run(
    app: &App,
    op: &Account,
    chosen: Option<Vec<Owed>>,
) -> Result<PayoutRun, AppError> {
    require(op, Role::Operator)?;
    let owed = app.store.owed().await?;
    let payouts = match chosen {
        None => owed.clone(),
        Some(list) => {
            let mut errors = FieldErrors::new();
            for (i, p) in list.iter().enumerate() {
                let has = owed
                    .iter()
                    .find(|o| o.mentor == p.mentor)
                    .map_or(0, |o| o.credits);
                if p.credits <= 0 {
                    errors.add(&format!("payouts[{i}].credits"), "must be at least 1");
                } else if p.credits > has {
                    errors.add(
                        &format!("payouts[{i}].credits"),
                        format!("is more than the {has} credits this mentor is owed"),
                    );
                }
            }
            if !errors.is_empty() {
                return Err(AppError::validation(errors));
            }
            list
        }
    };
    if payouts.is_empty() {
        return Err(AppError::conflict(
            "payouts",
            "nobody is owed anything right now",
        ));
    }
    match app.store.run_payouts(op.id, &payouts, app.now()).await {
        Ok(run) => Ok(run),
        // Another run paid some of it meanwhile.
        Err(StoreError::Insufficient { .. }) => Err(AppError::new(
            ErrorKind::Conflict,
            "conflict",
            "What a mentor is owed changed while paying; nothing was paid. Look again and run it once more.",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The newest runs (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn runs(app: &App, op: &Account) -> Result<Vec<PayoutRun>, AppError> {
    require(op, Role::Operator)?;
    Ok(app.store.payout_runs(50).await?)
}

/// One run's payouts with their mentors (operators); 404 for an unknown run.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn payouts_of(
    app: &App,
    op: &Account,
    run: i64,
) -> Result<Vec<(PayoutRecord, Account)>, AppError> {
    require(op, Role::Operator)?;
    let payouts = app.store.payouts_in(run).await?;
    if payouts.is_empty() {
        return Err(AppError::not_found("payout run"));
    }
    let mut rows = Vec::with_capacity(payouts.len());
    for p in payouts {
        let mentor = app
            .store
            .account(p.mentor)
            .await?
            .ok_or_else(|| AppError::not_found("mentor"))?;
        rows.push((p, mentor));
    }
    Ok(rows)
}

/// One run as CSV for the bank transfers: run, payout, mentor id, name, e-mail, credits, paid
/// at (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn csv(app: &App, op: &Account, run: i64) -> Result<String, AppError> {
    let rows = payouts_of(app, op, run).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |out: &mut csv::Writer<Vec<u8>>, fields: &[String]| {
        out.write_record(fields).map_err(|e| {
            tracing::error!(error = %e, "writing a payout CSV");
            AppError::internal()
        })
    };
    write(
        &mut out,
        &[
            "run",
            "payout",
            "mentor_id",
            "name",
            "email",
            "credits",
            "paid_at",
        ]
        .map(String::from),
    )?;
    for (p, mentor) in rows {
        write(
            &mut out,
            &[
                p.run.to_string(),
                p.id.to_string(),
                p.mentor.0.to_string(),
                mentor.display_name,
                mentor.email,
                p.credits.to_string(),
                p.at.to_string(),
            ],
        )?;
    }
    let bytes = out.into_inner().map_err(|_| AppError::internal())?;
    String::from_utf8(bytes).map_err(|_| AppError::internal())
}

/// A chosen payout: `mentor_id` paid `credits`.
pub fn chosen(mentor_id: i64, credits: i64) -> Owed {
    Owed {
        mentor: UserId(mentor_id),
        credits,
    }
}

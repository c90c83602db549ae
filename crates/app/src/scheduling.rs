//! Scheduling use cases: a mentor's rules (saved or a sensible default), slot search across
//! the mentors of a SKU, and booking with the slot re-checked inside the transaction.

use crate::App;
use crate::auth::secret;
use crate::error::AppError;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use stint_domain::FieldErrors;
use stint_domain::account::{Account, TimeZoneName};
use stint_domain::booking::{self, Booking};
use stint_domain::catalog::{SkuStatus, SkuVersion};
use stint_domain::ids::UserId;
use stint_domain::mentor::BookableMentor;
use stint_domain::schedule::{Availability, Busy, Slot, SlotQuery, busy_reach, slots};
use stint_store::{BookingOutcome, IdempotencyKey, NewBooking, Offering, StoreError};

/// The longest slot search, in days.
pub const MAX_WINDOW_DAYS: i64 = 62;

/// A mentor's rules: saved ones, or weekdays 09:00–17:00 in the mentor's zone.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn rules_for(
    app: &App,
    mentor: UserId,
    mentor_tz: &str,
) -> Result<Availability, AppError> {
    Ok(app
        .store
        .availability(mentor)
        .await?
        .unwrap_or_else(|| Availability::default_for(mentor_tz)))
}

/// A search window: whole civil days in the viewer's zone.
#[derive(Debug, Clone)]
pub struct Window {
    pub from: Timestamp,
    pub to: Timestamp,
    pub tz: TimeZone,
    pub tz_name: String,
}

/// Reads `from`/`to` (YYYY-MM-DD, inclusive) and `tz`, naming every bad field.
pub fn parse_window(from: &str, to: &str, tz: &str) -> Result<Window, FieldErrors> {
    let mut e = FieldErrors::new();
    let zone = e.check("tz", TimeZoneName::parse(tz));
    let date = |raw: &str| {
        raw.trim()
            .parse::<Date>()
            .map_err(|_| format!("“{raw}” is not a date like 2026-12-01"))
    };
    let from_d = e.check("from", date(from));
    let to_d = e.check("to", date(to));
    if let (Some(f), Some(t)) = (from_d, to_d) {
        if t < f {
            e.add("to", "must not be before `from`");
        } else if f
            .until(t)
            .map(|span| i64::from(span.get_days()) >= MAX_WINDOW_DAYS)
            .unwrap_or(true)
        {
            e.add(
                "to",
                format!("the window can be at most {MAX_WINDOW_DAYS} days"),
            );
        }
    }
    let (Some(zone), Some(f), Some(t)) = (zone, from_d, to_d) else {
        return Err(e);
    };
    if !e.is_empty() {
        return Err(e);
    }
    let tz = zone.tz();
    let start = f
        .at(0, 0, 0, 0)
        .to_zoned_datetime(tz.clone())
        .map(|z| z.timestamp());
    let end = t
        .tomorrow()
        .and_then(|d| d.at(0, 0, 0, 0).to_zoned_datetime(tz.clone()))
        .map(|z| z.timestamp());
    match (start, end) {
        (Ok(from), Ok(to)) => Ok(Window {
            from,
            to,
            tz,
            tz_name: zone.as_str().to_string(),
        }),
        _ => Err(FieldErrors::single("from", "is out of range")),
    }
}

/// One bookable time with one mentor.
#[derive(Debug, Clone)]
pub struct Offer {
    pub mentor_id: UserId,
    pub mentor_name: String,
    pub slot: Slot,
}

/// Bookable times of `sku` in `[from, to)` across `mentors`, earliest first (then by the
/// mentor's name and id, so the order is total). Rules and busy
/// time of these mentors, in this window only, are loaded in two queries.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn offers(
    app: &App,
    sku: &SkuVersion,
    mentors: &[BookableMentor],
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Offer>, AppError> {
    let found =
        crate::slot_cache::slots_by_mentor(app, mentors, slot_minutes(sku), from, to).await?;
    let mut out = Vec::new();
    for (m, slots) in mentors.iter().zip(found) {
        out.extend(slots.into_iter().map(|slot| Offer {
            mentor_id: m.user_id,
            mentor_name: m.display_name.clone(),
            slot,
        }));
    }
    out.sort_by(|a, b| {
        a.slot
            .start
            .cmp(&b.slot.start)
            .then(a.mentor_name.cmp(&b.mentor_name))
            .then(a.mentor_id.cmp(&b.mentor_id))
    });
    Ok(out)
}

/// How long a slot of `sku` is, in minutes.
pub(crate) fn slot_minutes(sku: &SkuVersion) -> u16 {
    u16::try_from(sku.content.duration_minutes).unwrap_or(60)
}

/// A mentor's saved rules from `saved`, or the default in their zone.
pub(crate) fn rules_or_default(
    saved: &std::collections::HashMap<UserId, Availability>,
    m: &BookableMentor,
) -> Availability {
    saved
        .get(&m.user_id)
        .cloned()
        .unwrap_or_else(|| Availability::default_for(&m.timezone))
}

/// The busy time of `mentors` that decides the slots of `[from, to)` (`busy_reach`: the
/// weeks the caps count), by mentor, in one query.
pub(crate) async fn busy_around(
    app: &App,
    mentors: &[UserId],
    from: Timestamp,
    to: Timestamp,
) -> Result<std::collections::HashMap<UserId, Vec<Busy>>, AppError> {
    let (wide_from, wide_to) = busy_reach(from, to);
    let mut busy: std::collections::HashMap<UserId, Vec<Busy>> = std::collections::HashMap::new();
    for (mentor, b) in app.store.busy_of(mentors, wide_from, wide_to).await? {
        busy.entry(mentor).or_default().push(b);
    }
    Ok(busy)
}

/// One mentor's bookable slots of `duration` minutes in `[from, to)`: the one engine.
pub(crate) fn slots_of(
    rules: &Availability,
    busy: &[Busy],
    duration: u16,
    from: Timestamp,
    to: Timestamp,
    now: Timestamp,
) -> Vec<Slot> {
    let Ok(zone) = TimeZoneName::parse(&rules.timezone) else {
        return Vec::new();
    };
    let q = SlotQuery {
        duration_minutes: duration,
        from,
        to,
        now,
    };
    slots(rules, &zone.tz(), busy, &q)
}

/// Whether `start` is a slot of `rules` (or `fallback`) given `busy`.
fn is_slot(
    rules: &Availability,
    busy: &[Busy],
    duration: u16,
    start: Timestamp,
    now: Timestamp,
) -> bool {
    let to = start
        .saturating_add(SignedDuration::from_secs(1))
        .unwrap_or(start);
    slots_of(rules, busy, duration, start, to, now)
        .iter()
        .any(|s| s.start == start)
}

/// Parses an RFC 3339 start time.
pub fn parse_start(raw: &str) -> Result<Timestamp, FieldErrors> {
    raw.trim()
        .parse::<Timestamp>()
        .map_err(|_| FieldErrors::single("start", "must be a time like 2026-12-01T09:00:00+01:00"))
}

/// A booking request, as received.
pub struct BookRequest<'a> {
    pub sku_slug: &'a str,
    /// `None`: any mentor free at `start`, chosen by the fair rule (`crate::allocation`).
    pub mentor_id: Option<i64>,
    pub start: &'a str,
    pub idempotency_key: Option<&'a str>,
    /// The organisation whose budget pays (`crate::sponsor::budget`); `None`: the mentee's
    /// own credits.
    pub paid_by: Option<stint_domain::ids::OrgId>,
}

/// A booking made (or replayed), with the SKU version and mentor it was made with, so the
/// answer can be shown without reading them again.
pub struct Booked {
    pub booking: Booking,
    pub replayed: bool,
    pub offering: Offering,
}

/// Names every wrong field of a booking request whose SKU and mentor did not resolve.
async fn unresolved(
    app: &App,
    req: &BookRequest<'_>,
    mut e: FieldErrors,
) -> Result<FieldErrors, AppError> {
    let on_offer = app
        .store
        .sku(req.sku_slug)
        .await?
        .is_some_and(|s| s.status == SkuStatus::Active);
    if on_offer {
        e.add("mentor_id", "does not offer this session type");
    } else {
        e.add("sku", "is not a session type on offer");
    }
    Ok(e)
}

/// Books a session for `mentee`. The request costs one read (SKU and mentor together) and
/// one write transaction that re-checks the slot. Counted for operators: each booking made
/// (a replay is not a new one) and each refusal by its code; a fault of ours is no refusal.
#[tracing::instrument(skip_all, fields(mentee = %mentee.id, mentor = ?req.mentor_id, sku = req.sku_slug))]
pub async fn book(app: &App, mentee: &Account, req: BookRequest<'_>) -> Result<Booked, AppError> {
    let booked = match req.mentor_id {
        Some(id) => claim(app, mentee, &req, UserId(id)).await,
        None => crate::allocation::claim_any(app, mentee, &req).await,
    };
    let metrics = crate::metrics::global();
    match &booked {
        Ok(b) if !b.replayed => metrics.booking_made(),
        Ok(_) => {}
        Err(e) if e.kind == crate::ErrorKind::Internal => {}
        Err(e) => metrics.booking_refused(e.code),
    }
    booked
}

/// [`book`]'s work with `mentor_id`: checks the request, then claims the slot.
pub(crate) async fn claim(
    app: &App,
    mentee: &Account,
    req: &BookRequest<'_>,
    mentor_id: UserId,
) -> Result<Booked, AppError> {
    let mut e = FieldErrors::new();
    let start = e.check(
        "start",
        parse_start(req.start).map_err(|f| f.0.into_values().next().unwrap_or_default()),
    );
    if let Some(k) = req.idempotency_key
        && (k.is_empty() || k.len() > 100)
    {
        e.add("Idempotency-Key", "must be 1 to 100 characters");
    }
    if mentor_id == mentee.id {
        e.add("mentor_id", "you cannot book yourself");
    }
    let offering = app
        .store
        .offering(req.sku_slug, mentor_id)
        .await?
        .filter(|o| o.sku.status == SkuStatus::Active);
    let Some(offering) = offering else {
        return Err(AppError::validation(unresolved(app, req, e).await?));
    };
    let (Some(start), true) = (start, e.is_empty()) else {
        return Err(AppError::validation(e));
    };
    let now = app.now();
    if start <= now {
        return Err(AppError::validation(FieldErrors::single(
            "start",
            "is in the past",
        )));
    }
    let sku = &offering.sku;
    let duration = slot_minutes(sku);
    let end = start
        .saturating_add(SignedDuration::from_mins(duration.into()))
        .unwrap_or(start);
    let room = format!("stint-{}", &secret::new_secret()?[..20]);
    let new = NewBooking {
        mentor_id,
        mentee_id: mentee.id,
        sku_id: sku.sku_id,
        sku_version: sku.version,
        start,
        end,
        meeting_url: booking::meeting_url(
            &offering.mentor_meeting_url,
            &app.settings.meeting_base_url,
            &room,
        ),
        price: sku.content.price_credits,
        bonus: sku.content.bonus_credits,
    };
    let key = req.idempotency_key.map(|k| IdempotencyKey {
        key: k.to_string(),
        // A request for any mentor is the same request whichever mentor it got, so its
        // retry replays the booking made.
        request_hash: hex::encode(Sha256::digest(format!(
            "{}|{}|{}",
            sku.slug,
            req.mentor_id.map_or("any".to_string(), |m| m.to_string()),
            start.as_second()
        ))),
    });
    // The slot is checked inside the booking transaction, with the mentor's time locked.
    // A time that is not a slot even on an empty calendar is a wrong request (422), one that
    // was free a moment ago is taken (409).
    let fallback = Availability::default_for(&offering.mentor_timezone);
    let never = std::sync::atomic::AtomicBool::new(false);
    let admit = |saved: Option<&Availability>, busy: &[Busy]| {
        let rules = saved.unwrap_or(&fallback);
        if !is_slot(rules, &[], duration, start, now) {
            never.store(true, std::sync::atomic::Ordering::Relaxed);
            return false;
        }
        is_slot(rules, busy, duration, start, now)
    };
    // The price is held from the mentee's wallet in the same write as the booking; too few
    // credits is `insufficient_credits` (402) and nothing is booked. A sponsor's budget pays
    // instead when asked, checked here for a clear answer and again inside that write.
    // A free session needs nobody to pay for it.
    let written = match req.paid_by.filter(|_| new.total() > 0) {
        Some(org) => {
            // A retry of a booking made already replays it (the store finds the key before
            // anything is written); the rules are not asked again, as the first one counted.
            let replay = match &key {
                Some(k) => app.store.booking_by_key(mentee.id, &k.key).await?.is_some(),
                None => false,
            };
            let charge = if replay {
                stint_store::sponsor::BudgetCharge {
                    org,
                    period_start: now,
                }
            } else {
                crate::sponsor::budget::charge_for(app, mentee, org, sku.sku_id, new.total())
                    .await?
            };
            app.store
                .create_sponsored_booking(&new, key.as_ref(), &admit, charge, now)
                .await
        }
        None => {
            app.store
                .create_booking(&new, key.as_ref(), &admit, now)
                .await
        }
    };
    let (booking, replayed) = match written {
        Ok(BookingOutcome::Created(b)) => (b, false),
        Ok(BookingOutcome::Replayed(b)) => (b, true),
        Err(StoreError::SlotTaken) if never.load(std::sync::atomic::Ordering::Relaxed) => {
            return Err(AppError::validation(FieldErrors::single(
                "start",
                "is not a bookable time of this mentor (outside their hours, inside the notice period or beyond the horizon)",
            )));
        }
        Err(e) => return Err(crate::sponsor::budget::store_refusal(e)),
    };
    Ok(Booked {
        booking,
        replayed,
        offering,
    })
}

/// Moves a booking to `start`, under its frozen reschedule cut-off.
#[tracing::instrument(skip_all, fields(booking = %id, actor = %actor.id))]
pub async fn reschedule(
    app: &App,
    actor: &Account,
    id: stint_domain::booking::BookingId,
    start_raw: &str,
) -> Result<Booking, AppError> {
    // The booking, the version bought and the mentor, in one read.
    let c = crate::bookings::visible_context(app, actor, id).await?;
    let (b, version, mentor) = (&c.booking, &c.sku, &c.mentor);
    if b.status != stint_domain::booking::BookingStatus::Confirmed {
        return Err(AppError::conflict(
            "status",
            format!("a {} booking cannot be moved", b.status.as_str()),
        ));
    }
    let start = parse_start(start_raw).map_err(AppError::validation)?;
    let now = app.now();
    if !booking::may_reschedule(b.start, now, version.content.reschedule_cutoff_hours) {
        return Err(AppError::new(
            crate::ErrorKind::Conflict,
            "too_late",
            "The rescheduling cut-off has passed; you can still cancel.",
        ));
    }
    if start <= now {
        return Err(AppError::validation(FieldErrors::single(
            "start",
            "is in the past",
        )));
    }
    let rules = rules_for(app, b.mentor_id, &mentor.timezone).await?;
    let duration = slot_minutes(version);
    if !is_slot(&rules, &[], duration, start, now) {
        return Err(AppError::validation(FieldErrors::single(
            "start",
            "is not a bookable time of this mentor",
        )));
    }
    let end = start
        .saturating_add(SignedDuration::from_mins(duration.into()))
        .unwrap_or(start);
    let admit = move |saved: Option<&Availability>, busy: &[Busy]| {
        is_slot(saved.unwrap_or(&rules), busy, duration, start, now)
    };
    Ok(app
        .store
        .reschedule_booking(b.id, start, end, actor.id, &admit, now)
        .await?)
}

/// The times a booking could move to in `[from, to)`: its mentor's free slots for the
/// version bought.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn offers_for_booking(
    app: &App,
    c: &crate::bookings::BookingContext,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Offer>, AppError> {
    let Some(mentor) = app.store.mentor_profile(c.booking.mentor_id).await? else {
        return Err(AppError::not_found("mentor"));
    };
    offers(app, &c.sku, &[BookableMentor::from(&mentor)], from, to).await
}

/// Saves the viewer's weekly hours and rules (mentors).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_availability(
    app: &App,
    me: &Account,
    rules: &Availability,
) -> Result<(), AppError> {
    crate::access::require(me, stint_domain::role::Role::Mentor)?;
    rules.validate().map_err(AppError::validation)?;
    app.store.save_availability(me.id, rules, app.now()).await?;
    Ok(())
}

/// The viewer's rules: saved ones or the default (mentors).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn own_rules(app: &App, me: &Account) -> Result<Availability, AppError> {
    crate::access::require(me, stint_domain::role::Role::Mentor)?;
    rules_for(app, me.id, &me.timezone).await
}

//! What planning and sending read about a booking: the booking, its SKU version and both
//! parties; the facts planning needs; and the state a nudge is checked against when sent.

use stint_domain::account::Account;
use stint_domain::booking::{Booking, BookingId, BookingStatus};
use stint_domain::catalog::SkuContent;
use stint_domain::nudge::{Change, Current, Facts, NudgeKind, Party, Planned};
use stint_domain::outcome::assessment::AssessmentKind;
use stint_domain::outcome::prep::PrepStatus;
use stint_domain::risk::Risk;
use stint_store::{RiskSessions, Store, StoreError};

/// A booking with what every nudge about it mentions.
pub(crate) struct Session {
    pub booking: Booking,
    pub sku: SkuContent,
    pub mentee: Account,
    pub mentor: Account,
}

impl Session {
    /// The recipient's account and the other party's.
    pub fn parties(&self, recipient: stint_domain::ids::UserId) -> Option<(&Account, &Account)> {
        if recipient == self.mentee.id {
            Some((&self.mentee, &self.mentor))
        } else if recipient == self.mentor.id {
            Some((&self.mentor, &self.mentee))
        } else {
            None
        }
    }
}

/// The booking and what goes with it, in one query; `None` if the booking is gone.
pub(crate) async fn session(
    store: &dyn Store,
    id: BookingId,
) -> Result<Option<Session>, StoreError> {
    Ok(store.booking_context(id).await?.map(|c| Session {
        booking: c.booking,
        sku: c.sku.content,
        mentee: c.mentee,
        mentor: c.mentor,
    }))
}

async fn party(store: &dyn Store, a: &Account) -> Result<Party, StoreError> {
    Ok(Party {
        user: a.id,
        zone: a.zone(),
        prefs: store.nudge_prefs(a.id).await?,
        chat: store.chat_of(a.id).await?.is_some(),
    })
}

/// The facts planning reads.
pub(crate) async fn facts(
    store: &dyn Store,
    s: &Session,
    change: Change,
    changed_at: jiff::Timestamp,
) -> Result<Facts, StoreError> {
    let b = &s.booking;
    let closing = store.closing(b.id).await?;
    let open_tasks = if closing.is_some() {
        let tasks = store.tasks(b.id).await?;
        tasks
            .iter()
            .filter(|t| t.done_at.is_none())
            .map(|t| (t.id, t.due))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Facts {
        booking: b.id,
        status: b.status,
        sequence: b.sequence,
        start: b.start,
        end: b.end,
        changed_at,
        change,
        mentee: party(store, &s.mentee).await?,
        mentor: party(store, &s.mentor).await?,
        // Every SKU asks for a baseline before the session, so there is always prep.
        has_prep: true,
        followup_opens_at: closing.map(|c| c.followup_opens_at),
        open_tasks,
        high_risk: b.status == BookingStatus::Confirmed && high_risk(store, b.id).await?,
    })
}

/// The booking and recipient as a nudge is checked against when it is sent. Only what the
/// nudge's kind is checked against is read: a notice or reminder needs neither the
/// assessments nor the prep, and it is most of what is sent.
pub(crate) async fn current(
    store: &dyn Store,
    s: &Session,
    p: &Planned,
) -> Result<Current, StoreError> {
    let b = &s.booking;
    let (prep_done, followup_taken) = match p.kind {
        NudgeKind::PrepDue => {
            let baseline = taken(store, b.id, AssessmentKind::Baseline).await?;
            let prep = store.prep(b.id).await?;
            let done = PrepStatus::of(&s.sku, prep.as_ref().map(|r| &r.prep), baseline).is_done();
            (done, false)
        }
        NudgeKind::FollowUpOpen => (false, taken(store, b.id, AssessmentKind::Followup).await?),
        _ => (false, false),
    };
    let task_done = match p.task {
        Some(id) => store
            .tasks(b.id)
            .await?
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.done_at.is_some()),
        None => None,
    };
    Ok(Current {
        status: b.status,
        sequence: b.sequence,
        start: b.start,
        prep_done,
        followup_taken,
        task_done,
        prefs: store.nudge_prefs(p.recipient).await?,
        high_risk: p.risk && high_risk(store, b.id).await?,
    })
}

/// Whether the kept no-show model rates the booking high risk as it is now (never without
/// a model: too little history).
async fn high_risk(store: &dyn Store, b: BookingId) -> Result<bool, StoreError> {
    let Some(model) = store.risk_model().await? else {
        return Ok(false);
    };
    let facts = store.risk_sessions(RiskSessions::Bookings(&[b])).await?;
    Ok(facts
        .first()
        .is_some_and(|s| model.risk(s).level == Risk::High))
}

/// Whether the booking has an assessment of `kind`.
async fn taken(store: &dyn Store, b: BookingId, kind: AssessmentKind) -> Result<bool, StoreError> {
    Ok(store.assessments(b).await?.iter().any(|a| a.kind == kind))
}

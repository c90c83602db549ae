//! Sponsorship's storage: organisations, their members and invitations, their budget's rules
//! and funding, and bookings paid by a budget (the hold, the cap and the budget checked in
//! the booking's own write).

use crate::interfaces::{Admit, BookingOutcome, IdempotencyKey, NewBooking, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::ids::{OrgId, SkuId, UserId};
use stint_domain::ledger::Credits;
use stint_domain::sponsor::{BudgetRules, OrgRole};

/// An organisation with its budget's rules. `rules` is `None` until an admin sets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRecord {
    pub id: OrgId,
    pub name: String,
    pub rules: Option<BudgetRules>,
    pub created_at: Timestamp,
}

/// A person's place in an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub org: OrgId,
    pub org_name: String,
    pub user: UserId,
    pub name: String,
    pub email: String,
    pub role: OrgRole,
    pub joined_at: Timestamp,
    /// When they left; they keep what was already booked.
    pub left_at: Option<Timestamp>,
    /// What they let the organisation see of them.
    pub sharing: stint_domain::access::Sharing,
}

impl Membership {
    pub fn is_active(&self) -> bool {
        self.left_at.is_none()
    }
}

/// An invitation to join, as the admins' list shows it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteRecord {
    pub id: i64,
    pub org: OrgId,
    pub email: String,
    pub role: OrgRole,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

/// A new invitation: its secret arrives only as a digest.
#[derive(Debug, Clone)]
pub struct NewInvite<'a> {
    pub org: OrgId,
    pub email: &'a str,
    pub role: OrgRole,
    pub digest: &'a str,
    pub invited_by: UserId,
    pub expires_at: Timestamp,
}

/// Money into a budget: an invoice, credited once when an operator marks it paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundingRecord {
    pub id: i64,
    pub org: OrgId,
    pub credits: Credits,
    pub reference: String,
    pub paid_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// `invoice` (an operator marks it paid) or `stripe` (paid by card, on Stripe's word).
    pub provider: String,
    /// What a card payment asks, in ISO 4217 minor units; `None` for an invoice.
    pub price_minor: Option<i64>,
    pub currency: Option<String>,
}

/// What a booking paid by a budget counts against: the organisation and the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetCharge {
    pub org: OrgId,
    pub period_start: Timestamp,
}

/// The budget's spend on one session type in one month (UTC, `YYYY-MM`): sessions held or
/// taken place, the credits they cost, and how many members they were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendRow {
    pub month: String,
    pub sku: SkuId,
    pub sku_title: String,
    pub sessions: i64,
    pub people: i64,
    pub credits: Credits,
}

pub use crate::sql::sponsor::holds::APPROVAL_LAPSE;

/// A booking waiting for an admin's approval, as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRow {
    pub booking: stint_domain::booking::BookingId,
    pub member: String,
    pub sku_title: String,
    pub start: Timestamp,
    pub credits: Credits,
    /// When it lapses if nobody decides.
    pub due: Timestamp,
}

/// One session on a budget's statement: what the budget held for it and what came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    pub booking: stint_domain::booking::BookingId,
    pub start: Timestamp,
    pub sku_title: String,
    /// Where its hold stands: `held`, `settled`, `released` or `forfeited`.
    pub state: String,
    pub held: Credits,
    pub returned: Credits,
}

/// A request to verify an e-mail domain, its link's secret only as a digest.
#[derive(Debug, Clone)]
pub struct NewDomain<'a> {
    pub org: OrgId,
    pub domain: &'a str,
    /// Where the link goes: an address at `domain`.
    pub address: &'a str,
    pub digest: &'a str,
    pub requested_by: UserId,
    pub expires_at: Timestamp,
}

/// An organisation's e-mail domain: asked for, verified by the link mailed to `address`, or
/// removed (then nobody joins by it any more; who joined stays).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainRecord {
    pub id: i64,
    pub org: OrgId,
    pub domain: String,
    pub address: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub verified_at: Option<Timestamp>,
    pub removed_at: Option<Timestamp>,
}

/// Who pays for a booking from a budget, and where its approval stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetHoldInfo {
    pub org: OrgId,
    pub org_name: String,
    pub member: UserId,
    pub credits: Credits,
    /// `None` where the budget does not ask for approval.
    pub approval: Option<stint_domain::sponsor::Approval>,
    pub approval_due: Option<Timestamp>,
}

/// Storage of sponsorship.
#[async_trait]
pub trait SponsorStore: Send + Sync {
    /// A new organisation with `admin` as its first admin (granted the sponsor admin role).
    async fn create_org(&self, name: &str, admin: UserId, now: Timestamp) -> Result<OrgRecord>;
    async fn org(&self, id: OrgId) -> Result<Option<OrgRecord>>;
    /// Every organisation, by name (operators).
    async fn orgs(&self) -> Result<Vec<OrgRecord>>;
    /// Replaces the budget's rules.
    async fn set_budget_rules(&self, org: OrgId, rules: &BudgetRules, now: Timestamp)
    -> Result<()>;

    /// The organisations `user` belongs or belonged to.
    async fn memberships_of(&self, user: UserId) -> Result<Vec<Membership>>;
    /// Everyone who belongs or belonged to `org`, by name.
    async fn members(&self, org: OrgId) -> Result<Vec<Membership>>;
    /// Adds `user` (again) with `role`; a returning member's leaving is forgotten.
    async fn add_member(
        &self,
        org: OrgId,
        user: UserId,
        role: OrgRole,
        now: Timestamp,
    ) -> Result<()>;
    /// Sets what `user` shares with `org` (`sharing`'s classes for the sponsor); false if they
    /// are not an active member.
    async fn set_sharing(
        &self,
        org: OrgId,
        user: UserId,
        sharing: &stint_domain::access::Sharing,
        now: Timestamp,
    ) -> Result<bool>;
    /// Marks `user` as having left `org`; false if they were not an active member.
    async fn leave_org(&self, org: OrgId, user: UserId, now: Timestamp) -> Result<bool>;

    async fn create_invite(&self, invite: &NewInvite<'_>, now: Timestamp) -> Result<InviteRecord>;
    async fn invites(&self, org: OrgId) -> Result<Vec<InviteRecord>>;
    /// Gives invitation `id` a new secret (its `digest`) if it is still unused and
    /// unexpired at `now`: the invitation and its organisation's name, or `None`.
    async fn reissue_invite(
        &self,
        id: i64,
        digest: &str,
        now: Timestamp,
    ) -> Result<Option<(InviteRecord, String)>>;
    /// Uses the invitation whose secret has `digest` for `user`, once and before it expires,
    /// and makes them a member with its role, in one transaction. `NotFound` if there is no
    /// such unused, unexpired invitation.
    async fn accept_invite(&self, digest: &str, user: UserId, now: Timestamp) -> Result<OrgId>;

    /// What `member` used of their cap in the period starting `period_start`: credits, sessions.
    async fn budget_usage(
        &self,
        org: OrgId,
        member: UserId,
        period_start: Timestamp,
    ) -> Result<(Credits, i64)>;

    /// A new invoice to fund `org`'s budget.
    async fn request_funding(
        &self,
        org: OrgId,
        credits: Credits,
        reference: &str,
        by: UserId,
        now: Timestamp,
    ) -> Result<FundingRecord>;
    /// `org`'s fundings, newest first; or, with `None`, every unpaid one (operators).
    async fn fundings(&self, org: Option<OrgId>) -> Result<Vec<FundingRecord>>;
    /// Credits a funding's invoice to its budget, once (movement `funding:<id>`). A funding
    /// paid already is `Conflict { field: "funding" }`; an unknown one (or one paid by card)
    /// `NotFound`.
    async fn mark_funding_paid(&self, id: i64, now: Timestamp) -> Result<FundingRecord>;
    /// A funding `org` pays by card: `price_minor` in `currency` for `credits`.
    #[allow(clippy::too_many_arguments)]
    async fn request_card_funding(
        &self,
        org: OrgId,
        credits: Credits,
        reference: &str,
        by: UserId,
        price_minor: i64,
        currency: &str,
        now: Timestamp,
    ) -> Result<FundingRecord>;
    /// Credits a card funding once its payment succeeded, as `mark_funding_paid` does.
    async fn mark_card_funding_paid(&self, id: i64, now: Timestamp) -> Result<FundingRecord>;
    async fn funding(&self, id: i64) -> Result<Option<FundingRecord>>;

    /// Makes a booking whose price the budget pays, as `create_booking` does for a wallet:
    /// the member's cap for the period, the session type and the budget are checked in the
    /// same write transaction as the claim and the hold, so concurrent bookings never spend
    /// more than the budget holds or a member past the cap. A refusal is
    /// `Conflict { field: "paid_by" }` with the `PayRefusal`'s code as its message.
    async fn create_sponsored_booking(
        &self,
        new: &NewBooking,
        key: Option<&IdempotencyKey>,
        admit: Admit<'_>,
        charge: BudgetCharge,
        now: Timestamp,
    ) -> Result<BookingOutcome>;

    /// The bookings of `org` waiting for approval, the first to lapse first.
    async fn pending_approvals(&self, org: OrgId) -> Result<Vec<ApprovalRow>>;
    /// Decides a pending request (of `org`, when given): `Approved`; or `Declined` or
    /// `Lapsed` (only once due at `now`), which cancel the booking, if still confirmed, and
    /// release its hold to the budget, in one transaction. False when it is no longer pending
    /// (decided already, or a lapse not yet due); `NotFound` when `org` has no such request.
    async fn decide_approval(
        &self,
        org: Option<OrgId>,
        booking: stint_domain::booking::BookingId,
        decision: stint_domain::sponsor::Approval,
        now: Timestamp,
    ) -> Result<bool>;

    /// Closes `org`'s budget period that began at `period_start`, once: the credits it held
    /// then (its balance less what was funded since) expire. `None` if it was closed already.
    async fn close_budget_period(
        &self,
        org: OrgId,
        period_start: Timestamp,
        now: Timestamp,
    ) -> Result<Option<Credits>>;

    /// The sessions `org`'s budget paid for that start in `[from, to)`, in time order.
    async fn budget_statement(
        &self,
        org: OrgId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<StatementLine>>;

    /// The budget's spend by month and session type, newest month first.
    async fn budget_spend(&self, org: OrgId) -> Result<Vec<SpendRow>>;
    /// How many of `org`'s active members have had a session paid by it.
    async fn participants(&self, org: OrgId) -> Result<i64>;

    /// Records a request to verify an e-mail domain for `org`.
    async fn request_domain(&self, new: &NewDomain<'_>, now: Timestamp) -> Result<DomainRecord>;
    /// `org`'s domains not removed, newest first.
    async fn domains(&self, org: OrgId) -> Result<Vec<DomainRecord>>;
    /// The organisation that verified `domain`, if one has.
    async fn verified_domain(&self, domain: &str) -> Result<Option<OrgId>>;
    /// Gives domain request `id` a new link (its `digest`) while it is unverified, not
    /// removed and unexpired: the request and its organisation's name, or `None`.
    async fn reissue_domain_link(
        &self,
        id: i64,
        digest: &str,
        now: Timestamp,
    ) -> Result<Option<(DomainRecord, String)>>;
    /// The open request (unverified, not removed, unexpired) whose link has `digest`, and
    /// its organisation's name: what the link's page names before anyone confirms.
    async fn domain_request(
        &self,
        digest: &str,
        now: Timestamp,
    ) -> Result<Option<(DomainRecord, String)>>;
    /// Verifies the request whose link has `digest` and joins every account at its domain
    /// that never belonged to the organisation, in one transaction: the domain and how many
    /// joined. `NotFound` for no such open request; `Conflict { field: "domain" }` when
    /// another organisation verified the domain first.
    async fn verify_domain(&self, digest: &str, now: Timestamp) -> Result<(DomainRecord, u64)>;
    /// Removes `org`'s domain `id`: nobody joins by it any more. False if there was none.
    async fn remove_domain(&self, org: OrgId, id: i64, now: Timestamp) -> Result<bool>;
    /// Joins `user` to the organisation that verified `domain`, unless they belonged to it
    /// before: the organisation joined.
    async fn join_by_domain(
        &self,
        user: UserId,
        domain: &str,
        now: Timestamp,
    ) -> Result<Option<OrgId>>;

    /// Records notice `notice` of `org` (with `detail`, if any) and queues `job` (if any) in
    /// one transaction, once: false (nothing written) if it was opened before.
    async fn open_notice(
        &self,
        org: OrgId,
        notice: &str,
        detail: Option<&str>,
        job: Option<&crate::NewJob>,
        now: Timestamp,
    ) -> Result<bool>;
    /// `org`'s newest notice whose name starts with `prefix`: its name, detail and time.
    async fn latest_notice(
        &self,
        org: OrgId,
        prefix: &str,
    ) -> Result<Option<(String, Option<String>, Timestamp)>>;
    /// The members who had a session paid by `org`'s budget that started before `before`
    /// and was not cancelled.
    async fn participant_ids(&self, org: OrgId, before: Timestamp) -> Result<Vec<UserId>>;
    /// Which budget pays for `booking` and where its approval stands; `None` for another payer.
    async fn budget_hold_of(
        &self,
        booking: stint_domain::booking::BookingId,
    ) -> Result<Option<BudgetHoldInfo>>;
}

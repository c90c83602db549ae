//! The sponsorship API's answers, mapped from the store's and the console's types.

use serde::Serialize;
use stint_app::sponsor::console::Console;
use stint_store::sponsor::{FundingRecord, InviteRecord, Membership, OrgRecord};
use utoipa::ToSchema;

/// A budget's rules.
#[derive(Debug, Serialize, ToSchema)]
pub struct RulesDto {
    /// `month` or `quarter` (UTC calendar periods).
    pub period: String,
    /// What is left when a period ends: `roll_over` or `expire`.
    pub leftover: String,
    /// The most credits one member may spend per period.
    pub cap_credits: i64,
    /// The most sessions one member may book per period.
    pub cap_sessions: i64,
    /// The session types the budget pays for.
    pub sku_ids: Vec<i64>,
    /// Hours an admin has to approve each booking before it lapses; absent: no approval.
    pub approval_hours: Option<i64>,
}

/// An organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgDto {
    pub id: i64,
    pub name: String,
    /// Absent until an admin sets them.
    pub rules: Option<RulesDto>,
    pub created_at: String,
}

impl From<&OrgRecord> for OrgDto {
    fn from(o: &OrgRecord) -> Self {
        OrgDto {
            id: o.id.0,
            name: o.name.clone(),
            rules: o.rules.as_ref().map(|r| RulesDto {
                period: r.period.as_str().to_string(),
                leftover: r.leftover.as_str().to_string(),
                cap_credits: r.cap_credits,
                cap_sessions: r.cap_sessions,
                sku_ids: r.skus.iter().map(|s| s.0).collect(),
                approval_hours: r.approval_hours,
            }),
            created_at: o.created_at.to_string(),
        }
    }
}

/// A person's place in an organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipDto {
    pub org_id: i64,
    pub org_name: String,
    pub user_id: i64,
    pub name: String,
    pub email: String,
    /// `admin` or `member`.
    pub role: String,
    pub joined_at: String,
    /// When they left; they keep the sessions already booked.
    pub left_at: Option<String>,
    /// What they let the organisation see: `nothing` (not even counted in its figures),
    /// `aggregates` (figures about groups only) or `progress` (also their own progress; never
    /// notes or answers).
    pub shares: String,
}

impl From<&Membership> for MembershipDto {
    fn from(m: &Membership) -> Self {
        MembershipDto {
            org_id: m.org.0,
            org_name: m.org_name.clone(),
            user_id: m.user.0,
            name: m.name.clone(),
            email: m.email.clone(),
            role: m.role.as_str().to_string(),
            joined_at: m.joined_at.to_string(),
            left_at: m.left_at.map(|t| t.to_string()),
            shares: stint_app::sponsor::sharing::name_of(&m.sharing).to_string(),
        }
    }
}

/// An invitation (its link goes only to the invited address).
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteDto {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub created_at: String,
    pub expires_at: String,
    pub used_at: Option<String>,
}

impl From<&InviteRecord> for InviteDto {
    fn from(i: &InviteRecord) -> Self {
        InviteDto {
            id: i.id,
            email: i.email.clone(),
            role: i.role.as_str().to_string(),
            created_at: i.created_at.to_string(),
            expires_at: i.expires_at.to_string(),
            used_at: i.used_at.map(|t| t.to_string()),
        }
    }
}

/// Money into a budget: an invoice, or a card payment.
#[derive(Debug, Serialize, ToSchema)]
pub struct FundingDto {
    pub id: i64,
    pub org_id: i64,
    pub credits: i64,
    pub reference: String,
    /// `invoice` (an operator marks it paid) or `stripe` (paid by card).
    pub provider: String,
    /// What a card payment asks, in ISO 4217 minor units (absent for an invoice).
    pub price_minor: Option<i64>,
    pub currency: Option<String>,
    /// Absent while unpaid.
    pub paid_at: Option<String>,
    pub created_at: String,
}

impl From<&FundingRecord> for FundingDto {
    fn from(f: &FundingRecord) -> Self {
        FundingDto {
            id: f.id,
            org_id: f.org.0,
            credits: f.credits,
            reference: f.reference.clone(),
            provider: f.provider.clone(),
            price_minor: f.price_minor,
            currency: f.currency.clone(),
            paid_at: f.paid_at.map(|t| t.to_string()),
            created_at: f.created_at.to_string(),
        }
    }
}

/// One month's spend (UTC).
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthSpendDto {
    /// `YYYY-MM`.
    pub month: String,
    pub credits: i64,
    pub sessions: i64,
}

/// One session type's spend; its session count is absent over fewer than five people.
#[derive(Debug, Serialize, ToSchema)]
pub struct TypeSpendDto {
    pub title: String,
    pub credits: i64,
    pub sessions: Option<i64>,
}

/// Mean skill gain in a competency; absent over fewer than five people.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompetencyGainDto {
    pub competency: String,
    pub mean_gain: Option<f64>,
}

/// Outcomes of the sessions the budget paid for, in aggregate. Every figure about people is
/// absent when fewer than five people stand behind it, or when it and another figure shown
/// would together narrow a group below five.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomesDto {
    pub participants: Option<i64>,
    pub non_participants: Option<i64>,
    /// Closed sessions the figures are over.
    pub sessions: Option<u64>,
    pub mini_win_rate: Option<f64>,
    /// The 95% Wilson interval of the mini-win rate.
    pub interval_low: Option<f64>,
    pub interval_high: Option<f64>,
    pub mean_gain: Option<f64>,
    /// Tasks done of tasks set.
    pub task_completion: Option<f64>,
    pub by_competency: Vec<CompetencyGainDto>,
}

/// The sponsor console.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsoleDto {
    pub org: OrgDto,
    /// Credits the budget holds now.
    pub balance: i64,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub spent_this_period: i64,
    /// Spent this period of what was available in it (0–1).
    pub utilization: Option<f64>,
    pub members: usize,
    pub admins: usize,
    pub by_month: Vec<MonthSpendDto>,
    pub by_type: Vec<TypeSpendDto>,
    pub outcomes: OutcomesDto,
}

impl From<&Console> for ConsoleDto {
    fn from(c: &Console) -> Self {
        let stats = c.outcomes.stats.as_ref();
        ConsoleDto {
            org: OrgDto::from(&c.org),
            balance: c.balance,
            period_start: c.period.map(|(s, _)| s.to_string()),
            period_end: c.period.map(|(_, e)| e.to_string()),
            spent_this_period: c.spent_this_period,
            utilization: c.utilization,
            members: c.members,
            admins: c.admins,
            by_month: c
                .by_month
                .iter()
                .map(|m| MonthSpendDto {
                    month: m.month.clone(),
                    credits: m.credits,
                    sessions: m.sessions,
                })
                .collect(),
            by_type: c
                .by_type
                .iter()
                .map(|t| TypeSpendDto {
                    title: t.title.clone(),
                    credits: t.credits,
                    sessions: t.sessions,
                })
                .collect(),
            outcomes: OutcomesDto {
                participants: c.outcomes.participants,
                non_participants: c.outcomes.non_participants,
                sessions: stats.map(|s| s.sessions),
                mini_win_rate: stats.and_then(|s| s.mini_win_rate),
                interval_low: stats.and_then(|s| s.interval).map(|i| i.0),
                interval_high: stats.and_then(|s| s.interval).map(|i| i.1),
                mean_gain: stats.and_then(|s| s.mean_gain),
                task_completion: stats
                    .filter(|s| s.tasks_total > 0)
                    .map(|s| s.tasks_done as f64 / s.tasks_total as f64),
                by_competency: c
                    .outcomes
                    .by_competency
                    .iter()
                    .map(|g| CompetencyGainDto {
                        competency: g.competency.clone(),
                        mean_gain: g.mean_gain,
                    })
                    .collect(),
            },
        }
    }
}

/// A member's progress over the sessions the budget paid for, shown only because they chose
/// to share it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberProgressDto {
    pub user_id: i64,
    pub name: String,
    pub sessions: u64,
    pub checkpoints_reached: u64,
    /// Mean levels gained from baseline to follow-up, where both were taken.
    pub mean_gain: Option<f64>,
    pub tasks_done: u64,
    pub tasks_total: u64,
}

impl From<&stint_app::sponsor::sharing::MemberProgress> for MemberProgressDto {
    fn from(p: &stint_app::sponsor::sharing::MemberProgress) -> Self {
        MemberProgressDto {
            user_id: p.user.0,
            name: p.name.clone(),
            sessions: p.sessions,
            checkpoints_reached: p.checkpoints_reached,
            mean_gain: p.mean_gain,
            tasks_done: p.tasks_done,
            tasks_total: p.tasks_total,
        }
    }
}

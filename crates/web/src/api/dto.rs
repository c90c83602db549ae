//! The API's request and response bodies, described for the OpenAPI document.
//! They are the API's contract, kept apart from the domain types they map to.

use serde::{Deserialize, Serialize};
use stint_domain::account::Account;
use stint_domain::catalog::{Checkpoint, Competency, PreRead, SkuVersion};
use stint_domain::mentor::MentorProfile;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    #[schema(example = "ana@example.com", format = "email", max_length = 254)]
    pub email: String,
    /// At least 10 characters; a passphrase is best.
    #[schema(format = "passphrase", min_length = 10, max_length = 128)]
    pub password: String,
    #[schema(example = "Ana Lima", format = "line", min_length = 1, max_length = 80)]
    pub display_name: String,
    /// An IANA time zone name.
    #[schema(example = "Europe/Berlin", format = "iana-time-zone")]
    pub timezone: String,
}

/// The answer to every valid sign-up, whatever the address.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignupAccepted {
    pub message: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupConfirm {
    /// The `token` of the link in the sign-up mail.
    #[schema(min_length = 1, max_length = 200)]
    pub token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(min_length = 1, max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 128)]
    pub password: String,
    /// A name for the token, shown when listing them (default "api").
    #[serde(default)]
    #[schema(format = "line", min_length = 1, max_length = 60)]
    pub label: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// RFC 3339.
    pub expires_at: String,
    pub user: Me,
}

/// Fields to change; omitted fields keep their value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeUpdate {
    #[schema(format = "line", min_length = 1, max_length = 80)]
    pub display_name: Option<String>,
    /// An IANA time zone name.
    #[schema(format = "iana-time-zone")]
    pub timezone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub timezone: String,
    /// Any of `mentee`, `mentor`, `sponsor_admin`, `operator`.
    pub roles: Vec<String>,
}

impl From<&Account> for Me {
    fn from(a: &Account) -> Self {
        Me {
            id: a.id.0,
            email: a.email.clone(),
            display_name: a.display_name.clone(),
            timezone: a.timezone.clone(),
            roles: a.roles.iter().map(|r| r.as_str().to_string()).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RubricLevel {
    pub level: i64,
    pub description: String,
}

impl RubricLevel {
    /// A rubric's levels numbered from 1.
    pub fn all(levels: &[String]) -> Vec<RubricLevel> {
        levels
            .iter()
            .enumerate()
            .map(|(i, d)| RubricLevel {
                level: i as i64 + 1,
                description: d.clone(),
            })
            .collect()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointDto {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
}

impl From<&Checkpoint> for CheckpointDto {
    fn from(c: &Checkpoint) -> Self {
        CheckpointDto {
            id: c.id.0,
            slug: c.slug.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompetencyDto {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    /// Five levels, 1 (novice) to 5 (expert).
    pub rubric: Vec<RubricLevel>,
    pub checkpoints: Vec<CheckpointDto>,
}

impl From<&Competency> for CompetencyDto {
    fn from(c: &Competency) -> Self {
        CompetencyDto {
            id: c.id.0,
            slug: c.slug.clone(),
            name: c.name.clone(),
            description: c.description.clone(),
            rubric: RubricLevel::all(&c.rubric),
            checkpoints: c.checkpoints.iter().map(CheckpointDto::from).collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompetencyRequest {
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 80)]
    pub slug: String,
    #[schema(format = "line", min_length = 1, max_length = 80)]
    pub name: String,
    #[serde(default)]
    #[schema(format = "text", max_length = 2000)]
    pub description: String,
    /// Exactly five level descriptions, level 1 first.
    #[schema(
        min_items = 5,
        max_items = 5,
        format = "text",
        min_length = 1,
        max_length = 400
    )]
    pub rubric: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckpointRequest {
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 80)]
    pub slug: String,
    #[schema(format = "line", min_length = 1, max_length = 160)]
    pub title: String,
    #[serde(default)]
    #[schema(format = "text", max_length = 1000)]
    pub description: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompetencyRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreReadDto {
    #[schema(format = "line", min_length = 1, max_length = 160)]
    pub title: String,
    #[schema(format = "uri")]
    pub url: String,
}

impl From<&PreRead> for PreReadDto {
    fn from(p: &PreRead) -> Self {
        PreReadDto {
            title: p.title.clone(),
            url: p.url.clone(),
        }
    }
}

/// A session type at one version.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkuDto {
    pub id: i64,
    pub slug: String,
    /// `draft`, `active` or `retired`.
    #[schema(value_type = SkuStatusName)]
    pub status: String,
    /// The version shown here.
    pub version: i64,
    /// The version on sale now; older versions stay readable.
    pub current_version: i64,
    pub title: String,
    pub duration_minutes: i64,
    pub competency: CompetencyRef,
    pub checkpoint: CheckpointDto,
    pub outcome: String,
    pub artifacts: Vec<String>,
    pub intake_questions: Vec<String>,
    pub pre_reads: Vec<PreReadDto>,
    pub followup_template: String,
    /// The micro-assessment's questions (at most 3), asked before the session and again after.
    pub assessment_questions: Vec<String>,
    /// Days after the session closes when the follow-up assessment opens.
    pub followup_delay_days: i64,
    pub price_credits: i64,
    /// Free cancellation until this many hours before the start.
    pub cancel_cutoff_hours: i64,
    /// Rescheduling allowed until this many hours before the start.
    pub reschedule_cutoff_hours: i64,
    /// The share of the price (%) a mentee's late cancel forfeits to the mentor.
    pub late_cancel_percent: i64,
    /// The outcome bonus in credits, escrowed at booking and paid to the mentor when the
    /// mentee confirms the milestone within 30 days of the session; 0 for none.
    pub bonus_credits: i64,
}

impl SkuDto {
    /// Resolves the competency and checkpoint from the catalog's competencies.
    pub fn new(s: &SkuVersion, competencies: &[Competency]) -> SkuDto {
        let c = &s.content;
        let competency = competencies.iter().find(|x| x.id == c.competency_id);
        let checkpoint = competency.and_then(|x| x.checkpoint(c.checkpoint_id));
        SkuDto {
            id: s.sku_id.0,
            slug: s.slug.clone(),
            status: s.status.as_str().to_string(),
            version: s.version,
            current_version: s.current_version,
            title: c.title.clone(),
            duration_minutes: c.duration_minutes,
            competency: CompetencyRef {
                id: c.competency_id.0,
                slug: competency.map(|x| x.slug.clone()).unwrap_or_default(),
                name: competency.map(|x| x.name.clone()).unwrap_or_default(),
            },
            checkpoint: checkpoint
                .map(CheckpointDto::from)
                .unwrap_or(CheckpointDto {
                    id: c.checkpoint_id.0,
                    slug: String::new(),
                    title: String::new(),
                    description: String::new(),
                }),
            outcome: c.outcome.clone(),
            artifacts: c.artifacts.clone(),
            intake_questions: c.intake_questions.clone(),
            pre_reads: c.pre_reads.iter().map(PreReadDto::from).collect(),
            followup_template: c.followup_template.clone(),
            assessment_questions: c.assessment_questions.clone(),
            followup_delay_days: c.followup_delay_days,
            price_credits: c.price_credits,
            cancel_cutoff_hours: c.cancel_cutoff_hours,
            reschedule_cutoff_hours: c.reschedule_cutoff_hours,
            late_cancel_percent: c.late_cancel_percent,
            bonus_credits: c.bonus_credits,
        }
    }
}

/// The editable content of a session type. Creating one also takes its `slug`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkuRequest {
    /// Only when creating; ignored on edit must not be sent.
    #[serde(default)]
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 80)]
    pub slug: Option<String>,
    #[schema(format = "line", min_length = 3, max_length = 120)]
    pub title: String,
    /// 20 to 60.
    #[schema(minimum = 20, maximum = 60)]
    pub duration_minutes: i64,
    /// Slug of the competency.
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 80)]
    pub competency: String,
    /// Slug of a checkpoint of that competency.
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 80)]
    pub checkpoint: String,
    #[schema(format = "text", min_length = 10, max_length = 600)]
    pub outcome: String,
    #[serde(default)]
    pub artifacts: Vec<String>,
    #[serde(default)]
    pub intake_questions: Vec<String>,
    #[serde(default)]
    pub pre_reads: Vec<PreReadDto>,
    #[serde(default)]
    #[schema(format = "text", max_length = 4000)]
    pub followup_template: String,
    /// At most 3 short questions, asked before the session and again after.
    #[serde(default)]
    pub assessment_questions: Vec<String>,
    /// 1 to 60; 7 when left out.
    #[serde(default = "stint_domain::catalog::default_followup_delay_days")]
    #[schema(minimum = 1, maximum = 60)]
    pub followup_delay_days: i64,
    #[schema(minimum = 0, maximum = 10000)]
    pub price_credits: i64,
    #[schema(minimum = 0, maximum = 336)]
    pub cancel_cutoff_hours: i64,
    #[schema(minimum = 0, maximum = 336)]
    pub reschedule_cutoff_hours: i64,
    /// 0 to 100; 50 when left out.
    #[serde(default = "stint_domain::catalog::default_late_cancel_percent")]
    #[schema(minimum = 0, maximum = 100)]
    pub late_cancel_percent: i64,
    /// 0 (the default) for none; a bonus needs a price.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10000)]
    pub bonus_credits: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// `active` or `retired` (a draft can also be retired).
    #[schema(value_type = SkuStatusName)]
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveredSkuDto {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub duration_minutes: i64,
    pub price_credits: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MentorDto {
    pub id: i64,
    pub display_name: String,
    pub timezone: String,
    pub headline: String,
    pub bio: String,
    /// Experience and credentials.
    pub experience: String,
    /// Languages the mentor holds sessions in.
    pub languages: Vec<String>,
    /// Where the mentor is, as people say it (the city of their zone).
    pub city: String,
    /// Their portrait: a photo, or their initials.
    pub photo_url: String,
    pub competencies: Vec<CompetencyRef>,
    pub skus: Vec<DeliveredSkuDto>,
    /// Whether they take new bookings now (false while they are paused).
    pub taking_bookings: bool,
    /// The day a pause ends (`YYYY-MM-DD`, in their zone), if they set one.
    pub back_on: Option<String>,
}

impl From<&MentorProfile> for MentorDto {
    fn from(m: &MentorProfile) -> Self {
        MentorDto {
            id: m.user_id.0,
            display_name: m.display_name.clone(),
            timezone: m.timezone.clone(),
            headline: m.headline.clone(),
            bio: m.bio.clone(),
            experience: m.experience.clone(),
            languages: m.languages.clone(),
            city: stint_domain::mentor::zone_city(&m.timezone),
            photo_url: format!("/mentors/{}/photo", m.user_id),
            competencies: m
                .competencies
                .iter()
                .map(|c| CompetencyRef {
                    id: c.id.0,
                    slug: c.slug.clone(),
                    name: c.name.clone(),
                })
                .collect(),
            skus: m
                .skus
                .iter()
                .map(|s| DeliveredSkuDto {
                    id: s.id.0,
                    slug: s.slug.clone(),
                    title: s.title.clone(),
                    duration_minutes: s.duration_minutes,
                    price_credits: s.price_credits,
                })
                .collect(),
            taking_bookings: m.standing.is_listed(),
            back_on: m.standing.until().map(|d| d.to_string()),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MentorProfileRequest {
    #[schema(format = "line", min_length = 3, max_length = 140)]
    pub headline: String,
    #[serde(default)]
    #[schema(format = "text", max_length = 4000)]
    pub bio: String,
    /// Experience and credentials, a few lines.
    #[serde(default)]
    #[schema(format = "text", max_length = 2000)]
    pub experience: String,
    /// Languages you hold sessions in (at most 10), in your order of preference.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub languages: Vec<String>,
    /// Your own video room (https); leave empty to get a room per booking.
    #[serde(default)]
    pub meeting_url: String,
    /// Slugs of the active session types you deliver.
    #[serde(default)]
    pub skus: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    /// `mentee`, `mentor`, `sponsor_admin` or `operator`.
    #[schema(value_type = RoleName)]
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub database: String,
}

// ---- names the server accepts, described as enums in the OpenAPI document ----------------
// The fields stay strings (a bad value is a 422 naming the field, not a 400 from serde); these
// types only give the document the exact values.

/// A role an account can hold.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    Mentee,
    Mentor,
    SponsorAdmin,
    Operator,
}

/// Where a session type is in its life.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkuStatusName {
    Draft,
    Active,
    Retired,
}

/// Which session types to list (`draft`, `retired` and `all` for operators).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkuListName {
    Active,
    Draft,
    Retired,
    All,
}

/// What kind of calendar a mentor connects.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CalendarKindName {
    Caldav,
    Ics,
}

/// A kind of webhook event: the document lists `stint_webhooks::EventType::ALL`.
pub struct EventTypeName;

impl utoipa::PartialSchema for EventTypeName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_enum(
            "A kind of webhook event.",
            stint_webhooks::EventType::ALL.iter().map(|t| t.as_str()),
        )
    }
}

impl ToSchema for EventTypeName {}

/// A string schema whose values are `values`, for a list kept in one place elsewhere.
pub(crate) fn string_enum<'a>(
    description: &str,
    values: impl Iterator<Item = &'a str>,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values.map(str::to_string)))
        .into()
}

/// A side of a booking.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SideName {
    Mentee,
    Mentor,
}

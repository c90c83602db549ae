//! The JSON API under `/api/v1`, described by an OpenAPI 3.1 document that is built from
//! the same route list, so no route can go undocumented.

pub mod adjustments;
pub mod applications;
pub mod auth;
pub mod availability;
pub mod bookings;
pub mod calendar;
pub mod calendars;
pub mod catalog;
pub mod chat;
pub mod circles;
pub mod credentials;
pub mod dto;
pub mod experiments;
pub mod health;
pub mod inbox;
pub mod insights;
mod integral;
pub mod jobs;
pub mod load;
pub mod materials;
pub mod mentors;
pub mod money;
pub mod note_files;
pub mod nudges;
pub mod outcomes;
pub mod payouts;
pub mod picker;
pub mod pilots;
pub mod privacy;
pub mod privacy_requests;
pub mod reviews;
pub mod skill_credentials;
pub mod sponsor;
pub mod standing;
pub mod stripe_webhook;
pub mod users;
pub mod value;
pub mod webhooks;

use crate::error::{ErrorBody, ErrorDetail};
use crate::state::AppState;
use axum::Json;
use std::sync::OnceLock;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Stint API", description = "Outcome-based micro-mentoring: accounts, catalog, mentors, scheduling and the outcome loop.\n\nString formats beyond JSON Schema's own: `line` is one line of text (no line breaks or other control characters; leading and trailing white space is trimmed before lengths are counted), `text` is the same but may hold line breaks, `iana-time-zone` is a zone name of the IANA tz database (e.g. `Europe/Berlin`), and `passphrase` is a password the policy takes (at least 10 characters, not a common password, not containing the account's e-mail address)."),
    modifiers(&BearerAuth),
    components(schemas(
        ErrorBody,
        ErrorDetail,
        dto::RoleName,
        dto::SkuListName,
        dto::SkuStatusName,
        dto::SideName,
        dto::CalendarKindName,
        dto::EventTypeName,
        money::CurrencyName
    )),
    tags(
        (name = "auth", description = "Sign up, log in, tokens"),
        (name = "catalog", description = "Competencies, checkpoints and session types (SKUs)"),
        (name = "mentors", description = "Mentor directory and profiles"),
        (name = "scheduling", description = "Availability, slots and bookings"),
        (name = "calendar", description = "Calendar invitations and the private feed"),
        (name = "outcomes", description = "Prep, micro-assessments, notes, closing, tasks, and the figures built from them"),
        (name = "users", description = "Accounts and roles (operators)"),
        (name = "money", description = "Credit packs, purchases and the wallet"),
        (name = "nudges", description = "The inbox, nudge preferences and each session's delivery log"),
        (name = "operator", description = "The durable job queue: counts, recent jobs, dead jobs and their retry (operators)"),
        (name = "webhooks", description = "Signed webhook endpoints, their delivery logs, replays and test events (operators)"),
        (name = "notes", description = "Sessions as Markdown files for one's own note app"),
        (name = "credentials", description = "Signed skill credentials (Open Badges 3.0 as W3C verifiable credentials), their sharing, revocation and verification"),
        (name = "privacy", description = "How long one's own data is kept, within the published retention policy, and who read it"),
        (name = "sponsor", description = "Organisations that pay for their members' sessions: budgets, members, invitations and the console's figures, never an individual's"),
        (name = "meta", description = "Health, readiness, Prometheus metrics and this document"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut OpenApiDoc) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Documents the answers every operation can give besides its own: malformed or oversized
/// bodies, a bad token, a bad query or path. Added here once so no operation forgets them.
struct StandardResponses;

impl Modify for StandardResponses {
    fn modify(&self, doc: &mut OpenApiDoc) {
        use utoipa::openapi::{RefOr, ResponseBuilder, content::ContentBuilder};
        let error = |description: &str| -> RefOr<utoipa::openapi::Response> {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        for (path, item) in doc.paths.paths.iter_mut() {
            let public = matches!(
                path.as_str(),
                "/healthz"
                    | "/readyz"
                    | "/metrics"
                    | "/api/v1/openapi.json"
                    | "/api/v1/auth/signup"
                    | "/api/v1/auth/signup/confirm"
                    | "/api/v1/auth/password-reset"
                    | "/api/v1/auth/password-reset/confirm"
                    | "/api/v1/auth/login"
                    | "/api/v1/skus/{slug}/outcomes"
                    | "/api/v1/metrics"
            );
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let responses = &mut op.responses.responses;
                let mut add = |code: &str, description: &str| {
                    responses
                        .entry(code.to_string())
                        .or_insert_with(|| error(description));
                };
                if op.request_body.is_some() {
                    add("400", "The body is not valid JSON");
                    add("413", "The body is too large");
                    add("415", "The body is not JSON");
                    add(
                        "422",
                        "A field is missing, unknown, of the wrong type or not valid",
                    );
                }
                if !public {
                    add("401", "The bearer token is missing, expired or revoked");
                }
                if path.contains('{') {
                    add("404", "Nothing exists at this path");
                }
                if op.parameters.as_ref().is_some_and(|ps| {
                    ps.iter().any(|p| {
                        matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query)
                    })
                }) {
                    add("422", "A query parameter is unknown or not valid");
                }
            }
        }
    }
}

/// Every API route with its documentation.
/// A mentor's photo: the one API body larger than `BODY_LIMIT` (a picture of up to 5 MB).
fn photo_routes() -> utoipa_axum::router::UtoipaMethodRouter<AppState> {
    let (schemas, paths, method) = routes!(mentors::put_my_photo, mentors::delete_my_photo);
    let limit = axum::extract::DefaultBodyLimit::max(stint_app::photos::PHOTO_MAX_BYTES + 1);
    (schemas, paths, method.layer(limit))
}

/// A session type's material file: up to 10 MB (`BODY_LIMIT` elsewhere).
fn material_file_routes() -> utoipa_axum::router::UtoipaMethodRouter<AppState> {
    let (schemas, paths, method) = routes!(materials::put_file);
    let limit = axum::extract::DefaultBodyLimit::max(stint_app::materials::MATERIAL_MAX_BYTES + 1);
    (schemas, paths, method.layer(limit))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(crate::observe::metrics::prometheus))
        .routes(routes!(openapi_json))
        .routes(routes!(privacy::get_privacy, privacy::put_privacy))
        .routes(routes!(privacy::access_log))
        .routes(routes!(privacy::export))
        .routes(routes!(note_files::notes_vault))
        .routes(routes!(chat::mine, chat::connect, chat::disconnect))
        .routes(routes!(note_files::session_note_file))
        .routes(routes!(skill_credentials::claim))
        .routes(routes!(skill_credentials::mine))
        .routes(routes!(skill_credentials::verify))
        .routes(routes!(skill_credentials::one))
        .routes(routes!(
            skill_credentials::share,
            skill_credentials::unshare
        ))
        .routes(routes!(skill_credentials::revoke))
        .routes(routes!(
            privacy_requests::request_export,
            privacy_requests::exports
        ))
        .routes(routes!(privacy_requests::download))
        .routes(routes!(
            privacy_requests::get_erasure,
            privacy_requests::request_erasure,
            privacy_requests::cancel_erasure
        ))
        .routes(routes!(privacy_requests::open_requests))
        .routes(routes!(money::list_packs, money::create_pack))
        .routes(routes!(money::update_pack))
        .routes(routes!(money::buy))
        .routes(routes!(money::purchase))
        .routes(routes!(money::my_wallet))
        .routes(routes!(money::pending_purchases))
        .routes(routes!(money::mark_paid))
        .routes(routes!(payouts::my_earnings))
        .routes(routes!(payouts::list_payouts))
        .routes(routes!(payouts::run_payouts))
        .routes(routes!(payouts::run_csv))
        .routes(routes!(adjustments::refund))
        .routes(routes!(adjustments::correct))
        .routes(routes!(adjustments::list))
        .routes(routes!(auth::signup))
        .routes(routes!(auth::confirm_signup))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me, auth::update_me))
        .routes(routes!(credentials::change_password))
        .routes(routes!(credentials::log_out_everywhere))
        .routes(routes!(credentials::list_tokens))
        .routes(routes!(credentials::revoke_token))
        .routes(routes!(credentials::request_reset))
        .routes(routes!(credentials::confirm_reset))
        .routes(routes!(
            catalog::list_competencies,
            catalog::create_competency
        ))
        .routes(routes!(catalog::get_competency, catalog::update_competency))
        .routes(routes!(catalog::add_checkpoint))
        .routes(routes!(catalog::update_checkpoint))
        .routes(routes!(catalog::list_skus, catalog::create_sku))
        .routes(routes!(catalog::get_sku, catalog::update_sku))
        .routes(routes!(catalog::set_sku_status))
        .routes(routes!(catalog::list_sku_versions))
        .routes(routes!(catalog::get_sku_version))
        .routes(routes!(mentors::list_mentors))
        .routes(routes!(mentors::get_mentor))
        .routes(routes!(mentors::save_my_profile))
        .routes(routes!(standing::my_standing))
        .routes(routes!(standing::pause))
        .routes(routes!(standing::resume))
        .routes(routes!(standing::suspend))
        .routes(routes!(standing::reinstate))
        .routes(routes!(standing::unlisted))
        .routes(routes!(load::mine))
        .routes(routes!(load::at_risk))
        .routes(routes!(applications::apply))
        .routes(routes!(applications::mine))
        .routes(routes!(applications::answer))
        .routes(routes!(applications::queue))
        .routes(routes!(applications::decide))
        .routes(routes!(circles::list, circles::form))
        .routes(routes!(circles::open))
        .routes(routes!(circles::post))
        .routes(routes!(circles::call))
        .routes(photo_routes())
        .routes(routes!(materials::session_materials))
        .routes(routes!(materials::session_material_file))
        .routes(routes!(materials::sku_materials))
        .routes(routes!(materials::put_link, materials::delete_material))
        .routes(material_file_routes())
        .routes(routes!(reviews::mentor_reviews))
        .routes(routes!(
            reviews::review_session,
            reviews::get_session_review
        ))
        .routes(routes!(reviews::reply_to_review))
        .routes(routes!(
            calendars::list_calendars,
            calendars::connect_calendar
        ))
        .routes(routes!(
            calendars::remove_calendar,
            calendars::choose_calendars
        ))
        .routes(routes!(calendars::sync_calendar))
        .routes(routes!(
            availability::get_my_availability,
            availability::put_my_availability
        ))
        .routes(routes!(availability::list_slots))
        .routes(routes!(picker::days))
        .routes(routes!(picker::times))
        .routes(routes!(bookings::create_booking, bookings::list_bookings))
        .routes(routes!(bookings::get_booking))
        .routes(routes!(bookings::reschedule_booking))
        .routes(routes!(bookings::cancel_booking))
        .routes(routes!(bookings::report_no_show))
        .routes(routes!(bookings::confirm_bonus))
        .routes(routes!(calendar::booking_invite))
        .routes(routes!(calendar::create_feed, calendar::revoke_feed))
        .routes(routes!(outcomes::get_outcome))
        .routes(routes!(outcomes::save_prep))
        .routes(routes!(outcomes::take_assessment))
        .routes(routes!(outcomes::list_notes))
        .routes(routes!(outcomes::save_note))
        .routes(routes!(outcomes::followup_draft))
        .routes(routes!(outcomes::close_session))
        .routes(routes!(outcomes::set_task))
        .routes(routes!(outcomes::tick_deliverable))
        .routes(routes!(outcomes::my_progress))
        .routes(routes!(outcomes::my_impact))
        .routes(routes!(outcomes::my_todo))
        .routes(routes!(outcomes::sku_outcomes))
        .routes(routes!(outcomes::metrics))
        .routes(routes!(users::list_users))
        .routes(routes!(users::grant_role))
        .routes(routes!(users::revoke_role))
        .routes(routes!(jobs::list_jobs))
        .routes(routes!(insights::report))
        .routes(routes!(insights::forecasts))
        .routes(routes!(value::value_report))
        .routes(routes!(value::risk_model))
        .routes(routes!(
            experiments::list_experiments,
            experiments::start_experiment
        ))
        .routes(routes!(experiments::experiment_results))
        .routes(routes!(experiments::end_experiment))
        .routes(routes!(pilots::list_pilots, pilots::create_pilot))
        .routes(routes!(pilots::pilot_report))
        .routes(routes!(pilots::my_check_ins))
        .routes(routes!(pilots::answer_check_in))
        .routes(routes!(jobs::retry_job))
        .routes(routes!(inbox::get_inbox))
        .routes(routes!(inbox::mark_read))
        .routes(routes!(nudges::get_prefs, nudges::put_prefs))
        .routes(routes!(nudges::list_deliveries))
        .routes(routes!(webhooks::list_webhooks, webhooks::create_webhook))
        .routes(routes!(webhooks::get_webhook, webhooks::update_webhook))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhooks::replay_webhook))
        .routes(routes!(webhooks::test_webhook))
        .routes(routes!(
            sponsor::operator::list_orgs,
            sponsor::operator::create_org
        ))
        .routes(routes!(sponsor::operator::unpaid_fundings))
        .routes(routes!(sponsor::operator::mark_funding_paid))
        .routes(routes!(sponsor::console::get_console))
        .routes(routes!(sponsor::console::put_rules))
        .routes(routes!(
            sponsor::console::list_fundings,
            sponsor::console::request_funding
        ))
        .routes(routes!(
            sponsor::console::list_invites,
            sponsor::console::invite
        ))
        .routes(routes!(sponsor::console::list_members))
        .routes(routes!(sponsor::console::list_approvals))
        .routes(routes!(sponsor::console::statement))
        .routes(routes!(sponsor::console::decide_approval))
        .routes(routes!(sponsor::retention::latest, sponsor::retention::run))
        .routes(routes!(sponsor::console::fund_by_card))
        .routes(routes!(sponsor::console::shared_progress))
        .routes(routes!(sponsor::members::set_sharing))
        .routes(routes!(sponsor::domains::list, sponsor::domains::add))
        .routes(routes!(sponsor::domains::remove))
        .routes(routes!(sponsor::webhooks::list, sponsor::webhooks::create))
        .routes(routes!(sponsor::webhooks::get, sponsor::webhooks::update))
        .routes(routes!(sponsor::webhooks::deliveries))
        .routes(routes!(sponsor::webhooks::test))
        .routes(routes!(sponsor::members::my_orgs))
        .routes(routes!(sponsor::members::join))
        .routes(routes!(sponsor::members::leave))
}

/// The OpenAPI document, built once.
pub fn openapi() -> &'static OpenApiDoc {
    static DOC: OnceLock<OpenApiDoc> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = router().split_for_parts().1;
        // After the routes are merged in: the modifier walks every operation.
        StandardResponses.modify(&mut doc);
        doc
    })
}

/// This API's OpenAPI 3.1 document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
pub async fn openapi_json() -> Json<&'static OpenApiDoc> {
    Json(openapi())
}

//! Server-rendered pages. Every core flow works without JavaScript; forms carry a CSRF
//! token and, when refused, come back with the user's input and a message per field.

// Page handlers fail with a ready response (an error page); boxing it would only add noise
// to every handler, and the error path is not hot.
#![allow(clippy::result_large_err)]

pub(crate) mod account;
mod account_data;
mod account_privacy;
mod accounts;
mod adjustments;
mod applications;
pub mod assets;
mod availability;
mod bonus;
pub(crate) mod booking;
mod calendars;
mod charts;
mod chat;
mod circles;
mod credits;
mod deliveries;
mod directory;
mod experiments;
mod filters;
mod forms;
mod inbox;
mod insights;
mod jobs;
mod load;
mod mail;
pub(crate) mod materials;
mod mentor;
mod next_step;
mod note_files;
mod nudges;
mod operator;
mod organisations;
pub(crate) mod outcomes;
mod payouts;
pub(crate) mod photos;
mod picker;
mod pilots;
mod privacy;
mod public;
pub mod render;
mod reviews;
mod security;
pub(crate) mod session_moves;
pub(crate) mod session_page;
mod sessions;
mod signup;
mod skill_credentials;
mod sponsor;
mod sponsor_retention;
mod sponsor_settings;
mod sponsors;
mod standing;
mod unread;
mod upload;
mod value;
mod wallet;
mod webhooks;

use crate::auth::MaybeUser;
use crate::auth::csrf;
use crate::state::AppState;
use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(public::home))
        .route("/skus/{slug}", get(public::sku))
        .route("/skus/{slug}/v/{version}", get(public::sku_version))
        .route("/mentors", get(directory::mentors))
        .route("/privacy", get(privacy::page))
        .route("/privacy/policy.json", get(privacy::document))
        .route(
            "/.well-known/did.json",
            get(skill_credentials::did_document),
        )
        .route("/did.json", get(skill_credentials::did_document))
        .route(
            "/credentials/status/{list}",
            get(skill_credentials::status_list),
        )
        .route(
            "/credentials/shared/{token}",
            get(skill_credentials::shared),
        )
        .route(
            "/credentials/verify",
            get(skill_credentials::verify_form).post(skill_credentials::verify),
        )
        .route("/mentors/{id}", get(directory::mentor))
        .route("/signup", get(signup::signup_form).post(signup::signup))
        .route(
            "/signup/confirm",
            get(signup::confirm_form).post(signup::confirm),
        )
        .route("/login", get(account::login_form).post(account::login))
        .route("/logout", post(account::logout))
        .route(
            "/forgot-password",
            get(security::forgot_form).post(security::forgot),
        )
        .route(
            "/reset-password",
            get(security::reset_form).post(security::reset),
        )
        .route("/account/security", get(security::page))
        .route(
            "/account/privacy",
            get(account_privacy::page).post(account_privacy::save),
        )
        .route("/account/export", get(account_privacy::export))
        .route("/account/notes.zip", get(note_files::vault))
        .route("/account/credentials", get(skill_credentials::list))
        .route("/account/chat", get(chat::show).post(chat::connect))
        .route("/account/chat/disconnect", post(chat::disconnect))
        .route(
            "/account/credentials/{id}/credential.jwt",
            get(skill_credentials::download),
        )
        .route(
            "/account/credentials/{id}/{action}",
            post(skill_credentials::act),
        )
        .route("/account/data", get(account_data::page))
        .route("/account/exports", post(account_data::request_export))
        .route(
            "/account/exports/{id}/download",
            get(account_data::download),
        )
        .route("/account/erasure", post(account_data::request_erasure))
        .route(
            "/account/erasure/cancel",
            post(account_data::cancel_erasure),
        )
        .route(
            "/operator/privacy-requests",
            get(account_data::open_requests),
        )
        .route("/wallet", get(wallet::page))
        .route("/wallet/buy", post(wallet::buy))
        .route("/wallet/purchases/{id}", get(wallet::receipt))
        .route("/earnings", get(payouts::earnings_page))
        .route("/account/password", post(security::change_password))
        .route(
            "/account/logout-everywhere",
            post(security::log_out_everywhere),
        )
        .route("/account/tokens/{id}/revoke", post(security::revoke_token))
        .route("/dashboard", get(account::dashboard))
        .route("/skus/{slug}/book", get(picker::book_page))
        .route("/skus/{slug}/book/confirm", get(booking::confirm_page))
        .route(
            "/sessions",
            get(sessions::sessions).post(booking::create_booking),
        )
        .route("/sessions/{id}", get(session_page::session))
        .route("/sessions/{id}/invite.ics", get(session_moves::invite_file))
        .route("/sessions/{id}/notes.md", get(note_files::session_file))
        .route("/sessions/{id}/credential", post(skill_credentials::claim))
        .route("/sessions/{id}/prep", post(outcomes::save_prep))
        .route("/sessions/{id}/assessment", post(outcomes::take_assessment))
        .route("/sessions/{id}/notes", post(outcomes::save_note))
        .route("/sessions/{id}/close", post(outcomes::close))
        .route("/sessions/{id}/tasks", post(outcomes::save_tasks))
        .route("/sessions/{id}/artifacts", post(outcomes::save_artifacts))
        .route("/sessions/{id}/review", post(reviews::leave))
        .route("/sessions/{id}/review/reply", post(reviews::reply))
        .route("/progress", get(outcomes::progress))
        .route("/impact", get(outcomes::impact))
        // `/metrics` itself is Prometheus's (see `observe::metrics`).
        .route("/metrics/definitions", get(outcomes::metrics_page))
        .route("/account/calendar-feed", post(account::create_feed))
        .route("/account/calendar-feed/revoke", post(account::revoke_feed))
        .route("/account/nudges", post(nudges::save))
        .route("/inbox", get(inbox::inbox))
        .route("/inbox/read", post(inbox::mark_all_read))
        .route("/inbox/{id}/read", post(inbox::mark_read))
        .route("/sessions/{id}/cancel", post(session_moves::cancel))
        .route("/sessions/{id}/no-show", post(session_moves::no_show))
        .route("/sessions/{id}/bonus", post(bonus::confirm))
        .route(
            "/sessions/{id}/reschedule",
            get(session_moves::reschedule_page).post(session_moves::reschedule),
        )
        .route(
            "/account",
            get(account::settings_form).post(account::save_settings),
        )
        .route(
            "/mentor/profile",
            get(mentor::profile_form).post(mentor::save_profile),
        )
        .route(
            "/mentor/photo",
            post(photos::upload).layer(axum::extract::DefaultBodyLimit::max(
                stint_app::photos::PHOTO_MAX_BYTES + 64 * 1024,
            )),
        )
        .route("/mentor/photo/remove", post(photos::remove))
        .route("/mentor/pause", post(standing::pause))
        .route(
            "/mentor/apply",
            get(applications::apply_form).post(applications::apply),
        )
        .route("/mentor/apply/{id}/answer", post(applications::answer))
        .route("/operator/applications", get(applications::queue))
        .route("/operator/applications/{id}", post(applications::decide))
        .route("/mentor/circles", get(circles::mine))
        .route("/operator/circles", get(circles::mine).post(circles::form))
        .route("/mentor/circles/{id}", get(circles::thread))
        .route("/mentor/circles/{id}/posts", post(circles::post))
        .route("/mentor/circles/{id}/calls", post(circles::call))
        .route(
            "/mentor/circles/calls/{call}/invite.ics",
            get(circles::invite),
        )
        .route("/mentor/resume", post(standing::resume))
        .route("/operator/mentors", get(standing::unlisted))
        .route(
            "/operator/mentors/{id}/suspend",
            get(standing::suspend_form).post(standing::suspend),
        )
        .route(
            "/operator/mentors/{id}/reinstate",
            post(standing::reinstate),
        )
        .route(
            "/mentor/availability",
            get(availability::editor).post(availability::save),
        )
        .route(
            "/mentor/calendars",
            get(calendars::list).post(calendars::connect),
        )
        .route("/mentor/calendars/{id}/sync", post(calendars::sync))
        .route("/mentor/calendars/{id}/remove", post(calendars::remove))
        .route("/mentor/calendars/{id}/choose", post(calendars::choose))
        .route("/operator", get(operator::catalog))
        .route(
            "/operator/competencies/new",
            get(operator::new_competency).post(operator::create_competency),
        )
        .route(
            "/operator/competencies/{slug}",
            get(operator::edit_competency).post(operator::update_competency),
        )
        .route(
            "/operator/competencies/{slug}/checkpoints",
            post(operator::add_checkpoint),
        )
        .route(
            "/operator/competencies/{slug}/checkpoints/{id}",
            post(operator::update_checkpoint),
        )
        .route(
            "/operator/skus/new",
            get(operator::new_sku).post(operator::create_sku),
        )
        .route(
            "/operator/skus/{slug}",
            get(operator::edit_sku).post(operator::update_sku),
        )
        .route("/operator/skus/{slug}/status", post(operator::set_status))
        .route("/operator/skus/{slug}/materials", get(materials::page))
        .route(
            "/operator/skus/{slug}/materials/{position}/link",
            post(materials::attach_link),
        )
        .route(
            "/operator/skus/{slug}/materials/{position}/file",
            post(materials::attach_file).layer(axum::extract::DefaultBodyLimit::max(
                materials::UPLOAD_LIMIT,
            )),
        )
        .route(
            "/operator/skus/{slug}/materials/{position}/remove",
            post(materials::detach),
        )
        .route(
            "/sessions/{id}/materials/{position}",
            get(materials::download),
        )
        .route("/operator/accounts", get(accounts::accounts))
        .route("/operator/accounts/{id}/roles", post(accounts::change_role))
        .route("/operator/jobs", get(jobs::jobs))
        .route("/operator/insights", get(insights::page))
        .route(
            "/operator/insights.csv",
            get(insights::supply_and_demand_csv),
        )
        .route("/operator/forecasts.csv", get(insights::forecasts_csv))
        .route("/operator/credits", get(credits::page))
        .route(
            "/operator/experiments",
            get(experiments::list).post(experiments::start),
        )
        .route("/operator/experiments/{id}", get(experiments::show))
        .route("/operator/value", get(value::value_page))
        .route("/operator/value/count", post(value::count))
        .route("/operator/experiments/{id}/count", post(experiments::count))
        .route("/operator/pilots/{id}/count", post(pilots::count))
        .route("/operator/no-shows", get(value::no_shows_page))
        .route("/operator/experiments/{id}/end", post(experiments::end))
        .route("/operator/pilots", get(pilots::list).post(pilots::create))
        .route("/operator/pilots/{id}", get(pilots::show))
        .route("/operator/pilots/{id}/report.csv", get(pilots::report_csv))
        .route("/pilots", get(pilots::mine))
        .route(
            "/pilots/{id}/check-ins/{day}",
            get(pilots::check_in).post(pilots::answer),
        )
        .route(
            "/operator/sponsors",
            get(sponsors::page).post(sponsors::create),
        )
        .route(
            "/operator/sponsors/fundings/{id}/paid",
            post(sponsors::mark_paid),
        )
        .route("/sponsor", get(sponsor::index))
        .route("/sponsor/{id}", get(sponsor::page))
        .route("/sponsor/{id}/rules", post(sponsor::save_rules))
        .route("/sponsor/{id}/fundings", post(sponsor::request_funding))
        .route("/sponsor/{id}/fundings/card", post(sponsor::fund_by_card))
        .route("/sponsor/{id}/invites", post(sponsor::invite))
        .route("/sponsor/{id}/statement", get(sponsor::statement))
        .route("/sponsor/{id}/settings", get(sponsor_settings::page))
        .route(
            "/sponsor/{id}/retention",
            get(sponsor_retention::page).post(sponsor_retention::run),
        )
        .route("/sponsor/{id}/domains", post(sponsor_settings::add_domain))
        .route(
            "/sponsor/{id}/domains/{domain}/remove",
            post(sponsor_settings::remove_domain),
        )
        .route(
            "/sponsor/{id}/webhooks",
            post(sponsor_settings::add_endpoint),
        )
        .route(
            "/sponsor/{id}/webhooks/{endpoint}/test",
            post(sponsor_settings::test_endpoint),
        )
        .route(
            "/sponsor/{id}/webhooks/{endpoint}/status",
            post(sponsor_settings::set_status),
        )
        .route(
            "/org-domains/verify",
            get(sponsor_settings::verify_form).post(sponsor_settings::verify),
        )
        .route("/sponsor/{id}/approvals/{booking}", post(sponsor::decide))
        .route("/organisations", get(organisations::page))
        .route("/organisations/{id}/leave", post(organisations::leave))
        .route(
            "/organisations/{id}/sharing",
            post(organisations::set_sharing),
        )
        .route(
            "/join",
            get(organisations::join_page).post(organisations::join),
        )
        .route("/operator/payouts", get(payouts::payouts_page))
        .route("/operator/adjustments", get(adjustments::page))
        .route("/operator/adjustments/refunds", post(adjustments::refund))
        .route(
            "/operator/adjustments/corrections",
            post(adjustments::correct),
        )
        .route("/operator/payouts/run", post(payouts::run))
        .route("/operator/payouts/runs/{id}/csv", get(payouts::run_csv))
        .route(
            "/operator/credits/purchases/{id}/paid",
            post(credits::mark_paid),
        )
        .route("/operator/credits/packs", post(credits::create_pack))
        .route(
            "/operator/credits/packs/{id}/active",
            post(credits::set_active),
        )
        .route("/operator/mail", get(mail::mail))
        .route("/operator/mail/{file}", get(mail::message))
        .route("/operator/jobs/{id}/retry", post(jobs::retry))
        .route(
            "/operator/webhooks",
            get(webhooks::list).post(webhooks::create),
        )
        .route("/operator/webhooks/{id}", get(webhooks::show))
        .route("/operator/webhooks/{id}/status", post(webhooks::set_status))
        .route("/operator/webhooks/{id}/replay", post(webhooks::replay))
        .route("/operator/webhooks/{id}/test", post(webhooks::send_test))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            unread::count,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::ensure_token,
        ))
}

/// Any unknown address: the API's JSON 404 under `/api/`, a page elsewhere.
pub async fn not_found(uri: axum::http::Uri, MaybeUser(user): MaybeUser) -> Response {
    if uri.path().starts_with("/api/") {
        return axum::response::IntoResponse::into_response(crate::ApiError::not_found(
            "API route",
        ));
    }
    render::not_found_page(user)
}

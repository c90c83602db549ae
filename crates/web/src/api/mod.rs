//! The JSON API under `/api/v1`, described by an OpenAPI 3.1 document that is built from
//! the same route list, so no route can go undocumented.

pub mod auth;
pub mod catalog;
pub mod dto;
pub mod health;
pub mod mentors;
pub mod users;

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
    info(title = "Stint API", description = "Outcome-based micro-mentoring: accounts, catalog, mentors."),
    modifiers(&BearerAuth),
    components(schemas(ErrorBody, ErrorDetail)),
    tags(
        (name = "auth", description = "Sign up, log in, tokens"),
        (name = "catalog", description = "Competencies, checkpoints and session types (SKUs)"),
        (name = "mentors", description = "Mentor directory and profiles"),
        (name = "users", description = "Accounts and roles (operators)"),
        (name = "meta", description = "Health and this document"),
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

/// Every API route with its documentation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(openapi_json))
        .routes(routes!(auth::signup))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me, auth::update_me))
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
        .routes(routes!(users::list_users))
        .routes(routes!(users::grant_role))
        .routes(routes!(users::revoke_role))
}

/// The OpenAPI document, built once.
pub fn openapi() -> &'static OpenApiDoc {
    static DOC: OnceLock<OpenApiDoc> = OnceLock::new();
    DOC.get_or_init(|| router().split_for_parts().1)
}

/// This API's OpenAPI 3.1 document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
pub async fn openapi_json() -> Json<&'static OpenApiDoc> {
    Json(openapi())
}

//! `/api/v1/packs`, `/api/v1/purchases`, `/api/v1/me/wallet` and the operators' purchase
//! queue: credits bought and held, over the use cases of `stint_app::money`.

use crate::auth::{ApiOperator, ApiUser};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use stint_app::money::purchases::{self, Provider};
use stint_app::money::{packs, wallet};
use stint_domain::FieldErrors;
use stint_domain::ledger::{PackInput, format_money};
use stint_store::ledger::Entry;
use stint_store::money::{LotRecord, PackRecord, PurchaseRecord};
use utoipa::{IntoParams, ToSchema};

/// A credit pack.
#[derive(Debug, Serialize, ToSchema)]
pub struct PackDto {
    pub id: i64,
    pub name: String,
    pub credits: i64,
    /// The price in the currency's minor unit (cents).
    pub price_minor: i64,
    pub currency: String,
    /// The price as people write it, e.g. `EUR 135.00`.
    pub price: String,
    /// Months until bought credits expire; absent: never.
    pub months_valid: Option<u32>,
    pub active: bool,
}

impl From<&PackRecord> for PackDto {
    fn from(p: &PackRecord) -> Self {
        PackDto {
            id: p.id,
            name: p.pack.name.clone(),
            credits: p.pack.credits,
            price_minor: p.pack.price_minor,
            currency: p.pack.currency.clone(),
            price: format_money(p.pack.price_minor, &p.pack.currency),
            months_valid: p.pack.months_valid,
            active: p.pack.active,
        }
    }
}

/// A pack as an operator defines it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackRequest {
    #[schema(
        format = "line",
        min_length = 1,
        max_length = 80,
        example = "Starter · 3 sessions"
    )]
    pub name: String,
    #[serde(deserialize_with = "super::integral::i64")]
    #[schema(minimum = 1, maximum = 10000)]
    pub credits: i64,
    /// In the currency's minor unit (cents).
    #[serde(deserialize_with = "super::integral::i64")]
    #[schema(minimum = 0, maximum = 100000000)]
    pub price_minor: i64,
    #[schema(value_type = CurrencyName)]
    pub currency: String,
    /// Leave out for credits that never expire.
    #[serde(default, deserialize_with = "super::integral::opt_i64")]
    #[schema(minimum = 1, maximum = 36)]
    pub months_valid: Option<i64>,
    /// On sale; `true` when left out.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// An ISO 4217 currency Stint takes: the document lists `stint_domain::ledger::CURRENCIES`,
/// the list the domain checks against.
pub struct CurrencyName;

impl utoipa::PartialSchema for CurrencyName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        super::dto::string_enum(
            "An ISO 4217 currency Stint takes.",
            stint_domain::ledger::CURRENCIES
                .iter()
                .map(|(code, _)| *code),
        )
    }
}

impl ToSchema for CurrencyName {}

impl From<PackRequest> for PackInput {
    fn from(r: PackRequest) -> Self {
        PackInput {
            name: r.name,
            credits: r.credits,
            price_minor: r.price_minor,
            currency: r.currency,
            months_valid: r.months_valid,
            active: r.active,
        }
    }
}

/// A purchase of a pack.
#[derive(Debug, Serialize, ToSchema)]
pub struct PurchaseDto {
    pub id: i64,
    pub pack_id: i64,
    pub pack_name: String,
    pub credits: i64,
    pub price_minor: i64,
    pub currency: String,
    pub price: String,
    /// `stripe` (a card), `manual` (an invoice) or `demo`.
    pub provider: String,
    /// `pending`, `paid` or `cancelled`.
    pub state: String,
    /// How to pay an invoice, while it is pending.
    pub instructions: Option<String>,
    /// The payment's reference (the bank's, for an invoice).
    pub reference: String,
    pub created_at: String,
    pub paid_at: Option<String>,
    /// Where to pay by card (Stripe's Checkout page); only in the answer that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_at: Option<String>,
}

impl From<&PurchaseRecord> for PurchaseDto {
    fn from(p: &PurchaseRecord) -> Self {
        let pending = p.state == stint_store::money::PurchaseState::Pending
            && p.provider == Provider::Manual.as_str();
        PurchaseDto {
            id: p.id,
            pack_id: p.pack_id,
            pack_name: p.pack_name.clone(),
            credits: p.credits,
            price_minor: p.price_minor,
            currency: p.currency.clone(),
            price: format_money(p.price_minor, &p.currency),
            provider: p.provider.clone(),
            state: p.state.as_str().to_string(),
            instructions: pending.then(|| purchases::invoice_instructions(p)),
            reference: p.provider_ref.clone(),
            created_at: p.created_at.to_string(),
            paid_at: p.paid_at.map(|t| t.to_string()),
            pay_at: None,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurchaseRequest {
    #[serde(deserialize_with = "super::integral::i64")]
    pub pack_id: i64,
    /// How to pay: `stripe` (a card on Stripe's page, where it is configured), `manual` (an
    /// invoice; the default) or `demo` (demo servers only).
    #[serde(default)]
    #[schema(value_type = Option<ProviderName>)]
    pub provider: Option<String>,
}

/// A way to pay.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProviderName {
    Stripe,
    Manual,
    Demo,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkPaidRequest {
    /// The bank's reference of the payment.
    #[serde(default)]
    #[schema(format = "line", max_length = 100)]
    pub reference: String,
}

/// Credits left of one purchase.
#[derive(Debug, Serialize, ToSchema)]
pub struct LotDto {
    pub id: i64,
    pub purchase_id: Option<i64>,
    pub credits: i64,
    pub remaining: i64,
    /// Absent: never.
    pub expires_at: Option<String>,
}

impl From<&LotRecord> for LotDto {
    fn from(l: &LotRecord) -> Self {
        LotDto {
            id: l.id,
            purchase_id: l.purchase_id,
            credits: l.credits,
            remaining: l.remaining,
            expires_at: l.expires_at.map(|t| t.to_string()),
        }
    }
}

/// One movement in or out of the wallet.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryDto {
    pub id: i64,
    pub at: String,
    /// `purchase`, `hold`, `release`, `refund`, …
    pub kind: String,
    /// Positive in, negative out.
    pub amount: i64,
    /// The balance after this entry.
    pub balance: i64,
    pub reference: String,
}

impl From<&Entry> for EntryDto {
    fn from(e: &Entry) -> Self {
        EntryDto {
            id: e.id,
            at: e.at.to_string(),
            kind: e.kind.as_str().to_string(),
            amount: e.amount,
            balance: e.balance,
            reference: e.reference.clone(),
        }
    }
}

/// The caller's wallet.
#[derive(Debug, Serialize, ToSchema)]
pub struct WalletDto {
    pub balance: i64,
    /// First to expire first.
    pub lots: Vec<LotDto>,
    /// Newest first, at most 200 (older than `before` when it was asked).
    pub entries: Vec<EntryDto>,
    /// When there are older entries: the `before` that asks for the next 200.
    pub older_before: Option<i64>,
    /// Newest first.
    pub purchases: Vec<PurchaseDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WalletParams {
    /// Only entries older than this one (an entry's id, or a page's `older_before`).
    pub before: Option<i64>,
}

/// The packs on sale, cheapest per credit first.
#[utoipa::path(get, path = "/api/v1/packs", tag = "money", security(("bearer" = [])),
    responses((status = 200, body = Vec<PackDto>), (status = 401, body = ErrorBody)))]
pub async fn list_packs(
    State(state): State<AppState>,
    ApiUser(_me): ApiUser,
) -> Result<Json<Vec<PackDto>>, ApiError> {
    let list = packs::on_sale(&state).await?;
    Ok(Json(list.iter().map(PackDto::from).collect()))
}

/// Defines a pack (operators).
#[utoipa::path(post, path = "/api/v1/packs", tag = "money", security(("bearer" = [])),
    request_body = PackRequest,
    responses((status = 201, body = PackDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_pack(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiJson(req): ApiJson<PackRequest>,
) -> Result<(StatusCode, Json<PackDto>), ApiError> {
    let pack = packs::create(&state, &me, req.into()).await?;
    Ok((StatusCode::CREATED, Json(PackDto::from(&pack))))
}

/// Changes a pack (operators); purchases made keep their terms.
#[utoipa::path(put, path = "/api/v1/packs/{id}", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Pack id")), request_body = PackRequest,
    responses((status = 200, body = PackDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_pack(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<PackRequest>,
) -> Result<Json<PackDto>, ApiError> {
    let pack = packs::update(&state, &me, id, req.into()).await?;
    Ok(Json(PackDto::from(&pack)))
}

/// Buys a pack: with `provider: stripe`, a card payment on Stripe's page at `pay_at` (its
/// credits arrive when Stripe's signed event says it succeeded); an invoice to pay (its
/// credits arrive when it is marked paid); or, on a demo server with `provider: demo`,
/// credits at once.
#[utoipa::path(post, path = "/api/v1/purchases", tag = "money", security(("bearer" = [])),
    request_body = PurchaseRequest,
    responses((status = 201, body = PurchaseDto), (status = 404, description = "No such pack", body = ErrorBody),
        (status = 409, description = "The pack is not on sale, or this server does not offer the provider", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 503, description = "Stripe could not be reached; nothing was charged", body = ErrorBody)))]
pub async fn buy(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(req): ApiJson<PurchaseRequest>,
) -> Result<(StatusCode, Json<PurchaseDto>), ApiError> {
    let provider = match req.provider.as_deref() {
        None => Provider::Manual,
        Some(p) => Provider::parse(p).ok_or_else(|| {
            ApiError::validation(FieldErrors::single(
                "provider",
                "must be stripe, manual or demo",
            ))
        })?,
    };
    let bought = purchases::buy(&state, &me, req.pack_id, provider).await?;
    let mut dto = PurchaseDto::from(&bought.purchase);
    dto.pay_at = bought.pay_at;
    Ok((StatusCode::CREATED, Json(dto)))
}

/// One of the caller's purchases (operators: anyone's).
#[utoipa::path(get, path = "/api/v1/purchases/{id}", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Purchase id")),
    responses((status = 200, body = PurchaseDto), (status = 404, body = ErrorBody)))]
pub async fn purchase(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PurchaseDto>, ApiError> {
    let p = purchases::one(&state, &me, id).await?;
    Ok(Json(PurchaseDto::from(&p)))
}

/// The caller's wallet: balance, lots with expiry, entries with running balance (200 at a
/// time, newest first; `before` pages back), purchases.
#[utoipa::path(get, path = "/api/v1/me/wallet", tag = "money", security(("bearer" = [])),
    params(WalletParams),
    responses((status = 200, body = WalletDto), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn my_wallet(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiQuery(p): ApiQuery<WalletParams>,
) -> Result<Json<WalletDto>, ApiError> {
    let w = wallet::mine(&state, &me, p.before).await?;
    Ok(Json(WalletDto {
        balance: w.balance,
        lots: w.lots.iter().map(LotDto::from).collect(),
        entries: w.entries.iter().map(EntryDto::from).collect(),
        older_before: w.older,
        purchases: w.purchases.iter().map(PurchaseDto::from).collect(),
    }))
}

/// Purchases waiting for their money, oldest first (operators).
#[utoipa::path(get, path = "/api/v1/operator/purchases", tag = "money", security(("bearer" = [])),
    responses((status = 200, body = Vec<PurchaseDto>), (status = 403, body = ErrorBody)))]
pub async fn pending_purchases(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
) -> Result<Json<Vec<PurchaseDto>>, ApiError> {
    let list = purchases::pending(&state, &me).await?;
    Ok(Json(list.iter().map(PurchaseDto::from).collect()))
}

/// Marks an invoice paid (operators): its credits arrive, once; marking it again changes
/// nothing.
#[utoipa::path(post, path = "/api/v1/operator/purchases/{id}/paid", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Purchase id")), request_body = MarkPaidRequest,
    responses((status = 200, body = PurchaseDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The purchase was cancelled", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn mark_paid(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<MarkPaidRequest>,
) -> Result<Json<PurchaseDto>, ApiError> {
    let p = purchases::mark_paid(&state, &me, id, &req.reference).await?;
    Ok(Json(PurchaseDto::from(&p)))
}

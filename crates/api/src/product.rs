//! `/api/product*` (§4.5) and `/api/subscribe*` (§4.7).

use axum::Json;
use axum::http::StatusCode;
use axum::response::Response;
use paygate_app::SubscriptionView;
use paygate_core::Amount;
use paygate_core::plan::Plan;
use paygate_core::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{AllRoles, Body, Caller, OwnerOnly, Staff, Validate};
use crate::state::AppState;
use crate::wire::{dictionary, no_content, time, time_opt};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(products))
        .routes(routes!(favorites, set_favorite))
        .routes(routes!(onboarding))
        .routes(routes!(subscription, subscribe))
        .routes(routes!(plans))
}

#[derive(Serialize, ToSchema)]
pub struct ProductResponse {
    id: i64,
    code: &'static str,
    name: &'static str,
    /// In the owner's plan.
    enabled: bool,
    favorite: bool,
}

fn list(items: Vec<paygate_app::ProductView>, only_favorite: bool) -> Vec<ProductResponse> {
    items
        .into_iter()
        .filter(|p| !only_favorite || p.favorite)
        .map(|p| ProductResponse { id: p.id, code: p.code, name: p.name, enabled: p.enabled, favorite: p.favorite })
        .collect()
}

/// The four products.
#[utoipa::path(get, path = "/api/product", tag = "Api/Product", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [ProductResponse])))]
pub async fn products(state: AppState, caller: Caller<AllRoles>) -> ApiResult<Json<Vec<ProductResponse>>> {
    Ok(Json(list(state.products(&caller).await?, false)))
}

/// The caller's favourite products.
#[utoipa::path(get, path = "/api/product/favorite", tag = "Api/Product", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [ProductResponse])))]
pub async fn favorites(state: AppState, caller: Caller<AllRoles>) -> ApiResult<Json<Vec<ProductResponse>>> {
    Ok(Json(list(state.products(&caller).await?, true)))
}

#[derive(Deserialize, ToSchema)]
pub struct FavoriteRequest {
    product_id: Option<i64>,
    /// Default true; false removes the mark.
    favorite: Option<bool>,
}

impl Validate for FavoriteRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("product_id", &self.product_id);
    }
}

/// Mark or unmark a favourite product.
#[utoipa::path(post, path = "/api/product/favorite", tag = "Api/Product", request_body = FavoriteRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Set")))]
pub async fn set_favorite(
    state: AppState,
    caller: Caller<AllRoles>,
    Body(b): Body<FavoriteRequest>,
) -> ApiResult<StatusCode> {
    state.set_favorite(&caller, b.product_id.unwrap_or_default(), b.favorite.unwrap_or(true)).await?;
    Ok(no_content())
}

#[derive(Serialize, ToSchema)]
pub struct Step {
    code: &'static str,
    done: bool,
}

#[derive(Serialize, ToSchema)]
pub struct OnboardingResponse {
    product_id: i64,
    enabled: bool,
    completed: bool,
    steps: Vec<Step>,
}

/// What each product still needs.
#[utoipa::path(get, path = "/api/product/onboarding", tag = "Api/Product", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [OnboardingResponse])))]
pub async fn onboarding(state: AppState, caller: Caller<AllRoles>) -> ApiResult<Json<Vec<OnboardingResponse>>> {
    let rows = state.onboarding(&caller).await?;
    Ok(Json(
        rows.into_iter()
            .map(|o| OnboardingResponse {
                product_id: o.product_id,
                enabled: o.enabled,
                completed: o.steps.iter().all(|(_, d)| *d),
                steps: o.steps.into_iter().map(|(code, done)| Step { code, done }).collect(),
            })
            .collect(),
    ))
}

/// `Plan` of §3.
#[derive(Serialize, ToSchema)]
pub struct PlanResponse {
    id: i64,
    name: &'static str,
    #[schema(value_type = f64)]
    price: Amount,
    coin_id: i64,
    period_days: i64,
    products: Vec<i64>,
    #[schema(value_type = f64)]
    invoice_commission_percent: Amount,
    #[schema(value_type = f64)]
    transfer_commission_percent: Amount,
    #[schema(value_type = f64)]
    transfer_commission_min: Amount,
    #[schema(value_type = f64)]
    exchange_spread_percent: Amount,
    #[schema(value_type = f64)]
    withdrawal_commission_percent: Amount,
    #[schema(value_type = f64)]
    sepa_commission_fixed: Amount,
    #[schema(value_type = f64)]
    sepa_commission_percent: Amount,
    #[schema(value_type = f64)]
    daily_outgoing_limit: Amount,
}

impl From<Plan> for PlanResponse {
    fn from(p: Plan) -> Self {
        PlanResponse {
            id: p.id,
            name: p.name,
            price: p.price,
            coin_id: p.coin_id,
            period_days: p.period_days,
            products: p.products,
            invoice_commission_percent: p.invoice_commission_percent,
            transfer_commission_percent: p.transfer_commission_percent,
            transfer_commission_min: p.transfer_commission_min,
            exchange_spread_percent: p.exchange_spread_percent,
            withdrawal_commission_percent: p.withdrawal_commission_percent,
            sepa_commission_fixed: p.sepa_commission_fixed,
            sepa_commission_percent: p.sepa_commission_percent,
            daily_outgoing_limit: p.daily_outgoing_limit,
        }
    }
}

/// The plans of this instance.
#[utoipa::path(get, path = "/api/subscribe/info", tag = "Api/Subscribe", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [PlanResponse])))]
pub async fn plans(state: AppState, _caller: Caller<AllRoles>) -> Response {
    dictionary(state.plans().into_iter().map(PlanResponse::from).collect::<Vec<_>>())
}

/// `Subscription` of §3.
#[derive(Serialize, ToSchema)]
pub struct SubscriptionResponse {
    plan_id: i64,
    plan_name: &'static str,
    status_id: i64,
    #[schema(value_type = f64)]
    price: Amount,
    coin_id: i64,
    balance_id: Option<i64>,
    started_at: String,
    renews_at: Option<String>,
}

impl From<SubscriptionView> for SubscriptionResponse {
    fn from(v: SubscriptionView) -> Self {
        let s = v.subscription;
        SubscriptionResponse {
            plan_id: v.plan.id,
            plan_name: v.plan.name,
            status_id: s.status_id,
            price: s.price.0,
            coin_id: s.coin_id,
            balance_id: s.balance_id,
            started_at: time(s.started_at),
            renews_at: time_opt(s.renews_at),
        }
    }
}

/// The owner's subscription.
#[utoipa::path(get, path = "/api/subscribe", tag = "Api/Subscribe", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = SubscriptionResponse)))]
pub async fn subscription(state: AppState, caller: Caller<Staff>) -> ApiResult<Json<SubscriptionResponse>> {
    Ok(Json(state.subscription(&caller).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct SubscribeRequest {
    plan_id: Option<i64>,
    /// Required when the plan has a price: own available balance in the plan's coin.
    balance_id: Option<i64>,
}

impl Validate for SubscribeRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("plan_id", &self.plan_id);
    }
}

/// Switch plan now; a paid plan is charged at once and every period.
#[utoipa::path(post, path = "/api/subscribe", tag = "Api/Subscribe", request_body = SubscribeRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))),
    responses((status = 200, body = SubscriptionResponse), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn subscribe(
    state: AppState,
    caller: Caller<OwnerOnly>,
    Body(b): Body<SubscribeRequest>,
) -> ApiResult<Json<SubscriptionResponse>> {
    Ok(Json(state.subscribe(&caller, b.plan_id.unwrap_or_default(), b.balance_id).await?.into()))
}

//! `/api/pay/pay-link*` (§4.18).

use axum::Json;
use axum::http::StatusCode;
use axum::response::Response;
use paygate_app::payments::statistics::{InvoiceRow, InvoiceStatistic};
use paygate_app::payments::{PayLinkInput, PayLinkPatch, PayLinkSummary};
use paygate_core::validate::Validator;
use paygate_core::{Amount, ErrorCode};
use paygate_store::pay_links::Search;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin_filters::{IdSet, Period};
use crate::currency::CoinResponse;
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{AllRoles, Body, Caller, IdPath, Managers, Patch, QueryParams, Staff, Validate};
use crate::pay::product_stats::{StatisticRequest, StatisticsRequest};
use crate::state::AppState;
use crate::wire::{Paging, WireAmount, dictionary, no_content, paged, query_or_body_id, time, time_opt};

/// Pay links are product 2 (§2.10).
const PRODUCT_PAY_LINK: i64 = 2;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_link, update_link, delete_link))
        .routes(routes!(create_reusable))
        .routes(routes!(create_temporary))
        .routes(routes!(info))
        .routes(routes!(search))
        .routes(routes!(statistic))
        .routes(routes!(statistics))
        .routes(routes!(coins))
        .routes(routes!(statuses))
}

/// `PayLink` of §3.
#[derive(Serialize, ToSchema)]
pub struct PayLinkResponse {
    id: i64,
    public_id: String,
    url: String,
    kind_id: i64,
    name: String,
    description: Option<String>,
    #[schema(value_type = Option<f64>)]
    amount: Option<Amount>,
    #[schema(value_type = Option<f64>)]
    amount_min: Option<Amount>,
    #[schema(value_type = Option<f64>)]
    amount_max: Option<Amount>,
    coin_id: i64,
    token_ids: Vec<i64>,
    single_use: bool,
    expires_at: Option<String>,
    success_url: Option<String>,
    fail_url: Option<String>,
    status_id: i64,
    invoices_count: i64,
    paid_count: i64,
    created_at: String,
    updated_at: String,
}

impl From<&PayLinkSummary> for PayLinkResponse {
    fn from(s: &PayLinkSummary) -> Self {
        let l = &s.link;
        PayLinkResponse {
            id: l.id,
            public_id: l.public_id.clone(),
            url: s.url.clone(),
            kind_id: l.kind_id,
            name: l.name.clone(),
            description: l.description.clone(),
            amount: l.amount.clone().map(|a| a.0),
            amount_min: l.amount_min.clone().map(|a| a.0),
            amount_max: l.amount_max.clone().map(|a| a.0),
            coin_id: l.coin_id,
            token_ids: l.token_id_list(),
            single_use: l.single_use,
            expires_at: time_opt(l.expires_at),
            success_url: l.success_url.clone(),
            fail_url: l.fail_url.clone(),
            status_id: l.status_id,
            invoices_count: s.invoices_count,
            paid_count: s.paid_count,
            created_at: time(l.created_at),
            updated_at: time(l.updated_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CreateRequest {
    name: Option<String>,
    description: Option<String>,
    coin_id: Option<i64>,
    #[schema(value_type = Option<f64>)]
    amount: Option<WireAmount>,
    #[schema(value_type = Option<f64>)]
    amount_min: Option<WireAmount>,
    #[schema(value_type = Option<f64>)]
    amount_max: Option<WireAmount>,
    token_ids: Option<Vec<i64>>,
    success_url: Option<String>,
    fail_url: Option<String>,
    /// Temporary links: future, ≤ 90 days ahead.
    expires_at: Option<String>,
    /// Temporary links: default true.
    single_use: Option<bool>,
}

fn check_common(
    v: &mut Validator,
    name: Option<&String>,
    description: Option<&String>,
    success: Option<&String>,
    fail: Option<&String>,
    tokens: Option<&Vec<i64>>,
) {
    if let Some(n) = name {
        v.length("name", n, 1, 100);
    }
    if let Some(d) = description {
        v.length("description", d, 1, 1000);
    }
    for (f, u) in [("success_url", success), ("fail_url", fail)] {
        if let Some(u) = u {
            v.http_url(f, u, 500);
        }
    }
    if let Some(t) = tokens {
        v.check(t.len() <= 100, ErrorCode::FieldRange, "token_ids");
    }
}

impl Validate for CreateRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("name", &self.name);
        v.required("coin_id", &self.coin_id);
        check_common(
            v,
            self.name.as_ref(),
            self.description.as_ref(),
            self.success_url.as_ref(),
            self.fail_url.as_ref(),
            self.token_ids.as_ref(),
        );
        if self.amount.is_some() && (self.amount_min.is_some() || self.amount_max.is_some()) {
            v.fail(ErrorCode::FieldCombination, "amount");
        }
        if let Some(t) = &self.expires_at {
            v.check(paygate_core::time::parse_rfc3339(t).is_some(), ErrorCode::FieldFormat, "expires_at");
        }
    }
}

fn input(b: CreateRequest, kind_id: i64) -> PayLinkInput {
    PayLinkInput {
        kind_id,
        name: b.name.unwrap_or_default(),
        description: b.description,
        coin_id: b.coin_id.unwrap_or_default(),
        amount: b.amount.map(|a| a.0),
        amount_min: b.amount_min.map(|a| a.0),
        amount_max: b.amount_max.map(|a| a.0),
        token_ids: b.token_ids.unwrap_or_default(),
        success_url: b.success_url,
        fail_url: b.fail_url,
        expires_at: b.expires_at.as_deref().and_then(paygate_core::time::parse_rfc3339),
        single_use: b.single_use.unwrap_or(true),
    }
}

/// Create a reusable link.
#[utoipa::path(post, path = "/api/pay/pay-link/reusable", tag = "Api/Pay/pay-link", request_body = CreateRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))),
    responses((status = 200, body = PayLinkResponse), (status = 403, response = ErrorResponse), (status = 404, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn create_reusable(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<CreateRequest>,
) -> ApiResult<Json<PayLinkResponse>> {
    Ok(Json((&state.create_pay_link(&caller, input(b, 1)).await?).into()))
}

/// Create a temporary link.
#[utoipa::path(post, path = "/api/pay/pay-link/temporary", tag = "Api/Pay/pay-link", request_body = CreateRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))),
    responses((status = 200, body = PayLinkResponse), (status = 403, response = ErrorResponse), (status = 404, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn create_temporary(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<CreateRequest>,
) -> ApiResult<Json<PayLinkResponse>> {
    if b.expires_at.is_none() && b.single_use == Some(false) {
        return Err(ApiError::field(
            ErrorCode::FieldCombination,
            "expires_at",
            "A temporary link needs expires_at or single_use",
        ));
    }
    Ok(Json((&state.create_pay_link(&caller, input(b, 2)).await?).into()))
}

#[derive(Deserialize, IntoParams)]
pub struct IdQuery {
    id: Option<i64>,
}

fn id_of(q: &IdQuery) -> ApiResult<i64> {
    crate::wire::required_query_id(q.id)
}

/// One link.
#[utoipa::path(get, path = "/api/pay/pay-link", tag = "Api/Pay/pay-link", params(IdQuery), security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = PayLinkResponse), (status = 404, response = ErrorResponse)))]
pub async fn get_link(
    state: AppState,
    caller: Caller<Staff>,
    QueryParams(q): QueryParams<IdQuery>,
) -> ApiResult<Json<PayLinkResponse>> {
    Ok(Json((&state.pay_link(&caller, id_of(&q)?).await?).into()))
}

#[derive(Serialize, ToSchema)]
pub struct InfoResponse {
    #[serde(flatten)]
    link: PayLinkResponse,
    /// `data:image/png;base64,…` QR code of `url`.
    qr_png: String,
    #[schema(value_type = f64)]
    paid_amount: Amount,
    last_paid_at: Option<String>,
}

/// A link with its QR code and totals, for sharing.
#[utoipa::path(get, path = "/api/pay/pay-link/info/{id}", tag = "Api/Pay/pay-link", params(("id" = i64, Path)), security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = InfoResponse), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse)))]
pub async fn info(state: AppState, caller: Caller<Staff>, IdPath(id): IdPath) -> ApiResult<Json<InfoResponse>> {
    let s = state.pay_link(&caller, id).await?;
    let qr_png = paygate_app::qr_png_data_url(&s.url)?;
    Ok(Json(InfoResponse {
        link: (&s).into(),
        qr_png,
        paid_amount: s.paid_amount.clone(),
        last_paid_at: time_opt(s.last_paid_at),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateRequest {
    id: Option<i64>,
    name: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    description: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    amount: Patch<WireAmount>,
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    amount_min: Patch<WireAmount>,
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    amount_max: Patch<WireAmount>,
    token_ids: Option<Vec<i64>>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    success_url: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    fail_url: Patch<String>,
    status_id: Option<i64>,
    expires_at: Option<String>,
    single_use: Option<bool>,
}

impl Validate for UpdateRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("id", &self.id);
        check_common(
            v,
            self.name.as_ref(),
            self.description.value(),
            self.success_url.value(),
            self.fail_url.value(),
            self.token_ids.as_ref(),
        );
        if let Some(s) = self.status_id {
            v.check(matches!(s, 1 | 2), ErrorCode::FieldRange, "status_id");
        }
        if let Some(t) = &self.expires_at {
            v.check(paygate_core::time::parse_rfc3339(t).is_some(), ErrorCode::FieldFormat, "expires_at");
        }
    }
}

/// Change a link (applies to invoices created afterwards).
#[utoipa::path(put, path = "/api/pay/pay-link", tag = "Api/Pay/pay-link", request_body = UpdateRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))),
    responses((status = 204, description = "Changed"), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn update_link(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<UpdateRequest>,
) -> ApiResult<StatusCode> {
    let amt = |p: Patch<WireAmount>| p.into_update().map(|o| o.map(|a| a.0));
    let patch = PayLinkPatch {
        name: b.name,
        description: b.description.into_update(),
        amount: amt(b.amount),
        amount_min: amt(b.amount_min),
        amount_max: amt(b.amount_max),
        token_ids: b.token_ids,
        success_url: b.success_url.into_update(),
        fail_url: b.fail_url.into_update(),
        status_id: b.status_id,
        expires_at: b.expires_at.as_deref().and_then(paygate_core::time::parse_rfc3339),
        single_use: b.single_use,
    };
    state.update_pay_link(&caller, b.id.unwrap_or_default(), patch).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct DeleteRequest {
    id: Option<i64>,
}
impl Validate for DeleteRequest {}

/// Delete a link (status 5); `?id=` works too.
#[utoipa::path(delete, path = "/api/pay/pay-link", tag = "Api/Pay/pay-link", params(IdQuery), request_body = DeleteRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Deleted"), (status = 404, response = ErrorResponse)))]
pub async fn delete_link(
    state: AppState,
    caller: Caller<Managers>,
    QueryParams(q): QueryParams<IdQuery>,
    Body(b): Body<DeleteRequest>,
) -> ApiResult<StatusCode> {
    let id = query_or_body_id(q.id, b.id)?;
    state.delete_pay_link(&caller, id).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema, Default)]
pub struct SearchFilters {
    status: Option<IdSet>,
    kind: Option<IdSet>,
    search: Option<String>,
    created: Option<Period>,
}

#[derive(Deserialize, ToSchema)]
pub struct SearchRequest {
    filters: Option<SearchFilters>,
    #[serde(flatten)]
    #[schema(inline)]
    paging: Paging,
}

impl Validate for SearchRequest {
    fn validate(&self, v: &mut Validator) {
        self.paging.check(v);
        if let Some(s) = self.filters.as_ref().and_then(|f| f.search.as_ref()) {
            v.length("filters.search", s, 1, 100);
        }
    }
}

/// The owner's links; `X-Total-Count`.
#[utoipa::path(post, path = "/api/pay/pay-link/search", tag = "Api/Pay/pay-link", request_body = SearchRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [PayLinkResponse])))]
pub async fn search(state: AppState, caller: Caller<Staff>, Body(b): Body<SearchRequest>) -> ApiResult<Response> {
    let f = b.filters.unwrap_or_default();
    let (created_from, created_to) =
        f.created.unwrap_or_default().bounds("filters.created", &mut paygate_core::validate::Validator::new());
    let s = Search {
        statuses: f.status.and_then(IdSet::into_filter),
        kinds: f.kind.and_then(IdSet::into_filter),
        search: f.search,
        created_from,
        created_to,
    };
    let (rows, total) = state.search_pay_links(&caller, &s, b.paging.limit(), b.paging.offset()).await?;
    Ok(paged(rows.iter().map(PayLinkResponse::from).collect(), total))
}

/// Coins usable as pricing coin.
#[utoipa::path(get, path = "/api/pay/pay-link/coins", tag = "Api/Pay/pay-link", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [CoinResponse])))]
pub async fn coins(state: AppState, caller: Caller<AllRoles>) -> ApiResult<Json<Vec<CoinResponse>>> {
    Ok(Json(state.pricing_coins(&caller).await?.into_iter().map(Into::into).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct StatusItem {
    id: i64,
    name: &'static str,
    settable: bool,
}

/// Pay-link statuses.
#[utoipa::path(get, path = "/api/pay/pay-link/status/available", tag = "Api/Pay/pay-link", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [StatusItem])))]
pub async fn statuses(_caller: Caller<AllRoles>) -> Response {
    let items = [
        (1, "Active", true),
        (2, "Disabled", true),
        (3, "Expired", false),
        (4, "Completed", false),
        (5, "Deleted", false),
    ];
    dictionary(items.into_iter().map(|(id, name, settable)| StatusItem { id, name, settable }).collect::<Vec<_>>())
}

/// Aggregates over the owner's pay-link invoices (`filters.id` = link ids).
#[utoipa::path(post, path = "/api/pay/pay-link/statistic", tag = "Api/Pay/pay-link", request_body = StatisticRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = InvoiceStatistic), (status = 400, response = ErrorResponse)))]
pub async fn statistic(
    state: AppState,
    caller: Caller<Staff>,
    Body(b): Body<StatisticRequest>,
) -> ApiResult<Json<InvoiceStatistic>> {
    Ok(Json(state.product_statistic(&caller, &b.into_query(PRODUCT_PAY_LINK)).await?))
}

/// The invoice history of the owner's pay links, newest first; `X-Total-Count`.
#[utoipa::path(post, path = "/api/pay/pay-link/statistics", tag = "Api/Pay/pay-link", request_body = StatisticsRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [InvoiceRow]), (status = 400, response = ErrorResponse)))]
pub async fn statistics(
    state: AppState,
    caller: Caller<Staff>,
    Body(b): Body<StatisticsRequest>,
) -> ApiResult<Response> {
    let (q, limit, offset) = b.into_query(PRODUCT_PAY_LINK);
    let (rows, total) = state.product_invoices(&caller, &q, limit, offset).await?;
    Ok(paged(rows, total))
}

//! `/api/transfer*` (§4.11): transfers between owners and exchanges between own balances.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use paygate_app::{ExchangeInput, TransferInput};
use paygate_core::validate::Validator;
use paygate_core::{Amount, ErrorCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{Body, Caller, Managers, QueryParams, Staff, Validate};
use crate::state::AppState;
use crate::wire::{WireAmount, check_order_id, no_content, time};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(transfer))
        .routes(routes!(transfer_by_order))
        .routes(routes!(transfer_by_order_and_user))
        .routes(routes!(exchange))
        .routes(routes!(course))
        .routes(routes!(check_recipient))
}

fn required_positive(v: &mut Validator, field: &str, value: Option<i64>) {
    if let Some(x) = v.required(field, &value) {
        v.range(field, *x, 1, i64::MAX);
    }
}

#[derive(Deserialize, ToSchema)]
pub struct TransferRequest {
    /// Amount > 0 in the balance's coin.
    #[schema(value_type = f64)]
    amount: Option<WireAmount>,
    /// When present must equal the server's commission.
    #[schema(value_type = Option<f64>)]
    commission: Option<WireAmount>,
    from_balance_id: Option<i64>,
    order_id: Option<String>,
    product_id: Option<i64>,
    to_owner_id: Option<i64>,
    /// Ignored: the server records the calling user.
    #[allow(dead_code)]
    user_id: Option<serde_json::Value>,
}

impl Validate for TransferRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("amount", &self.amount);
        required_positive(v, "from_balance_id", self.from_balance_id);
        if let Some(o) = v.required("order_id", &self.order_id) {
            check_order_id(v, "order_id", o);
        }
        v.required("product_id", &self.product_id);
        required_positive(v, "to_owner_id", self.to_owner_id);
    }
}

/// Send money to another owner.
#[utoipa::path(post, path = "/api/transfer", tag = "Api/Transfer", request_body = TransferRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("documented"))),
    responses((status = 204, description = "No Content"), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse),
        (status = 409, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn transfer(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<TransferRequest>,
) -> ApiResult<StatusCode> {
    let input = TransferInput {
        amount: b.amount.map(|a| a.0).unwrap_or_default(),
        commission: b.commission.map(|a| a.0),
        from_balance_id: b.from_balance_id.unwrap_or_default(),
        order_id: b.order_id.unwrap_or_default(),
        product_id: b.product_id.unwrap_or_default(),
        to_owner_id: b.to_owner_id.unwrap_or_default(),
    };
    state.transfer(&caller, input).await?;
    Ok(no_content())
}

/// The documented transfer view.
#[derive(Serialize, ToSchema)]
pub struct TransferResponse {
    #[schema(value_type = f64)]
    amount: Amount,
    author: String,
    #[schema(value_type = f64)]
    commission: Amount,
    date: String,
    from_balance_id: i64,
    from_iso_string: String,
    order_id: String,
    to_balance_id: i64,
    to_owner_id: i64,
    to_owner_name: String,
}

async fn read(
    state: AppState,
    caller: Caller<Staff>,
    order_id: String,
    user_id: Option<String>,
) -> ApiResult<Json<TransferResponse>> {
    let user_id = match user_id {
        None => None,
        Some(u) => Some(u.parse::<i64>().ok().filter(|x| *x > 0).ok_or_else(|| {
            ApiError::field(ErrorCode::InvalidParameter, "user_id", "user_id must be a decimal user id")
        })?),
    };
    let v = state.transfer_by_order(&caller, &order_id, user_id).await?;
    let t = v.transfer;
    Ok(Json(TransferResponse {
        amount: t.amount.0,
        author: v.author,
        commission: t.commission.0,
        date: time(t.created_at),
        from_balance_id: t.from_balance_id,
        from_iso_string: v.coin_code,
        order_id: t.order_id,
        to_balance_id: t.to_balance_id,
        to_owner_id: t.to_owner_id,
        to_owner_name: v.to_owner_name,
    }))
}

/// The active owner's outgoing transfer with this order id.
#[utoipa::path(get, path = "/api/transfer/{order_id}", tag = "Api/Transfer", security(("jwt" = [])),
    params(("order_id" = String, Path)), extensions(("x-origin" = json!("documented"))),
    responses((status = 200, body = TransferResponse), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse)))]
pub async fn transfer_by_order(
    state: AppState,
    caller: Caller<Staff>,
    Path(order_id): Path<String>,
) -> ApiResult<Json<TransferResponse>> {
    read(state, caller, order_id, None).await
}

/// As above, initiated by this user.
#[utoipa::path(get, path = "/api/transfer/{order_id}/{user_id}", tag = "Api/Transfer", security(("jwt" = [])),
    params(("order_id" = String, Path), ("user_id" = String, Path)), extensions(("x-origin" = json!("documented"))),
    responses((status = 200, body = TransferResponse), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse)))]
pub async fn transfer_by_order_and_user(
    state: AppState,
    caller: Caller<Staff>,
    Path((order_id, user_id)): Path<(String, String)>,
) -> ApiResult<Json<TransferResponse>> {
    read(state, caller, order_id, Some(user_id)).await
}

#[derive(Deserialize, ToSchema)]
pub struct ExchangeRequest {
    #[schema(value_type = f64)]
    amount: Option<WireAmount>,
    from_balance_id: Option<i64>,
    order_id: Option<String>,
    product_id: Option<i64>,
    /// Must equal a live quote of `GET /api/transfer/exchange/course`.
    #[schema(value_type = f64)]
    rate: Option<WireAmount>,
    to_balance_id: Option<i64>,
    /// Ignored: set by the server.
    #[allow(dead_code)]
    user_id: Option<serde_json::Value>,
    /// Accepted and ignored: the margin is inside the quoted rate.
    #[allow(dead_code)]
    commission: Option<serde_json::Value>,
}

impl Validate for ExchangeRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("amount", &self.amount);
        required_positive(v, "from_balance_id", self.from_balance_id);
        if let Some(o) = v.required("order_id", &self.order_id) {
            check_order_id(v, "order_id", o);
        }
        v.required("product_id", &self.product_id);
        if let Some(r) = v.required("rate", &self.rate) {
            let ok = r.0.is_positive() && r.0.fraction_digits() <= 18;
            v.check(ok, ErrorCode::FieldRange, "rate");
        }
        required_positive(v, "to_balance_id", self.to_balance_id);
    }
}

/// Exchange between two own balances at a live quote.
#[utoipa::path(post, path = "/api/transfer/exchange", tag = "Api/Transfer", request_body = ExchangeRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("documented"))),
    responses((status = 204, description = "No Content"), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse),
        (status = 409, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn exchange(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<ExchangeRequest>,
) -> ApiResult<StatusCode> {
    let input = ExchangeInput {
        amount: b.amount.map(|a| a.0).unwrap_or_default(),
        from_balance_id: b.from_balance_id.unwrap_or_default(),
        to_balance_id: b.to_balance_id.unwrap_or_default(),
        order_id: b.order_id.unwrap_or_default(),
        product_id: b.product_id.unwrap_or_default(),
        rate: b.rate.map(|a| a.0).unwrap_or_default(),
    };
    state.exchange(&caller, input).await?;
    Ok(no_content())
}

#[derive(Deserialize, IntoParams)]
pub struct CourseQuery {
    from_balance_id: Option<i64>,
    to_balance_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct CourseResponse {
    from_balance_id: i64,
    to_balance_id: i64,
    from_coin_id: i64,
    to_coin_id: i64,
    /// Target units per 1 source unit, spread included.
    #[schema(value_type = f64)]
    rate: Amount,
    expires_at: String,
    #[schema(value_type = f64)]
    min_amount: Amount,
    #[schema(value_type = f64)]
    max_amount: Amount,
}

/// Quote an exchange (valid 30 s).
#[utoipa::path(get, path = "/api/transfer/exchange/course", tag = "Api/Transfer", params(CourseQuery), security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))),
    responses((status = 200, body = CourseResponse), (status = 404, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn course(
    state: AppState,
    caller: Caller<Staff>,
    QueryParams(q): QueryParams<CourseQuery>,
) -> ApiResult<Json<CourseResponse>> {
    let mut v = Validator::new();
    v.required("from_balance_id", &q.from_balance_id);
    v.required("to_balance_id", &q.to_balance_id);
    v.finish().map_err(ApiError)?;
    let quote = state
        .exchange_quote(&caller, q.from_balance_id.unwrap_or_default(), q.to_balance_id.unwrap_or_default())
        .await?;
    Ok(Json(CourseResponse {
        from_balance_id: quote.from_balance_id,
        to_balance_id: quote.to_balance_id,
        from_coin_id: quote.from_coin_id,
        to_coin_id: quote.to_coin_id,
        rate: quote.rate,
        expires_at: time(quote.expires_at),
        min_amount: quote.min_amount,
        max_amount: quote.max_amount,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct RecipientRequest {
    to_owner_id: Option<i64>,
    from_balance_id: Option<i64>,
    #[schema(value_type = Option<f64>)]
    amount: Option<WireAmount>,
}

impl Validate for RecipientRequest {
    fn validate(&self, v: &mut Validator) {
        required_positive(v, "to_owner_id", self.to_owner_id);
    }
}

#[derive(Serialize, ToSchema)]
pub struct RecipientResponse {
    to_owner_id: i64,
    to_owner_name: String,
    can_receive: bool,
    coin_id: Option<i64>,
    #[schema(value_type = Option<f64>)]
    commission: Option<Amount>,
    #[schema(value_type = Option<f64>)]
    total_debit: Option<Amount>,
}

/// The recipient's name, and the commission of a transfer.
#[utoipa::path(post, path = "/api/transfer/check/recipient", tag = "Api/Transfer", request_body = RecipientRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))),
    responses((status = 200, body = RecipientResponse), (status = 404, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn check_recipient(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<RecipientRequest>,
) -> ApiResult<Json<RecipientResponse>> {
    let r = state
        .check_recipient(&caller, b.to_owner_id.unwrap_or_default(), b.from_balance_id, b.amount.map(|a| a.0))
        .await?;
    Ok(Json(RecipientResponse {
        to_owner_id: r.to_owner_id,
        to_owner_name: r.to_owner_name,
        can_receive: r.can_receive,
        coin_id: r.coin_id,
        commission: r.commission,
        total_debit: r.total_debit,
    }))
}

//! `/admin/rate`, `/admin/ledger/adjustment`, `/admin/ledger/check` (§5.5).

use axum::Json;
use axum::http::StatusCode;
use paygate_app::Adjustment;
use paygate_core::validate::Validator;
use paygate_core::{Amount, ErrorCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{Body, Caller, Client, OperatorOnly, Patch, Validate};
use crate::state::AppState;
use crate::wire::{WireAmount, check_order_id, no_content, time};

#[derive(Serialize, ToSchema)]
pub struct RateRow {
    from_coin_id: i64,
    to_coin_id: i64,
    #[schema(value_type = f64)]
    rate: Amount,
    /// `static` or `provider`.
    source: &'static str,
    updated_at: String,
}

/// Static and live rates.
#[utoipa::path(get, path = "/admin/rate", tag = "Admin", security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 200, body = [RateRow])))]
pub async fn rates(state: AppState, _caller: Caller<OperatorOnly>) -> ApiResult<Json<Vec<RateRow>>> {
    let (statics, live) = state.rate_table().await?;
    let mut rows: Vec<RateRow> = statics
        .into_iter()
        .map(|r| RateRow {
            from_coin_id: r.from_coin_id,
            to_coin_id: r.to_coin_id,
            rate: r.rate.0,
            source: "static",
            updated_at: time(r.updated_at),
        })
        .collect();
    rows.extend(live.into_iter().map(|((from, to), (rate, at))| RateRow {
        from_coin_id: from,
        to_coin_id: to,
        rate,
        source: "provider",
        updated_at: time(at),
    }));
    Ok(Json(rows))
}

#[derive(Deserialize, ToSchema)]
pub struct SetRateRequest {
    from_coin_id: Option<i64>,
    to_coin_id: Option<i64>,
    /// `null` removes the static rate.
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    rate: Patch<WireAmount>,
}

impl Validate for SetRateRequest {
    fn validate(&self, v: &mut Validator) {
        let from = v.required("from_coin_id", &self.from_coin_id).copied();
        let to = v.required("to_coin_id", &self.to_coin_id).copied();
        if from.is_some() && from == to {
            v.fail(ErrorCode::FieldCombination, "to_coin_id");
        }
        match &self.rate {
            Patch::Absent => v.fail(ErrorCode::FieldRequired, "rate"),
            Patch::Value(r) => {
                v.check(r.0.is_positive() && r.0.fraction_digits() <= 18, ErrorCode::FieldRange, "rate");
            }
            Patch::Null => {}
        }
    }
}

/// Set or remove a static rate.
#[utoipa::path(put, path = "/admin/rate", tag = "Admin", request_body = SetRateRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 204, description = "Set"), (status = 404, response = ErrorResponse)))]
pub async fn set_rate(
    state: AppState,
    caller: Caller<OperatorOnly>,
    Client(client): Client,
    Body(b): Body<SetRateRequest>,
) -> ApiResult<StatusCode> {
    let rate = b.rate.into_update().flatten().map(|r| r.0);
    state
        .set_static_rate(&caller, b.from_coin_id.unwrap_or_default(), b.to_coin_id.unwrap_or_default(), rate, &client)
        .await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct AdjustmentRequest {
    owner_id: Option<i64>,
    coin_id: Option<i64>,
    /// ≠ 0; negative debits.
    #[schema(value_type = f64)]
    amount: Option<WireAmount>,
    order_id: Option<String>,
    reason: Option<String>,
    /// The operator's current TOTP code.
    otp: Option<String>,
}

impl Validate for AdjustmentRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("owner_id", &self.owner_id);
        v.required("coin_id", &self.coin_id);
        v.required("amount", &self.amount);
        if let Some(o) = v.required("order_id", &self.order_id) {
            check_order_id(v, "order_id", o);
        }
        v.required_str("reason", &self.reason, 1, 500);
        v.required_str("otp", &self.otp, 4, 8);
    }
}

#[derive(Serialize, ToSchema)]
pub struct AdjustmentResponse {
    operation_id: i64,
    balance_id: i64,
    /// The new spendable amount of the balance.
    #[schema(value_type = f64)]
    amount: Amount,
}

/// Credit or debit an owner's balance against the house adjustments account.
#[utoipa::path(post, path = "/admin/ledger/adjustment", tag = "Admin", request_body = AdjustmentRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))),
    responses((status = 200, body = AdjustmentResponse), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse),
        (status = 409, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn adjustment(
    state: AppState,
    caller: Caller<OperatorOnly>,
    Client(client): Client,
    Body(b): Body<AdjustmentRequest>,
) -> ApiResult<Json<AdjustmentResponse>> {
    let a = Adjustment {
        owner_id: b.owner_id.unwrap_or_default(),
        coin_id: b.coin_id.unwrap_or_default(),
        amount: b.amount.map(|a| a.0).unwrap_or_default(),
        order_id: b.order_id.unwrap_or_default(),
        reason: b.reason.unwrap_or_default(),
        otp: b.otp.unwrap_or_default(),
    };
    let (operation_id, balance_id, amount) = state.adjust(&caller, a, &client).await?;
    Ok(Json(AdjustmentResponse { operation_id, balance_id, amount }))
}

#[derive(Serialize, ToSchema)]
pub struct CoinSum {
    coin_id: i64,
    #[schema(value_type = f64)]
    sum: Amount,
    ok: bool,
}

#[derive(Serialize, ToSchema)]
pub struct LedgerCheckResponse {
    ok: bool,
    transactions: i64,
    postings: i64,
    coins: Vec<CoinSum>,
    balances_mismatched: Vec<i64>,
}

/// Recompute the ledger's invariants from the postings.
#[utoipa::path(get, path = "/admin/ledger/check", tag = "Admin", security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 200, body = LedgerCheckResponse)))]
pub async fn check(state: AppState, _caller: Caller<OperatorOnly>) -> ApiResult<Json<LedgerCheckResponse>> {
    let r = state.ledger_check().await.map_err(ApiError)?;
    Ok(Json(LedgerCheckResponse {
        ok: r.ok,
        transactions: r.transactions,
        postings: r.postings,
        coins: r.coins.into_iter().map(|(coin_id, sum)| CoinSum { ok: sum.is_zero(), coin_id, sum }).collect(),
        balances_mismatched: r.balances_mismatched,
    }))
}

//! `/api/balance*` (§4.2).

use axum::Json;
use axum::http::StatusCode;
use paygate_app::BalanceFlag;
use paygate_core::Amount;
use paygate_core::validate::Validator;
use paygate_store::ledger::Account;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{Body, Caller, Managers, Staff, Validate};
use crate::state::AppState;
use crate::wire::{no_content, time};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, open))
        .routes(routes!(crypto))
        .routes(routes!(fiat))
        .routes(routes!(general))
        .routes(routes!(state_of_user))
        .routes(routes!(available_off))
        .routes(routes!(available_set))
        .routes(routes!(default_off))
        .routes(routes!(default_set))
}

/// `Balance` of §3.
#[derive(Serialize, ToSchema)]
pub struct BalanceResponse {
    id: i64,
    coin_id: i64,
    code: String,
    is_fiat: bool,
    /// Spendable.
    #[schema(value_type = f64)]
    amount: Amount,
    /// Pending debits of open withdrawals.
    #[schema(value_type = f64)]
    hold: Amount,
    /// Seen on chain, not yet confirmed.
    #[schema(value_type = f64)]
    incoming: Amount,
    available: bool,
    default: bool,
    created_at: String,
}

impl From<Account> for BalanceResponse {
    fn from(a: Account) -> Self {
        BalanceResponse {
            amount: a.spendable(),
            hold: a.held.0,
            incoming: a.incoming.0,
            id: a.id,
            coin_id: a.coin_id,
            code: a.code,
            is_fiat: a.is_fiat,
            available: a.available,
            default: a.is_default,
            created_at: time(a.created_at),
        }
    }
}

fn view(list: Vec<Account>, keep: impl Fn(&Account) -> bool) -> Json<Vec<BalanceResponse>> {
    Json(list.into_iter().filter(keep).map(BalanceResponse::from).collect())
}

/// The owner's balances, by coin.
#[utoipa::path(get, path = "/api/balance", tag = "Api/Balance", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [BalanceResponse])))]
pub async fn list(state: AppState, caller: Caller<Staff>) -> ApiResult<Json<Vec<BalanceResponse>>> {
    Ok(view(state.balances(&caller).await?, |_| true))
}

/// Crypto balances.
#[utoipa::path(get, path = "/api/balance/coin", tag = "Api/Balance", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [BalanceResponse])))]
pub async fn crypto(state: AppState, caller: Caller<Staff>) -> ApiResult<Json<Vec<BalanceResponse>>> {
    Ok(view(state.balances(&caller).await?, |a| !a.is_fiat))
}

/// Fiat balances.
#[utoipa::path(get, path = "/api/balance/fiat", tag = "Api/Balance", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [BalanceResponse])))]
pub async fn fiat(state: AppState, caller: Caller<Staff>) -> ApiResult<Json<Vec<BalanceResponse>>> {
    Ok(view(state.balances(&caller).await?, |a| a.is_fiat))
}

#[derive(Deserialize, ToSchema)]
pub struct OpenRequest {
    coin_id: Option<i64>,
}

impl Validate for OpenRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("coin_id", &self.coin_id);
    }
}

/// Open a balance for a coin.
#[utoipa::path(post, path = "/api/balance", tag = "Api/Balance", request_body = OpenRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))),
    responses((status = 200, body = BalanceResponse), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse)))]
pub async fn open(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<OpenRequest>,
) -> ApiResult<Json<BalanceResponse>> {
    Ok(Json(state.open_balance(&caller, b.coin_id.unwrap_or_default()).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct GeneralResponse {
    coin_id: i64,
    code: String,
    #[schema(value_type = f64)]
    amount: Amount,
    #[schema(value_type = f64)]
    hold: Amount,
    #[schema(value_type = f64)]
    incoming: Amount,
    balances_count: i64,
    unconverted_coin_ids: Vec<i64>,
    rates_at: String,
}

impl From<paygate_app::GeneralBalance> for GeneralResponse {
    fn from(g: paygate_app::GeneralBalance) -> Self {
        GeneralResponse {
            coin_id: g.coin_id,
            code: g.code,
            amount: g.amount,
            hold: g.hold,
            incoming: g.incoming,
            balances_count: g.balances_count,
            unconverted_coin_ids: g.unconverted_coin_ids,
            rates_at: time(g.rates_at),
        }
    }
}

/// Every balance converted into the default balance's coin (else USD).
#[utoipa::path(get, path = "/api/balance/general", tag = "Api/Balance", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = GeneralResponse), (status = 500, response = ErrorResponse)))]
pub async fn general(state: AppState, caller: Caller<Staff>) -> ApiResult<Json<GeneralResponse>> {
    Ok(Json(state.general(&caller).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct OwnerStateResponse {
    owner_id: i64,
    owner_name: String,
    role_id: i64,
    coin_id: i64,
    code: String,
    #[schema(value_type = f64)]
    amount: Amount,
}

/// The general balance of every owner the caller may read (the owner switcher).
#[utoipa::path(get, path = "/api/balance/state/user", tag = "Api/Balance", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [OwnerStateResponse])))]
pub async fn state_of_user(
    state: AppState,
    caller: Caller<crate::extract::AnyUser>,
) -> ApiResult<Json<Vec<OwnerStateResponse>>> {
    let rows = state.balance_states(&caller).await?;
    Ok(Json(
        rows.into_iter()
            .map(|s| OwnerStateResponse {
                owner_id: s.owner_id,
                owner_name: s.owner_name,
                role_id: s.role_id,
                coin_id: s.general.coin_id,
                code: s.general.code,
                amount: s.general.amount,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct BalanceIdRequest {
    balance_id: Option<i64>,
}

impl Validate for BalanceIdRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("balance_id", &self.balance_id);
    }
}

async fn flag(state: AppState, caller: Caller<Managers>, b: BalanceIdRequest, f: BalanceFlag) -> ApiResult<StatusCode> {
    state.set_balance_flag(&caller, b.balance_id.unwrap_or_default(), f).await?;
    Ok(no_content())
}

/// Switch a balance off (incoming credits still land).
#[utoipa::path(put, path = "/api/balance/available/off", tag = "Api/Balance", request_body = BalanceIdRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Off"), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse)))]
pub async fn available_off(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<BalanceIdRequest>,
) -> ApiResult<StatusCode> {
    flag(state, caller, b, BalanceFlag::Available(false)).await
}

/// Switch a balance on.
#[utoipa::path(put, path = "/api/balance/available/set", tag = "Api/Balance", request_body = BalanceIdRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "On"), (status = 404, response = ErrorResponse)))]
pub async fn available_set(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<BalanceIdRequest>,
) -> ApiResult<StatusCode> {
    flag(state, caller, b, BalanceFlag::Available(true)).await
}

/// Clear the default flag.
#[utoipa::path(put, path = "/api/balance/default/off", tag = "Api/Balance", request_body = BalanceIdRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Cleared"), (status = 404, response = ErrorResponse)))]
pub async fn default_off(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<BalanceIdRequest>,
) -> ApiResult<StatusCode> {
    flag(state, caller, b, BalanceFlag::Default(false)).await
}

/// Make a balance the only default one.
#[utoipa::path(put, path = "/api/balance/default/set", tag = "Api/Balance", request_body = BalanceIdRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Set"), (status = 404, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn default_set(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<BalanceIdRequest>,
) -> ApiResult<StatusCode> {
    flag(state, caller, b, BalanceFlag::Default(true)).await
}

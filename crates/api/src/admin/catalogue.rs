//! `/admin/chain`, `/admin/coin`, `/admin/token` (§5.5).

use axum::Json;
use axum::http::StatusCode;
use paygate_app::{ChainPatch, CoinPatch, NewChain, NewToken, TokenPatch};
use paygate_core::ErrorCode;
use paygate_core::validate::Validator;
use paygate_store::catalogue::NewCoin;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::currency::{ChainResponse, CoinResponse, TokenResponse};
use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{Body, Caller, Client, OperatorOnly, Patch, Validate};
use crate::state::AppState;
use crate::wire::{WireAmount, no_content};

fn code_ok(code: &str, lower: bool) -> bool {
    code.bytes()
        .all(|b| b.is_ascii_digit() || if lower { b.is_ascii_lowercase() || b == b'-' } else { b.is_ascii_uppercase() })
}

#[derive(Deserialize, ToSchema)]
pub struct ChainRequest {
    code: Option<String>,
    name: Option<String>,
    family: Option<String>,
    is_test: Option<bool>,
    evm_chain_id: Option<i64>,
    native_coin_id: Option<i64>,
    confirmations_required: Option<i64>,
    explorer_tx_url: Option<String>,
    enabled: Option<bool>,
}

impl Validate for ChainRequest {
    fn validate(&self, v: &mut Validator) {
        if let Some(c) = v.required_str("code", &self.code, 2, 40) {
            v.check(code_ok(c, true), ErrorCode::FieldFormat, "code");
        }
        v.required_str("name", &self.name, 1, 100);
        if let Some(f) = v.required("family", &self.family) {
            v.check(["bitcoin", "evm", "tron", "sandbox"].contains(&f.as_str()), ErrorCode::FieldRange, "family");
            if f == "evm" {
                v.required("evm_chain_id", &self.evm_chain_id);
            }
        }
        v.required("is_test", &self.is_test);
        v.required("native_coin_id", &self.native_coin_id);
        if let Some(n) = v.required("confirmations_required", &self.confirmations_required) {
            v.range("confirmations_required", *n, 1, 1000);
        }
        if let Some(u) = &self.explorer_tx_url {
            v.http_url("explorer_tx_url", u, 300);
        }
    }
}

/// Add a chain.
#[utoipa::path(post, path = "/admin/chain", tag = "Admin", request_body = ChainRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))),
    responses((status = 200, body = ChainResponse), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse)))]
pub async fn create_chain(
    state: AppState,
    caller: Caller<OperatorOnly>,
    Client(client): Client,
    Body(b): Body<ChainRequest>,
) -> ApiResult<Json<ChainResponse>> {
    let n = NewChain {
        code: b.code.unwrap_or_default(),
        name: b.name.unwrap_or_default(),
        family: b.family.unwrap_or_default(),
        is_test: b.is_test.unwrap_or_default(),
        evm_chain_id: b.evm_chain_id,
        native_coin_id: b.native_coin_id.unwrap_or_default(),
        confirmations_required: b.confirmations_required.unwrap_or(1),
        explorer_tx_url: b.explorer_tx_url,
        enabled: b.enabled.unwrap_or(false),
    };
    Ok(Json(state.create_chain(&caller, n, &client).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct ChainUpdateRequest {
    id: Option<i64>,
    name: Option<String>,
    confirmations_required: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    explorer_tx_url: Patch<String>,
    enabled: Option<bool>,
}

impl Validate for ChainUpdateRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("id", &self.id);
        if let Some(n) = &self.name {
            v.length("name", n, 1, 100);
        }
        if let Some(n) = self.confirmations_required {
            v.range("confirmations_required", n, 1, 1000);
        }
        if let Some(u) = self.explorer_tx_url.value() {
            v.http_url("explorer_tx_url", u, 300);
        }
    }
}

/// Change a chain.
#[utoipa::path(put, path = "/admin/chain", tag = "Admin", request_body = ChainUpdateRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))),
    responses((status = 204, description = "Changed"), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse)))]
pub async fn update_chain(
    state: AppState,
    caller: Caller<OperatorOnly>,
    Client(client): Client,
    Body(b): Body<ChainUpdateRequest>,
) -> ApiResult<StatusCode> {
    let p = ChainPatch {
        name: b.name,
        confirmations_required: b.confirmations_required,
        explorer_tx_url: b.explorer_tx_url.into_update(),
        enabled: b.enabled,
    };
    state.update_chain(&caller, b.id.unwrap_or_default(), p, &client).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct CoinRequest {
    code: Option<String>,
    name: Option<String>,
    symbol: Option<String>,
    decimals: Option<i64>,
    is_fiat: Option<bool>,
    enabled: Option<bool>,
}

impl Validate for CoinRequest {
    fn validate(&self, v: &mut Validator) {
        if let Some(c) = v.required_str("code", &self.code, 2, 10) {
            v.check(code_ok(c, false), ErrorCode::FieldFormat, "code");
        }
        v.required_str("name", &self.name, 1, 100);
        if let Some(s) = &self.symbol {
            v.length("symbol", s, 1, 10);
        }
        if let Some(d) = v.required("decimals", &self.decimals) {
            v.range("decimals", *d, 0, 18);
        }
        v.required("is_fiat", &self.is_fiat);
    }
}

/// Add a coin.
#[utoipa::path(post, path = "/admin/coin", tag = "Admin", request_body = CoinRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 200, body = CoinResponse), (status = 409, response = ErrorResponse)))]
pub async fn create_coin(
    state: AppState,
    caller: Caller<OperatorOnly>,
    Client(client): Client,
    Body(b): Body<CoinRequest>,
) -> ApiResult<Json<CoinResponse>> {
    let (code, name) = (b.code.unwrap_or_default(), b.name.unwrap_or_default());
    let n = NewCoin {
        code: &code,
        name: &name,
        symbol: b.symbol.as_deref(),
        decimals: b.decimals.unwrap_or_default(),
        is_fiat: b.is_fiat.unwrap_or_default(),
        enabled: b.enabled.unwrap_or(false),
    };
    Ok(Json(state.create_coin(&caller, n, &client).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct CoinUpdateRequest {
    id: Option<i64>,
    name: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    symbol: Patch<String>,
    enabled: Option<bool>,
    decimals: Option<i64>,
}

impl Validate for CoinUpdateRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("id", &self.id);
        if let Some(d) = self.decimals {
            v.range("decimals", d, 0, 18);
        }
    }
}

/// Change a coin.
#[utoipa::path(put, path = "/admin/coin", tag = "Admin", request_body = CoinUpdateRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))),
    responses((status = 204, description = "Changed"), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse)))]
pub async fn update_coin(
    state: AppState,
    caller: Caller<OperatorOnly>,
    Client(client): Client,
    Body(b): Body<CoinUpdateRequest>,
) -> ApiResult<StatusCode> {
    let p = CoinPatch { name: b.name, symbol: b.symbol.into_update(), enabled: b.enabled, decimals: b.decimals };
    state.update_coin(&caller, b.id.unwrap_or_default(), p, &client).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    coin_id: Option<i64>,
    chain_id: Option<i64>,
    name: Option<String>,
    standard: Option<String>,
    contract_address: Option<String>,
    decimals: Option<i64>,
    #[schema(value_type = f64)]
    min_amount: Option<WireAmount>,
    enabled: Option<bool>,
}

impl Validate for TokenRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("coin_id", &self.coin_id);
        v.required("chain_id", &self.chain_id);
        v.required_str("name", &self.name, 1, 100);
        if let Some(s) = v.required("standard", &self.standard) {
            v.check(["native", "erc20", "trc20", "sandbox"].contains(&s.as_str()), ErrorCode::FieldRange, "standard");
            if matches!(s.as_str(), "erc20" | "trc20") {
                v.required("contract_address", &self.contract_address);
            }
        }
        if let Some(d) = v.required("decimals", &self.decimals) {
            v.range("decimals", *d, 0, 18);
        }
        v.required("min_amount", &self.min_amount);
    }
}

/// Add a token.
#[utoipa::path(post, path = "/admin/token", tag = "Admin", request_body = TokenRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))),
    responses((status = 200, body = TokenResponse), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn create_token(
    state: AppState,
    caller: Caller<OperatorOnly>,
    Client(client): Client,
    Body(b): Body<TokenRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let n = NewToken {
        coin_id: b.coin_id.unwrap_or_default(),
        chain_id: b.chain_id.unwrap_or_default(),
        name: b.name.unwrap_or_default(),
        standard: b.standard.unwrap_or_default(),
        contract_address: b.contract_address,
        decimals: b.decimals.unwrap_or_default(),
        min_amount: b.min_amount.map(|a| a.0).unwrap_or_default(),
        enabled: b.enabled.unwrap_or(false),
    };
    Ok(Json(state.create_token(&caller, n, &client).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenUpdateRequest {
    id: Option<i64>,
    name: Option<String>,
    #[schema(value_type = Option<f64>)]
    min_amount: Option<WireAmount>,
    enabled: Option<bool>,
    /// Only while it is unset; then immutable.
    contract_address: Option<String>,
}

impl Validate for TokenUpdateRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("id", &self.id);
    }
}

/// Change a token.
#[utoipa::path(put, path = "/admin/token", tag = "Admin", request_body = TokenUpdateRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 204, description = "Changed"), (status = 404, response = ErrorResponse)))]
pub async fn update_token(
    state: AppState,
    caller: Caller<OperatorOnly>,
    Client(client): Client,
    Body(b): Body<TokenUpdateRequest>,
) -> ApiResult<StatusCode> {
    let p = TokenPatch {
        name: b.name,
        min_amount: b.min_amount.map(|a| a.0),
        enabled: b.enabled,
        contract_address: b.contract_address,
    };
    state.update_token(&caller, b.id.unwrap_or_default(), p, &client).await?;
    Ok(no_content())
}

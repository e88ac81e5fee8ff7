//! `/currency/*` (§4.1): the public catalogue. Tokens are accepted but not needed; operators may
//! ask for disabled entries.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use paygate_app::Catalogue;
use paygate_core::Amount;
use paygate_store::catalogue::{Chain, Coin, Token};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::{MaybeCaller, QueryParams};
use crate::state::AppState;
use crate::wire::query_bool;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(chains)).routes(routes!(coins)).routes(routes!(tokens))
}

#[derive(Serialize, ToSchema)]
pub struct CoinResponse {
    id: i64,
    code: String,
    name: String,
    symbol: Option<String>,
    decimals: i64,
    is_fiat: bool,
    enabled: bool,
}

impl From<Coin> for CoinResponse {
    fn from(c: Coin) -> Self {
        CoinResponse {
            id: c.id,
            code: c.code,
            name: c.name,
            symbol: c.symbol,
            decimals: c.decimals,
            is_fiat: c.is_fiat,
            enabled: c.enabled,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChainResponse {
    id: i64,
    code: String,
    name: String,
    family: String,
    is_test: bool,
    evm_chain_id: Option<i64>,
    native_coin_id: i64,
    confirmations_required: i64,
    explorer_tx_url: Option<String>,
    enabled: bool,
}

impl From<Chain> for ChainResponse {
    fn from(c: Chain) -> Self {
        ChainResponse {
            id: c.id,
            code: c.code,
            name: c.name,
            family: c.family,
            is_test: c.is_test,
            evm_chain_id: c.evm_chain_id,
            native_coin_id: c.native_coin_id,
            confirmations_required: c.confirmations_required,
            explorer_tx_url: c.explorer_tx_url,
            enabled: c.enabled,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    id: i64,
    coin_id: i64,
    chain_id: i64,
    code: String,
    name: String,
    standard: String,
    contract_address: Option<String>,
    decimals: i64,
    #[schema(value_type = f64)]
    min_amount: Amount,
    enabled: bool,
}

impl From<Token> for TokenResponse {
    fn from(t: Token) -> Self {
        TokenResponse {
            id: t.id,
            coin_id: t.coin_id,
            chain_id: t.chain_id,
            code: t.code,
            name: t.name,
            standard: t.standard,
            contract_address: t.contract_address,
            decimals: t.decimals,
            min_amount: t.min_amount.0,
            enabled: t.enabled,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct CatalogueQuery {
    /// Operators only: disabled entries too.
    include_disabled: Option<String>,
    /// `/currency/coin`: only fiat (`true`) or only crypto (`false`).
    is_fiat: Option<String>,
    /// `/currency/tokens`: one chain.
    chain_id: Option<i64>,
    /// `/currency/tokens`: one coin.
    coin_id: Option<i64>,
}

async fn load(state: &AppState, caller: &MaybeCaller, q: &CatalogueQuery) -> ApiResult<Catalogue> {
    let operator = caller.0.as_ref().is_some_and(|a| a.operator);
    let include_disabled = query_bool(&q.include_disabled, "include_disabled")?.unwrap_or(false) && operator;
    Ok(state.catalogue(include_disabled).await?)
}

/// Public dictionaries are cacheable for 5 minutes (§1.10).
fn public<T: Serialize>(body: T) -> Response {
    let mut res = axum::Json(body).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    res
}

/// Enabled chains of the instance's network mode.
#[utoipa::path(get, path = "/currency/chain", tag = "Currency", params(CatalogueQuery),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [ChainResponse])))]
pub async fn chains(
    state: AppState,
    caller: MaybeCaller,
    QueryParams(q): QueryParams<CatalogueQuery>,
) -> ApiResult<Response> {
    let cat = load(&state, &caller, &q).await?;
    Ok(public(cat.chains.into_iter().map(ChainResponse::from).collect::<Vec<_>>()))
}

/// Enabled coins; crypto coins with at least one enabled token.
#[utoipa::path(get, path = "/currency/coin", tag = "Currency", params(CatalogueQuery),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [CoinResponse])))]
pub async fn coins(
    state: AppState,
    caller: MaybeCaller,
    QueryParams(q): QueryParams<CatalogueQuery>,
) -> ApiResult<Response> {
    let fiat = query_bool(&q.is_fiat, "is_fiat")?;
    let cat = load(&state, &caller, &q).await?;
    Ok(public(
        cat.coins
            .into_iter()
            .filter(|c| fiat.is_none_or(|f| f == c.is_fiat))
            .map(CoinResponse::from)
            .collect::<Vec<_>>(),
    ))
}

/// Enabled tokens on enabled chains.
#[utoipa::path(get, path = "/currency/tokens", tag = "Currency", params(CatalogueQuery),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [TokenResponse])))]
pub async fn tokens(
    state: AppState,
    caller: MaybeCaller,
    QueryParams(q): QueryParams<CatalogueQuery>,
) -> ApiResult<Response> {
    let cat = load(&state, &caller, &q).await?;
    let tokens = cat
        .tokens
        .into_iter()
        .filter(|t| q.chain_id.is_none_or(|c| c == t.chain_id) && q.coin_id.is_none_or(|c| c == t.coin_id))
        .map(TokenResponse::from)
        .collect::<Vec<_>>();
    Ok(public(tokens))
}

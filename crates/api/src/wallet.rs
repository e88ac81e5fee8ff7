//! `/api/wallet` (§4.12), `/api/receive/create` (§4.21), `/paylink/external-environment/info`
//! (§4.30).

use axum::Json;
use paygate_app::payments::{ReceiveRequest, WalletView};
use paygate_core::Amount;
use paygate_core::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{Body, Caller, Client, Managers, QueryParams, Staff, Validate};
use crate::state::AppState;
use crate::wire::{WireAmount, check_order_id, time, time_opt};
use paygate_app::payments::state::{InvoiceState, PayableToken};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(receive)).routes(routes!(link_info))
}

#[derive(Serialize, ToSchema)]
pub struct Received {
    token_id: i64,
    code: String,
    #[schema(value_type = f64)]
    amount: Amount,
}

/// `Wallet` of §3.
#[derive(Serialize, ToSchema)]
pub struct WalletResponse {
    id: i64,
    chain_id: i64,
    address: String,
    label: Option<String>,
    received: Vec<Received>,
    created_at: String,
}

impl From<WalletView> for WalletResponse {
    fn from(w: WalletView) -> Self {
        WalletResponse {
            id: w.address.id,
            chain_id: w.address.chain_id,
            address: w.address.address,
            label: w.address.label,
            received: w
                .received
                .into_iter()
                .map(|(token_id, code, amount)| Received { token_id, code, amount })
                .collect(),
            created_at: time(w.address.created_at),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    chain_id: Option<i64>,
}

/// The owner's standing deposit addresses.
#[utoipa::path(get, path = "/api/wallet", tag = "Api/Wallet", params(ListQuery), security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [WalletResponse])))]
pub async fn list(
    state: AppState,
    caller: Caller<Staff>,
    QueryParams(q): QueryParams<ListQuery>,
) -> ApiResult<Json<Vec<WalletResponse>>> {
    Ok(Json(state.wallets(&caller, q.chain_id).await?.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct CreateRequest {
    chain_id: Option<i64>,
    label: Option<String>,
}

impl Validate for CreateRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("chain_id", &self.chain_id);
        if let Some(l) = &self.label {
            v.length("label", l, 1, 100);
        }
    }
}

/// Derive a new standing address on a chain.
#[utoipa::path(post, path = "/api/wallet", tag = "Api/Wallet", request_body = CreateRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))),
    responses((status = 200, body = WalletResponse), (status = 403, response = ErrorResponse), (status = 404, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn create(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<CreateRequest>,
) -> ApiResult<Json<WalletResponse>> {
    Ok(Json(state.create_wallet(&caller, b.chain_id.unwrap_or_default(), b.label.as_deref()).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct ReceiveCreateRequest {
    token_id: Option<i64>,
    #[schema(value_type = f64)]
    amount: Option<WireAmount>,
    order_id: Option<String>,
    description: Option<String>,
    expiry_minutes: Option<i64>,
}

impl Validate for ReceiveCreateRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("token_id", &self.token_id);
        v.required("amount", &self.amount);
        if let Some(o) = &self.order_id {
            check_order_id(v, "order_id", o);
        }
        if let Some(d) = &self.description {
            v.length("description", d, 1, 200);
        }
        if let Some(e) = self.expiry_minutes {
            v.range("expiry_minutes", e, 5, 1440);
        }
    }
}

/// Ask for an exact amount of one token into the owner's own balance.
#[utoipa::path(post, path = "/api/receive/create", tag = "Api/Receive", request_body = ReceiveCreateRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))),
    responses((status = 200, body = InvoiceState), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn receive(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<ReceiveCreateRequest>,
) -> ApiResult<Json<InvoiceState>> {
    let r = ReceiveRequest {
        token_id: b.token_id.unwrap_or_default(),
        amount: b.amount.map(|a| a.0).unwrap_or_default(),
        order_id: b.order_id,
        description: b.description,
        expiry_minutes: b.expiry_minutes,
    };
    Ok(Json(state.create_receive_request(&caller, r).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct LinkInfoRequest {
    public_id: Option<String>,
    id: Option<i64>,
}

impl Validate for LinkInfoRequest {
    fn validate(&self, v: &mut Validator) {
        if self.public_id.is_some() == self.id.is_some() {
            v.fail(paygate_core::ErrorCode::FieldCombination, "public_id");
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LinkInfoResponse {
    id: i64,
    public_id: String,
    kind_id: i64,
    status_id: i64,
    /// Status 1 and the owner's KYC approved.
    payable: bool,
    name: String,
    description: Option<String>,
    owner_name: String,
    owner_avatar: Option<String>,
    owner_site_url: Option<String>,
    #[schema(value_type = Option<f64>)]
    amount: Option<Amount>,
    #[schema(value_type = Option<f64>)]
    amount_min: Option<Amount>,
    #[schema(value_type = Option<f64>)]
    amount_max: Option<Amount>,
    coin_id: i64,
    coin_code: String,
    payable_tokens: Vec<PayableToken>,
    expires_at: Option<String>,
    success_url: Option<String>,
    fail_url: Option<String>,
}

/// A pay link as the payer's page shows it.
#[utoipa::path(post, path = "/paylink/external-environment/info", tag = "Paylink", request_body = LinkInfoRequest,
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = LinkInfoResponse), (status = 404, response = ErrorResponse)))]
pub async fn link_info(
    state: AppState,
    Client(client): Client,
    Body(b): Body<LinkInfoRequest>,
) -> ApiResult<Json<LinkInfoResponse>> {
    let object = b.public_id.clone().unwrap_or_else(|| b.id.unwrap_or(0).to_string());
    state.limit_public_burst(&format!("paylink-info:{}:{object}", client.ip), 10, 20)?;
    let card = state.public_link(b.public_id.as_deref(), b.id).await?;
    let l = card.link;
    Ok(Json(LinkInfoResponse {
        id: l.id,
        public_id: l.public_id,
        kind_id: l.kind_id,
        status_id: l.status_id,
        payable: card.payable,
        name: l.name,
        description: l.description,
        owner_name: card.owner_name,
        owner_avatar: card.owner_avatar,
        owner_site_url: card.owner_site_url,
        amount: l.amount.map(|a| a.0),
        amount_min: l.amount_min.map(|a| a.0),
        amount_max: l.amount_max.map(|a| a.0),
        coin_id: l.coin_id,
        coin_code: card.coin_code,
        payable_tokens: card.payable_tokens.into_iter().map(PayableToken::from).collect(),
        expires_at: time_opt(l.expires_at),
        success_url: l.success_url,
        fail_url: l.fail_url,
    }))
}

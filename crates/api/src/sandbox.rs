//! `/sandbox/*` (§5.6): the built-in test chain. Only sandbox instances answer; elsewhere these
//! paths are unknown routes.

use axum::Json;
use paygate_core::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{Body, Caller, Client, OperatorOnly, Validate};
use crate::state::AppState;
use crate::wire::WireAmount;
use paygate_app::payments::state::InvoiceState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(transfer)).routes(routes!(pay_invoice)).routes(routes!(reorg))
}

#[derive(Deserialize, ToSchema)]
pub struct TransferRequest {
    to_address: Option<String>,
    token_id: Option<i64>,
    #[schema(value_type = f64)]
    amount: Option<WireAmount>,
}

impl Validate for TransferRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("to_address", &self.to_address);
        v.required("token_id", &self.token_id);
        v.required("amount", &self.amount);
    }
}

#[derive(Serialize, ToSchema)]
pub struct TransferResponse {
    tx_hash: String,
    block_number: Option<i64>,
}

/// Queue a simulated incoming transfer for the next sandbox block.
#[utoipa::path(post, path = "/sandbox/transfer", tag = "Sandbox", request_body = TransferRequest,
    extensions(("x-origin" = json!("extension"))),
    responses((status = 200, body = TransferResponse), (status = 404, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn transfer(
    state: AppState,
    Client(client): Client,
    Body(b): Body<TransferRequest>,
) -> ApiResult<Json<TransferResponse>> {
    state.limit_public(&format!("sandbox:{}", client.ip), 120, 60)?;
    let amount = b.amount.map(|a| a.0).unwrap_or_default();
    let a = state.sandbox_transfer(&b.to_address.unwrap_or_default(), b.token_id.unwrap_or_default(), &amount).await?;
    Ok(Json(TransferResponse { tx_hash: a.tx_hash, block_number: a.block_number }))
}

#[derive(Deserialize, ToSchema)]
pub struct PayRequest {
    #[serde(rename = "idInvoice")]
    id_invoice: Option<i64>,
    /// In the paying token; default what remains.
    amount: Option<String>,
}

impl Validate for PayRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("idInvoice", &self.id_invoice);
        if let Some(a) = &self.amount {
            v.check(
                paygate_core::Amount::from_json(&serde_json::Value::String(a.clone())).is_ok(),
                paygate_core::ErrorCode::InvalidAmount,
                "amount",
            );
        }
    }
}

/// Pay a sandbox invoice (full by default, or any amount).
#[utoipa::path(post, path = "/sandbox/invoice/pay", tag = "Sandbox", request_body = PayRequest,
    extensions(("x-origin" = json!("extension"))),
    responses((status = 200, body = InvoiceState), (status = 404, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn pay_invoice(
    state: AppState,
    Client(client): Client,
    Body(b): Body<PayRequest>,
) -> ApiResult<Json<InvoiceState>> {
    state.limit_public(&format!("sandbox:{}", client.ip), 120, 60)?;
    let amount = b.amount.as_deref().and_then(|a| paygate_core::Amount::parse(a).ok());
    Ok(Json(state.sandbox_pay_invoice(b.id_invoice.unwrap_or_default(), amount).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct ReorgRequest {
    depth: Option<i64>,
    drop_transfers: Option<bool>,
}

impl Validate for ReorgRequest {
    fn validate(&self, v: &mut Validator) {
        if let Some(d) = v.required("depth", &self.depth) {
            v.range("depth", *d, 1, 64);
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReorgResponse {
    removed_blocks: i64,
    head: i64,
}

/// Drop the last sandbox blocks (operators).
#[utoipa::path(post, path = "/sandbox/reorg", tag = "Sandbox", request_body = ReorgRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 200, body = ReorgResponse), (status = 404, response = ErrorResponse)))]
pub async fn reorg(
    state: AppState,
    _caller: Caller<OperatorOnly>,
    Body(b): Body<ReorgRequest>,
) -> ApiResult<Json<ReorgResponse>> {
    let (removed_blocks, head) = state.sandbox_reorg(b.depth.unwrap_or(1), b.drop_transfers.unwrap_or(false)).await?;
    Ok(Json(ReorgResponse { removed_blocks, head }))
}

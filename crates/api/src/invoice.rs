//! `/invoice/*` (§4.26): public, access-token, or (later) API-key callers.

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use paygate_app::payments::state::InvoiceState;
use paygate_app::{InvoiceCaller, InvoiceCreate};
use paygate_core::validate::Validator;
use paygate_core::{Amount, ErrorCode, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{Body, Client, MaybeCaller, Validate, check_rule_scope, key_credential};
use crate::state::AppState;
use crate::wire::{WireAmount, check_order_id};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create)).routes(routes!(pay)).routes(routes!(receive))
}

/// The credential of an invoice call: none, or a valid full access token.
pub struct Caller(pub InvoiceCaller);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // On /invoice/* an integration key wins over an access token (§1.3.3).
        if let Some(k) = key_credential(parts, state, "invoice").await? {
            return Ok(Caller(InvoiceCaller::Key(k)));
        }
        let MaybeCaller(actor) = MaybeCaller::from_request_parts(parts, state).await?;
        Ok(Caller(match actor {
            None => InvoiceCaller::Public,
            Some(a) => {
                check_rule_scope(&a)?;
                if a.owner.is_none() {
                    return Err(ApiError::new(ErrorCode::NoActiveOwner, "No active owner"));
                }
                state.limit_user(a.user_id)?;
                InvoiceCaller::Member(a)
            }
        }))
    }
}

/// Roles 1, 2 and 4 may create and pay with a token (§2.2).
fn may_write(c: &InvoiceCaller) -> ApiResult<()> {
    if let InvoiceCaller::Member(a) = c
        && !a.owner.is_some_and(|o| matches!(o.role, Role::Owner | Role::Administrator | Role::Cashier))
    {
        return Err(ApiError::new(ErrorCode::ForbiddenRole, "This role may not create or pay invoices"));
    }
    Ok(())
}

#[derive(Deserialize, ToSchema)]
pub struct CreateRequest {
    #[schema(value_type = f64)]
    amount: Option<WireAmount>,
    coin_id: Option<i64>,
    /// Pay link (2), pay form (3) or terminal (4).
    id: Option<i64>,
    product_id: Option<i64>,
    order_id: Option<String>,
    description: Option<String>,
    metadata: Option<serde_json::Value>,
    token_ids: Option<Vec<i64>>,
    success_url: Option<String>,
    fail_url: Option<String>,
    expiry_minutes: Option<i64>,
}

impl Validate for CreateRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("amount", &self.amount);
        v.required("coin_id", &self.coin_id);
        if let Some(p) = v.required("product_id", &self.product_id) {
            v.range("product_id", *p, 1, 4);
        }
        if let Some(o) = &self.order_id {
            check_order_id(v, "order_id", o);
        }
        if let Some(d) = &self.description {
            v.length("description", d, 1, 200);
        }
        if let Some(m) = &self.metadata {
            v.check(m.is_object() && m.to_string().len() <= 4096, ErrorCode::FieldRange, "metadata");
        }
        for (f, u) in [("success_url", &self.success_url), ("fail_url", &self.fail_url)] {
            if let Some(u) = u {
                v.http_url(f, u, 500);
            }
        }
        if let Some(e) = self.expiry_minutes {
            v.range("expiry_minutes", e, 5, 1440);
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreateResponse {
    success: bool,
    invoice_id: i64,
    message: &'static str,
}

/// Create an invoice.
#[utoipa::path(post, path = "/invoice/create", tag = "Invoice", request_body = CreateRequest, security((), ("jwt" = []), ("api_key" = [])),
    extensions(("x-origin" = json!("documented"))),
    responses((status = 200, body = CreateResponse), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse),
        (status = 500, response = ErrorResponse)))]
pub async fn create(
    state: AppState,
    Caller(caller): Caller,
    Client(client): Client,
    Body(b): Body<CreateRequest>,
) -> ApiResult<Json<CreateResponse>> {
    may_write(&caller)?;
    if matches!(caller, InvoiceCaller::Public) {
        state.limit_public_burst(&format!("invoice-create:{}:{}", client.ip, b.id.unwrap_or(0)), 10, 20)?;
    }
    let input = InvoiceCreate {
        product_id: b.product_id.unwrap_or_default(),
        coin_id: b.coin_id.unwrap_or_default(),
        amount: b.amount.map(|a| a.0).unwrap_or_default(),
        object_id: b.id,
        order_id: b.order_id,
        description: b.description,
        metadata: b.metadata.map(|m| m.to_string()),
        token_ids: b.token_ids.unwrap_or_default(),
        success_url: b.success_url,
        fail_url: b.fail_url,
        expiry_minutes: b.expiry_minutes,
        receive_request: false,
    };
    let id = state.create_invoice(&caller, input).await?;
    Ok(Json(CreateResponse { success: true, invoice_id: id, message: "Invoice created successfully" }))
}

#[derive(Deserialize, ToSchema)]
pub struct PayRequest {
    #[serde(rename = "idInvoice")]
    id_invoice: Option<i64>,
    coin_id: Option<i64>,
    token_id: Option<i64>,
}

impl Validate for PayRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("idInvoice", &self.id_invoice);
    }
}

#[derive(Serialize, ToSchema)]
pub struct PayResponse {
    address: String,
    /// In the paying coin, plain decimal.
    amount: String,
    /// Pricing-coin units per 1 paying coin.
    #[schema(value_type = f64)]
    rate: Amount,
    name: String,
    code: String,
    #[serde(rename = "transferCommissionWeis", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<u64>)]
    transfer_commission_weis: Option<serde_json::Number>,
}

/// Choose the paying token and get the deposit address.
#[utoipa::path(post, path = "/invoice/pay", tag = "Invoice", request_body = PayRequest, security((), ("jwt" = []), ("api_key" = [])),
    extensions(("x-origin" = json!("documented"))),
    responses((status = 200, body = PayResponse), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse),
        (status = 500, response = ErrorResponse)))]
pub async fn pay(
    state: AppState,
    Caller(caller): Caller,
    Client(client): Client,
    Body(b): Body<PayRequest>,
) -> ApiResult<Json<PayResponse>> {
    may_write(&caller)?;
    if matches!(caller, InvoiceCaller::Public) {
        state.limit_public(&format!("invoice-read:{}", client.ip), 60, 60)?;
    }
    let a = state.pay_invoice(&caller, b.id_invoice.unwrap_or_default(), b.token_id, b.coin_id).await?;
    Ok(Json(PayResponse {
        address: a.address,
        amount: a.amount.to_plain(),
        rate: a.rate,
        name: a.name,
        code: a.code,
        transfer_commission_weis: a.transfer_commission_weis.and_then(|w| w.to_string().parse().ok()),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReceiveRequest {
    #[serde(rename = "idInvoice")]
    id_invoice: Option<i64>,
}

impl Validate for ReceiveRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("idInvoice", &self.id_invoice);
    }
}

/// The invoice's full state.
#[utoipa::path(post, path = "/invoice/receive", tag = "Invoice", request_body = ReceiveRequest, security((), ("jwt" = []), ("api_key" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = InvoiceState), (status = 404, response = ErrorResponse)))]
pub async fn receive(
    state: AppState,
    Caller(caller): Caller,
    Client(client): Client,
    Body(b): Body<ReceiveRequest>,
) -> ApiResult<Json<InvoiceState>> {
    if matches!(caller, InvoiceCaller::Public) {
        state.limit_public(&format!("invoice-read:{}", client.ip), 60, 60)?;
    }
    Ok(Json(state.invoice_state(&caller, b.id_invoice.unwrap_or_default()).await?.into()))
}

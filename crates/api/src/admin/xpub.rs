//! `/admin/xpub` (§5.5): the chains' extended public keys.

use axum::Json;
use axum::http::StatusCode;
use paygate_core::validate::Validator;
use paygate_store::xpubs::XpubRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{Body, Caller, Client, OperatorOnly, QueryParams, Validate};
use crate::state::AppState;
use crate::wire::{no_content, time};

#[derive(Serialize, ToSchema)]
pub struct XpubResponse {
    id: i64,
    chain_id: i64,
    xpub: String,
    /// 8 hex.
    fingerprint: String,
    derivation_path: String,
    next_index: i64,
    status_id: i64,
    created_at: String,
}

impl From<XpubRow> for XpubResponse {
    fn from(x: XpubRow) -> Self {
        XpubResponse {
            id: x.id,
            chain_id: x.chain_id,
            xpub: x.xpub,
            fingerprint: x.fingerprint,
            derivation_path: x.derivation_path,
            next_index: x.next_index,
            status_id: x.status_id,
            created_at: time(x.created_at),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    chain_id: Option<i64>,
}

/// Keys, by id.
#[utoipa::path(get, path = "/admin/xpub", tag = "Admin", params(ListQuery), security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 200, body = [XpubResponse])))]
pub async fn list(
    state: AppState,
    caller: Caller<OperatorOnly>,
    QueryParams(q): QueryParams<ListQuery>,
) -> ApiResult<Json<Vec<XpubResponse>>> {
    Ok(Json(state.list_xpubs(&caller, q.chain_id).await?.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct AddRequest {
    chain_id: Option<i64>,
    xpub: Option<String>,
    /// Relative template; default `0/{index}`.
    derivation_path: Option<String>,
    /// The operator's TOTP code.
    otp: Option<String>,
}

impl Validate for AddRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("chain_id", &self.chain_id);
        v.required_str("xpub", &self.xpub, 100, 120);
        v.required_str("otp", &self.otp, 4, 8);
    }
}

/// Register a chain's new active key (the previous one is retired).
#[utoipa::path(post, path = "/admin/xpub", tag = "Admin", request_body = AddRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))),
    responses((status = 200, body = XpubResponse), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse)))]
pub async fn add(
    state: AppState,
    caller: Caller<OperatorOnly>,
    Client(client): Client,
    Body(b): Body<AddRequest>,
) -> ApiResult<Json<XpubResponse>> {
    let path = b.derivation_path.unwrap_or_else(|| "0/{index}".into());
    let row = state
        .add_xpub(
            &caller,
            b.chain_id.unwrap_or_default(),
            &b.xpub.unwrap_or_default(),
            &path,
            &b.otp.unwrap_or_default(),
            &client,
        )
        .await?;
    Ok(Json(row.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct RetireRequest {
    id: Option<i64>,
    /// 2 retire.
    status_id: Option<i64>,
    otp: Option<String>,
}

impl Validate for RetireRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("id", &self.id);
        if let Some(s) = v.required("status_id", &self.status_id) {
            v.check(*s == 2, paygate_core::ErrorCode::FieldRange, "status_id");
        }
        v.required_str("otp", &self.otp, 4, 8);
    }
}

/// Retire a key.
#[utoipa::path(put, path = "/admin/xpub", tag = "Admin", request_body = RetireRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))),
    responses((status = 204, description = "Retired"), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse)))]
pub async fn retire(
    state: AppState,
    caller: Caller<OperatorOnly>,
    Client(client): Client,
    Body(b): Body<RetireRequest>,
) -> ApiResult<StatusCode> {
    state.retire_xpub(&caller, b.id.unwrap_or_default(), &b.otp.unwrap_or_default(), &client).await?;
    Ok(no_content())
}

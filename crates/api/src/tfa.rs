//! `/api/tfa*` (§4.9) and the public recovery of a lost factor, `/tfa/*` (§4.27).

use axum::Json;
use axum::http::StatusCode;
use paygate_app::TfaChange;
use paygate_core::validate::Validator;
use paygate_core::{ErrorCode, dict};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{AnyUser, Body, Caller, Client, IdPath, Validate};
use crate::state::AppState;
use crate::wire::{DictItem, dict_items, no_content, time};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_tfa, change_tfa))
        .routes(routes!(send_code))
        .routes(routes!(tfa_types))
        .routes(routes!(request_reset))
        .routes(routes!(complete_reset))
}

#[derive(Serialize, ToSchema)]
pub struct ResetRequestRef {
    id: i64,
    status_id: i64,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct TfaStateResponse {
    enabled: bool,
    tfa_type_id: i64,
    /// A secret from `GET /auth/qrcode` awaits confirmation.
    totp_pending: bool,
    reset_request: Option<ResetRequestRef>,
}

/// The caller's 2FA state.
#[utoipa::path(get, path = "/api/tfa", tag = "Api/Tfa", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = TfaStateResponse)))]
pub async fn get_tfa(state: AppState, caller: Caller<AnyUser>) -> ApiResult<Json<TfaStateResponse>> {
    let s = state.tfa_state(&caller).await?;
    Ok(Json(TfaStateResponse {
        enabled: s.enabled,
        tfa_type_id: s.tfa_type_id,
        totp_pending: s.totp_pending,
        reset_request: s.reset_request.map(|r| ResetRequestRef {
            id: r.id,
            status_id: r.status_id,
            created_at: time(r.created_at),
        }),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct TfaChangeRequest {
    /// Desired state.
    enabled: Option<bool>,
    /// 1 e-mail, 2 authenticator; required when enabling.
    tfa_type_id: Option<i64>,
    otp: Option<String>,
    /// Code of the current factor when switching type.
    current_otp: Option<String>,
}

impl Validate for TfaChangeRequest {
    fn validate(&self, v: &mut Validator) {
        let enabled = v.required("enabled", &self.enabled).copied();
        if enabled == Some(true)
            && let Some(t) = v.required("tfa_type_id", &self.tfa_type_id)
        {
            v.check(matches!(t, 1 | 2), ErrorCode::FieldRange, "tfa_type_id");
        }
        v.required_str("otp", &self.otp, 4, 8);
        if let Some(c) = &self.current_otp {
            v.length("current_otp", c, 4, 8);
        }
    }
}

/// Enable, switch or disable 2FA.
#[utoipa::path(post, path = "/api/tfa", tag = "Api/Tfa", request_body = TfaChangeRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))),
    responses((status = 204, description = "Changed"), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse)))]
pub async fn change_tfa(
    state: AppState,
    caller: Caller<AnyUser>,
    Body(b): Body<TfaChangeRequest>,
) -> ApiResult<StatusCode> {
    let change = TfaChange {
        enabled: b.enabled.unwrap_or_default(),
        tfa_type_id: b.tfa_type_id,
        otp: b.otp.unwrap_or_default(),
        current_otp: b.current_otp,
    };
    state.change_tfa(&caller, change).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct SendCodeRequest {
    /// `tfa`, `withdrawal` or `integration_key`.
    purpose: Option<String>,
}

impl Validate for SendCodeRequest {
    fn validate(&self, v: &mut Validator) {
        if let Some(p) = v.required("purpose", &self.purpose) {
            v.check(matches!(p.as_str(), "tfa" | "withdrawal" | "integration_key"), ErrorCode::FieldRange, "purpose");
        }
    }
}

/// E-mail a second-factor code for a purpose.
#[utoipa::path(post, path = "/api/tfa/otp", tag = "Api/Tfa", request_body = SendCodeRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Sent"), (status = 409, response = ErrorResponse)))]
pub async fn send_code(
    state: AppState,
    caller: Caller<AnyUser>,
    Body(b): Body<SendCodeRequest>,
) -> ApiResult<StatusCode> {
    state.send_second_factor_code(&caller, &b.purpose.unwrap_or_default()).await?;
    Ok(no_content())
}

/// 2FA types.
#[utoipa::path(get, path = "/api/tfa/type", tag = "Api/Tfa", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [DictItem])))]
pub async fn tfa_types(_caller: Caller<AnyUser>) -> axum::response::Response {
    dict_items(dict::TFA_TYPES)
}

#[derive(Deserialize, ToSchema)]
pub struct ResetRequest {
    email: Option<String>,
    password: Option<String>,
    /// 10–1000 characters.
    reason: Option<String>,
}

impl Validate for ResetRequest {
    fn validate(&self, v: &mut Validator) {
        if let Some(e) = v.required("email", &self.email) {
            v.email("email", e);
        }
        v.required_str("password", &self.password, 1, 1024);
        v.required_str("reason", &self.reason, 10, 1000);
    }
}

#[derive(Serialize, ToSchema)]
pub struct ResetCreated {
    id: i64,
    status_id: i64,
    created_at: String,
}

/// Ask operators to reset a lost second factor.
#[utoipa::path(post, path = "/tfa/reset", tag = "Tfa", request_body = ResetRequest,
    extensions(("x-origin" = json!("designed"))),
    responses((status = 200, body = ResetCreated), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse)))]
pub async fn request_reset(
    state: AppState,
    Client(client): Client,
    Body(b): Body<ResetRequest>,
) -> ApiResult<Json<ResetCreated>> {
    let r = state
        .request_tfa_reset(
            &b.email.unwrap_or_default(),
            &b.password.unwrap_or_default(),
            &b.reason.unwrap_or_default(),
            &client,
        )
        .await?;
    Ok(Json(ResetCreated { id: r.id, status_id: r.status_id, created_at: time(r.created_at) }))
}

#[derive(Deserialize, ToSchema)]
pub struct CompleteResetRequest {
    email: Option<String>,
    password: Option<String>,
    /// Code from the approval e-mail.
    otp: Option<String>,
}

impl Validate for CompleteResetRequest {
    fn validate(&self, v: &mut Validator) {
        if let Some(e) = v.required("email", &self.email) {
            v.email("email", e);
        }
        v.required_str("password", &self.password, 1, 1024);
        v.required_str("otp", &self.otp, 4, 8);
    }
}

/// Turn 2FA off with the code of an approved reset request.
#[utoipa::path(post, path = "/tfa/otp/reset/{id}", tag = "Tfa", request_body = CompleteResetRequest,
    params(("id" = i64, Path, description = "Reset request id")),
    extensions(("x-origin" = json!("designed"))),
    responses((status = 204, description = "2FA off"), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse)))]
pub async fn complete_reset(
    state: AppState,
    IdPath(id): IdPath,
    Client(client): Client,
    Body(b): Body<CompleteResetRequest>,
) -> ApiResult<StatusCode> {
    state
        .complete_tfa_reset(
            id,
            &b.email.unwrap_or_default(),
            &b.password.unwrap_or_default(),
            &b.otp.unwrap_or_default(),
            &client,
        )
        .await?;
    Ok(no_content())
}

//! `POST /auth/sign-in`, `POST /auth/sign-in/psw/check`, `POST /auth/tfa/otp/email`.

use axum::Json;
use axum::http::StatusCode;
use paygate_app::SignInInput;
use paygate_core::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{Body, Client, Validate};
use crate::state::AppState;
use crate::wire::{TokenPairResponse, no_content, time_opt};

#[derive(Deserialize, ToSchema)]
pub struct SignInRequest {
    /// E-mail of the user.
    email: Option<String>,
    /// One-time code (e-mail code or TOTP).
    otp: Option<String>,
    /// User password.
    password: Option<String>,
    /// Extension: owner to make active.
    owner_id: Option<i64>,
}

impl Validate for SignInRequest {
    fn validate(&self, v: &mut Validator) {
        if let Some(e) = v.required("email", &self.email) {
            v.email("email", e);
        }
        if let Some(o) = &self.otp {
            v.length("otp", o, 4, 8);
        }
        if let Some(p) = &self.password {
            v.length("password", p, 1, 1024);
        }
        if let Some(id) = self.owner_id {
            v.range("owner_id", id, 1, i64::MAX);
        }
    }
}

/// Sign in with password and/or one-time code.
#[utoipa::path(post, path = "/auth/sign-in", tag = "Auth", request_body = SignInRequest,
    extensions(("x-origin" = json!("documented"))),
    responses((status = 200, body = TokenPairResponse), (status = 400, response = ErrorResponse), (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse), (status = 404, response = ErrorResponse)))]
pub async fn sign_in(
    state: AppState,
    Client(client): Client,
    Body(b): Body<SignInRequest>,
) -> ApiResult<Json<TokenPairResponse>> {
    let input =
        SignInInput { email: b.email.unwrap_or_default(), password: b.password, otp: b.otp, owner_id: b.owner_id };
    Ok(Json(state.sign_in(input, &client).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordCheckRequest {
    email: Option<String>,
    password: Option<String>,
}

impl Validate for PasswordCheckRequest {
    fn validate(&self, v: &mut Validator) {
        if let Some(e) = v.required("email", &self.email) {
            v.email("email", e);
        }
        v.required_str("password", &self.password, 1, 1024);
    }
}

#[derive(Serialize, ToSchema)]
pub struct PasswordCheckResponse {
    tfa_required: bool,
    tfa_type_id: Option<i64>,
    otp_sent: bool,
    /// End of the 10-minute window for `POST /auth/sign-in` with `otp`.
    expires_at: Option<String>,
}

/// Verify the password and open a second-factor challenge.
#[utoipa::path(post, path = "/auth/sign-in/psw/check", tag = "Auth", request_body = PasswordCheckRequest,
    extensions(("x-origin" = json!("designed"))),
    responses((status = 200, body = PasswordCheckResponse), (status = 403, response = ErrorResponse), (status = 404, response = ErrorResponse)))]
pub async fn check_password(
    state: AppState,
    Client(client): Client,
    Body(b): Body<PasswordCheckRequest>,
) -> ApiResult<Json<PasswordCheckResponse>> {
    let r = state.sign_in_check(&b.email.unwrap_or_default(), &b.password.unwrap_or_default(), &client).await?;
    Ok(Json(PasswordCheckResponse {
        tfa_required: r.tfa_required,
        tfa_type_id: r.tfa_type_id,
        otp_sent: r.otp_sent,
        expires_at: time_opt(r.expires_at),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct EmailRequest {
    pub email: Option<String>,
}

impl Validate for EmailRequest {
    fn validate(&self, v: &mut Validator) {
        if let Some(e) = v.required("email", &self.email) {
            v.email("email", e);
        }
    }
}

/// Re-send the sign-in code of an open challenge.
#[utoipa::path(post, path = "/auth/tfa/otp/email", tag = "Auth", request_body = EmailRequest,
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Always")))]
pub async fn resend_sign_in_code(
    state: AppState,
    Client(client): Client,
    Body(b): Body<EmailRequest>,
) -> ApiResult<StatusCode> {
    state.resend_sign_in_code(&b.email.unwrap_or_default(), &client).await?;
    Ok(no_content())
}

//! `POST /auth/recovery`, `POST /auth/recovery/psw/otp/check`.

use axum::http::StatusCode;
use paygate_core::validate::Validator;
use serde::Deserialize;
use utoipa::ToSchema;

use super::sign_in::EmailRequest;
use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{Body, Client, Validate};
use crate::state::AppState;
use crate::wire::no_content;

/// E-mail a recovery code (204 for unknown addresses too).
#[utoipa::path(post, path = "/auth/recovery", tag = "Auth", request_body = EmailRequest,
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Accepted")))]
pub async fn send_code(state: AppState, Client(client): Client, Body(b): Body<EmailRequest>) -> ApiResult<StatusCode> {
    state.recovery_send_code(&b.email.unwrap_or_default(), &client).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct ResetPasswordRequest {
    email: Option<String>,
    otp: Option<String>,
    /// New password (§2.1).
    password: Option<String>,
}

impl Validate for ResetPasswordRequest {
    fn validate(&self, v: &mut Validator) {
        if let Some(e) = v.required("email", &self.email) {
            v.email("email", e);
        }
        v.required_str("otp", &self.otp, 4, 6);
        v.required_str("password", &self.password, 1, 1024);
    }
}

/// Set a new password with the recovery code; signs out every session.
#[utoipa::path(post, path = "/auth/recovery/psw/otp/check", tag = "Auth", request_body = ResetPasswordRequest,
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Password set"), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse)))]
pub async fn reset_password(state: AppState, Body(b): Body<ResetPasswordRequest>) -> ApiResult<StatusCode> {
    state
        .recovery_reset_password(
            &b.email.unwrap_or_default(),
            &b.otp.unwrap_or_default(),
            &b.password.unwrap_or_default(),
        )
        .await?;
    Ok(no_content())
}

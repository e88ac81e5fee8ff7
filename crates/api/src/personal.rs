//! `/api/personal/*` (§4.20): the signed-in user's own e-mail and password.

use axum::http::StatusCode;
use paygate_core::validate::Validator;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{AnyUser, Body, Caller, Validate};
use crate::state::AppState;
use crate::wire::no_content;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(change_email))
        .routes(routes!(resend_email_code))
        .routes(routes!(confirm_email))
        .routes(routes!(change_password))
        .routes(routes!(send_password_code))
        .routes(routes!(check_password_code))
}

#[derive(Deserialize, ToSchema)]
pub struct ChangeEmailRequest {
    /// New e-mail, different from the current one.
    email: Option<String>,
    /// Current password.
    password: Option<String>,
}

impl Validate for ChangeEmailRequest {
    fn validate(&self, v: &mut Validator) {
        if let Some(e) = v.required("email", &self.email) {
            v.email("email", e);
        }
        v.required_str("password", &self.password, 1, 1024);
    }
}

/// Start an e-mail change: a code goes to the new address.
#[utoipa::path(put, path = "/api/personal/email", tag = "Api/Personal", request_body = ChangeEmailRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))),
    responses((status = 204, description = "Code sent"), (status = 400, response = ErrorResponse), (status = 409, response = ErrorResponse)))]
pub async fn change_email(
    state: AppState,
    caller: Caller<AnyUser>,
    Body(b): Body<ChangeEmailRequest>,
) -> ApiResult<StatusCode> {
    state.request_email_change(&caller, &b.email.unwrap_or_default(), &b.password.unwrap_or_default()).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct Empty {}
impl Validate for Empty {}

/// Send a fresh code to the pending new address.
#[utoipa::path(post, path = "/api/personal/email/otp", tag = "Api/Personal", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Code sent"), (status = 404, response = ErrorResponse)))]
pub async fn resend_email_code(
    state: AppState,
    caller: Caller<AnyUser>,
    Body(_): Body<Empty>,
) -> ApiResult<StatusCode> {
    state.resend_email_change_code(&caller).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct OtpRequest {
    /// 4–6 characters.
    otp: Option<String>,
}

impl OtpRequest {
    fn otp(&self) -> String {
        self.otp.clone().unwrap_or_default()
    }
}

impl Validate for OtpRequest {
    fn validate(&self, v: &mut Validator) {
        v.required_str("otp", &self.otp, 4, 6);
    }
}

/// Apply the pending e-mail with its code.
#[utoipa::path(post, path = "/api/personal/email/otp/check", tag = "Api/Personal", request_body = OtpRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))),
    responses((status = 204, description = "E-mail changed"), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse)))]
pub async fn confirm_email(
    state: AppState,
    caller: Caller<AnyUser>,
    Body(b): Body<OtpRequest>,
) -> ApiResult<StatusCode> {
    state.confirm_email_change(&caller, &b.otp()).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct NewPasswordRequest {
    /// New password (§2.1).
    password: Option<String>,
}

impl Validate for NewPasswordRequest {
    fn validate(&self, v: &mut Validator) {
        v.required_str("password", &self.password, 1, 1024);
    }
}

/// Set a new password after `psw/otp/check`.
#[utoipa::path(put, path = "/api/personal/psw", tag = "Api/Personal", request_body = NewPasswordRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))),
    responses((status = 204, description = "Password changed"), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse)))]
pub async fn change_password(
    state: AppState,
    caller: Caller<AnyUser>,
    Body(b): Body<NewPasswordRequest>,
) -> ApiResult<StatusCode> {
    state.change_password(&caller, &b.password.unwrap_or_default()).await?;
    Ok(no_content())
}

/// E-mail a password-change code to the current address.
#[utoipa::path(post, path = "/api/personal/psw/otp", tag = "Api/Personal", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Code sent")))]
pub async fn send_password_code(
    state: AppState,
    caller: Caller<AnyUser>,
    Body(_): Body<Empty>,
) -> ApiResult<StatusCode> {
    state.send_password_change_code(&caller).await?;
    Ok(no_content())
}

/// Check the password-change code; allows one `PUT /api/personal/psw` within 10 minutes.
#[utoipa::path(post, path = "/api/personal/psw/otp/check", tag = "Api/Personal", request_body = OtpRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("documented"))),
    responses((status = 204, description = "No Content"), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse), (status = 500, response = ErrorResponse)))]
pub async fn check_password_code(
    state: AppState,
    caller: Caller<AnyUser>,
    Body(b): Body<OtpRequest>,
) -> ApiResult<StatusCode> {
    state.verify_password_change_code(&caller, &b.otp()).await?;
    Ok(no_content())
}

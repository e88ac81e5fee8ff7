//! `POST /auth/token/check`, `POST /auth/token/refresh`, `POST /auth/log-out`.

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use paygate_core::ErrorCode;
use paygate_core::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{AnyUserOrSignup, Body, Caller, Client, Validate};
use crate::state::AppState;
use crate::wire::{TokenPairResponse, no_content, time};

#[derive(Deserialize, ToSchema)]
pub struct TokenCheckRequest {
    /// The token to check; takes precedence over `Authorization`.
    token: Option<String>,
}
impl Validate for TokenCheckRequest {}

#[derive(Serialize, ToSchema)]
pub struct TokenCheckResponse {
    valid: bool,
    user_id: i64,
    owner_id: Option<i64>,
    role_id: Option<i64>,
    scope: String,
    operator: bool,
    expires_at: String,
}

/// The `Authorization` token, if any (the body may carry the token instead).
pub struct HeaderToken(Option<String>);

impl FromRequestParts<AppState> for HeaderToken {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        Ok(HeaderToken(crate::extract::bearer_token(parts).map(str::to_owned)))
    }
}

/// Check an access token (full or sign-up scope).
#[utoipa::path(post, path = "/auth/token/check", tag = "Auth", request_body = TokenCheckRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = TokenCheckResponse), (status = 401, response = ErrorResponse)))]
pub async fn check_token(
    state: AppState,
    HeaderToken(header): HeaderToken,
    Body(b): Body<TokenCheckRequest>,
) -> ApiResult<Json<TokenCheckResponse>> {
    let token = b.token.or(header).ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "Access token required"))?;
    let c = state.check_token(&token).await?;
    Ok(Json(TokenCheckResponse {
        valid: true,
        user_id: c.user_id,
        owner_id: c.owner_id,
        role_id: c.role_id,
        scope: c.scope.as_str().to_owned(),
        operator: c.operator,
        expires_at: time(c.expires_at),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct RefreshRequest {
    #[serde(rename = "refreshToken")]
    refresh_token: Option<String>,
    /// Switch the active owner.
    owner_id: Option<i64>,
}

impl Validate for RefreshRequest {
    fn validate(&self, v: &mut Validator) {
        v.required_str("refreshToken", &self.refresh_token, 1, 256);
        if let Some(id) = self.owner_id {
            v.range("owner_id", id, 1, i64::MAX);
        }
    }
}

/// Rotate the refresh token and get a new pair.
#[utoipa::path(post, path = "/auth/token/refresh", tag = "Auth", request_body = RefreshRequest,
    extensions(("x-origin" = json!("designed"))),
    responses((status = 200, body = TokenPairResponse), (status = 401, response = ErrorResponse), (status = 403, response = ErrorResponse)))]
pub async fn refresh(
    state: AppState,
    Client(client): Client,
    Body(b): Body<RefreshRequest>,
) -> ApiResult<Json<TokenPairResponse>> {
    let pair = state.refresh(&b.refresh_token.unwrap_or_default(), b.owner_id, &client).await?;
    Ok(Json(pair.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct LogOutRequest {
    /// Close every session of the user (default false).
    #[serde(default)]
    all_sessions: Option<bool>,
}
impl Validate for LogOutRequest {}

/// Close this session (or all of the user's).
#[utoipa::path(post, path = "/auth/log-out", tag = "Auth", request_body = LogOutRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Signed out")))]
pub async fn log_out(
    state: AppState,
    caller: Caller<AnyUserOrSignup>,
    Body(b): Body<LogOutRequest>,
) -> ApiResult<StatusCode> {
    state.log_out(&caller, b.all_sessions.unwrap_or(false)).await?;
    Ok(no_content())
}

//! `GET /auth/qrcode`: a pending authenticator secret with its QR code.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{AnyUser, Caller};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct QrCodeResponse {
    /// Base32, 32 characters.
    secret: String,
    otpauth_uri: String,
    /// `data:image/png;base64,…`
    qr_png: String,
}

/// Start enrolling an authenticator app; confirm with `POST /api/tfa`.
#[utoipa::path(get, path = "/auth/qrcode", tag = "Auth", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = QrCodeResponse), (status = 409, response = ErrorResponse)))]
pub async fn qrcode(state: AppState, caller: Caller<AnyUser>) -> ApiResult<Json<QrCodeResponse>> {
    let e = state.enrol_totp(&caller).await?;
    Ok(Json(QrCodeResponse { secret: e.secret, otpauth_uri: e.otpauth_uri, qr_png: e.qr_png }))
}

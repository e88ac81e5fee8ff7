//! The `X-API-Key` credential (§1.3.3): read in one place for every route that takes it —
//! optionally on `/invoice/*` (where it wins over an access token), required on `/external/*`.

use axum::http::request::Parts;
use paygate_app::KeyActor;
use paygate_core::ErrorCode;

use crate::error::ApiError;
use crate::state::AppState;

/// The key sent with the request, authenticated and checked for `scope`; `None` when the
/// header is absent (a route that requires a key answers that with 401 `4016`).
pub async fn key_credential(parts: &Parts, state: &AppState, scope: &str) -> Result<Option<KeyActor>, ApiError> {
    let Some(raw) = parts.headers.get("x-api-key") else { return Ok(None) };
    let key = raw.to_str().map_err(|_| ApiError::field(ErrorCode::ApiKeyInvalid, "X-API-Key", "API key invalid"))?;
    let k = state.authenticate_key(key.trim()).await?;
    if !k.has(scope) {
        return Err(ApiError::field(ErrorCode::ApiKeyScope, "X-API-Key", format!("The key lacks the {scope} scope")));
    }
    Ok(Some(k))
}

//! `MaybeCaller`: optional credentials on public routes. Absent is fine; present must be valid
//! (never a silent fall-back to public access, §1.3.6).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use paygate_app::Actor;

use super::auth::bearer;
use crate::error::ApiError;
use crate::state::AppState;

pub struct MaybeCaller(pub Option<Actor>);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match bearer(parts) {
            None => Ok(MaybeCaller(None)),
            Some(token) => Ok(MaybeCaller(Some(state.authenticate(token).await?))),
        }
    }
}

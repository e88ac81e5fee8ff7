//! `/api/timezone*` (§4.10).

use axum::http::StatusCode;
use axum::response::Response;
use paygate_core::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::{AnyUser, AnyUserOrSignup, Body, Caller, Validate};
use crate::state::AppState;
use crate::wire::{dictionary, no_content};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(timezones)).routes(routes!(set_timezone))
}

#[derive(Serialize, ToSchema)]
pub struct TimezoneResponse {
    id: i64,
    /// IANA name.
    name: String,
    /// Current offset, `"+01:00"`.
    utc_offset: String,
    /// The caller's zone.
    selected: bool,
}

/// Time zones, by name.
#[utoipa::path(get, path = "/api/timezone", tag = "Api/Timezone", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [TimezoneResponse])))]
pub async fn timezones(state: AppState, caller: Caller<AnyUserOrSignup>) -> ApiResult<Response> {
    let list: Vec<TimezoneResponse> = state
        .timezones(&caller)
        .await?
        .into_iter()
        .map(|t| TimezoneResponse { id: t.id, name: t.name, utc_offset: t.utc_offset, selected: t.selected })
        .collect();
    Ok(dictionary(list))
}

#[derive(Deserialize, ToSchema)]
pub struct SetTimezoneRequest {
    timezone_id: Option<i64>,
}

impl Validate for SetTimezoneRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("timezone_id", &self.timezone_id);
    }
}

/// Set the caller's time zone.
#[utoipa::path(put, path = "/api/timezone/set", tag = "Api/Timezone", request_body = SetTimezoneRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Set")))]
pub async fn set_timezone(
    state: AppState,
    caller: Caller<AnyUser>,
    Body(b): Body<SetTimezoneRequest>,
) -> ApiResult<StatusCode> {
    state.set_timezone(&caller, b.timezone_id.unwrap_or_default()).await?;
    Ok(no_content())
}

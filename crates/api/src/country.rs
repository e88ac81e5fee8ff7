//! `/api/country*` (§4.3).

use axum::response::Response;
use paygate_core::ErrorCode;
use paygate_core::dict::{self, CountryDef};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{AnyUserOrSignup, Caller};
use crate::state::AppState;
use crate::wire::dictionary;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(countries)).routes(routes!(sepa_countries)).routes(routes!(country))
}

#[derive(Serialize, ToSchema)]
pub struct CountryResponse {
    /// ISO 3166-1 numeric.
    id: i64,
    /// Alpha-2.
    code: &'static str,
    name: &'static str,
    sepa: bool,
    /// `"+420"`.
    phone_code: &'static str,
}

impl From<&CountryDef> for CountryResponse {
    fn from(c: &CountryDef) -> Self {
        CountryResponse { id: c.id, code: c.code, name: c.name, sepa: c.sepa, phone_code: c.phone_code }
    }
}

fn list(sepa_only: bool) -> Response {
    dictionary(paygate_app::countries(sepa_only).into_iter().map(CountryResponse::from).collect::<Vec<_>>())
}

/// Countries, by name.
#[utoipa::path(get, path = "/api/country", tag = "Api/Country", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [CountryResponse])))]
pub async fn countries(_caller: Caller<AnyUserOrSignup>) -> Response {
    list(false)
}

/// SEPA countries, by name.
#[utoipa::path(get, path = "/api/country/sepa", tag = "Api/Country", security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [CountryResponse])))]
pub async fn sepa_countries(_caller: Caller<AnyUserOrSignup>) -> Response {
    list(true)
}

/// One country by ISO numeric code.
#[utoipa::path(get, path = "/api/country/{id}", tag = "Api/Country", security(("jwt" = [])),
    params(("id" = i64, Path, description = "ISO 3166-1 numeric code")),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = CountryResponse), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse)))]
pub async fn country(
    _caller: Caller<AnyUserOrSignup>,
    crate::extract::IdPath(id): crate::extract::IdPath,
) -> ApiResult<Response> {
    let c = dict::country(id).ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Country not found"))?;
    Ok(dictionary(CountryResponse::from(c)))
}

//! `GET /media/avatar/{name}` (§5.3).

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ErrorResponse};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(avatar))
}

/// An avatar image.
#[utoipa::path(get, path = "/media/avatar/{name}", tag = "Media",
    params(("name" = String, Path, description = "32 hex characters + `.png`")),
    extensions(("x-origin" = json!("extension"))),
    responses((status = 200, content_type = "image/png", body = Vec<u8>), (status = 404, response = ErrorResponse)))]
pub async fn avatar(state: AppState, Path(name): Path<String>) -> ApiResult<Response> {
    let png = state.avatar(&name).await?;
    let mut res = png.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    Ok(res)
}

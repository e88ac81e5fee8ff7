//! Service endpoints (§5.4): liveness, readiness, metrics, the OpenAPI document and its browser.

use std::sync::Arc;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use paygate_core::{AppError, ErrorCode, ErrorItem};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(live))
        .routes(routes!(ready))
        .routes(routes!(metrics))
        .routes(routes!(openapi_doc))
        .routes(routes!(docs))
}

#[derive(Serialize, ToSchema)]
pub struct Live {
    status: &'static str,
}

/// The process answers.
#[utoipa::path(get, path = "/health/live", tag = "Service", extensions(("x-origin" = json!("extension"))), responses((status = 200, body = Live)))]
pub async fn live() -> Json<Live> {
    Json(Live { status: "ok" })
}

/// Database and schema ready; chains, signer and rates reported.
#[utoipa::path(get, path = "/health/ready", tag = "Service", extensions(("x-origin" = json!("extension"))),
    responses((status = 200, body = Object), (status = 500, response = ErrorResponse)))]
pub async fn ready(state: AppState) -> ApiResult<Json<serde_json::Value>> {
    let r = state.readiness().await;
    let mut failing = vec![];
    if !r.database {
        failing.push(ErrorItem { code: ErrorCode::NotReady, field: Some("database".into()) });
    }
    if !r.migrations {
        failing.push(ErrorItem { code: ErrorCode::NotReady, field: Some("migrations".into()) });
    }
    if !failing.is_empty() {
        return Err(ApiError(AppError {
            message: "Not ready".into(),
            errors: failing,
            retry_after: None,
            internal: None,
        }));
    }
    let chains = state.chain_health().await;
    Ok(Json(json!({
        "status": "ok",
        "checks": { "database": "ok", "migrations": "ok", "chains": chains, "signer": "ok", "rates": "ok" }
    })))
}

/// Prometheus text format 0.0.4.
#[utoipa::path(get, path = "/metrics", tag = "Service", extensions(("x-origin" = json!("extension"))),
    responses((status = 200, content_type = "text/plain; version=0.0.4", body = String), (status = 401, response = ErrorResponse)))]
pub async fn metrics(state: AppState, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = &state.config.metrics_token {
        let Some(given) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
            return Err(ApiError::new(ErrorCode::Unauthenticated, "Metrics token required"));
        };
        let given = given.strip_prefix("Bearer ").unwrap_or(given).trim();
        if !paygate_app::crypto::ct_eq(given.as_bytes(), &token.0) {
            return Err(ApiError::new(ErrorCode::TokenInvalid, "Metrics token invalid"));
        }
    }
    let body = crate::middleware::metrics::handle().render();
    let mut res = body.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
    Ok(res)
}

/// The OpenAPI 3.1 document of this server.
#[utoipa::path(get, path = "/openapi.json", tag = "Service", extensions(("x-origin" = json!("extension"))), responses((status = 200, body = Object)))]
pub async fn openapi_doc() -> Json<serde_json::Value> {
    Json(crate::openapi_document().clone())
}

/// HTML API browser of `/openapi.json`, served from the binary.
#[utoipa::path(get, path = "/docs", tag = "Service", extensions(("x-origin" = json!("extension"))),
    responses((status = 200, content_type = "text/html", body = String)))]
pub async fn docs() -> Response {
    swagger_file("index.html")
}

/// The Swagger UI assets the page loads (`/docs/swagger-ui.css`, …); not an API route.
pub fn asset_routes() -> Router<AppState> {
    Router::new().route("/docs/{*file}", get(|Path(file): Path<String>| async move { swagger_file(&file) }))
}

fn swagger_config() -> Arc<utoipa_swagger_ui::Config<'static>> {
    static CONFIG: std::sync::OnceLock<Arc<utoipa_swagger_ui::Config<'static>>> = std::sync::OnceLock::new();
    CONFIG.get_or_init(|| Arc::new(utoipa_swagger_ui::Config::from("/openapi.json"))).clone()
}

fn swagger_file(file: &str) -> Response {
    match utoipa_swagger_ui::serve(file, swagger_config()) {
        Ok(Some(f)) => {
            let mut bytes = f.bytes.to_vec();
            if file == "index.html" {
                // Assets are under /docs/ whatever the page URL looked like.
                let html = String::from_utf8_lossy(&bytes).replacen("<head>", "<head><base href=\"/docs/\">", 1);
                bytes = html.into_bytes();
            }
            let mut res = bytes.into_response();
            if let Ok(v) = HeaderValue::from_str(&f.content_type) {
                res.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            res
        }
        Ok(None) => ApiError::new(ErrorCode::RouteNotFound, "No such documentation file").into_response(),
        Err(e) => ApiError(AppError::internal(e)).into_response(),
    }
}

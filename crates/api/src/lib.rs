//! HTTP surface of paygate: one module per API group, thin handlers, the error envelope, the
//! OpenAPI document generated from the same route table that serves requests.

pub mod error;
pub mod extract;
pub mod middleware;
mod openapi;
mod state;
mod wire;

mod admin;
mod admin_filters;
mod auth;
mod balance;
mod blockchain;
mod country;
mod currency;
mod integration_key;
mod invoice;
mod media;
mod notification;
mod owner;
mod pages;
mod pay;
mod personal;
mod product;
mod sandbox;
mod service;
mod tfa;
mod timezone;
mod transfer;
mod user;
mod wallet;
mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::{Method, Uri};
use axum::{Router, ServiceExt};
use paygate_app::Services;
use paygate_core::ErrorCode;
use tower::Layer;
use tower::util::MapRequestLayer;
use utoipa_axum::router::OpenApiRouter;

pub use error::{ApiError, ApiResult};
pub use state::AppState;

/// Every route with its OpenAPI description.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base())
        .merge(service::routes())
        .merge(auth::routes())
        .merge(personal::routes())
        .merge(tfa::routes())
        .merge(blockchain::routes())
        .merge(owner::routes())
        .merge(user::routes())
        .merge(country::routes())
        .merge(timezone::routes())
        .merge(media::routes())
        .merge(admin::routes())
        .merge(currency::routes())
        .merge(balance::routes())
        .merge(transfer::routes())
        .merge(product::routes())
        .merge(notification::routes())
        .merge(invoice::routes())
        .merge(pay::pay_link::routes())
        .merge(sandbox::routes())
        .merge(wallet::routes())
        .merge(integration_key::routes())
        .merge(webhook::routes())
        .merge(pages::routes())
}

/// The OpenAPI document of the route table (§5.4), finished with the error responses.
pub fn openapi_document() -> &'static serde_json::Value {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let (_, doc) = routes().split_for_parts();
        openapi::finish(doc)
    })
}

/// The router behind path normalisation.
pub type App = tower::util::MapRequest<Router, fn(Request) -> Request>;

/// The whole application as a service that accepts connections.
pub fn app(services: Arc<Services>) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<App, SocketAddr> {
    let state = AppState(services);
    // Install the recorder before the first request records anything.
    middleware::metrics::handle();
    let (router, _) = routes().split_for_parts();
    let router: Router = router
        .merge(service::asset_routes())
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::idempotency::idempotency))
        .layer(axum::extract::DefaultBodyLimit::max(extract::MULTIPART_LIMIT))
        .layer(axum::middleware::from_fn(middleware::metrics::track))
        .layer(axum::middleware::from_fn(middleware::request_id::request_id))
        .layer(axum::middleware::from_fn(wire::no_store))
        .layer(middleware::cors::layer(&state.config.cabinet_origins))
        .with_state(state);
    let app: App = MapRequestLayer::new(middleware::normalize::normalize_path as fn(Request) -> Request).layer(router);
    ServiceExt::<Request>::into_make_service_with_connect_info::<SocketAddr>(app)
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::new(ErrorCode::RouteNotFound, format!("No route for {method} {}", uri.path()))
}

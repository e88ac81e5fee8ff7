//! `/api/webhook*` (§5.1).

use axum::Json;
use axum::http::StatusCode;
use axum::response::Response;
use paygate_app::webhooks::{EVENT_TYPES, EndpointInput};
use paygate_core::validate::Validator;
use paygate_store::webhooks::{Delivery, DeliveryFilter, Endpoint};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin_filters::Period;
use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{AllRoles, Body, Caller, Managers, Patch, QueryParams, Validate};
use crate::state::AppState;
use crate::wire::{Paging, no_content, paged, query_or_body_id, time, time_opt};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create, update, delete))
        .routes(routes!(event_types))
        .routes(routes!(deliveries))
        .routes(routes!(redeliver))
}

/// `WebhookEndpoint` of §3.
#[derive(Serialize, ToSchema)]
pub struct WebhookEndpointResponse {
    id: i64,
    url: String,
    description: Option<String>,
    /// Empty = every event type.
    event_types: Vec<String>,
    enabled: bool,
    secret_prefix: String,
    last_delivery_at: Option<String>,
    failing_since: Option<String>,
    created_at: String,
}

impl From<Endpoint> for WebhookEndpointResponse {
    fn from(e: Endpoint) -> Self {
        WebhookEndpointResponse {
            event_types: e.event_type_list(),
            id: e.id,
            url: e.url,
            description: e.description,
            enabled: e.enabled,
            secret_prefix: e.secret_prefix,
            last_delivery_at: time_opt(e.last_delivery_at),
            failing_since: time_opt(e.failing_since),
            created_at: time(e.created_at),
        }
    }
}

/// The owner's endpoints, by id.
#[utoipa::path(get, path = "/api/webhook", tag = "Api/Webhook", security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 200, body = [WebhookEndpointResponse])))]
pub async fn list(state: AppState, caller: Caller<Managers>) -> ApiResult<Json<Vec<WebhookEndpointResponse>>> {
    Ok(Json(state.webhooks(&caller).await?.into_iter().map(Into::into).collect()))
}

fn check_fields(v: &mut Validator, url: Option<&String>, description: Option<&String>, types: Option<&Vec<String>>) {
    if let Some(u) = url {
        v.length("url", u, 1, 500);
    }
    if let Some(d) = description {
        v.length("description", d, 0, 200);
    }
    if let Some(t) = types {
        let known = t.iter().all(|t| EVENT_TYPES.iter().any(|(k, _)| k == t));
        v.check(known, paygate_core::ErrorCode::FieldFormat, "event_types");
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CreateRequest {
    /// `https` (plain `http` on test and sandbox instances); a public host.
    url: Option<String>,
    /// Known event types; `[]` (default) = all.
    event_types: Option<Vec<String>>,
    description: Option<String>,
    enabled: Option<bool>,
}

impl Validate for CreateRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("url", &self.url);
        check_fields(v, self.url.as_ref(), self.description.as_ref(), self.event_types.as_ref());
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreatedEndpoint {
    #[serde(flatten)]
    endpoint: WebhookEndpointResponse,
    /// `whsec_…`: the signing secret, shown only here.
    secret: String,
}

/// Add an endpoint.
#[utoipa::path(post, path = "/api/webhook", tag = "Api/Webhook", request_body = CreateRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))),
    responses((status = 200, body = CreatedEndpoint), (status = 400, response = ErrorResponse), (status = 409, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn create(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<CreateRequest>,
) -> ApiResult<Json<CreatedEndpoint>> {
    let input =
        EndpointInput { url: b.url, event_types: b.event_types, description: Some(b.description), enabled: b.enabled };
    let (row, secret) = state.create_webhook(&caller, input).await?;
    Ok(Json(CreatedEndpoint { endpoint: row.into(), secret }))
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateRequest {
    id: Option<i64>,
    url: Option<String>,
    event_types: Option<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    description: Patch<String>,
    enabled: Option<bool>,
}

impl Validate for UpdateRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("id", &self.id);
        check_fields(v, self.url.as_ref(), self.description.value(), self.event_types.as_ref());
    }
}

/// Change an endpoint; re-enabling clears `failing_since`; the secret never changes.
#[utoipa::path(put, path = "/api/webhook", tag = "Api/Webhook", request_body = UpdateRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))),
    responses((status = 204, description = "Changed"), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse)))]
pub async fn update(state: AppState, caller: Caller<Managers>, Body(b): Body<UpdateRequest>) -> ApiResult<StatusCode> {
    let input = EndpointInput {
        url: b.url,
        event_types: b.event_types,
        description: b.description.into_update(),
        enabled: b.enabled,
    };
    state.update_webhook(&caller, b.id.unwrap_or_default(), input).await?;
    Ok(no_content())
}

#[derive(Deserialize, IntoParams)]
pub struct IdQuery {
    id: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct IdRequest {
    id: Option<i64>,
}
impl Validate for IdRequest {}

/// Delete an endpoint and cancel its pending retries; `?id=` works too.
#[utoipa::path(delete, path = "/api/webhook", tag = "Api/Webhook", params(IdQuery), request_body = IdRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 204, description = "Deleted"), (status = 404, response = ErrorResponse)))]
pub async fn delete(
    state: AppState,
    caller: Caller<Managers>,
    QueryParams(q): QueryParams<IdQuery>,
    Body(b): Body<IdRequest>,
) -> ApiResult<StatusCode> {
    state.delete_webhook(&caller, query_or_body_id(q.id, b.id)?).await?;
    Ok(no_content())
}

#[derive(Serialize, ToSchema)]
pub struct EventTypeResponse {
    #[serde(rename = "type")]
    event_type: &'static str,
    description: &'static str,
}

/// The event types an endpoint can subscribe to.
#[utoipa::path(get, path = "/api/webhook/event/types", tag = "Api/Webhook", security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 200, body = [EventTypeResponse])))]
pub async fn event_types(_caller: Caller<AllRoles>) -> Json<Vec<EventTypeResponse>> {
    Json(EVENT_TYPES.iter().map(|(t, d)| EventTypeResponse { event_type: t, description: d }).collect())
}

/// `WebhookDelivery` of §3.
#[derive(Serialize, ToSchema)]
pub struct WebhookDeliveryResponse {
    id: i64,
    webhook_id: i64,
    event_id: i64,
    event_type: String,
    attempt: i64,
    /// `pending`, `retrying`, `succeeded` or `failed`.
    status: String,
    http_status: Option<i64>,
    error: Option<String>,
    duration_ms: Option<i64>,
    /// `null` once pruned.
    request_body: Option<String>,
    /// The first 1 KiB of the receiver's answer.
    response_excerpt: Option<String>,
    next_attempt_at: Option<String>,
    created_at: String,
}

impl From<Delivery> for WebhookDeliveryResponse {
    fn from(d: Delivery) -> Self {
        WebhookDeliveryResponse {
            id: d.id,
            webhook_id: d.webhook_id,
            event_id: d.event_id,
            event_type: d.event_type,
            attempt: d.attempt,
            status: d.status,
            http_status: d.http_status,
            error: d.error,
            duration_ms: d.duration_ms,
            request_body: d.request_body,
            response_excerpt: d.response_excerpt,
            next_attempt_at: time_opt(d.next_attempt_at),
            created_at: time(d.created_at),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct DeliveryFilters {
    webhook_id: Option<i64>,
    event_id: Option<i64>,
    event_type: Option<String>,
    status: Option<Vec<String>>,
    created: Option<Period>,
}

#[derive(Deserialize, ToSchema)]
pub struct DeliveryListRequest {
    filters: Option<DeliveryFilters>,
    #[serde(flatten)]
    #[schema(inline)]
    paging: Paging,
}

impl Validate for DeliveryListRequest {
    fn validate(&self, v: &mut Validator) {
        self.paging.check(v);
    }
}

/// The delivery log, newest first; `X-Total-Count`.
#[utoipa::path(post, path = "/api/webhook/delivery/list", tag = "Api/Webhook", request_body = DeliveryListRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 200, body = [WebhookDeliveryResponse]), (status = 400, response = ErrorResponse)))]
pub async fn deliveries(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<DeliveryListRequest>,
) -> ApiResult<Response> {
    let f = b.filters.unwrap_or_default();
    let (created_from, created_to) =
        f.created.unwrap_or_default().bounds("filters.created", &mut paygate_core::validate::Validator::new());
    let filter = DeliveryFilter {
        webhook_id: f.webhook_id,
        event_id: f.event_id,
        event_type: f.event_type,
        statuses: f.status.unwrap_or_default(),
        created_from,
        created_to,
    };
    let (rows, total) = state.webhook_deliveries(&caller, &filter, b.paging.limit(), b.paging.offset()).await?;
    Ok(paged(rows.into_iter().map(WebhookDeliveryResponse::from).collect(), total))
}

#[derive(Deserialize, ToSchema)]
pub struct RedeliverRequest {
    /// Delivery id.
    id: Option<i64>,
}

impl Validate for RedeliverRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("id", &self.id);
    }
}

/// Send the same event again to the same endpoint, with a fresh signature.
#[utoipa::path(post, path = "/api/webhook/delivery/redeliver", tag = "Api/Webhook", request_body = RedeliverRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 204, description = "Queued"), (status = 404, response = ErrorResponse)))]
pub async fn redeliver(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<RedeliverRequest>,
) -> ApiResult<StatusCode> {
    state.redeliver_webhook(&caller, b.id.unwrap_or_default()).await?;
    Ok(no_content())
}

//! `/api/integration-key` (§5.2).

use axum::Json;
use axum::http::StatusCode;
use paygate_app::NewApiKey;
use paygate_core::ErrorCode;
use paygate_core::validate::Validator;
use paygate_store::api_keys::ApiKey;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{Body, Caller, Managers, QueryParams, Validate};
use crate::state::AppState;
use crate::wire::{no_content, query_or_body_id, time, time_opt};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create, revoke))
}

/// `ApiKey` of §3 (the secret is never shown again).
#[derive(Serialize, ToSchema)]
pub struct ApiKeyResponse {
    id: i64,
    name: String,
    prefix: String,
    scopes: Vec<String>,
    /// 1 active, 2 revoked, 3 expired.
    status_id: i64,
    expires_at: Option<String>,
    last_used_at: Option<String>,
    created_by_user_id: i64,
    created_at: String,
}

impl From<ApiKey> for ApiKeyResponse {
    fn from(k: ApiKey) -> Self {
        let expired = k.status_id == 1 && k.expires_at.is_some_and(|t| t <= paygate_core::time::now());
        ApiKeyResponse {
            scopes: k.scope_list(),
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            status_id: if expired { 3 } else { k.status_id },
            expires_at: time_opt(k.expires_at),
            last_used_at: time_opt(k.last_used_at),
            created_by_user_id: k.created_by_user_id,
            created_at: time(k.created_at),
        }
    }
}

/// The owner's keys, newest first.
#[utoipa::path(get, path = "/api/integration-key", tag = "Api/Integration", security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 200, body = [ApiKeyResponse])))]
pub async fn list(state: AppState, caller: Caller<Managers>) -> ApiResult<Json<Vec<ApiKeyResponse>>> {
    Ok(Json(state.api_keys(&caller).await?.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct CreateRequest {
    name: Option<String>,
    /// Non-empty subset of `invoice`, `payout`.
    scopes: Option<Vec<String>>,
    expires_at: Option<String>,
    /// Second factor, required with `payout`.
    otp: Option<String>,
}

impl Validate for CreateRequest {
    fn validate(&self, v: &mut Validator) {
        v.required_str("name", &self.name, 1, 100);
        if let Some(s) = v.required("scopes", &self.scopes) {
            let ok = !s.is_empty() && s.iter().all(|x| paygate_app::api_keys::SCOPES.contains(&x.as_str()));
            v.check(ok, ErrorCode::FieldRange, "scopes");
        }
        if let Some(t) = &self.expires_at {
            let future = paygate_core::time::parse_rfc3339(t).is_some_and(|t| t > paygate_core::time::now());
            v.check(future, ErrorCode::FieldRange, "expires_at");
        }
        if let Some(o) = &self.otp {
            v.length("otp", o, 4, 8);
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreatedKey {
    #[serde(flatten)]
    key: ApiKeyResponse,
    /// The full secret: shown only here.
    #[serde(rename = "key")]
    secret: String,
}

/// Create a key.
#[utoipa::path(post, path = "/api/integration-key", tag = "Api/Integration", request_body = CreateRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))),
    responses((status = 200, body = CreatedKey), (status = 400, response = ErrorResponse), (status = 404, response = ErrorResponse), (status = 422, response = ErrorResponse)))]
pub async fn create(
    state: AppState,
    caller: Caller<Managers>,
    Body(b): Body<CreateRequest>,
) -> ApiResult<Json<CreatedKey>> {
    let n = NewApiKey {
        name: b.name.unwrap_or_default(),
        scopes: b.scopes.unwrap_or_default(),
        expires_at: b.expires_at.as_deref().and_then(paygate_core::time::parse_rfc3339),
        otp: b.otp,
    };
    let (row, secret) = state.create_api_key(&caller, n).await?;
    Ok(Json(CreatedKey { key: row.into(), secret }))
}

#[derive(Deserialize, IntoParams)]
pub struct IdQuery {
    id: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct RevokeRequest {
    id: Option<i64>,
}
impl Validate for RevokeRequest {}

/// Revoke a key at once; `?id=` works too.
#[utoipa::path(delete, path = "/api/integration-key", tag = "Api/Integration", params(IdQuery), request_body = RevokeRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 204, description = "Revoked"), (status = 404, response = ErrorResponse)))]
pub async fn revoke(
    state: AppState,
    caller: Caller<Managers>,
    QueryParams(q): QueryParams<IdQuery>,
    Body(b): Body<RevokeRequest>,
) -> ApiResult<StatusCode> {
    let id = query_or_body_id(q.id, b.id)?;
    state.revoke_api_key(&caller, id).await?;
    Ok(no_content())
}

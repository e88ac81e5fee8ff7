//! `POST /admin/tfa/reset/list`, `PUT /admin/tfa/reset/status`.

use axum::http::StatusCode;
use axum::response::Response;
use paygate_core::ErrorCode;
use paygate_core::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{Body, Caller, Client, OperatorOnly, Validate};
use crate::state::AppState;
use crate::wire::{Paging, no_content, paged, time, time_opt};

#[derive(Deserialize, ToSchema, Default)]
pub struct IdSet {
    id: Option<Vec<i64>>,
    #[serde(default)]
    exclude: Option<bool>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct ResetFilters {
    /// Status id set; default pending (1).
    status: Option<IdSet>,
    /// E-mail substring.
    search: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct ResetListRequest {
    #[serde(default)]
    filters: Option<ResetFilters>,
    #[serde(flatten)]
    #[schema(inline)]
    paging: Paging,
}

impl Validate for ResetListRequest {
    fn validate(&self, v: &mut Validator) {
        self.paging.check(v);
        if let Some(f) = &self.filters {
            if let Some(ids) = f.status.as_ref().and_then(|s| s.id.as_ref()) {
                v.check((1..=500).contains(&ids.len()), ErrorCode::FieldRange, "filters.status.id");
                for (i, s) in ids.iter().enumerate() {
                    v.check((1..=4).contains(s), ErrorCode::FieldRange, &format!("filters.status.id[{i}]"));
                }
            }
            if let Some(s) = &f.search {
                v.length("filters.search", s, 1, 100);
            }
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ResetRow {
    id: i64,
    user_id: i64,
    email: String,
    reason: String,
    status_id: i64,
    created_at: String,
    decided_at: Option<String>,
    decided_by: Option<i64>,
}

/// 2FA reset requests; `X-Total-Count`.
#[utoipa::path(post, path = "/admin/tfa/reset/list", tag = "Admin", request_body = ResetListRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))), responses((status = 200, body = [ResetRow])))]
pub async fn list(
    state: AppState,
    caller: Caller<OperatorOnly>,
    Body(b): Body<ResetListRequest>,
) -> ApiResult<Response> {
    let filters = b.filters.unwrap_or_default();
    let status_filtered = filters.status.is_some();
    let statuses: Vec<i64> = match filters.status {
        Some(IdSet { id: Some(ids), exclude: Some(true) }) => (1..=4).filter(|s| !ids.contains(s)).collect(),
        Some(IdSet { id: Some(ids), .. }) => ids,
        _ => vec![],
    };
    let statuses = if statuses.is_empty() && status_filtered { vec![0] } else { statuses };
    let (rows, total) = state
        .list_tfa_resets(&caller, &statuses, filters.search.as_deref(), b.paging.limit(), b.paging.offset())
        .await?;
    let rows = rows
        .into_iter()
        .map(|r| ResetRow {
            id: r.id,
            user_id: r.user_id,
            email: r.email,
            reason: r.reason,
            status_id: r.status_id,
            created_at: time(r.created_at),
            decided_at: time_opt(r.decided_at),
            decided_by: r.decided_by,
        })
        .collect();
    Ok(paged(rows, total))
}

#[derive(Deserialize, ToSchema)]
pub struct DecideRequest {
    id: Option<i64>,
    /// 2 approve, 3 reject.
    status_id: Option<i64>,
    comment: Option<String>,
}

impl Validate for DecideRequest {
    fn validate(&self, v: &mut Validator) {
        v.required("id", &self.id);
        if let Some(s) = v.required("status_id", &self.status_id) {
            v.check(matches!(s, 2 | 3), ErrorCode::FieldRange, "status_id");
        }
        if let Some(c) = &self.comment {
            v.length("comment", c, 1, 1000);
        }
    }
}

/// Approve or reject a pending request.
#[utoipa::path(put, path = "/admin/tfa/reset/status", tag = "Admin", request_body = DecideRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("extension"))),
    responses((status = 204, description = "Decided"), (status = 404, response = ErrorResponse), (status = 409, response = ErrorResponse)))]
pub async fn decide(
    state: AppState,
    caller: Caller<OperatorOnly>,
    Client(client): Client,
    Body(b): Body<DecideRequest>,
) -> ApiResult<StatusCode> {
    state
        .decide_tfa_reset(
            &caller,
            b.id.unwrap_or_default(),
            b.status_id.unwrap_or_default(),
            b.comment.as_deref(),
            &client,
        )
        .await?;
    Ok(no_content())
}

//! `/api/notification*` (§4.4).

use axum::http::StatusCode;
use axum::response::Response;
use paygate_app::ReadFilter;
use paygate_core::ErrorCode;
use paygate_core::validate::Validator;
use paygate_store::notifications::Notification;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::{AllRoles, Body, Caller, QueryParams, Validate};
use crate::state::AppState;
use crate::wire::{Paging, no_content, paged, query_bool, time};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, mark)).routes(routes!(unread))
}

#[derive(Serialize, ToSchema)]
pub struct NotificationResponse {
    id: i64,
    /// Event type of §5.1 or `security.*`.
    #[serde(rename = "type")]
    kind: String,
    title: String,
    body: String,
    read: bool,
    data: serde_json::Value,
    created_at: String,
}

impl From<Notification> for NotificationResponse {
    fn from(n: Notification) -> Self {
        NotificationResponse {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            read: n.read,
            data: serde_json::from_str(&n.data).unwrap_or_else(|_| serde_json::json!({})),
            created_at: time(n.created_at),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    limit: Option<i64>,
    offset: Option<i64>,
    /// Only read (`true`) or only unread (`false`).
    read: Option<String>,
}

fn paging(q: &ListQuery) -> ApiResult<Paging> {
    let p = Paging { limit: q.limit, offset: q.offset };
    let mut v = Validator::new();
    p.check(&mut v);
    v.finish().map_err(|mut e| {
        e.errors.iter_mut().for_each(|i| i.code = ErrorCode::InvalidParameter);
        ApiError(e)
    })?;
    Ok(p)
}

/// The caller's notifications in the active owner, newest first; `X-Total-Count`.
#[utoipa::path(get, path = "/api/notification", tag = "Api/Notification", params(ListQuery), security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [NotificationResponse])))]
pub async fn list(
    state: AppState,
    caller: Caller<AllRoles>,
    QueryParams(q): QueryParams<ListQuery>,
) -> ApiResult<Response> {
    let p = paging(&q)?;
    let filter = match query_bool(&q.read, "read")? {
        None => ReadFilter::All,
        Some(true) => ReadFilter::Read,
        Some(false) => ReadFilter::Unread,
    };
    let (rows, total) = state.notifications(&caller, filter, p.limit(), p.offset()).await?;
    Ok(paged(rows.into_iter().map(NotificationResponse::from).collect(), total))
}

/// Unread notifications; `X-Total-Count` is the badge counter.
#[utoipa::path(get, path = "/api/notification/unread", tag = "Api/Notification", params(ListQuery), security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 200, body = [NotificationResponse])))]
pub async fn unread(
    state: AppState,
    caller: Caller<AllRoles>,
    QueryParams(q): QueryParams<ListQuery>,
) -> ApiResult<Response> {
    let p = paging(&q)?;
    let (rows, total) = state.notifications(&caller, ReadFilter::Unread, p.limit(), p.offset()).await?;
    Ok(paged(rows.into_iter().map(NotificationResponse::from).collect(), total))
}

#[derive(Deserialize, ToSchema)]
pub struct MarkRequest {
    /// 1–500 own notification ids; or `all`.
    ids: Option<Vec<i64>>,
    all: Option<bool>,
    /// Default true; false marks unread.
    read: Option<bool>,
}

impl Validate for MarkRequest {
    fn validate(&self, v: &mut Validator) {
        match (&self.ids, self.all) {
            (Some(_), Some(true)) | (None, None | Some(false)) => v.fail(ErrorCode::FieldCombination, "ids"),
            (Some(ids), _) => {
                v.check((1..=500).contains(&ids.len()), ErrorCode::FieldRange, "ids");
            }
            _ => {}
        }
    }
}

/// Mark notifications read or unread.
#[utoipa::path(put, path = "/api/notification", tag = "Api/Notification", request_body = MarkRequest, security(("jwt" = [])),
    extensions(("x-origin" = json!("designed"))), responses((status = 204, description = "Marked")))]
pub async fn mark(state: AppState, caller: Caller<AllRoles>, Body(b): Body<MarkRequest>) -> ApiResult<StatusCode> {
    state.mark_notifications(&caller, b.ids.as_deref(), b.read.unwrap_or(true)).await?;
    Ok(no_content())
}

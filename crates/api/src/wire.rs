//! Small pieces every group's wire format shares.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// JSON answers are not cached unless a route says otherwise (§1.10).
pub async fn no_store(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        res.headers_mut().entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    }
    res
}

/// 204 without a body.
pub fn no_content() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// A dictionary answer cacheable by the client for 5 minutes (private: it needs a token).
pub fn dictionary<T: Serialize>(body: T) -> Response {
    let mut res = axum::Json(body).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300"));
    res
}

/// A fixed dictionary of the contract (`DictItem[]`), cacheable like [`dictionary`].
pub fn dict_items(items: &[(i32, &str)]) -> Response {
    dictionary(items.iter().map(|(id, name)| DictItem { id: *id as i64, name: (*name).to_owned() }).collect::<Vec<_>>())
}

/// A list with `X-Total-Count`.
pub fn paged<T: Serialize>(items: Vec<T>, total: i64) -> Response {
    let mut res = axum::Json(items).into_response();
    res.headers_mut().insert("x-total-count", HeaderValue::from(total));
    res
}

/// RFC 3339 UTC of a stored Unix time.
pub fn time(unix: i64) -> String {
    paygate_core::time::rfc3339(unix)
}

pub fn time_opt(unix: Option<i64>) -> Option<String> {
    unix.map(time)
}

/// `DictItem`.
#[derive(Serialize, ToSchema)]
pub struct DictItem {
    pub id: i64,
    pub name: String,
}

/// `{token, refreshToken}`.
#[derive(Serialize, ToSchema)]
pub struct TokenPairResponse {
    /// Access token (JWT HS256, 15 minutes).
    pub token: String,
    /// Opaque refresh token (§1.3.2).
    #[serde(rename = "refreshToken")]
    pub refresh_token: String,
}

impl From<paygate_app::TokenPair> for TokenPairResponse {
    fn from(p: paygate_app::TokenPair) -> Self {
        TokenPairResponse { token: p.token, refresh_token: p.refresh_token }
    }
}

/// Paging of lists (§1.8).
#[derive(serde::Deserialize, ToSchema, Default)]
pub struct Paging {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl Paging {
    pub fn check(&self, v: &mut paygate_core::validate::Validator) {
        if let Some(l) = self.limit {
            v.range("limit", l, 1, 500);
        }
        if let Some(o) = self.offset {
            v.range("offset", o, 0, i64::MAX);
        }
    }

    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(100)
    }

    pub fn offset(&self) -> i64 {
        self.offset.unwrap_or(0)
    }
}

/// An amount in a request: a JSON number read from its text, or a decimal string (§1.6).
/// Whether its decimals fit the coin is checked where the coin is known.
#[derive(Debug, Clone, PartialEq)]
pub struct WireAmount(pub paygate_core::Amount);

impl<'de> serde::Deserialize<'de> for WireAmount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        paygate_core::Amount::from_json(&v)
            .map(WireAmount)
            .map_err(|_| serde::de::Error::custom("invalid amount: expected a decimal number or string"))
    }
}

/// Query booleans: `true`/`false` (and `1`/`0`).
pub fn query_bool(v: &Option<String>, field: &str) -> Result<Option<bool>, crate::ApiError> {
    match v.as_deref() {
        None => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(_) => Err(crate::ApiError::field(
            paygate_core::ErrorCode::InvalidParameter,
            field,
            format!("{field} must be true or false"),
        )),
    }
}

/// `order_id` of §1.6: 1–64 printable characters without `/`.
pub fn check_order_id(v: &mut paygate_core::validate::Validator, field: &str, value: &str) {
    if v.length(field, value, 1, 64) {
        v.check(value.chars().all(|c| !c.is_control() && c != '/'), paygate_core::ErrorCode::FieldFormat, field);
    }
}

/// The `?id=` a read or update route cannot do without (400 4003).
pub fn required_query_id(id: Option<i64>) -> Result<i64, crate::error::ApiError> {
    id.ok_or_else(|| crate::error::ApiError::field(paygate_core::ErrorCode::InvalidParameter, "id", "id is required"))
}

/// The `id` of a delete-style route, given as `?id=` or in the body (not two different ones).
pub fn query_or_body_id(query: Option<i64>, body: Option<i64>) -> Result<i64, crate::error::ApiError> {
    use crate::error::ApiError;
    use paygate_core::ErrorCode;
    match (query, body) {
        (Some(a), Some(b)) if a != b => {
            Err(ApiError::field(ErrorCode::FieldCombination, "id", "id in the query and the body differ"))
        }
        (a, b) => a.or(b).ok_or_else(|| ApiError::field(ErrorCode::FieldRequired, "id", "id is required")),
    }
}

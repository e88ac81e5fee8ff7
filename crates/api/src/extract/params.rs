//! Query and path parameters whose rejections are envelope errors (4007).

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use paygate_core::ErrorCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Query parameters; a malformed one is 400 4007 naming it.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(QueryParams(v)),
            Err(e) => {
                let text = e.body_text();
                let field = text.split('`').nth(1).map(str::to_owned);
                Err(ApiError(paygate_core::AppError {
                    message: format!("Invalid query: {text}").into(),
                    errors: vec![paygate_core::ErrorItem { code: ErrorCode::InvalidParameter, field }],
                    retry_after: None,
                    internal: None,
                }))
            }
        }
    }
}

/// `{id}`: a positive decimal i64 (§1.1).
pub struct IdPath(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let invalid = || ApiError::field(ErrorCode::InvalidParameter, "id", "id must be a positive integer");
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| invalid())?;
        match raw.parse::<i64>() {
            Ok(id) if id > 0 && raw.bytes().all(|b| b.is_ascii_digit()) => Ok(IdPath(id)),
            _ => Err(invalid()),
        }
    }
}

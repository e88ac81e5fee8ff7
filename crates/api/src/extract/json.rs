//! `Body<T>`: the JSON request body by the rules of §1.2 — media type, 1 MiB, `{}` for an empty
//! body, no duplicate keys, every field error in the envelope.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use paygate_core::validate::Validator;
use paygate_core::{AppError, ErrorCode, ErrorItem};
use serde::de::DeserializeOwned;

use super::strict_json::{parse_strict, trim_strings};
use crate::error::ApiError;

pub const JSON_LIMIT: usize = 1024 * 1024;

/// Field rules beyond types, reported all at once.
pub trait Validate {
    fn validate(&self, _v: &mut Validator) {}
}

pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Validate> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let media_ok = req.headers().get(header::CONTENT_TYPE).map(|v| is_json(v.to_str().unwrap_or_default()));
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorCode::PayloadTooLarge, "Body larger than 1 MiB")
            } else {
                ApiError::new(ErrorCode::MalformedJson, "Body could not be read")
            }
        })?;
        if bytes.len() > JSON_LIMIT {
            return Err(ApiError::new(ErrorCode::PayloadTooLarge, "Body larger than 1 MiB"));
        }
        let empty = bytes.iter().all(u8::is_ascii_whitespace);
        match media_ok {
            Some(false) => {
                return Err(ApiError::new(ErrorCode::UnsupportedMediaType, "Content-Type must be application/json"));
            }
            None if !empty => {
                return Err(ApiError::new(ErrorCode::UnsupportedMediaType, "Content-Type must be application/json"));
            }
            _ => {}
        }
        let value =
            if empty { serde_json::json!({}) } else { parse_strict(&bytes).map_err(|e| malformed(&e.to_string()))? };
        Ok(Body(from_value(value)?))
    }
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
}

fn malformed(detail: &str) -> ApiError {
    ApiError::new(ErrorCode::MalformedJson, format!("Malformed JSON: {detail}"))
}

/// Deserialises a parsed body into `T` and runs its rules.
pub fn from_value<T: DeserializeOwned + Validate>(mut value: serde_json::Value) -> Result<T, ApiError> {
    if !value.is_object() {
        return Err(malformed("the body must be a JSON object"));
    }
    trim_strings(&mut value);
    let parsed: T = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let msg = e.inner().to_string();
        let (code, field) = classify(&path, &msg);
        ApiError(AppError {
            message: format!("Invalid input: {msg}").into(),
            errors: vec![ErrorItem { code, field }],
            retry_after: None,
            internal: None,
        })
    })?;
    let mut v = Validator::new();
    parsed.validate(&mut v);
    v.finish().map_err(ApiError)?;
    Ok(parsed)
}

/// Maps serde's message to a code of §1.4.2 and the field path (`a.b[2]`).
fn classify(path: &str, msg: &str) -> (ErrorCode, Option<String>) {
    let base = if path == "." || path.is_empty() { None } else { Some(path.to_owned()) };
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        let field = match base {
            Some(b) => format!("{b}.{name}"),
            None => name.to_owned(),
        };
        return (ErrorCode::FieldRequired, Some(field));
    }
    let code = if msg.starts_with("invalid amount") {
        ErrorCode::InvalidAmount
    } else if msg.starts_with("invalid type") {
        ErrorCode::FieldType
    } else if msg.starts_with("invalid value")
        || msg.starts_with("unknown variant")
        || msg.starts_with("invalid length")
    {
        ErrorCode::FieldRange
    } else {
        ErrorCode::ValidationFailed
    };
    (code, base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct T {
        id: Option<i64>,
        inner: Option<Inner>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        name: String,
    }
    impl Validate for T {}

    #[test]
    fn type_and_missing_errors_name_the_field() {
        let e = from_value::<T>(serde_json::json!({"id": "7"})).unwrap_err();
        assert_eq!(e.0.errors[0].code, ErrorCode::FieldType);
        assert_eq!(e.0.errors[0].field.as_deref(), Some("id"));
        let e = from_value::<T>(serde_json::json!({"inner": {}})).unwrap_err();
        assert_eq!(e.0.errors[0].code, ErrorCode::FieldRequired);
        assert_eq!(e.0.errors[0].field.as_deref(), Some("inner.name"));
        let e = from_value::<T>(serde_json::json!([1])).unwrap_err();
        assert_eq!(e.0.errors[0].code, ErrorCode::MalformedJson);
    }
}

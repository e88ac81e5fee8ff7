//! A `multipart/form-data` upload with one `file` (§1.2: request ≤ 12 MiB, file ≤ 10 MiB).

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use paygate_core::ErrorCode;

use crate::error::ApiError;

pub const MULTIPART_LIMIT: usize = 12 * 1024 * 1024;
const FILE_LIMIT: usize = 10 * 1024 * 1024;

pub struct Upload {
    pub bytes: Vec<u8>,
}

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
        if !is_multipart {
            return Err(ApiError::new(ErrorCode::UnsupportedMediaType, "Send multipart/form-data with a `file`"));
        }
        let too_large = || ApiError::new(ErrorCode::PayloadTooLarge, "Upload too large");
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|_| ApiError::new(ErrorCode::MalformedJson, "Malformed multipart body"))?;
        let mut file = None;
        loop {
            let field = match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(too_large());
                }
                Err(_) => {
                    return Err(ApiError::field(ErrorCode::ValidationFailed, "file", "Malformed multipart body"));
                }
            };
            if field.name() == Some("file") {
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                        too_large()
                    } else {
                        ApiError::field(ErrorCode::ValidationFailed, "file", "Malformed multipart body")
                    }
                })?;
                if bytes.len() > FILE_LIMIT {
                    return Err(too_large());
                }
                file = Some(bytes.to_vec());
            }
        }
        let bytes =
            file.ok_or_else(|| ApiError::field(ErrorCode::FieldRequired, "file", "A `file` part is required"))?;
        Ok(Upload { bytes })
    }
}

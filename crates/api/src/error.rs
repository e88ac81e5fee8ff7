//! The error envelope of §1.4.1 and the one place in the code that chooses an HTTP status.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paygate_core::{AppError, ErrorCode};
use serde::Serialize;
use utoipa::{ToResponse, ToSchema};

/// `{"statusCode", "message", "errors": [{"code", "field"}]}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// Repeats the HTTP status.
    pub status_code: u16,
    /// English text for humans; not stable.
    pub message: String,
    /// Machine-readable causes; the first decides the status.
    pub errors: Vec<ErrorItemBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorItemBody {
    /// Code of the catalogue (§1.4.2).
    pub code: u16,
    /// Offending input, or null.
    pub field: Option<String>,
}

/// Reusable OpenAPI response for every error status.
#[derive(ToResponse)]
#[expect(dead_code, reason = "describes the envelope for OpenAPI only")]
#[response(description = "Error envelope (§1.4.1)")]
pub struct ErrorResponse(#[to_schema] ErrorBody);

/// An error on its way out; built from the services' [`AppError`].
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// HTTP status of each code. Exhaustive: a new code does not compile without a status.
pub fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        ValidationFailed | MalformedJson | FieldRequired | FieldType | FieldRange | FieldFormat | InvalidAmount
        | InvalidParameter | FieldCombination | OtpInvalid | OtpAttemptsExhausted | PasswordInvalid | PasswordWeak => {
            StatusCode::BAD_REQUEST
        }
        Unauthenticated | TokenInvalid | TokenExpired | RefreshTokenInvalid | SecondFactorRequired | ApiKeyMissing
        | ApiKeyInvalid => StatusCode::UNAUTHORIZED,
        ApiKeyScope | TokenScope | ForbiddenRole | KycNotApproved | NotAMember | OperatorOnly | AccountDisabled
        | ProductNotAvailable | NoActiveOwner | OriginNotAllowed => StatusCode::FORBIDDEN,
        RouteNotFound | InvalidCredentials | OtpNotFound | NotFound => StatusCode::NOT_FOUND,
        TfaState
        | TfaResetPending
        | Conflict
        | DuplicateOrderId
        | IdempotencyKeyReused
        | IdempotencyInProgress
        | AlreadyExists
        | Locked
        | InvalidState => StatusCode::CONFLICT,
        PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        InsufficientFunds
        | InvoiceNotPayable
        | RateExpired
        | PayObjectInactive
        | TokenNotAllowed
        | AmountOutOfRange
        | BalanceUnavailable
        | RecipientInvalid
        | LimitExceeded
        | PaymentMethodUnavailable
        | CommissionMismatch
        | RefundNotAllowed
        | ReportTooLarge
        | SignupIncomplete
        | CountryNotSepa
        | QuotaExceeded => StatusCode::UNPROCESSABLE_ENTITY,
        RateLimited | TemporarilyLocked => StatusCode::TOO_MANY_REQUESTS,
        InternalError | DependencyUnavailable | NotReady => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        ApiError(AppError::new(code, message))
    }

    pub fn field(
        code: ErrorCode,
        field: impl Into<String>,
        message: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Self {
        ApiError(AppError::field(code, field, message))
    }

    pub fn status(&self) -> StatusCode {
        status_of(self.0.code())
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            status_code: self.status().as_u16(),
            message: self.0.message.to_string(),
            errors: self
                .0
                .errors
                .iter()
                .map(|e| ErrorItemBody { code: e.code.as_u16(), field: e.field.clone() })
                .collect(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let Some(cause) = &self.0.internal {
            tracing::error!(%cause, code = %self.0.code(), "internal error");
        }
        let mut res = (status, axum::Json(self.body())).into_response();
        if let Some(secs) = self.0.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_maps_to_its_catalogue_status() {
        for code in ErrorCode::ALL {
            let expected = match code.as_u16() {
                4009 | 4014 | 4021 | 4040 => 404,
                4010..=4017 => 401,
                4018 | 4019 | 4030..=4037 => 403,
                4023 | 4024 | 4090..=4096 => 409,
                4000..=4026 => 400,
                4130 => 413,
                4150 => 415,
                4220..=4235 => 422,
                4290 | 4291 => 429,
                _ => 500,
            };
            assert_eq!(status_of(*code).as_u16(), expected, "{code}");
        }
    }
}

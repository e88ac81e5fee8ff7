//! The closed catalogue of error codes (spec §1.4.2) and the domain error that carries them.
//!
//! Services return [`AppError`]; the HTTP layer turns it into the envelope with one exhaustive
//! match from code to status, so a new code does not compile until it has a status.

use std::borrow::Cow;
use std::fmt;

macro_rules! error_codes {
    ($($variant:ident = $num:literal, $name:literal;)*) => {
        /// Machine-readable error code of the envelope's `errors[].code`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $($variant),* }

        impl ErrorCode {
            /// Every code, in catalogue order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The number clients see.
            pub const fn as_u16(self) -> u16 {
                match self { $(ErrorCode::$variant => $num),* }
            }

            /// The catalogue name (`malformed_json`, ...).
            pub const fn name(self) -> &'static str {
                match self { $(ErrorCode::$variant => $name),* }
            }

            pub fn from_u16(n: u16) -> Option<ErrorCode> {
                match n { $($num => Some(ErrorCode::$variant),)* _ => None }
            }
        }
    };
}

error_codes! {
    ValidationFailed = 4000, "validation_failed";
    MalformedJson = 4001, "malformed_json";
    FieldRequired = 4002, "field_required";
    FieldType = 4003, "field_type";
    FieldRange = 4004, "field_range";
    FieldFormat = 4005, "field_format";
    InvalidAmount = 4006, "invalid_amount";
    InvalidParameter = 4007, "invalid_parameter";
    FieldCombination = 4008, "field_combination";
    RouteNotFound = 4009, "route_not_found";
    Unauthenticated = 4010, "unauthenticated";
    TokenInvalid = 4011, "token_invalid";
    TokenExpired = 4012, "token_expired";
    RefreshTokenInvalid = 4013, "refresh_token_invalid";
    InvalidCredentials = 4014, "invalid_credentials";
    SecondFactorRequired = 4015, "second_factor_required";
    ApiKeyMissing = 4016, "api_key_missing";
    ApiKeyInvalid = 4017, "api_key_invalid";
    ApiKeyScope = 4018, "api_key_scope";
    TokenScope = 4019, "token_scope";
    OtpInvalid = 4020, "otp_invalid";
    OtpNotFound = 4021, "otp_not_found";
    OtpAttemptsExhausted = 4022, "otp_attempts_exhausted";
    TfaState = 4023, "tfa_state";
    TfaResetPending = 4024, "tfa_reset_pending";
    PasswordInvalid = 4025, "password_invalid";
    PasswordWeak = 4026, "password_weak";
    ForbiddenRole = 4030, "forbidden_role";
    KycNotApproved = 4031, "kyc_not_approved";
    NotAMember = 4032, "not_a_member";
    OperatorOnly = 4033, "operator_only";
    AccountDisabled = 4034, "account_disabled";
    ProductNotAvailable = 4035, "product_not_available";
    NoActiveOwner = 4036, "no_active_owner";
    OriginNotAllowed = 4037, "origin_not_allowed";
    NotFound = 4040, "not_found";
    Conflict = 4090, "conflict";
    DuplicateOrderId = 4091, "duplicate_order_id";
    IdempotencyKeyReused = 4092, "idempotency_key_reused";
    IdempotencyInProgress = 4093, "idempotency_in_progress";
    AlreadyExists = 4094, "already_exists";
    Locked = 4095, "locked";
    InvalidState = 4096, "invalid_state";
    PayloadTooLarge = 4130, "payload_too_large";
    UnsupportedMediaType = 4150, "unsupported_media_type";
    InsufficientFunds = 4220, "insufficient_funds";
    InvoiceNotPayable = 4221, "invoice_not_payable";
    RateExpired = 4222, "rate_expired";
    PayObjectInactive = 4223, "pay_object_inactive";
    TokenNotAllowed = 4224, "token_not_allowed";
    AmountOutOfRange = 4225, "amount_out_of_range";
    BalanceUnavailable = 4226, "balance_unavailable";
    RecipientInvalid = 4227, "recipient_invalid";
    LimitExceeded = 4228, "limit_exceeded";
    PaymentMethodUnavailable = 4229, "payment_method_unavailable";
    CommissionMismatch = 4230, "commission_mismatch";
    RefundNotAllowed = 4231, "refund_not_allowed";
    ReportTooLarge = 4232, "report_too_large";
    SignupIncomplete = 4233, "signup_incomplete";
    CountryNotSepa = 4234, "country_not_sepa";
    QuotaExceeded = 4235, "quota_exceeded";
    RateLimited = 4290, "rate_limited";
    TemporarilyLocked = 4291, "temporarily_locked";
    InternalError = 5000, "internal_error";
    DependencyUnavailable = 5001, "dependency_unavailable";
    NotReady = 5002, "not_ready";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.as_u16(), self.name())
    }
}

/// One machine-readable cause: a code and the offending input, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorItem {
    pub code: ErrorCode,
    pub field: Option<String>,
}

/// A failure a service reports. `Internal` detail is logged, never shown to the client.
#[derive(Debug)]
pub struct AppError {
    pub message: Cow<'static, str>,
    pub errors: Vec<ErrorItem>,
    /// Seconds for `Retry-After` (429 answers).
    pub retry_after: Option<u64>,
    /// Cause of an internal failure, for the log.
    pub internal: Option<String>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        AppError {
            message: message.into(),
            errors: vec![ErrorItem { code, field: None }],
            retry_after: None,
            internal: None,
        }
    }

    /// An error caused by one input field.
    pub fn field(code: ErrorCode, field: impl Into<String>, message: impl Into<Cow<'static, str>>) -> Self {
        AppError {
            message: message.into(),
            errors: vec![ErrorItem { code, field: Some(field.into()) }],
            retry_after: None,
            internal: None,
        }
    }

    /// An unexpected failure: the client sees 5000, the log sees `cause`.
    pub fn internal(cause: impl fmt::Display) -> Self {
        AppError {
            message: "Internal error".into(),
            errors: vec![ErrorItem { code: ErrorCode::InternalError, field: None }],
            retry_after: None,
            internal: Some(cause.to_string()),
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn rate_limited(retry_after: u64) -> Self {
        Self::new(ErrorCode::RateLimited, "Too many requests").with_retry_after(retry_after)
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }

    /// The code of the first item, which decides the HTTP status.
    pub fn code(&self) -> ErrorCode {
        self.errors.first().map(|e| e.code).unwrap_or(ErrorCode::InternalError)
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code())?;
        if let Some(cause) = &self.internal {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_u16()), "duplicate {code}");
            assert_eq!(ErrorCode::from_u16(code.as_u16()), Some(*code));
        }
        assert_eq!(ErrorCode::from_u16(4099), None);
    }
}

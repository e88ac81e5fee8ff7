//! One-time codes: e-mailed codes (stored as keyed hashes, 10 minutes, single use, burnt after
//! five wrong tries) and TOTP (each 30-second step accepted once per user), behind one rule for
//! every credential path (§1.3.7).

use paygate_core::{AppError, AppResult, ErrorCode};
use paygate_store::users::User;
use paygate_store::{Tx, otp, users};

use crate::ratelimit::HOUR;
use crate::{Services, crypto, totp};

/// Wrong tries that burn an e-mailed code.
pub const MAX_CODE_TRIES: i64 = 5;
/// Wrong codes of any kind per user or e-mail and hour (§1.9).
const WRONG_CODES_PER_HOUR: usize = 30;
pub const CODE_TTL: i64 = 600;

/// Purposes of e-mailed codes; a code is valid only for its purpose and subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Signup,
    SignIn,
    Recovery,
    PasswordChange,
    EmailChange,
    Tfa,
    Withdrawal,
    IntegrationKey,
    TfaReset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Signup => "signup",
            Purpose::SignIn => "sign_in",
            Purpose::Recovery => "recovery",
            Purpose::PasswordChange => "password_change",
            Purpose::EmailChange => "email_change",
            Purpose::Tfa => "tfa",
            Purpose::Withdrawal => "withdrawal",
            Purpose::IntegrationKey => "integration_key",
            Purpose::TfaReset => "tfa_reset",
        }
    }
}

impl Services {
    fn code_hash(&self, purpose: Purpose, subject: &str, code: &str) -> String {
        let input = format!("{}\0{subject}\0{code}", purpose.as_str());
        hex::encode(crypto::hmac_sha256(&self.config.encryption_key.0, input.as_bytes()))
    }

    /// Opens a fresh code (closing the previous one of the same purpose and subject) and returns
    /// it in clear for the e-mail.
    pub(crate) async fn issue_code(
        &self,
        tx: &mut Tx,
        purpose: Purpose,
        subject: &str,
        payload: Option<&str>,
        ttl: i64,
    ) -> AppResult<String> {
        let code = crypto::six_digit_code();
        let now = self.now();
        otp::replace(tx, purpose.as_str(), subject, &self.code_hash(purpose, subject, &code), payload, now + ttl, now)
            .await?;
        Ok(code)
    }

    /// Checks an e-mailed code. On success the code is consumed inside `tx`, which is handed
    /// back for the change the code authorises. On failure the wrong try is committed here —
    /// so that an error answer can never roll the counter back — and the error returned.
    pub(crate) async fn check_code(
        &self,
        mut tx: Tx,
        purpose: Purpose,
        subject: &str,
        code: &str,
        field: &str,
    ) -> AppResult<(Tx, Option<String>)> {
        let limit_key = format!("wrong-code:{subject}");
        if let Err(retry) = self.limiter.check(&limit_key, WRONG_CODES_PER_HOUR, HOUR) {
            return Err(AppError::rate_limited(retry));
        }
        let now = self.now();
        let Some(open) = otp::open(&mut tx, purpose.as_str(), subject, now).await? else {
            return Err(AppError::field(ErrorCode::OtpNotFound, field, "No open code: request a new one"));
        };
        let expected = self.code_hash(purpose, subject, code);
        if crypto::ct_eq(expected.as_bytes(), open.code_hash.as_bytes()) {
            if !otp::consume(&mut tx, open.id, now).await? {
                return Err(AppError::field(ErrorCode::OtpNotFound, field, "No open code: request a new one"));
            }
            return Ok((tx, open.payload));
        }
        let tries = otp::record_failure(&mut tx, open.id, MAX_CODE_TRIES, now).await?;
        tx.commit().await?;
        self.limiter.record(&limit_key, HOUR);
        if tries >= MAX_CODE_TRIES {
            Err(AppError::field(
                ErrorCode::OtpAttemptsExhausted,
                field,
                "Too many wrong tries: the code is burnt, request a new one",
            ))
        } else {
            Err(AppError::field(ErrorCode::OtpInvalid, field, "Wrong code"))
        }
    }

    /// Checks a TOTP code against a sealed seed and marks its step used in `tx`.
    pub(crate) async fn check_totp(
        &self,
        tx: &mut Tx,
        user_id: i64,
        sealed_seed: &str,
        code: &str,
        field: &str,
    ) -> AppResult<()> {
        let limit_key = format!("wrong-code:{user_id}");
        if let Err(retry) = self.limiter.check(&limit_key, WRONG_CODES_PER_HOUR, HOUR) {
            return Err(AppError::rate_limited(retry));
        }
        let seed = self.secret_box.open(sealed_seed)?;
        let step = totp::matching_step(&seed, code, self.now());
        match step {
            Some(step) if users::use_totp_step(tx, user_id, step).await? => Ok(()),
            _ => {
                self.limiter.record(&limit_key, HOUR);
                Err(AppError::field(ErrorCode::OtpInvalid, field, "Wrong code"))
            }
        }
    }

    /// The second factor of §1.3.7: the authenticator when enabled, else an e-mailed code of
    /// `purpose`. Consumes what it checks inside the returned unit of work.
    pub(crate) async fn check_second_factor(
        &self,
        mut tx: Tx,
        user: &User,
        purpose: Purpose,
        code: &str,
        field: &str,
    ) -> AppResult<Tx> {
        if user.tfa_enabled && user.tfa_type == 2 {
            let seed = user.totp_secret.as_deref().ok_or_else(|| AppError::internal("TOTP enabled without a seed"))?;
            self.check_totp(&mut tx, user.id, seed, code, field).await?;
            Ok(tx)
        } else {
            let (tx, _) = self.check_code(tx, purpose, &user.id.to_string(), code, field).await?;
            Ok(tx)
        }
    }

    pub(crate) fn seal(&self, secret: &[u8]) -> String {
        self.secret_box.seal(secret)
    }
}

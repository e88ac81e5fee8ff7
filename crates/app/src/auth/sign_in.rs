//! Sign-in with password and second factor, the password pre-check, and the failure limits of
//! §1.9 (per e-mail and IP; per account with a 30-minute lock).

use std::time::Duration;

use paygate_core::validate::normalize_email;
use paygate_core::{AppError, AppResult, ErrorCode};
use paygate_store::users::{self, User};
use paygate_store::{Tx, memberships, sessions};

use super::TokenPair;
use crate::actor::{ClientInfo, Scope};
use crate::codes::{CODE_TTL, Purpose};
use crate::mail::Message;
use crate::ratelimit::{HOUR, MINUTE};
use crate::{Services, crypto};

const FAILS_PER_EMAIL_IP: usize = 5;
const FAIL_WINDOW_EMAIL_IP: Duration = Duration::from_secs(15 * 60);
const FAILS_PER_ACCOUNT: usize = 20;
const LOCK_SECONDS: i64 = 30 * 60;

#[derive(Debug, Clone, Default)]
pub struct SignInInput {
    pub email: String,
    pub password: Option<String>,
    pub otp: Option<String>,
    pub owner_id: Option<i64>,
}

/// `POST /auth/sign-in/psw/check`.
#[derive(Debug, Clone)]
pub struct SignInCheck {
    pub tfa_required: bool,
    pub tfa_type_id: Option<i64>,
    pub otp_sent: bool,
    pub expires_at: Option<i64>,
}

fn bad_credentials() -> AppError {
    AppError::new(ErrorCode::InvalidCredentials, "E-mail or password does not match")
}

impl Services {
    pub async fn sign_in(&self, input: SignInInput, client: &ClientInfo) -> AppResult<TokenPair> {
        self.throttle(&format!("sign-in:{}", client.ip), 10, MINUTE)?;
        if input.password.is_none() && input.otp.is_none() {
            return Err(AppError::field(
                ErrorCode::FieldCombination,
                "password",
                "Send a password, a one-time code, or both",
            ));
        }
        let email = normalize_email(&input.email);
        let mut tx = self.store.begin().await?;
        let user = users::by_email(&mut tx, &email).await?;
        self.refuse_locked(user.as_ref(), &email, client)?;

        let Some(password) = input.password.as_deref() else {
            // Second step after `psw/check`: the code alone, within the challenge window.
            let now = self.now();
            let user = match user {
                Some(u) if u.tfa_enabled && u.sign_in_challenge_until.is_some_and(|t| t > now) => u,
                _ => return Err(self.sign_in_failed(tx, &email, client).await),
            };
            let otp = input.otp.as_deref().unwrap_or_default();
            let mut tx = self.check_second_factor(tx, &user, Purpose::SignIn, otp, "otp").await?;
            users::set_sign_in_challenge(&mut tx, user.id, None).await?;
            return self.finish_sign_in(tx, user, input.owner_id, client).await;
        };

        let user = self.verify_credentials(user, password).await?;
        let Some(user) = user else {
            return Err(self.sign_in_failed(tx, &email, client).await);
        };
        if user.status == users::STATUS_BLOCKED {
            return Err(AppError::new(ErrorCode::AccountDisabled, "Account disabled"));
        }
        self.limiter.clear(&email_ip_key(&email, client));
        if user.status == users::STATUS_REGISTERING {
            let pair = self.open_session(&mut tx, &user, Scope::Signup, None, client).await?;
            tx.commit().await?;
            return Ok(pair);
        }
        if !user.tfa_enabled {
            return self.finish_sign_in(tx, user, input.owner_id, client).await;
        }
        match input.otp.as_deref() {
            None => {
                let sent = self.open_challenge(&mut tx, &user).await?;
                tx.commit().await?;
                if sent {
                    self.mail_queued();
                }
                Err(AppError::field(ErrorCode::SecondFactorRequired, "otp", "Second factor required"))
            }
            Some(otp) => {
                let tx = self.check_second_factor(tx, &user, Purpose::SignIn, otp, "otp").await?;
                self.finish_sign_in(tx, user, input.owner_id, client).await
            }
        }
    }

    /// `POST /auth/sign-in/psw/check`.
    pub async fn sign_in_check(&self, email: &str, password: &str, client: &ClientInfo) -> AppResult<SignInCheck> {
        self.throttle(&format!("sign-in:{}", client.ip), 10, MINUTE)?;
        let email = normalize_email(email);
        let mut tx = self.store.begin().await?;
        let user = users::by_email(&mut tx, &email).await?;
        self.refuse_locked(user.as_ref(), &email, client)?;
        let Some(user) = self.verify_credentials(user, password).await? else {
            return Err(self.sign_in_failed(tx, &email, client).await);
        };
        if user.status == users::STATUS_BLOCKED {
            return Err(AppError::new(ErrorCode::AccountDisabled, "Account disabled"));
        }
        self.limiter.clear(&email_ip_key(&email, client));
        if !user.tfa_enabled {
            return Ok(SignInCheck { tfa_required: false, tfa_type_id: None, otp_sent: false, expires_at: None });
        }
        let otp_sent = self.open_challenge(&mut tx, &user).await?;
        tx.commit().await?;
        if otp_sent {
            self.mail_queued();
        }
        Ok(SignInCheck {
            tfa_required: true,
            tfa_type_id: Some(user.tfa_type),
            otp_sent,
            expires_at: Some(self.now() + CODE_TTL),
        })
    }

    /// `POST /auth/tfa/otp/email`: re-sends the sign-in code of an open challenge (type 1).
    pub async fn resend_sign_in_code(&self, email: &str, client: &ClientInfo) -> AppResult<()> {
        let email = normalize_email(email);
        self.mail_rate(&email, client)?;
        let mut tx = self.store.begin().await?;
        let Some(user) = users::by_email(&mut tx, &email).await? else {
            return Ok(());
        };
        let open = user.sign_in_challenge_until.is_some_and(|t| t > self.now());
        if !(open && user.tfa_enabled && user.tfa_type == 1) {
            return Ok(());
        }
        self.open_challenge(&mut tx, &user).await?;
        tx.commit().await?;
        self.mail_queued();
        Ok(())
    }

    /// The limits of e-mailing unauthenticated users (§1.9): 1 per 60 s and 5 per hour per
    /// address, 20 per hour per IP.
    pub(crate) fn mail_rate(&self, email: &str, client: &ClientInfo) -> AppResult<()> {
        self.throttle(&format!("mail-min:{email}"), 1, MINUTE)?;
        self.throttle(&format!("mail-hour:{email}"), 5, HOUR)?;
        self.throttle(&format!("mail-ip:{}", client.ip), 20, HOUR)
    }

    /// Opens the 10-minute window for `POST /auth/sign-in` with the code alone and, for
    /// e-mail 2FA, sends the code. Returns whether a code was sent.
    async fn open_challenge(&self, tx: &mut Tx, user: &User) -> AppResult<bool> {
        users::set_sign_in_challenge(tx, user.id, Some(self.now() + CODE_TTL)).await?;
        if user.tfa_type == 2 {
            return Ok(false);
        }
        let code = self.issue_code(tx, Purpose::SignIn, &user.id.to_string(), None, CODE_TTL).await?;
        self.queue_mail(tx, &user.email, &user.language, Message::SignInCode { code }).await?;
        Ok(true)
    }

    fn refuse_locked(&self, user: Option<&User>, email: &str, client: &ClientInfo) -> AppResult<()> {
        let now = self.now();
        if let Some(until) = user.and_then(|u| u.sign_in_locked_until).filter(|t| *t > now) {
            return Err(AppError::new(ErrorCode::TemporarilyLocked, "Sign-in temporarily locked")
                .with_retry_after((until - now) as u64));
        }
        self.limiter
            .check(&email_ip_key(email, client), FAILS_PER_EMAIL_IP, FAIL_WINDOW_EMAIL_IP)
            .map_err(AppError::rate_limited)
    }

    /// The user when the password matches; `None` otherwise (unknown e-mail included, after
    /// the same amount of work).
    async fn verify_credentials(&self, user: Option<User>, password: &str) -> AppResult<Option<User>> {
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let ok = crypto::verify_password(password, hash.as_deref()).await?;
        Ok(user.filter(|_| ok))
    }

    /// Counts a failed sign-in (per e-mail and IP, per account), locks the account after too
    /// many, and returns the error to answer with.
    async fn sign_in_failed(&self, mut tx: Tx, email: &str, client: &ClientInfo) -> AppError {
        self.limiter.record(&email_ip_key(email, client), FAIL_WINDOW_EMAIL_IP);
        let Ok(Some(user)) = users::by_email(&mut tx, email).await else {
            return bad_credentials();
        };
        let count = self.limiter.record(&format!("sign-in-fail-account:{}", user.id), HOUR);
        if count >= FAILS_PER_ACCOUNT {
            let now = self.now();
            let locked = async {
                users::set_sign_in_lock(&mut tx, user.id, Some(now + LOCK_SECONDS)).await?;
                self.queue_mail(
                    &mut tx,
                    &user.email,
                    &user.language,
                    Message::SignInLocked { minutes: LOCK_SECONDS / 60 },
                )
                .await?;
                tx.commit().await?;
                AppResult::Ok(())
            }
            .await;
            match locked {
                Ok(()) => {
                    self.limiter.clear(&format!("sign-in-fail-account:{}", user.id));
                    self.mail_queued();
                    tracing::warn!(user_id = user.id, "sign-in locked after repeated failures");
                }
                Err(e) => tracing::error!(error = %e, "could not lock the account"),
            }
        }
        bad_credentials()
    }

    /// Opens a full session for a user who passed every factor.
    async fn finish_sign_in(
        &self,
        mut tx: Tx,
        user: User,
        owner_id: Option<i64>,
        client: &ClientInfo,
    ) -> AppResult<TokenPair> {
        let owner = self.choose_owner(&mut tx, &user, owner_id).await?;
        let now = self.now();
        let known_ip = sessions::seen_ip(&mut tx, user.id, &client.ip).await?;
        let had_sessions = sessions::seen_any(&mut tx, user.id).await?;
        let pair = self.open_session(&mut tx, &user, Scope::Full, owner, client).await?;
        if let Some(o) = owner {
            users::set_last_owner(&mut tx, user.id, o.id).await?;
            if let Some(m) = memberships::find(&mut tx, user.id, o.id).await? {
                memberships::touch_sign_in(&mut tx, m.id, now).await?;
            }
        }
        let notify = had_sessions && !known_ip;
        if notify {
            self.queue_mail(&mut tx, &user.email, &user.language, Message::NewSignIn { ip: client.ip.clone() }).await?;
            self.security_notice(
                &mut tx,
                user.id,
                "security.new_sign_in",
                "New sign-in",
                &format!("Signed in from {}", client.ip),
            )
            .await?;
        }
        tx.commit().await?;
        if notify {
            self.mail_queued();
        }
        Ok(pair)
    }
}

fn email_ip_key(email: &str, client: &ClientInfo) -> String {
    format!("sign-in-fail:{email}:{}", client.ip)
}

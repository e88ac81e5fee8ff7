//! Second-factor settings (§4.9, `GET /auth/qrcode`) and the recovery of a lost factor (§4.27,
//! operator side in §5.5).

use std::io::Cursor;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use paygate_core::validate::normalize_email;
use paygate_core::{AppError, AppResult, ErrorCode};
use paygate_store::users::User;
use paygate_store::{Tx, sessions, tfa_resets, users};

use crate::actor::{Actor, ClientInfo};
use crate::codes::{CODE_TTL, Purpose};
use crate::mail::Message;
use crate::ratelimit::HOUR;
use crate::{Services, crypto, totp};

/// A PNG QR code of `text` as a `data:` URL.
pub fn qr_png_data_url(text: &str) -> AppResult<String> {
    let qr = qrcode::QrCode::new(text.as_bytes()).map_err(AppError::internal)?;
    let img = qr.render::<image::Luma<u8>>().min_dimensions(256, 256).build();
    let mut png = Vec::new();
    img.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png).map_err(AppError::internal)?;
    Ok(format!("data:image/png;base64,{}", STANDARD.encode(png)))
}

pub const TFA_EMAIL: i64 = 1;
pub const TFA_TOTP: i64 = 2;

#[derive(Debug, Clone)]
pub struct TfaState {
    pub enabled: bool,
    pub tfa_type_id: i64,
    pub totp_pending: bool,
    pub reset_request: Option<tfa_resets::TfaReset>,
}

/// `GET /auth/qrcode`.
#[derive(Debug, Clone)]
pub struct TotpEnrolment {
    pub secret: String,
    pub otpauth_uri: String,
    pub qr_png: String,
}

#[derive(Debug, Clone)]
pub struct TfaChange {
    pub enabled: bool,
    pub tfa_type_id: Option<i64>,
    pub otp: String,
    pub current_otp: Option<String>,
}

/// `POST /tfa/reset` answer and operator list rows.
pub type TfaResetRequest = tfa_resets::TfaReset;

impl Services {
    pub async fn tfa_state(&self, actor: &Actor) -> AppResult<TfaState> {
        let mut c = self.store.conn().await?;
        let user = users::by_id(&mut c, actor.user_id).await?.ok_or_else(|| AppError::not_found("User"))?;
        let reset_request = tfa_resets::latest_of_user(&mut c, user.id).await?;
        Ok(TfaState {
            enabled: user.tfa_enabled,
            tfa_type_id: user.tfa_type,
            totp_pending: user.totp_pending.is_some(),
            reset_request,
        })
    }

    /// `GET /auth/qrcode`: a new pending authenticator seed, replacing an unconfirmed one.
    pub async fn enrol_totp(&self, actor: &Actor) -> AppResult<TotpEnrolment> {
        let mut tx = self.store.begin().await?;
        let user = self.user_of(&mut tx, actor).await?;
        if user.tfa_enabled && user.tfa_type == TFA_TOTP {
            return Err(AppError::new(ErrorCode::TfaState, "The authenticator app is already enabled"));
        }
        let seed = crypto::random_bytes(20);
        users::set_totp_pending(&mut tx, user.id, Some(&self.seal(&seed))).await?;
        tx.commit().await?;
        self.enrolment(&user.email, &seed)
    }

    pub(crate) fn enrolment(&self, email: &str, seed: &[u8]) -> AppResult<TotpEnrolment> {
        let secret = totp::base32_encode(seed);
        let otpauth_uri = totp::otpauth_uri(&self.config.instance_name, email, &secret);
        let qr_png = qr_png_data_url(&otpauth_uri)?;
        Ok(TotpEnrolment { secret, otpauth_uri, qr_png })
    }

    /// `POST /api/tfa`: enables, switches or disables the second factor after checking the
    /// codes the change table of §4.9 asks for.
    pub async fn change_tfa(&self, actor: &Actor, change: TfaChange) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        let user = self.user_of(&mut tx, actor).await?;
        let state_err = |m: &'static str| AppError::new(ErrorCode::TfaState, m);
        let target = if change.enabled { change.tfa_type_id } else { None };
        if user.is_operator && target != Some(TFA_TOTP) {
            return Err(state_err("Operators must keep the authenticator app"));
        }
        let pending = || {
            user.totp_pending.clone().ok_or_else(|| state_err("No pending authenticator secret: call GET /auth/qrcode"))
        };
        let current_otp = || {
            change.current_otp.clone().ok_or_else(|| {
                AppError::field(ErrorCode::FieldRequired, "current_otp", "Code of the current factor required")
            })
        };
        let (totp_secret, tfa_type) = match (user.tfa_enabled, user.tfa_type, target) {
            (true, t, Some(n)) if t == n => {
                return Err(state_err("Two-factor authentication is already in that state"));
            }
            (false, _, None) => return Err(state_err("Two-factor authentication is already off")),
            // enable
            (false, _, Some(TFA_EMAIL)) => {
                let (t, _) = self.check_code(tx, Purpose::Tfa, &user.id.to_string(), &change.otp, "otp").await?;
                tx = t;
                (None, TFA_EMAIL)
            }
            (false, _, Some(_)) => {
                let seed = pending()?;
                self.check_totp(&mut tx, user.id, &seed, &change.otp, "otp").await?;
                (Some(seed), TFA_TOTP)
            }
            // switch 1 → 2: e-mail code of the current factor first, then the new authenticator
            (true, TFA_EMAIL, Some(_)) => {
                let seed = pending()?;
                let current = current_otp()?;
                let (t, _) = self.check_code(tx, Purpose::Tfa, &user.id.to_string(), &current, "current_otp").await?;
                tx = t;
                self.check_totp(&mut tx, user.id, &seed, &change.otp, "otp").await?;
                (Some(seed), TFA_TOTP)
            }
            // switch 2 → 1
            (true, _, Some(_)) => {
                let current = current_otp()?;
                let (t, _) = self.check_code(tx, Purpose::Tfa, &user.id.to_string(), &change.otp, "otp").await?;
                tx = t;
                let seed = user.totp_secret.clone().ok_or_else(|| AppError::internal("TOTP enabled without a seed"))?;
                self.check_totp(&mut tx, user.id, &seed, &current, "current_otp").await?;
                (None, TFA_EMAIL)
            }
            // disable with the current factor
            (true, _, None) => {
                tx = self.check_second_factor(tx, &user, Purpose::Tfa, &change.otp, "otp").await?;
                (None, TFA_EMAIL)
            }
        };
        users::set_tfa(&mut tx, user.id, change.enabled, tfa_type, totp_secret.as_deref(), None).await?;
        self.after_tfa_change(&mut tx, &user, change.enabled, Some(actor.session_id)).await?;
        tx.commit().await?;
        self.mail_queued();
        Ok(())
    }

    async fn after_tfa_change(
        &self,
        tx: &mut Tx,
        user: &User,
        enabled: bool,
        keep_session: Option<i64>,
    ) -> AppResult<()> {
        sessions::close_all_of_user(tx, user.id, keep_session, "tfa_changed", self.now()).await?;
        self.queue_mail(tx, &user.email, &user.language, Message::TfaChanged { enabled }).await?;
        let body = if enabled { "Two-factor authentication is on" } else { "Two-factor authentication is off" };
        self.security_notice(tx, user.id, "security.tfa_changed", "Two-factor authentication changed", body).await
    }

    /// `POST /api/tfa/otp`: e-mails a code for `purpose` (`tfa`, `withdrawal`, `integration_key`).
    pub async fn send_second_factor_code(&self, actor: &Actor, purpose: &str) -> AppResult<()> {
        let purpose = match purpose {
            "tfa" => Purpose::Tfa,
            "withdrawal" => Purpose::Withdrawal,
            "integration_key" => Purpose::IntegrationKey,
            _ => {
                return Err(AppError::field(ErrorCode::FieldRange, "purpose", "Unknown purpose"));
            }
        };
        let mut tx = self.store.begin().await?;
        let user = self.user_of(&mut tx, actor).await?;
        if user.tfa_enabled && user.tfa_type == TFA_TOTP && purpose != Purpose::Tfa {
            return Err(AppError::new(ErrorCode::TfaState, "Use the authenticator app"));
        }
        self.cabinet_mail_rate(user.id, purpose)?;
        let code = self.issue_code(&mut tx, purpose, &user.id.to_string(), None, CODE_TTL).await?;
        self.queue_mail(
            &mut tx,
            &user.email,
            &user.language,
            Message::TfaCode { code, purpose: purpose.as_str().into() },
        )
        .await?;
        tx.commit().await?;
        self.mail_queued();
        Ok(())
    }

    /// Users whose password is right, for the public reset routes (404 4014 otherwise).
    async fn reset_user(&self, tx: &mut Tx, email: &str, password: &str) -> AppResult<User> {
        let user = users::by_email(tx, &normalize_email(email)).await?;
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let ok = crypto::verify_password(password, hash.as_deref()).await?;
        user.filter(|u| ok && u.status == users::STATUS_ACTIVE)
            .ok_or_else(|| AppError::new(ErrorCode::InvalidCredentials, "E-mail or password does not match"))
    }

    /// 3 per hour per IP and per e-mail, counted per route (§1.9).
    fn reset_rate(&self, route: &str, email: &str, client: &ClientInfo) -> AppResult<()> {
        self.throttle(&format!("{route}-ip:{}", client.ip), 3, HOUR)?;
        self.throttle(&format!("{route}-email:{}", normalize_email(email)), 3, HOUR)
    }

    /// `POST /tfa/reset`.
    pub async fn request_tfa_reset(
        &self,
        email: &str,
        password: &str,
        reason: &str,
        client: &ClientInfo,
    ) -> AppResult<TfaResetRequest> {
        self.reset_rate("tfa-reset", email, client)?;
        let mut tx = self.store.begin().await?;
        let user = self.reset_user(&mut tx, email, password).await?;
        if !user.tfa_enabled {
            return Err(AppError::new(ErrorCode::TfaState, "Two-factor authentication is not enabled"));
        }
        if user.is_operator {
            return Err(AppError::new(
                ErrorCode::TfaState,
                "Operators re-enrol their authenticator from the command line",
            ));
        }
        if tfa_resets::open_of_user(&mut tx, user.id).await?.is_some() {
            return Err(AppError::new(ErrorCode::TfaResetPending, "A reset request is already open"));
        }
        let id = tfa_resets::insert(&mut tx, user.id, reason, self.now()).await?;
        self.queue_mail(&mut tx, &user.email, &user.language, Message::TfaResetRequested { id }).await?;
        let req = tfa_resets::by_id(&mut tx, id).await?.ok_or_else(|| AppError::internal("reset request vanished"))?;
        tx.commit().await?;
        self.mail_queued();
        Ok(req)
    }

    /// `POST /tfa/otp/reset/{id}`: turns 2FA off with the code of an approved request.
    pub async fn complete_tfa_reset(
        &self,
        id: i64,
        email: &str,
        password: &str,
        otp: &str,
        client: &ClientInfo,
    ) -> AppResult<()> {
        self.reset_rate("tfa-otp-reset", email, client)?;
        let mut tx = self.store.begin().await?;
        let user = self.reset_user(&mut tx, email, password).await?;
        let req = tfa_resets::by_id(&mut tx, id)
            .await?
            .filter(|r| r.user_id == user.id)
            .ok_or_else(|| AppError::not_found("Reset request"))?;
        if req.status_id != tfa_resets::APPROVED {
            return Err(AppError::new(ErrorCode::InvalidState, "The request is not approved, or already completed"));
        }
        let (mut tx, _) = self.check_code(tx, Purpose::TfaReset, &id.to_string(), otp, "otp").await?;
        users::set_tfa(&mut tx, user.id, false, TFA_EMAIL, None, None).await?;
        tfa_resets::transition(&mut tx, id, tfa_resets::APPROVED, tfa_resets::COMPLETED, None, None, self.now())
            .await?;
        sessions::close_all_of_user(&mut tx, user.id, None, "tfa_reset", self.now()).await?;
        self.queue_mail(&mut tx, &user.email, &user.language, Message::TfaResetCompleted).await?;
        self.security_notice(
            &mut tx,
            user.id,
            "security.tfa_changed",
            "Two-factor authentication reset",
            "Two-factor authentication is off",
        )
        .await?;
        tx.commit().await?;
        self.mail_queued();
        Ok(())
    }

    /// `POST /admin/tfa/reset/list`.
    pub async fn list_tfa_resets(
        &self,
        _operator: &Actor,
        statuses: &[i64],
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> AppResult<(Vec<TfaResetRequest>, i64)> {
        let mut c = self.store.conn().await?;
        let statuses = if statuses.is_empty() { &[tfa_resets::PENDING][..] } else { statuses };
        Ok(tfa_resets::list(&mut c, statuses, search, limit, offset).await?)
    }

    /// `PUT /admin/tfa/reset/status`: approve (2) or reject (3) a pending request.
    pub async fn decide_tfa_reset(
        &self,
        operator: &Actor,
        id: i64,
        status_id: i64,
        comment: Option<&str>,
        client: &ClientInfo,
    ) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        let req = tfa_resets::by_id(&mut tx, id).await?.ok_or_else(|| AppError::not_found("Reset request"))?;
        let now = self.now();
        if !tfa_resets::transition(&mut tx, id, tfa_resets::PENDING, status_id, Some(operator.user_id), comment, now)
            .await?
        {
            return Err(AppError::new(ErrorCode::InvalidState, "The request is not pending"));
        }
        let user =
            users::by_id(&mut tx, req.user_id).await?.ok_or_else(|| AppError::internal("reset of a missing user"))?;
        let message = if status_id == tfa_resets::APPROVED {
            let code = self.issue_code(&mut tx, Purpose::TfaReset, &id.to_string(), None, 24 * 3600).await?;
            Message::TfaResetApproved { id, code }
        } else {
            Message::TfaResetRejected { id, comment: comment.unwrap_or("no reason given").to_owned() }
        };
        self.queue_mail(&mut tx, &user.email, &user.language, message).await?;
        let before = format!(r#"{{"status_id":{}}}"#, req.status_id);
        let after = serde_json::json!({ "status_id": status_id, "comment": comment }).to_string();
        let change = crate::audit::Change {
            action: "tfa_reset.decide",
            object_type: "tfa_reset",
            object_id: Some(id),
            before: Some(before),
            after,
        };
        self.audit(&mut tx, operator, client, change).await?;
        tx.commit().await?;
        self.mail_queued();
        Ok(())
    }
}

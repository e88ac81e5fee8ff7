//! The signed-in user's own e-mail and password (§4.20).

use paygate_core::validate::{normalize_email, password_acceptable};
use paygate_core::{AppError, AppResult, ErrorCode};
use paygate_store::users::{self, User};
use paygate_store::{Tx, sessions};

use crate::actor::Actor;
use crate::auth::weak_password;
use crate::codes::{CODE_TTL, Purpose};
use crate::mail::Message;
use crate::ratelimit::{HOUR, MINUTE};
use crate::{Services, crypto};

/// How long a verified password-change code allows `PUT /api/personal/psw`.
const PASSWORD_CHANGE_WINDOW: i64 = 600;

impl Services {
    /// The limits of e-mail codes inside the cabinet: 1 per 60 s and 10 per hour per user and purpose.
    pub(crate) fn cabinet_mail_rate(&self, user_id: i64, purpose: Purpose) -> AppResult<()> {
        let p = purpose.as_str();
        self.throttle(&format!("cabinet-mail-min:{user_id}:{p}"), 1, MINUTE)?;
        self.throttle(&format!("cabinet-mail-hour:{user_id}:{p}"), 10, HOUR)
    }

    pub(crate) async fn user_of(&self, tx: &mut Tx, actor: &Actor) -> AppResult<User> {
        users::lock(tx, actor.user_id).await?.ok_or_else(|| AppError::new(ErrorCode::TokenInvalid, "Unknown user"))
    }

    /// `PUT /api/personal/email`.
    pub async fn request_email_change(&self, actor: &Actor, new_email: &str, password: &str) -> AppResult<()> {
        let new_email = normalize_email(new_email);
        let mut tx = self.store.begin().await?;
        let user = self.user_of(&mut tx, actor).await?;
        if new_email == user.email {
            return Err(AppError::field(
                ErrorCode::FieldRange,
                "email",
                "The new e-mail must differ from the current one",
            ));
        }
        if !crypto::verify_password(password, user.password_hash.as_deref()).await? {
            return Err(AppError::field(ErrorCode::PasswordInvalid, "password", "Current password is wrong"));
        }
        if users::by_email(&mut tx, &new_email).await?.is_some() {
            return Err(AppError::field(ErrorCode::AlreadyExists, "email", "E-mail used by another user"));
        }
        self.cabinet_mail_rate(user.id, Purpose::EmailChange)?;
        users::set_pending_email(&mut tx, user.id, Some(&new_email)).await?;
        let code =
            self.issue_code(&mut tx, Purpose::EmailChange, &user.id.to_string(), Some(&new_email), CODE_TTL).await?;
        self.queue_mail(&mut tx, &new_email, &user.language, Message::EmailChangeCode { code }).await?;
        self.queue_mail(
            &mut tx,
            &user.email,
            &user.language,
            Message::EmailChangeRequested { new_email: new_email.clone() },
        )
        .await?;
        tx.commit().await?;
        self.mail_queued();
        Ok(())
    }

    /// `POST /api/personal/email/otp`: a fresh code to the pending address.
    pub async fn resend_email_change_code(&self, actor: &Actor) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        let user = self.user_of(&mut tx, actor).await?;
        let Some(pending) = user.pending_email.clone() else {
            return Err(AppError::new(ErrorCode::OtpNotFound, "No pending e-mail change"));
        };
        self.cabinet_mail_rate(user.id, Purpose::EmailChange)?;
        let code =
            self.issue_code(&mut tx, Purpose::EmailChange, &user.id.to_string(), Some(&pending), CODE_TTL).await?;
        self.queue_mail(&mut tx, &pending, &user.language, Message::EmailChangeCode { code }).await?;
        tx.commit().await?;
        self.mail_queued();
        Ok(())
    }

    /// `POST /api/personal/email/otp/check`: applies the pending e-mail.
    pub async fn confirm_email_change(&self, actor: &Actor, otp: &str) -> AppResult<()> {
        let tx = self.store.begin().await?;
        let (mut tx, payload) =
            self.check_code(tx, Purpose::EmailChange, &actor.user_id.to_string(), otp, "otp").await?;
        let user = self.user_of(&mut tx, actor).await?;
        let new_email = payload.filter(|p| user.pending_email.as_deref() == Some(p.as_str()));
        let Some(new_email) = new_email else {
            return Err(AppError::field(ErrorCode::OtpNotFound, "otp", "No pending e-mail change"));
        };
        users::set_email(&mut tx, user.id, &new_email).await.map_err(|e| {
            if e.is_conflict_on("users_email_key") {
                AppError::field(ErrorCode::AlreadyExists, "email", "E-mail taken meanwhile")
            } else {
                e.into()
            }
        })?;
        sessions::close_all_of_user(&mut tx, user.id, Some(actor.session_id), "email_changed", self.now()).await?;
        let msg = Message::EmailChanged { new_email: new_email.clone() };
        self.queue_mail(&mut tx, &user.email, &user.language, msg.clone()).await?;
        self.queue_mail(&mut tx, &new_email, &user.language, msg).await?;
        self.security_notice(
            &mut tx,
            user.id,
            "security.email_changed",
            "E-mail changed",
            &format!("Your sign-in e-mail is now {new_email}"),
        )
        .await?;
        tx.commit().await?;
        self.mail_queued();
        Ok(())
    }

    /// `POST /api/personal/psw/otp`.
    pub async fn send_password_change_code(&self, actor: &Actor) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        let user = self.user_of(&mut tx, actor).await?;
        self.cabinet_mail_rate(user.id, Purpose::PasswordChange)?;
        let code = self.issue_code(&mut tx, Purpose::PasswordChange, &user.id.to_string(), None, CODE_TTL).await?;
        self.queue_mail(&mut tx, &user.email, &user.language, Message::PasswordChangeCode { code }).await?;
        tx.commit().await?;
        self.mail_queued();
        Ok(())
    }

    /// `POST /api/personal/psw/otp/check`: allows one password change within 10 minutes.
    pub async fn verify_password_change_code(&self, actor: &Actor, otp: &str) -> AppResult<()> {
        let tx = self.store.begin().await?;
        let (mut tx, _) = self.check_code(tx, Purpose::PasswordChange, &actor.user_id.to_string(), otp, "otp").await?;
        users::set_password_verified_at(&mut tx, actor.user_id, Some(self.now())).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `PUT /api/personal/psw`.
    pub async fn change_password(&self, actor: &Actor, password: &str) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        let user = self.user_of(&mut tx, actor).await?;
        let now = self.now();
        if user.password_verified_at.is_none_or(|t| t + PASSWORD_CHANGE_WINDOW <= now) {
            return Err(AppError::new(
                ErrorCode::OtpNotFound,
                "Verify a code from POST /api/personal/psw/otp/check first",
            ));
        }
        if !password_acceptable(password, &user.email) {
            return Err(weak_password("password"));
        }
        self.replace_password(tx, &user, password, Some(actor.session_id), "Your password was changed").await
    }

    /// Sets a new password, signs out every other session, and tells the user by e-mail and
    /// notification; commits.
    pub(crate) async fn replace_password(
        &self,
        mut tx: Tx,
        user: &User,
        password: &str,
        keep_session: Option<i64>,
        notice: &str,
    ) -> AppResult<()> {
        let hash = crypto::hash_password(password).await?;
        users::set_password(&mut tx, user.id, &hash).await?;
        sessions::close_all_of_user(&mut tx, user.id, keep_session, "password_changed", self.now()).await?;
        self.queue_mail(&mut tx, &user.email, &user.language, Message::PasswordChanged).await?;
        self.security_notice(&mut tx, user.id, "security.password_changed", "Password changed", notice).await?;
        tx.commit().await?;
        self.mail_queued();
        Ok(())
    }
}

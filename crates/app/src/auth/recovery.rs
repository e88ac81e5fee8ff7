//! Password recovery by e-mailed code (§4.25).

use paygate_core::AppResult;
use paygate_core::validate::{normalize_email, password_acceptable};
use paygate_store::users;

use super::sign_up::weak_password;
use crate::Services;
use crate::actor::ClientInfo;
use crate::codes::{CODE_TTL, Purpose};
use crate::mail::Message;

impl Services {
    /// `POST /auth/recovery`: always succeeds; mails a code only to an active user.
    pub async fn recovery_send_code(&self, email: &str, client: &ClientInfo) -> AppResult<()> {
        let email = normalize_email(email);
        self.mail_rate(&email, client)?;
        let mut tx = self.store.begin().await?;
        let Some(user) = users::by_email(&mut tx, &email).await? else {
            return Ok(());
        };
        if user.status != users::STATUS_ACTIVE {
            return Ok(());
        }
        let code = self.issue_code(&mut tx, Purpose::Recovery, &email, None, CODE_TTL).await?;
        self.queue_mail(&mut tx, &user.email, &user.language, Message::RecoveryCode { code }).await?;
        tx.commit().await?;
        self.mail_queued();
        Ok(())
    }

    /// `POST /auth/recovery/psw/otp/check`: sets a new password and signs out everywhere.
    pub async fn recovery_reset_password(&self, email: &str, otp: &str, password: &str) -> AppResult<()> {
        let email = normalize_email(email);
        if !password_acceptable(password, &email) {
            return Err(weak_password("password"));
        }
        let tx = self.store.begin().await?;
        let (mut tx, _) = self.check_code(tx, Purpose::Recovery, &email, otp, "otp").await?;
        let Some(user) = users::by_email(&mut tx, &email).await? else {
            return Err(paygate_core::AppError::field(paygate_core::ErrorCode::OtpNotFound, "otp", "No open code"));
        };
        // Proving the address also lifts a sign-in lock.
        users::set_sign_in_lock(&mut tx, user.id, None).await?;
        self.replace_password(tx, &user, password, None, "Your password was reset by e-mail code").await
    }
}

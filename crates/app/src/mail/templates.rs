//! Every e-mail paygate sends, in the user's language (`en`, `ru`, `cs`; others get `en`).

/// What an e-mail says; rendering gives subject and plain-text body.
#[derive(Debug, Clone)]
pub enum Message {
    SignupCode { code: String },
    AlreadyRegistered,
    SignInCode { code: String },
    RecoveryCode { code: String },
    PasswordChangeCode { code: String },
    EmailChangeCode { code: String },
    EmailChangeRequested { new_email: String },
    EmailChanged { new_email: String },
    PasswordChanged,
    TfaCode { code: String, purpose: String },
    TfaChanged { enabled: bool },
    NewSignIn { ip: String },
    SignInLocked { minutes: i64 },
    TfaResetRequested { id: i64 },
    TfaResetApproved { id: i64, code: String },
    TfaResetRejected { id: i64, comment: String },
    TfaResetCompleted,
}

const VALIDITY: &str =
    "It is valid for 10 minutes and can be used once. If you did not ask for it, ignore this message.";

impl Message {
    pub fn render(&self, lang: &str, instance: &str) -> (String, String) {
        if let Some(code) = self.code() {
            let (subject, line) = match (lang, self) {
                ("ru", Message::SignupCode { .. }) => ("Код подтверждения регистрации", "Ваш код подтверждения"),
                ("cs", Message::SignupCode { .. }) => ("Potvrzovací kód registrace", "Váš potvrzovací kód"),
                ("ru", _) => ("Одноразовый код", "Ваш одноразовый код"),
                ("cs", _) => ("Jednorázový kód", "Váš jednorázový kód"),
                (_, Message::SignupCode { .. }) => ("Confirm your e-mail address", "Your sign-up code"),
                (_, Message::SignInCode { .. }) => ("Your sign-in code", "Your sign-in code"),
                (_, Message::RecoveryCode { .. }) => ("Password recovery code", "Your password recovery code"),
                (_, Message::PasswordChangeCode { .. }) => ("Password change code", "Your password change code"),
                (_, Message::EmailChangeCode { .. }) => ("Confirm your new e-mail address", "Your e-mail change code"),
                (_, _) => ("Your confirmation code", "Your confirmation code"),
            };
            let validity = match lang {
                "ru" => "Код действует 10 минут и может быть использован один раз.",
                "cs" => "Kód platí 10 minut a lze jej použít jednou.",
                _ => VALIDITY,
            };
            return (format!("{instance}: {subject}"), format!("{line}: {code}\n\n{validity}\n"));
        }
        let (subject, body) = match self {
            Message::AlreadyRegistered => (
                "Sign-up attempt".to_owned(),
                "Someone asked to register with this e-mail address, which already has an account. \
                 Sign in instead, or recover your password if you forgot it."
                    .to_owned(),
            ),
            Message::EmailChangeRequested { new_email } => (
                "E-mail change requested".to_owned(),
                format!("A change of your sign-in e-mail to {new_email} was requested. If it was not you, change your password now."),
            ),
            Message::EmailChanged { new_email } => (
                "E-mail address changed".to_owned(),
                format!("Your sign-in e-mail is now {new_email}. Other sessions were signed out."),
            ),
            Message::PasswordChanged => (
                "Password changed".to_owned(),
                "Your password was changed and your other sessions were signed out. If it was not you, recover your account at once.".to_owned(),
            ),
            Message::TfaChanged { enabled } => (
                "Two-factor authentication changed".to_owned(),
                format!(
                    "Two-factor authentication of your account is now {}. Other sessions were signed out.",
                    if *enabled { "on" } else { "off" }
                ),
            ),
            Message::NewSignIn { ip } => (
                "New sign-in".to_owned(),
                format!("Your account was signed in from a new address: {ip}. If it was not you, change your password."),
            ),
            Message::SignInLocked { minutes } => (
                "Sign-in locked".to_owned(),
                format!("After repeated failed sign-in attempts, sign-in to your account is locked for {minutes} minutes."),
            ),
            Message::TfaResetRequested { id } => (
                "Two-factor reset requested".to_owned(),
                format!("We received request #{id} to reset the second factor of your account. An operator will review it."),
            ),
            Message::TfaResetApproved { id, code } => (
                "Two-factor reset approved".to_owned(),
                format!("Request #{id} was approved. Your one-time reset code: {code}\n\nIt is valid for 24 hours."),
            ),
            Message::TfaResetRejected { id, comment } => (
                "Two-factor reset rejected".to_owned(),
                format!("Request #{id} was rejected. Reason: {comment}"),
            ),
            Message::TfaResetCompleted => (
                "Two-factor authentication reset".to_owned(),
                "The second factor of your account was turned off and every session was signed out.".to_owned(),
            ),
            _ => unreachable!("code messages are rendered above"),
        };
        (format!("{instance}: {subject}"), format!("{body}\n"))
    }

    fn code(&self) -> Option<&str> {
        match self {
            Message::SignupCode { code }
            | Message::SignInCode { code }
            | Message::RecoveryCode { code }
            | Message::PasswordChangeCode { code }
            | Message::EmailChangeCode { code }
            | Message::TfaCode { code, .. } => Some(code),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_in_the_body_in_every_language() {
        for lang in ["en", "ru", "cs", "de"] {
            let (s, b) = Message::SignupCode { code: "123456".into() }.render(lang, "paygate");
            assert!(s.starts_with("paygate: "));
            assert!(b.contains("123456"));
        }
        let (_, b) = Message::TfaResetApproved { id: 4, code: "654321".into() }.render("en", "paygate");
        assert!(b.contains("654321") && b.contains("#4"));
    }
}

//! Authentication: sessions and tokens, sign-in, sign-up, recovery (§1.3, §4.25).

mod recovery;
mod session;
mod sign_in;
mod sign_up;

pub use session::TokenCheck;
pub use sign_in::{SignInCheck, SignInInput};
pub(crate) use sign_up::weak_password;
pub use sign_up::{OwnerStep, SignupState, UserStep};

/// An access token with its refresh token (`token`, `refreshToken` on the wire).
#[derive(Debug, Clone)]
pub struct TokenPair {
    pub token: String,
    pub refresh_token: String,
}

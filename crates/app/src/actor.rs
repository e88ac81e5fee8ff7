//! Who is calling. An [`Actor`] exists only after [`crate::Services::authenticate`] has checked
//! the token, its session and the membership, so a service that takes one cannot be reached
//! without authentication.

use paygate_core::Role;

/// What the token may be used for (§1.3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Full,
    Signup,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Full => "full",
            Scope::Signup => "signup",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActiveOwner {
    pub id: i64,
    pub role: Role,
}

/// `non_exhaustive`: no crate but this one can build an `Actor`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Actor {
    pub user_id: i64,
    pub session_id: i64,
    pub scope: Scope,
    pub owner: Option<ActiveOwner>,
    pub operator: bool,
    pub expires_at: i64,
}

/// Facts about the HTTP client that services record or rate-limit by.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: Option<String>,
    pub request_id: String,
}

impl Actor {
    /// An integration key acting for its owner with the permissions of role 2 (§1.3.3). Never
    /// a session: it cannot reach routes that take an access token.
    pub(crate) fn for_key(k: &crate::KeyActor) -> Actor {
        Actor {
            user_id: 0,
            session_id: 0,
            scope: Scope::Full,
            owner: Some(ActiveOwner { id: k.owner_id, role: Role::Administrator }),
            operator: false,
            expires_at: 0,
        }
    }
}

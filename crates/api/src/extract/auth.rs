//! Auth guards. A handler names who may call it in its signature — `Caller<Staff>`,
//! `Caller<OperatorOnly>` — and the extractor refuses everyone else before the handler runs, so
//! a route cannot forget its check. Services take the [`Actor`] only extractors can produce.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use paygate_app::{Actor, Scope};
use paygate_core::{ErrorCode, RoleSet};

use crate::error::ApiError;
use crate::state::AppState;

/// What a route accepts.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Accepts a full-scope token.
    pub full: bool,
    /// Accepts a sign-up token.
    pub signup: bool,
    /// Needs an active owner and one of these roles; `None` = self-service.
    pub roles: Option<RoleSet>,
    /// Operators only.
    pub operator: bool,
}

pub trait Guard: Send + Sync + 'static {
    const RULE: Rule;
}

/// Any signed-in user, operators and users without a membership included (self service).
pub struct AnyUser;
impl Guard for AnyUser {
    const RULE: Rule = Rule { full: true, signup: false, roles: None, operator: false };
}

/// As [`AnyUser`], or a sign-up token (dictionaries, log-out, token check).
pub struct AnyUserOrSignup;
impl Guard for AnyUserOrSignup {
    const RULE: Rule = Rule { full: true, signup: true, roles: None, operator: false };
}

/// Sign-up routes only.
pub struct SignupOnly;
impl Guard for SignupOnly {
    const RULE: Rule = Rule { full: false, signup: true, roles: None, operator: false };
}

/// A member of the active owner with one of the roles in the mask (bit n = role n).
pub struct Member<const MASK: u8>;
impl<const MASK: u8> Guard for Member<MASK> {
    const RULE: Rule = Rule { full: true, signup: false, roles: Some(RoleSet(MASK)), operator: false };
}

/// Roles 1–5.
pub type AllRoles = Member<{ RoleSet::ALL.0 }>;
/// Roles 1, 2, 3, 5 (everyone but the cashier).
pub type Staff = Member<{ RoleSet::R1235.0 }>;
/// Roles 1 and 2.
pub type Managers = Member<{ RoleSet::R12.0 }>;
/// Role 1.
pub type OwnerOnly = Member<{ RoleSet::R1.0 }>;

/// Platform operators (`/admin/*`).
pub struct OperatorOnly;
impl Guard for OperatorOnly {
    const RULE: Rule = Rule { full: true, signup: false, roles: None, operator: true };
}

/// The authenticated caller of a route guarded by `G`.
pub struct Caller<G: Guard>(pub Actor, PhantomData<G>);

impl<G: Guard> std::ops::Deref for Caller<G> {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.0
    }
}

/// The access token of `Authorization: Bearer <t>` or `Authorization: <t>`.
pub fn bearer(parts: &Parts) -> Option<&str> {
    let raw = parts.headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?.trim();
    let token = match raw.split_once(char::is_whitespace) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ => raw,
    };
    (!token.is_empty()).then_some(token)
}

pub fn check_rule(rule: Rule, actor: &Actor) -> Result<(), ApiError> {
    let scope_ok = match actor.scope {
        Scope::Full => rule.full,
        Scope::Signup => rule.signup,
    };
    if !scope_ok {
        let msg = if actor.scope == Scope::Signup {
            "A sign-up token cannot be used here"
        } else {
            "This route takes a sign-up token"
        };
        return Err(ApiError::new(ErrorCode::TokenScope, msg));
    }
    if rule.operator {
        return if actor.operator { Ok(()) } else { Err(ApiError::new(ErrorCode::OperatorOnly, "Operators only")) };
    }
    if let Some(roles) = rule.roles {
        let Some(owner) = actor.owner else {
            return Err(ApiError::new(ErrorCode::NoActiveOwner, "No active owner"));
        };
        if !roles.contains(owner.role) {
            return Err(ApiError::new(ErrorCode::ForbiddenRole, format!("Role {} may not do this", owner.role)));
        }
    }
    Ok(())
}

impl<G: Guard> FromRequestParts<AppState> for Caller<G> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "Access token required"))?;
        let actor = state.authenticate(token).await?;
        check_rule(G::RULE, &actor)?;
        state.limit_user(actor.user_id)?;
        Ok(Caller(actor, PhantomData))
    }
}

/// Only a full-scope token (a sign-up token is 403 4019), for routes whose callers are checked
/// by the service (`/invoice/*`).
pub fn check_rule_scope(actor: &Actor) -> Result<(), ApiError> {
    check_rule(Rule { full: true, signup: false, roles: None, operator: false }, actor)
}

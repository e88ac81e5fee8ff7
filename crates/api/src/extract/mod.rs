//! Extractors: the caller (auth guards), the client, and JSON/query/path input whose
//! rejections speak the error envelope.

mod api_key;
mod auth;
mod client;
mod json;
mod maybe;
mod params;
mod patch;
mod strict_json;
mod upload;

pub use api_key::key_credential;
pub use auth::{
    AllRoles, AnyUser, AnyUserOrSignup, Caller, Guard, Managers, Member, OperatorOnly, OwnerOnly, Rule, SignupOnly,
    Staff, bearer as bearer_token, check_rule_scope,
};
pub use client::{Client, client_info};
pub use json::{Body, Validate};
pub use maybe::MaybeCaller;
pub use params::{IdPath, QueryParams};
pub use patch::Patch;
pub use strict_json::parse_strict;
pub use upload::{MULTIPART_LIMIT, Upload};

//! Domain types and rules of paygate. No I/O lives here: the other crates build on these
//! definitions, so a rule written once here holds for every route and both databases.

pub mod amount;
pub mod dict;
pub mod error;
pub mod invoice;
pub mod plan;
pub mod role;
pub mod series;
pub mod time;
pub mod validate;

pub use amount::{Amount, AmountError};
pub use error::{AppError, AppResult, ErrorCode, ErrorItem};
pub use role::{Permission, Role, RoleSet};

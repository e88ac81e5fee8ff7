//! Persistence for paygate on SQLite and PostgreSQL.
//!
//! Both backends share the SQL text and the row types: sqlx binds `$1, $2, …` by number on
//! both, and both speak `RETURNING` and `ON CONFLICT`. A query is written once and run through
//! [`run!`], which compiles it for the connection's backend. Per-backend code exists only where
//! the dialects really differ (migrations, error classification, the write-transaction start).
//!
//! Every aggregate has a module of plain async functions taking `&mut impl Conn`: a pooled
//! connection for reads ([`Store::conn`]) or a unit of work ([`Store::begin`]) whose writes
//! commit together or not at all.

mod amount;
pub mod api_keys;
pub mod audit;
pub mod catalogue;
pub mod chain_state;
mod conn;
mod error;
pub mod idempotency;
pub mod invoices;
pub mod ledger;
pub mod mail;
pub mod media;
pub mod memberships;
pub mod notifications;
pub mod otp;
pub mod owners;
pub mod pay_links;
pub mod products;
pub mod rates;
pub mod sessions;
pub mod signups;
pub mod subscriptions;
#[doc(hidden)]
pub mod testing;
pub mod tfa_resets;
pub mod timezones;
pub mod transfers;
pub mod users;
pub mod webhooks;
pub mod xpubs;

pub use amount::DbAmount;
pub use conn::{Backend, Conn, PooledConn, Raw, Store, Tx};
pub use error::{StoreError, StoreResult};

/// `column [NOT] IN (ids)` for an id-set filter; an empty set matches nothing (or everything
/// when excluded). The ids are integers, so they are safe to inline.
pub(crate) fn id_set(column: &str, set: &Option<(Vec<i64>, bool)>) -> Option<String> {
    set.as_ref().map(|(ids, exclude)| match (ids.is_empty(), exclude) {
        (true, true) => "1 = 1".to_owned(),
        (true, false) => "1 = 0".to_owned(),
        _ => {
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            format!("{column} {} IN ({list})", if *exclude { "NOT" } else { "" })
        }
    })
}

//! The closed set of storage failures. `app` decides what each means for the caller; nothing
//! above this crate sees a sqlx error.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("row not found")]
    NotFound,
    /// A unique constraint refused the write, named as PostgreSQL names it
    /// (`users_email_key`, `memberships_user_id_owner_id_key`).
    #[error("unique constraint {constraint} violated")]
    Conflict { constraint: String },
    /// Serialization failure, deadlock or a busy SQLite database: the unit of work may be retried.
    #[error("transient conflict, retry: {0}")]
    Retryable(String),
    #[error("database error: {0}")]
    Other(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    pub fn is_conflict_on(&self, name: &str) -> bool {
        matches!(self, StoreError::Conflict { constraint } if constraint == name)
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) => {
                let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
                if db.is_unique_violation() {
                    let constraint = match db.constraint() {
                        Some(c) => c.to_owned(),
                        None => sqlite_constraint_name(db.message()),
                    };
                    return StoreError::Conflict { constraint };
                }
                // PostgreSQL serialization_failure / deadlock_detected; SQLite BUSY / LOCKED
                // (primary and extended result codes).
                let retry = matches!(code.as_str(), "40001" | "40P01" | "5" | "6" | "517" | "261" | "262");
                if retry { StoreError::Retryable(db.message().to_owned()) } else { StoreError::Other(e.to_string()) }
            }
            sqlx::Error::PoolTimedOut => StoreError::Retryable("pool timed out".into()),
            _ => StoreError::Other(e.to_string()),
        }
    }
}

/// SQLite says `UNIQUE constraint failed: memberships.user_id, memberships.owner_id`; PostgreSQL
/// would call that constraint `memberships_user_id_owner_id_key`.
fn sqlite_constraint_name(message: &str) -> String {
    let cols = message.rsplit(": ").next().unwrap_or_default();
    let mut table = "";
    let mut names = Vec::new();
    for part in cols.split(", ") {
        if let Some((t, c)) = part.split_once('.') {
            table = t;
            names.push(c);
        }
    }
    format!("{table}_{}_key", names.join("_"))
}

/// What a storage failure means to a caller when the service did not give it a meaning:
/// a transient conflict asks for a retry (409 4090); everything else is internal.
impl From<StoreError> for paygate_core::AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Retryable(msg) => {
                tracing::warn!(%msg, "transient storage conflict");
                paygate_core::AppError::new(
                    paygate_core::ErrorCode::Conflict,
                    "Concurrent modification; retry the call",
                )
            }
            other => paygate_core::AppError::internal(other),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sqlite_names_follow_postgres() {
        assert_eq!(
            super::sqlite_constraint_name("UNIQUE constraint failed: memberships.user_id, memberships.owner_id"),
            "memberships_user_id_owner_id_key"
        );
        assert_eq!(super::sqlite_constraint_name("UNIQUE constraint failed: users.email"), "users_email_key");
    }
}

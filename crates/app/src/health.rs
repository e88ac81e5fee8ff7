//! Readiness (§5.4): the database answers and its schema is current.

use crate::Services;

#[derive(Debug, Clone)]
pub struct Readiness {
    pub database: bool,
    pub migrations: bool,
}

impl Services {
    pub async fn readiness(&self) -> Readiness {
        let database = self.store.ping().await.is_ok();
        let migrations = database && self.store.migrations_current().await.unwrap_or(false);
        Readiness { database, migrations }
    }
}

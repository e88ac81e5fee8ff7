//! In-app notifications of the caller in its active owner (§4.4).

use paygate_core::AppResult;
use paygate_store::notifications::{self, Notification};

use crate::Services;
use crate::actor::Actor;

/// Which notifications a list shows.
#[derive(Debug, Clone, Copy)]
pub enum ReadFilter {
    All,
    Read,
    Unread,
}

impl Services {
    pub async fn notifications(
        &self,
        actor: &Actor,
        filter: ReadFilter,
        limit: i64,
        offset: i64,
    ) -> AppResult<(Vec<Notification>, i64)> {
        let owner_id = self.owner_of(actor)?;
        let f = match filter {
            ReadFilter::All => 0,
            ReadFilter::Read => 1,
            ReadFilter::Unread => 2,
        };
        let mut c = self.store.conn().await?;
        Ok(notifications::list(&mut c, actor.user_id, owner_id, f, limit, offset).await?)
    }

    /// Marks the given notifications (or all with `None`) read or unread; foreign ids are ignored.
    pub async fn mark_notifications(&self, actor: &Actor, ids: Option<&[i64]>, read: bool) -> AppResult<()> {
        let owner_id = self.owner_of(actor)?;
        let mut tx = self.store.begin().await?;
        notifications::mark(&mut tx, actor.user_id, owner_id, ids, read).await?;
        tx.commit().await?;
        Ok(())
    }
}

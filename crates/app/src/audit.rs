//! The operator audit log (§5.5): every operator mutation records who, which request, the
//! object, and its state before and after.

use paygate_core::AppResult;
use paygate_store::{Conn, audit};

use crate::Services;
use crate::actor::{Actor, ClientInfo};

/// One audited change.
pub(crate) struct Change<'a> {
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<i64>,
    pub before: Option<String>,
    pub after: String,
}

impl Services {
    pub(crate) async fn audit(
        &self,
        c: &mut impl Conn,
        operator: &Actor,
        client: &ClientInfo,
        change: Change<'_>,
    ) -> AppResult<()> {
        audit::record(
            c,
            audit::Entry {
                operator_id: operator.user_id,
                request_id: Some(&client.request_id),
                action: change.action,
                object_type: change.object_type,
                object_id: change.object_id,
                before: change.before.as_deref(),
                after: Some(&change.after),
                now: self.now(),
            },
        )
        .await?;
        Ok(())
    }
}

//! Mail and in-app notices written inside a unit of work (the outbox), sent after commit.

use paygate_core::AppResult;
use paygate_store::{Conn, mail, notifications};

use crate::Services;
use crate::mail::Message;

impl Services {
    /// Queues `message` to `to` in `lang` inside the caller's unit of work.
    pub(crate) async fn queue_mail(&self, c: &mut impl Conn, to: &str, lang: &str, message: Message) -> AppResult<()> {
        let (subject, body) = message.render(lang, &self.config.instance_name);
        mail::enqueue(c, to, &subject, &body, self.now()).await?;
        Ok(())
    }

    /// Records a `security.*` notification for the user.
    pub(crate) async fn security_notice(
        &self,
        c: &mut impl Conn,
        user_id: i64,
        kind: &str,
        title: &str,
        body: &str,
    ) -> AppResult<()> {
        notifications::insert(
            c,
            notifications::NewNotification { user_id, owner_id: None, kind, title, body, data: "{}", now: self.now() },
        )
        .await?;
        Ok(())
    }

    /// Wakes the mail job after a commit that queued mail.
    pub(crate) fn mail_queued(&self) {
        self.mail_wakeup.notify_one();
    }
}

impl Services {
    /// A notification for every active member of the owner who may read its money
    /// (roles 1, 2, 3, 5), inside the caller's unit of work.
    pub(crate) async fn notify_owner(
        &self,
        c: &mut impl Conn,
        owner_id: i64,
        kind: &str,
        title: &str,
        body: &str,
        data: serde_json::Value,
    ) -> AppResult<()> {
        let data = data.to_string();
        for user_id in notifications::recipients(c, owner_id, &[1, 2, 3, 5]).await? {
            notifications::insert(
                c,
                notifications::NewNotification {
                    user_id,
                    owner_id: Some(owner_id),
                    kind,
                    title,
                    body,
                    data: &data,
                    now: self.now(),
                },
            )
            .await?;
        }
        Ok(())
    }
}

//! Sends one message through SMTP (lettre) or writes it as an `.eml` file.

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message as LettreMessage, Tokio1Executor};

use crate::config::MailTransport;

pub struct Mailer {
    from: lettre::message::Mailbox,
    kind: Kind,
}

enum Kind {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Directory(std::path::PathBuf),
}

impl Mailer {
    pub fn new(transport: &MailTransport, from: &str) -> anyhow::Result<Mailer> {
        let from = from.parse().map_err(|e| anyhow::anyhow!("mail sender {from:?}: {e}"))?;
        let kind = match transport {
            MailTransport::Smtp(url) => Kind::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("PAYGATE_SMTP_URL: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
            ),
            MailTransport::Directory(dir) => Kind::Directory(dir.clone()),
        };
        Ok(Mailer { from, kind })
    }

    /// Sends one message; `id` names the file in directory mode.
    pub async fn send(&self, id: i64, to: &str, subject: &str, body: &str) -> anyhow::Result<()> {
        let msg = LettreMessage::builder()
            .from(self.from.clone())
            .to(to.parse()?)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())?;
        match &self.kind {
            Kind::Smtp(t) => {
                t.send(msg).await?;
            }
            Kind::Directory(dir) => {
                tokio::fs::create_dir_all(dir).await?;
                let name = format!("{}-{id:08}.eml", paygate_core::time::now());
                let path = dir.join(&name);
                // Written aside and renamed: whoever watches the folder never reads half a message.
                let partial = dir.join(format!(".{name}.partial"));
                tokio::fs::write(&partial, msg.formatted()).await?;
                tokio::fs::rename(&partial, &path).await?;
                tracing::info!(to, subject, path = %path.display(), "mail written to the mail directory");
            }
        }
        Ok(())
    }
}

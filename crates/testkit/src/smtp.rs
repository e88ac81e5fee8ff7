//! An SMTP server on loopback that accepts every message and keeps it, so tests read the codes
//! paygate really sent through its SMTP transport.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    /// The raw RFC 5322 message.
    pub data: String,
}

impl Mail {
    /// The message with quoted-printable encoding undone.
    pub fn text(&self) -> String {
        let soft = self.data.replace("=\r\n", "").replace("=\n", "");
        let b = soft.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() {
                out.push(u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("3F"), 16).unwrap_or(b'?'));
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// The first 6-digit code in the message.
    pub fn code(&self) -> Option<String> {
        let text = self.text();
        let bytes = text.as_bytes();
        (0..bytes.len().saturating_sub(5)).find_map(|i| {
            let w = &bytes[i..i + 6];
            let boundary_before = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
            let boundary_after = bytes.get(i + 6).is_none_or(|b| !b.is_ascii_alphanumeric());
            (boundary_before && boundary_after && w.iter().all(u8::is_ascii_digit))
                .then(|| String::from_utf8_lossy(w).into_owned())
        })
    }

    pub fn subject(&self) -> String {
        self.data.lines().find_map(|l| l.strip_prefix("Subject: ")).unwrap_or_default().to_owned()
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    pub url: String,
    mails: Arc<Mutex<Vec<Mail>>>,
    notify: Arc<tokio::sync::Notify>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind SMTP sink");
        let url = format!("smtp://{}", listener.local_addr().expect("addr"));
        let mails = Arc::new(Mutex::new(Vec::new()));
        let notify = Arc::new(tokio::sync::Notify::new());
        let (m, n) = (mails.clone(), notify.clone());
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let (m, n) = (m.clone(), n.clone());
                tokio::spawn(async move {
                    let _ = session(sock, m, n).await;
                });
            }
        });
        SmtpSink { url, mails, notify }
    }

    pub fn all(&self) -> Vec<Mail> {
        self.mails.lock().expect("lock").clone()
    }

    /// Messages to `to` (case-insensitive), oldest first.
    pub fn to(&self, to: &str) -> Vec<Mail> {
        let to = to.to_lowercase();
        self.all().into_iter().filter(|m| m.to.iter().any(|t| t.to_lowercase() == to)).collect()
    }

    /// Waits until `to` has received more than `already` messages and returns the newest.
    pub async fn wait_next(&self, to: &str, already: usize) -> Mail {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let got = self.to(to);
            if got.len() > already {
                return got.last().cloned().expect("non-empty");
            }
            if tokio::time::Instant::now() > deadline {
                panic!(
                    "no mail to {to} within 15 s; all mail: {:?}",
                    self.all().iter().map(|m| (&m.to, m.subject())).collect::<Vec<_>>()
                );
            }
            let _ = tokio::time::timeout(Duration::from_millis(200), self.notify.notified()).await;
        }
    }

    /// Waits until a message to `to` satisfies `pred`.
    pub async fn wait_for(&self, to: &str, pred: impl Fn(&Mail) -> bool) -> Mail {
        let mut seen = 0;
        loop {
            if let Some(m) = self.to(to).into_iter().find(|m| pred(m)) {
                return m;
            }
            seen = self.to(to).len().max(seen);
            self.wait_next(to, seen).await;
        }
    }

    /// How many messages to `to` carry a code so far.
    pub fn code_count(&self, to: &str) -> usize {
        self.to(to).iter().filter(|m| m.code().is_some()).count()
    }

    /// Waits for a message with a code beyond the first `already` such messages to `to` (notices
    /// without a code may arrive in between) and returns the newest code.
    pub async fn next_code(&self, to: &str, already: usize) -> String {
        let mut seen = self.to(to).len();
        loop {
            let got: Vec<String> = self.to(to).iter().filter_map(Mail::code).collect();
            if got.len() > already {
                return got.last().cloned().expect("non-empty");
            }
            self.wait_next(to, seen).await;
            seen = self.to(to).len();
        }
    }
}

async fn session(
    sock: tokio::net::TcpStream,
    mails: Arc<Mutex<Vec<Mail>>>,
    notify: Arc<tokio::sync::Notify>,
) -> std::io::Result<()> {
    let (r, mut w) = sock.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 sink ESMTP\r\n").await?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_ascii_uppercase();
        if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
            w.write_all(b"250-sink\r\n250 8BITMIME\r\n").await?;
        } else if cmd.starts_with("MAIL FROM") {
            to.clear();
            w.write_all(b"250 OK\r\n").await?;
        } else if cmd.starts_with("RCPT TO") {
            let addr = line.trim_end()[8..]
                .trim()
                .trim_start_matches(':')
                .trim()
                .trim_matches(|c| c == '<' || c == '>')
                .to_owned();
            to.push(addr);
            w.write_all(b"250 OK\r\n").await?;
        } else if cmd == "DATA" {
            w.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line));
            }
            mails.lock().expect("lock").push(Mail { to: std::mem::take(&mut to), data });
            notify.notify_waiters();
            w.write_all(b"250 queued\r\n").await?;
        } else if cmd == "QUIT" {
            w.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            w.write_all(b"250 OK\r\n").await?;
        }
    }
}

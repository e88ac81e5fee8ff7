//! What the benchmark drivers share: arguments, and merchants registered through the HTTP API
//! of a running server (codes read from its mail directory).

use std::time::Duration;

use serde_json::{Value, json};

pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

/// The newest code mailed to `email` in the mail directory.
async fn code_from_mail(dir: &str, email: &str) -> anyhow::Result<String> {
    for _ in 0..100 {
        let mut newest: Option<(std::time::SystemTime, String)> = None;
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            if text.contains(&format!("To: {email}")) {
                let m = e.metadata()?.modified()?;
                if newest.as_ref().is_none_or(|(t, _)| m > *t) {
                    newest = Some((m, text));
                }
            }
        }
        if let Some((_, text)) = newest {
            let mail = paygate_testkit::Mail { to: vec![email.into()], data: text };
            if let Some(code) = mail.code() {
                return Ok(code);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("no code mailed to {email}")
}

pub async fn merchant(api: &paygate_testkit::Api, mail_dir: &str, email: &str) -> anyhow::Result<(String, i64)> {
    api.post("/auth/sign-up/email/get-code", json!({"email": email})).await.ok(204);
    let code = code_from_mail(mail_dir, email).await?;
    let pair = api.post("/auth/sign-up/email/check-code", json!({"email": email, "code": code})).await;
    let t = api.with_token(pair.ok(200)["token"].as_str().unwrap());
    t.post("/auth/sign-up/pss/set", json!({"password": "benchmark passphrase 1"})).await.ok(204);
    t.put("/auth/sign-up/user/update", json!({"name": "Bench", "surname": "Mark"})).await.ok(204);
    t.put(
        "/auth/sign-up/owner/update",
        json!({"owner_type": 1, "owner_sub_type": 1, "name": email, "country_id": 203}),
    )
    .await
    .ok(204);
    let full = t.post("/auth/sign-up", json!({})).await;
    let token = full.ok(200)["token"].as_str().unwrap().to_owned();
    let info: Value = api.with_token(&token).get("/api/user/info").await.ok(200).clone();
    Ok((token, info["owner_id"].as_i64().unwrap()))
}

/// Runs `op(worker, i)` from `--concurrency` tasks for `--seconds` and prints how many
/// succeeded, failed, and the rate of successes per second.
pub async fn drive<F, Fut>(op: F) -> anyhow::Result<()>
where
    F: Fn(usize, u64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Instant;
    let seconds: u64 = arg("--seconds").unwrap_or("10".into()).parse()?;
    let concurrency: usize = arg("--concurrency").unwrap_or("16".into()).parse()?;
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = vec![];
    for worker in 0..concurrency {
        let (op, done, failed) = (op.clone(), done.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0u64;
            while Instant::now() < deadline {
                i += 1;
                let counter = if op(worker, i).await { &done } else { &failed };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!("direct_ok={}", done.load(Ordering::Relaxed));
    println!("direct_failed={}", failed.load(Ordering::Relaxed));
    println!("direct_rate={:.1}", done.load(Ordering::Relaxed) as f64 / elapsed);
    Ok(())
}

/// Services on the server's database and secrets, without the background jobs.
pub async fn services() -> anyhow::Result<std::sync::Arc<paygate_app::Services>> {
    let mut config = paygate::Config::load(&paygate::Source::from_process()?)?;
    config.jobs = false;
    paygate::build(&config).await
}

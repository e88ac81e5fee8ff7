//! The binary itself: a fresh `paygate serve` with nothing configured comes up on SQLite, and
//! `paygate admin create-operator` enrols an authenticator.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn clean_command(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_paygate"));
    c.current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("PAYGATE_") || k == "DATABASE_URL" {
            c.env_remove(k);
        }
    }
    c
}

#[tokio::test]
async fn fresh_serve_migrates_sqlite_and_answers() {
    paygate_testkit::tls();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = clean_command(dir.path())
        .arg("serve")
        .env("PAYGATE_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/health/ready");
    let deadline = Instant::now() + Duration::from_secs(30);
    let body = loop {
        if let Ok(r) = reqwest::get(&url).await
            && r.status() == 200
        {
            break r.json::<serde_json::Value>().await.unwrap();
        }
        assert!(Instant::now() < deadline, "paygate serve did not answer");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(body["checks"]["migrations"], "ok");
    assert!(dir.path().join("data/paygate.db").exists());
    assert!(dir.path().join("data/jwt_secret").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("data/encryption_key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "secrets are private");
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn create_operator_prints_the_authenticator_secret() {
    let dir = tempfile::tempdir().unwrap();
    let out = clean_command(dir.path())
        .args(["admin", "create-operator", "--email", "ops@example.com", "--password", "a long operator passphrase"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let secret = text.lines().find_map(|l| l.strip_prefix("totp_secret: ")).unwrap();
    assert_eq!(secret.len(), 32);
    assert!(text.contains(&format!("otpauth_uri: otpauth://totp/paygate:ops%40example.com?secret={secret}")));
    let bad = clean_command(dir.path())
        .args(["admin", "create-operator", "--email", "ops@example.com", "--password", "short"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let migrate = clean_command(dir.path()).arg("migrate").output().unwrap();
    assert!(migrate.status.success());
    let check = clean_command(dir.path()).args(["ledger", "check"]).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    assert!(String::from_utf8_lossy(&check.stdout).starts_with("ok: true"));
}

#[test]
fn ledger_check_exits_1_on_a_broken_ledger() {
    let dir = tempfile::tempdir().unwrap();
    assert!(clean_command(dir.path()).arg("migrate").output().unwrap().status.success());
    // one posting that balances nothing, written behind the ledger's back
    let db = dir.path().join("data/paygate.db");
    let sql = "INSERT INTO ledger_transactions (op_key, operation_type, product_id, status, created_at) VALUES ('broken', 13, 1, 'posted', 1); \
        INSERT INTO accounts (owner_id, kind, coin_id, created_at) VALUES (NULL, 'adjustments', 1, 1); \
        INSERT INTO postings (tx_id, account_id, coin_id, amount, operation_type, created_at) VALUES (1, 1, 1, '5', 13, 1);";
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = paygate_store::Store::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        let mut c = store.conn().await.unwrap();
        for stmt in sql.split(';').filter(|s| !s.trim().is_empty()) {
            paygate_store::testing::execute(&mut c, stmt).await.unwrap();
        }
    });
    let check = clean_command(dir.path()).args(["ledger", "check"]).output().unwrap();
    assert_eq!(check.status.code(), Some(1));
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(
        out.contains("ok: false")
            && out.contains("unbalanced transactions: [1]")
            && out.contains("balances whose figures differ"),
        "{out}"
    );
}

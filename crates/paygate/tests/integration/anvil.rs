//! A real EVM node for the tests: anvil (npm `@foundry-rs/anvil`, installed by
//! `scripts/test.sh` under `tests/evm`) on a free loopback port, spoken to over plain JSON-RPC,
//! and the 6-decimal ERC-20 of `tests/evm/TestToken.sol` compiled with npm `solc`.
//!
//! Anvil's funded development accounts are unlocked: `eth_sendTransaction` from the first one
//! pays without any key in the test. Every transaction is mined at once in its own block.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::process::{Child, Command};

pub struct Anvil {
    pub url: String,
    /// The first development account: holds the ether and deploys the tokens.
    pub funder: String,
    http: reqwest::Client,
    _child: Child,
}

fn evm_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/evm")
}

fn tool(name: &str) -> PathBuf {
    let path = evm_dir().join("node_modules/.bin").join(name);
    assert!(path.exists(), "{} is missing: run ./scripts/test.sh, which installs anvil and solc", path.display());
    path
}

/// The platform's anvil binary itself: the npm package's `bin` is a Node wrapper that would
/// outlive a kill and leave the node running.
fn anvil_binary() -> PathBuf {
    let scope = evm_dir().join("node_modules/@foundry-rs");
    std::fs::read_dir(&scope)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin/anvil"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| tool("anvil"))
}

/// `TestToken`'s creation bytecode, compiled once per test process.
async fn token_bytecode() -> &'static str {
    static CODE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    CODE.get_or_init(|| async {
        let out = tempfile::tempdir().expect("solc out");
        let status = Command::new(tool("solcjs"))
            .current_dir(evm_dir())
            .args(["--bin", "--optimize", "-o"])
            .arg(out.path())
            .arg("TestToken.sol")
            .status()
            .await
            .expect("solcjs runs");
        assert!(status.success(), "TestToken.sol compiles");
        std::fs::read_to_string(out.path().join("TestToken_sol_TestToken.bin")).expect("bytecode").trim().to_owned()
    })
    .await
}

/// A 32-byte ABI word of an unsigned number.
fn word(n: u128) -> String {
    format!("{n:064x}")
}

/// A 32-byte ABI word of an address.
fn address_word(a: &str) -> String {
    format!("{:0>64}", a.trim_start_matches("0x").to_ascii_lowercase())
}

impl Anvil {
    pub async fn start() -> Anvil {
        use tokio::io::AsyncBufReadExt;
        paygate_testkit::tls();
        // Port 0: anvil binds a free port itself and says which, so parallel tests never meet.
        let mut child = Command::new(anvil_binary())
            .args(["--host", "127.0.0.1", "--port", "0", "--chain-id", "31337"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("anvil starts");
        let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
        let listening = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.expect("anvil output") {
                if let Some(addr) = line.trim().strip_prefix("Listening on ") {
                    return addr.to_owned();
                }
            }
            panic!("anvil exited before listening");
        })
        .await
        .expect("anvil listens within 30 s");
        // Keep reading its output so a full pipe never blocks it.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let mut anvil = Anvil {
            url: format!("http://{listening}"),
            funder: String::new(),
            http: reqwest::Client::new(),
            _child: child,
        };
        let accounts = anvil.rpc("eth_accounts", json!([])).await;
        anvil.funder = accounts[0].as_str().expect("account").to_owned();
        anvil
    }

    async fn try_rpc(&self, method: &str, params: Value) -> Option<Value> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let r = self.http.post(&self.url).json(&body).send().await.ok()?;
        let v: Value = r.json().await.ok()?;
        if let Some(e) = v.get("error") {
            panic!("{method} failed: {e}");
        }
        Some(v["result"].clone())
    }

    pub async fn rpc(&self, method: &str, params: Value) -> Value {
        self.try_rpc(method, params).await.unwrap_or_else(|| panic!("{method}: anvil unreachable"))
    }

    /// Sends a transaction from the funder; returns its hash once it is mined, in a block of its own.
    async fn send(&self, to: Option<&str>, value_wei: u128, data: &str) -> String {
        let mut tx = json!({"from": self.funder, "value": format!("0x{value_wei:x}"), "data": data, "gas": "0x989680"});
        if let Some(to) = to {
            tx["to"] = json!(to);
        }
        let hash = self.rpc("eth_sendTransaction", json!([tx])).await.as_str().expect("tx hash").to_owned();
        self.receipt(&hash).await;
        hash
    }

    /// The receipt of a sent transaction, once it is mined (anvil mines just after answering).
    async fn receipt(&self, hash: &str) -> Value {
        for _ in 0..200 {
            let r = self.rpc("eth_getTransactionReceipt", json!([hash])).await;
            if !r.is_null() {
                assert_eq!(r["status"], "0x1", "transaction succeeded: {r}");
                return r;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{hash} was not mined");
    }

    pub async fn send_eth(&self, to: &str, wei: u128) -> String {
        self.send(Some(to), wei, "0x").await
    }

    /// Deploys a `TestToken` with `decimals` and the whole supply at the funder; its address.
    pub async fn deploy_token(&self, decimals: u8) -> String {
        let code = token_bytecode().await;
        let data = format!("0x{code}{}{}", word(decimals as u128), word(10u128.pow(30)));
        let hash = self.send(None, 0, &data).await;
        self.receipt(&hash).await["contractAddress"].as_str().expect("deployed").to_owned()
    }

    /// `transfer(to, units)` of a token, from the funder.
    pub async fn send_token(&self, token: &str, to: &str, units: u128) -> String {
        let data = format!("0xa9059cbb{}{}", address_word(to), word(units));
        self.send(Some(token), 0, &data).await
    }

    pub async fn mine(&self, blocks: u64) {
        self.rpc("anvil_mine", json!([format!("0x{blocks:x}")])).await;
    }

    pub async fn snapshot(&self) -> Value {
        self.rpc("evm_snapshot", json!([])).await
    }

    /// Back to a snapshot: every block after it is gone, as in a reorganisation.
    pub async fn revert(&self, snapshot: Value) {
        assert_eq!(self.rpc("evm_revert", json!([snapshot])).await, json!(true));
    }
}

/// Wei of an amount of ether given as a decimal string with at most 18 decimals.
pub fn wei(eth: &str) -> u128 {
    paygate_core::Amount::parse(eth).unwrap().to_base_units(18).unwrap().parse().unwrap()
}

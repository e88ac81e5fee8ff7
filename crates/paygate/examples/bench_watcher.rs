//! bench_watcher — the EVM watcher's work for one block of ERC-20 transfers while few and while
//! many addresses are watched, and the delay from a mined block to the invoice it pays.
//!
//!   bench_watcher --anvil URL --token-bin FILE [--transfers 1000] [--small 100] [--large 100000]
//!                 [--rounds 9] [--poll-ms 200]
//!
//! Services are built from the environment like the server's (`DATABASE_URL`,
//! `PAYGATE_NETWORK_MODE=test`, `PAYGATE_CHAIN_DEVNET_RPC_URL` naming the anvil). Each block
//! carries `--transfers` token transfers: ten to watched addresses (credited as deposits, in both
//! phases alike), the rest to addresses nobody watches. Prints `key=value` lines.

use std::time::{Duration, Instant};

use paygate_chain::address::eip55;
use paygate_chain::evm::selector;
use paygate_store::{invoices, owners, testing, xpubs};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

mod common;

use common::{Paying, arg, choose_token, invoice_row, services};

const DEVNET: i64 = 8;
const USDT: i64 = 11;
/// Recipients per `scatter` call: four calls fill a block of 1,000 transfers.
const PER_CALL: usize = 250;

struct Node {
    http: reqwest::Client,
    url: String,
    from: String,
}

impl Node {
    async fn rpc(&self, method: &str, params: Value) -> anyhow::Result<Value> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let v: Value = self.http.post(&self.url).json(&body).send().await?.json().await?;
        if let Some(e) = v.get("error") {
            anyhow::bail!("{method}: {e}");
        }
        Ok(v["result"].clone())
    }

    async fn send(&self, to: Option<&str>, data: String) -> anyhow::Result<String> {
        let mut tx = json!({"from": self.from, "data": data, "gas": "0x5f5e100"});
        if let Some(to) = to {
            tx["to"] = json!(to);
        }
        Ok(self.rpc("eth_sendTransaction", json!([tx])).await?.as_str().unwrap_or_default().to_owned())
    }

    async fn receipt(&self, hash: &str) -> anyhow::Result<Value> {
        for _ in 0..500 {
            let r = self.rpc("eth_getTransactionReceipt", json!([hash])).await?;
            if !r.is_null() {
                return Ok(r);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        anyhow::bail!("{hash} not mined")
    }

    /// One block holding `calls` (each a contract call's data), mined at once.
    async fn block_of(&self, token: &str, calls: Vec<String>) -> anyhow::Result<()> {
        self.rpc("evm_setAutomine", json!([false])).await?;
        let mut hashes = vec![];
        for data in calls {
            hashes.push(self.send(Some(token), data).await?);
        }
        self.rpc("evm_mine", json!([])).await?;
        self.rpc("evm_setAutomine", json!([true])).await?;
        let mut blocks = std::collections::BTreeSet::new();
        for h in hashes {
            let r = self.receipt(&h).await?;
            anyhow::ensure!(r["status"] == "0x1", "a transfer failed: {r}");
            blocks.insert(r["blockNumber"].as_str().unwrap_or_default().to_owned());
        }
        anyhow::ensure!(blocks.len() == 1, "the transfers spilled over {} blocks", blocks.len());
        Ok(())
    }
}

fn word(n: u128) -> String {
    format!("{n:064x}")
}

fn address_word(a: &str) -> String {
    format!("{:0>64}", a.trim_start_matches("0x").to_ascii_lowercase())
}

/// `scatter(to[], value)`: one `Transfer` log per recipient.
fn scatter(to: &[String], value: u128) -> String {
    let mut data = format!(
        "0x{}{}{}{}",
        hex::encode(selector("scatter(address[],uint256)")),
        word(0x40),
        word(value),
        word(to.len() as u128)
    );
    for a in to {
        data.push_str(&address_word(a));
    }
    data
}

/// A distinct address per `(salt, n)`, EIP-55 as paygate stores it.
fn address(salt: &str, n: u64) -> String {
    let digest = Sha256::digest(format!("{salt}:{n}").as_bytes());
    eip55(&digest[..20].try_into().expect("20 bytes"))
}

/// An invoice of 10 USDT awaiting payment on the devnet, as `/invoice/pay` leaves it; its address.
async fn awaiting_invoice(
    services: &paygate_app::Services,
    id: i64,
    owner_id: i64,
    now: i64,
) -> anyhow::Result<String> {
    let mut tx = services.store.begin().await?;
    invoices::insert(&mut tx, &invoice_row(id, owner_id, now)).await?;
    let usdt = Paying { chain_id: DEVNET, token_id: USDT, family: paygate_chain::Family::Evm, is_test: true };
    let address = choose_token(&mut tx, id, owner_id, &usdt, now).await?;
    tx.commit().await?;
    Ok(address)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    paygate_testkit::tls();
    let num = |name: &str, default: u64| arg(name).map(|v| v.parse::<u64>().expect(name)).unwrap_or(default);
    let (transfers, small, large, rounds, poll_ms) = (
        num("--transfers", 1000),
        num("--small", 100),
        num("--large", 100_000),
        num("--rounds", 9),
        num("--poll-ms", 200),
    );
    let code = std::fs::read_to_string(arg("--token-bin").expect("--token-bin"))?;
    let http = reqwest::Client::new();
    let mut node = Node { http, url: arg("--anvil").expect("--anvil"), from: String::new() };
    node.from = node.rpc("eth_accounts", json!([])).await?[0].as_str().unwrap_or_default().to_owned();
    let services = services().await?;
    let now = paygate_core::time::now();

    // The devnet's key, its USDT contract, and an owner of every watched address.
    let tpub = paygate_chain::xpub_from_seed_on(&[7u8; 32], true)?;
    let fingerprint = paygate_chain::Xpub::parse(&tpub, true)?.fingerprint();
    let deploy = node.send(None, format!("0x{}{}{}", code.trim(), word(6), word(10u128.pow(30)))).await?;
    let token = node.receipt(&deploy).await?["contractAddress"].as_str().unwrap_or_default().to_owned();
    let mut tx = services.store.begin().await?;
    let key_id = xpubs::insert(&mut tx, DEVNET, &tpub, &fingerprint, "0/{index}", now).await?;
    testing::execute(
        &mut tx,
        &format!("UPDATE tokens SET contract_address = '{token}', enabled = TRUE WHERE id = {USDT}"),
    )
    .await?;
    let data = owners::OwnerData {
        owner_type: 1,
        owner_sub_type: 1,
        name: "Watcher bench".into(),
        country_id: 203,
        ..Default::default()
    };
    let owner_id = owners::insert(&mut tx, &data, &format!("WB{:06}", now % 1_000_000), None, 2, now).await?;
    tx.commit().await?;
    services.forget_reference();
    services.watch_chain(DEVNET).await?; // places the cursor at the head

    let mut watched = 0u64;
    let mut results = vec![];
    for target in [small, large] {
        // Watched addresses up to `target`, inserted in batches like any standing wallet's row.
        let mut c = services.store.conn().await?;
        while watched < target {
            let batch: Vec<String> = (watched..target.min(watched + 1000))
                .map(|i| {
                    format!(
                        "({DEVNET}, '{}', {key_id}, {}, {owner_id}, 'wallet', NULL, NULL, {now})",
                        address("watched", i),
                        1_000_000 + i
                    )
                })
                .collect();
            watched += batch.len() as u64;
            let sql = format!(
                "INSERT INTO addresses (chain_id, address, xpub_id, derivation_index, owner_id, purpose, invoice_id, label, created_at) VALUES {}",
                batch.join(", ")
            );
            testing::execute(&mut c, &sql).await?;
        }
        drop(c);
        let mut times = vec![];
        for round in 0..rounds {
            let mut to: Vec<String> = (0..10).map(|i| address("watched", i * (small / 10).max(1))).collect();
            to.extend((10..transfers).map(|i| address(&format!("stranger-{target}-{round}"), i)));
            node.block_of(&token, to.chunks(PER_CALL).map(|c| scatter(c, 1_000_000)).collect()).await?;
            let started = Instant::now();
            let blocks = services.watch_chain(DEVNET).await?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(blocks == 1, "one block per round, read {blocks}");
        }
        let ms = median(times);
        println!("watched={target} transfers={transfers} block_ms={ms:.1}");
        results.push(ms);
    }
    println!("ratio={:.2}", results[1] / results[0]);

    // Block to invoice: the watcher polls like the job does while invoices' payments are mined.
    let watcher = {
        let services = services.clone();
        tokio::spawn(async move {
            loop {
                let _ = services.watch_chain(DEVNET).await;
                tokio::time::sleep(Duration::from_millis(poll_ms)).await;
            }
        })
    };
    let mut delays = vec![];
    for n in 0..rounds as i64 {
        let id = (1i64 << 40) + (now % 1_000_000) * 100 + n;
        let pay_to = awaiting_invoice(&services, id, owner_id, now).await?;
        // Paid at a random point of the watcher's polling cycle.
        tokio::time::sleep(Duration::from_millis(poll_ms + (n as u64 * 37) % poll_ms)).await;
        let hash = node.send(Some(&token), format!("0xa9059cbb{}{}", address_word(&pay_to), word(10_000_000))).await?;
        node.receipt(&hash).await?;
        let mined = Instant::now();
        loop {
            let mut c = services.store.conn().await?;
            if invoices::get(&mut c, id).await?.is_some_and(|i| i.status == 4) {
                break;
            }
            anyhow::ensure!(mined.elapsed() < Duration::from_secs(30), "the invoice was not paid within 30 s");
            drop(c);
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        delays.push(mined.elapsed().as_secs_f64() * 1000.0);
    }
    let worst = delays.iter().copied().fold(0.0, f64::max);
    println!("poll_ms={poll_ms} block_to_paid_ms_median={:.0} block_to_paid_ms_max={worst:.0}", median(delays));
    watcher.abort();
    Ok(())
}

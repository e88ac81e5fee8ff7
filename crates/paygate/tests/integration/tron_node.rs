//! An in-process stand-in for a Tron node's HTTP API (java-tron / TronGrid; none can run here):
//! blocks, `TransferContract` and `TriggerSmartContract` transactions and their transaction infos
//! with TRC-20 `Transfer` logs, in the JSON shapes Tron's documentation gives, addresses in the
//! node's `41…` hex. Tests queue payments, mine blocks and replace the tip.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const API_KEY: &str = "tron-test-key";

struct Pending {
    tx: Value,
    info: Option<Value>,
}

struct Block {
    id: String,
    number: u64,
    parent: String,
    txs: Vec<Pending>,
}

struct Chain {
    blocks: Vec<Block>,
    pending: Vec<Pending>,
    /// TRC-20 contracts (41-hex) and their decimals.
    contracts: HashMap<String, u8>,
    counter: u64,
}

#[derive(Clone)]
pub struct TronNode {
    pub url: String,
    chain: Arc<Mutex<Chain>>,
}

fn sha(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// `T…` → `41…` hex, as the node writes addresses.
pub fn hex41(base58: &str) -> String {
    format!("41{}", paygate_chain::tron::base58_to_hex20(base58).expect("a Tron address"))
}

impl Chain {
    fn mine_one(&mut self) {
        self.counter += 1;
        let number = self.blocks.len() as u64;
        let parent = self.blocks.last().map(|b| b.id.clone()).unwrap_or_else(|| "0".repeat(64));
        // A block id starts with its height (8 bytes), as on Tron.
        let digest = sha(&[parent.as_bytes(), &self.counter.to_be_bytes()]);
        let id = format!("{number:016x}{}", &digest[16..]);
        let txs = std::mem::take(&mut self.pending);
        self.blocks.push(Block { id, number, parent, txs });
    }

    fn block_json(&self, b: &Block) -> Value {
        let mut v = json!({
            "blockID": b.id,
            "block_header": {
                "raw_data": {
                    "number": b.number,
                    "txTrieRoot": sha(&[b.id.as_bytes(), b"trie"]),
                    "witness_address": "41e5b8d2ea3b1c1f4fe3d5a2b8c7d6e5f4a3b2c1d0",
                    "parentHash": b.parent,
                    "version": 30,
                    "timestamp": 1_700_000_000_000u64 + b.number * 3000,
                },
                "witness_signature": sha(&[b.id.as_bytes(), b"sig"]),
            },
        });
        // An empty block has no `transactions` key at all.
        if !b.txs.is_empty() {
            v["transactions"] = json!(b.txs.iter().map(|p| p.tx.clone()).collect::<Vec<_>>());
        }
        v
    }

    fn next_txid(&mut self) -> String {
        self.counter += 1;
        sha(&[b"tx", &self.counter.to_be_bytes()])
    }
}

fn tx(txid: &str, contract_type: &str, value: Value, ret: &str) -> Value {
    json!({
        "ret": [{"contractRet": ret}],
        "signature": [sha(&[txid.as_bytes(), b"sig"]) + &"0".repeat(66)],
        "txID": txid,
        "raw_data": {
            "contract": [{
                "parameter": {"value": value, "type_url": format!("type.googleapis.com/protocol.{contract_type}")},
                "type": contract_type,
            }],
            "ref_block_bytes": "0a49",
            "ref_block_hash": &txid[..16],
            "expiration": 1_700_000_060_000u64,
            "timestamp": 1_700_000_000_000u64,
        },
        "raw_data_hex": format!("0a020a49{}", &txid[..32]),
    })
}

/// The sender of every test payment.
const PAYER: &str = "41a7d8a35b260395c14aa456297662092ba3b76fc0";

async fn handle(
    State(chain): State<Arc<Mutex<Chain>>>,
    axum::extract::Path(method): axum::extract::Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if headers.get("tron-pro-api-key").and_then(|v| v.to_str().ok()) != Some(API_KEY) {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({"Error": "ApiKey not exists"}))).into_response();
    }
    let req: Value = serde_json::from_str(&body).unwrap_or(json!({}));
    let chain = chain.lock().unwrap();
    let num = || req.get("num").and_then(Value::as_u64).unwrap_or(u64::MAX);
    let answer = match method.as_str() {
        "getnowblock" => chain.block_json(chain.blocks.last().expect("genesis")),
        "getblockbynum" => chain.blocks.get(num() as usize).map(|b| chain.block_json(b)).unwrap_or(json!({})),
        "gettransactioninfobyblocknum" => match chain.blocks.get(num() as usize) {
            Some(b) => json!(b.txs.iter().filter_map(|p| p.info.clone()).collect::<Vec<_>>()),
            None => json!([]),
        },
        "getchainparameters" => json!({"chainParameter": [
            {"key": "getMaintenanceTimeInterval", "value": 21_600_000},
            {"key": "getTransactionFee", "value": 1000},
            {"key": "getEnergyFee", "value": 420},
        ]}),
        "triggerconstantcontract" => {
            let contract = req.get("contract_address").and_then(Value::as_str).map(hex41).unwrap_or_default();
            match (req.get("function_selector").and_then(Value::as_str), chain.contracts.get(&contract)) {
                (Some("decimals()"), Some(d)) => json!({
                    "result": {"result": true},
                    "energy_used": 217,
                    "constant_result": [format!("{:064x}", d)],
                    "transaction": {"ret": [{}], "txID": sha(&[b"const"])},
                }),
                _ => json!({"result": {"code": "CONTRACT_VALIDATE_ERROR", "message": "636f6e7472616374"}}),
            }
        }
        _ => return (StatusCode::NOT_FOUND, "Not Found").into_response(),
    };
    axum::Json(answer).into_response()
}

impl TronNode {
    pub async fn start() -> TronNode {
        let mut chain = Chain { blocks: vec![], pending: vec![], contracts: HashMap::new(), counter: 0 };
        chain.mine_one(); // genesis
        let chain = Arc::new(Mutex::new(chain));
        let app = axum::Router::new().route("/wallet/{method}", axum::routing::post(handle)).with_state(chain.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        TronNode { url, chain }
    }

    /// A TRC-20 contract with `decimals` that the node knows; its base58 address.
    pub fn deploy_token(&self, decimals: u8) -> String {
        let mut chain = self.chain.lock().unwrap();
        chain.counter += 1;
        let account: [u8; 20] =
            hex::decode(&sha(&[b"contract", &chain.counter.to_be_bytes()])[..40]).unwrap().try_into().unwrap();
        let address = paygate_chain::tron::hex_to_base58(&hex::encode(account)).unwrap();
        chain.contracts.insert(hex41(&address), decimals);
        address
    }

    /// Queues a TRX transfer of `sun` to `to` (base58); `ret` is its outcome (`SUCCESS`, …).
    pub fn pay_trx(&self, to: &str, sun: u64, ret: &str) -> String {
        let mut chain = self.chain.lock().unwrap();
        let txid = chain.next_txid();
        let value = json!({"amount": sun, "owner_address": PAYER, "to_address": hex41(to)});
        chain.pending.push(Pending { tx: tx(&txid, "TransferContract", value, ret), info: None });
        txid
    }

    /// Queues a TRC-20 `transfer(to, units)` call on `contract` and its transaction info with
    /// the `Transfer` log; `result` is the receipt's (`SUCCESS`, `REVERT`, …).
    pub fn pay_token(&self, contract: &str, to: &str, units: u128, result: &str) -> String {
        let mut chain = self.chain.lock().unwrap();
        let txid = chain.next_txid();
        let to_word = format!("{:0>64}", &hex41(to)[2..]);
        let data = format!("a9059cbb{to_word}{units:064x}");
        let value = json!({"data": data, "owner_address": PAYER, "contract_address": hex41(contract)});
        let ret = if result == "SUCCESS" { "SUCCESS" } else { "REVERT" };
        let number = chain.blocks.len();
        let logs = if result == "SUCCESS" {
            json!([{
                "address": &hex41(contract)[2..],
                "topics": [
                    "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",
                    format!("{:0>64}", &PAYER[2..]),
                    to_word,
                ],
                "data": format!("{units:064x}"),
            }])
        } else {
            json!([])
        };
        let info = json!({
            "id": txid,
            "fee": 13_844_850,
            "blockNumber": number,
            "blockTimeStamp": 1_700_000_000_000u64 + number as u64 * 3000,
            "contractResult": [""],
            "contract_address": hex41(contract),
            "receipt": {"energy_fee": 13_499_850, "energy_usage_total": 64_285, "net_fee": 345_000, "result": result},
            "log": logs,
        });
        chain.pending.push(Pending { tx: tx(&txid, "TriggerSmartContract", value, ret), info: Some(info) });
        txid
    }

    pub fn mine(&self, blocks: usize) {
        let mut chain = self.chain.lock().unwrap();
        for _ in 0..blocks {
            chain.mine_one();
        }
    }

    /// Drops the last `depth` blocks; their transactions return to the queue unless dropped.
    pub fn replace_tip(&self, depth: usize, drop_transactions: bool) {
        let mut chain = self.chain.lock().unwrap();
        for _ in 0..depth {
            let block = chain.blocks.pop().expect("a block to drop");
            if !drop_transactions {
                chain.pending.extend(block.txs);
            }
        }
    }
}

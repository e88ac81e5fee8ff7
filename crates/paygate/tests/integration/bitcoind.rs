//! An in-process stand-in for Bitcoin Core's JSON-RPC (no bitcoind can be installed here): a
//! regtest chain of real blocks and transactions built and serialised with rust-bitcoin, served
//! with Core's method names, JSON shapes (`getblock` verbosity 0, 1 and 2), error codes and HTTP
//! basic authentication. Tests queue payments, mine blocks and replace the tip.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use bitcoin::absolute::LockTime;
use bitcoin::block::{Header, Version as BlockVersion};
use bitcoin::consensus::encode::serialize_hex;
use bitcoin::hashes::Hash;
use bitcoin::transaction::Version;
use bitcoin::{
    Address, Amount, Block, BlockHash, CompactTarget, Network, OutPoint, ScriptBuf, Sequence, Transaction, TxIn,
    TxMerkleNode, TxOut, Txid, Witness,
};
use serde_json::{Value, json};

pub const USER: &str = "paygate";
pub const PASSWORD: &str = "regtest-secret";

struct Chain {
    blocks: Vec<Block>,
    mempool: Vec<Transaction>,
    /// BTC per 1000 vbytes that `estimatesmartfee` answers; `None`: too little data.
    fee_rate: Option<&'static str>,
    /// Makes every block and transaction unique, also across replaced branches.
    counter: u32,
    /// How long every answer is held back (a node that is slow or hung).
    stall: std::time::Duration,
}

#[derive(Clone)]
pub struct Bitcoind {
    pub url: String,
    chain: Arc<Mutex<Chain>>,
}

impl Chain {
    fn mine_one(&mut self) {
        self.counter += 1;
        let height = self.blocks.len() as i64;
        let mut script_sig = bitcoin::script::Builder::new().push_int(height).into_script();
        // BIP34 height, then something that differs between branches.
        script_sig.push_slice(self.counter.to_le_bytes());
        let coinbase = Transaction {
            version: Version::TWO,
            lock_time: LockTime::ZERO,
            input: vec![TxIn {
                previous_output: OutPoint::null(),
                script_sig,
                sequence: Sequence::MAX,
                witness: Witness::new(),
            }],
            output: vec![TxOut {
                value: Amount::from_sat(50 * 100_000_000),
                script_pubkey: ScriptBuf::new_op_return([0u8; 4]),
            }],
        };
        let mut txdata = vec![coinbase];
        txdata.append(&mut self.mempool);
        let prev_blockhash = self.blocks.last().map(|b| b.block_hash()).unwrap_or_else(BlockHash::all_zeros);
        let mut block = Block {
            header: Header {
                version: BlockVersion::TWO,
                prev_blockhash,
                merkle_root: TxMerkleNode::all_zeros(),
                time: 1_700_000_000 + self.counter,
                bits: CompactTarget::from_consensus(0x207f_ffff),
                nonce: self.counter,
            },
            txdata,
        };
        block.header.merkle_root = block.compute_merkle_root().expect("transactions");
        self.blocks.push(block);
    }

    fn hash_at(&self, height: u64) -> Option<String> {
        self.blocks.get(height as usize).map(|b| b.block_hash().to_string())
    }

    fn block_by_hash(&self, hash: &str) -> Option<(usize, &Block)> {
        self.blocks.iter().enumerate().find(|(_, b)| b.block_hash().to_string() == hash)
    }
}

/// A value in BTC as Core writes it: a JSON number with eight decimals.
fn btc(a: Amount) -> Value {
    let sats = a.to_sat();
    Value::Number(serde_json::Number::from_str(&format!("{}.{:08}", sats / 100_000_000, sats % 100_000_000)).unwrap())
}

fn tx_json(tx: &Transaction) -> Value {
    let vin: Vec<Value> = tx
        .input
        .iter()
        .map(|i| {
            if i.previous_output.is_null() {
                json!({"coinbase": hex::encode(i.script_sig.as_bytes()), "sequence": i.sequence.0})
            } else {
                json!({
                    "txid": i.previous_output.txid.to_string(),
                    "vout": i.previous_output.vout,
                    "scriptSig": {"asm": "", "hex": hex::encode(i.script_sig.as_bytes())},
                    "txinwitness": i.witness.iter().map(hex::encode).collect::<Vec<_>>(),
                    "sequence": i.sequence.0,
                })
            }
        })
        .collect();
    let vout: Vec<Value> = tx
        .output
        .iter()
        .enumerate()
        .map(|(n, o)| {
            let mut spk =
                json!({"asm": o.script_pubkey.to_asm_string(), "hex": hex::encode(o.script_pubkey.as_bytes())});
            match Address::from_script(&o.script_pubkey, Network::Regtest) {
                Ok(a) => {
                    spk["address"] = json!(a.to_string());
                    spk["type"] = json!(if o.script_pubkey.is_p2wpkh() { "witness_v0_keyhash" } else { "nonstandard" });
                }
                Err(_) => spk["type"] = json!(if o.script_pubkey.is_op_return() { "nulldata" } else { "nonstandard" }),
            }
            json!({"value": btc(o.value), "n": n, "scriptPubKey": spk})
        })
        .collect();
    json!({
        "txid": tx.compute_txid().to_string(),
        "hash": tx.compute_wtxid().to_string(),
        "version": tx.version.0,
        "size": tx.total_size(),
        "vsize": tx.vsize(),
        "weight": tx.weight().to_wu(),
        "locktime": tx.lock_time.to_consensus_u32(),
        "vin": vin,
        "vout": vout,
        "hex": serialize_hex(tx),
    })
}

fn block_json(chain: &Chain, height: usize, block: &Block, verbosity: u64) -> Value {
    if verbosity == 0 {
        return json!(serialize_hex(block));
    }
    let txs: Vec<Value> = if verbosity >= 2 {
        block.txdata.iter().map(tx_json).collect()
    } else {
        block.txdata.iter().map(|t| json!(t.compute_txid().to_string())).collect()
    };
    let mut b = json!({
        "hash": block.block_hash().to_string(),
        "confirmations": chain.blocks.len() - height,
        "height": height,
        "version": block.header.version.to_consensus(),
        "merkleroot": block.header.merkle_root.to_string(),
        "time": block.header.time,
        "mediantime": block.header.time,
        "nonce": block.header.nonce,
        "bits": format!("{:08x}", block.header.bits.to_consensus()),
        "difficulty": 4.656542373906925e-10,
        "nTx": block.txdata.len(),
        "size": bitcoin::consensus::encode::serialize(block).len(),
        "weight": block.weight().to_wu(),
        "tx": txs,
    });
    if height > 0 {
        b["previousblockhash"] = json!(block.header.prev_blockhash.to_string());
    }
    if let Some(next) = chain.hash_at(height as u64 + 1) {
        b["nextblockhash"] = json!(next);
    }
    b
}

fn rpc_error(id: &Value, code: i64, message: &str) -> Response {
    // Core answers RPC errors of JSON-RPC 1.0 calls with HTTP 500 (404 for unknown methods).
    let status = if code == -32601 { StatusCode::NOT_FOUND } else { StatusCode::INTERNAL_SERVER_ERROR };
    (status, axum::Json(json!({"result": null, "error": {"code": code, "message": message}, "id": id}))).into_response()
}

async fn handle(State(chain): State<Arc<Mutex<Chain>>>, headers: HeaderMap, body: String) -> Response {
    let expected = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}")));
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let stall = chain.lock().unwrap().stall;
    tokio::time::sleep(stall).await;
    let Ok(req) = serde_json::from_str::<Value>(&body) else {
        return rpc_error(&Value::Null, -32700, "Parse error");
    };
    let id = req["id"].clone();
    let params = req["params"].as_array().cloned().unwrap_or_default();
    let chain = chain.lock().unwrap();
    let result = match req["method"].as_str().unwrap_or_default() {
        "getblockcount" => json!(chain.blocks.len() - 1),
        "getbestblockhash" => json!(chain.hash_at(chain.blocks.len() as u64 - 1)),
        "getblockhash" => match params.first().and_then(Value::as_u64).and_then(|h| chain.hash_at(h)) {
            Some(h) => json!(h),
            None => return rpc_error(&id, -8, "Block height out of range"),
        },
        "getblock" => {
            let hash = params.first().and_then(Value::as_str).unwrap_or_default();
            let verbosity = params.get(1).and_then(Value::as_u64).unwrap_or(1);
            match chain.block_by_hash(hash) {
                Some((height, block)) => block_json(&chain, height, block, verbosity),
                None => return rpc_error(&id, -5, "Block not found"),
            }
        }
        "estimatesmartfee" => match chain.fee_rate {
            Some(rate) => json!({"feerate": Value::Number(serde_json::Number::from_str(rate).unwrap()), "blocks": 6}),
            None => json!({"errors": ["Insufficient data or no feerate found"], "blocks": 0}),
        },
        "getblockchaininfo" => json!({"chain": "regtest", "blocks": chain.blocks.len() - 1}),
        _ => return rpc_error(&id, -32601, "Method not found"),
    };
    axum::Json(json!({"result": result, "error": null, "id": id})).into_response()
}

impl Bitcoind {
    pub async fn start() -> Bitcoind {
        let mut chain = Chain {
            blocks: vec![],
            mempool: vec![],
            fee_rate: Some("0.00010000"),
            counter: 0,
            stall: std::time::Duration::ZERO,
        };
        chain.mine_one(); // genesis
        let chain = Arc::new(Mutex::new(chain));
        let app = axum::Router::new().route("/", axum::routing::post(handle)).with_state(chain.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Bitcoind { url, chain }
    }

    /// Queues one transaction paying each (address, satoshis) in its own output; its txid.
    pub fn pay(&self, outputs: &[(&str, u64)]) -> String {
        let mut chain = self.chain.lock().unwrap();
        chain.counter += 1;
        let funding = Txid::from_byte_array([chain.counter as u8; 32]);
        let tx = Transaction {
            version: Version::TWO,
            lock_time: LockTime::ZERO,
            input: vec![TxIn {
                previous_output: OutPoint { txid: funding, vout: chain.counter },
                script_sig: ScriptBuf::new(),
                sequence: Sequence::ENABLE_RBF_NO_LOCKTIME,
                witness: Witness::from_slice(&[vec![0x30; 71], vec![0x02; 33]]),
            }],
            output: outputs
                .iter()
                .map(|(a, sats)| TxOut {
                    value: Amount::from_sat(*sats),
                    script_pubkey: Address::from_str(a).expect("address").assume_checked().script_pubkey(),
                })
                .collect(),
        };
        let txid = tx.compute_txid().to_string();
        chain.mempool.push(tx);
        txid
    }

    /// Holds every answer back for `d` from now on.
    pub fn stall(&self, d: std::time::Duration) {
        self.chain.lock().unwrap().stall = d;
    }

    pub fn mine(&self, blocks: usize) {
        let mut chain = self.chain.lock().unwrap();
        for _ in 0..blocks {
            chain.mine_one();
        }
    }

    /// Drops the last `depth` blocks, as a longer branch without them would; their
    /// transactions return to the mempool unless `drop_transactions`.
    pub fn replace_tip(&self, depth: usize, drop_transactions: bool) {
        let mut chain = self.chain.lock().unwrap();
        for _ in 0..depth {
            let block = chain.blocks.pop().expect("a block to drop");
            if !drop_transactions {
                chain.mempool.extend(block.txdata.into_iter().skip(1));
            }
        }
    }
}

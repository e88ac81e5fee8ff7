//! A Bitcoin Core node over JSON-RPC: the height, block hashes, blocks read with verbosity 2
//! (every transaction with its outputs), and `estimatesmartfee`.
//!
//! Each output is a payment of its own, keyed by (txid, vout). Output values are read from the
//! JSON text exactly (never through a float) and converted to satoshis; the paid address is
//! computed from the output's script in the form paygate derives for the chain (`bc1…`, `tb1…`,
//! `bcrt1…`), so it matches the watched addresses whatever the node prints.

use std::time::Duration;

use bitcoin::{Address, Network, ScriptBuf};
use serde_json::{Value, json};

use crate::address::Net;
use crate::node::NodeError;

/// Virtual size of a typical one-input, two-output P2WPKH payment (fee estimates only).
const TYPICAL_VSIZE: u64 = 141;

pub struct BitcoinNode {
    http: reqwest::Client,
    url: String,
    auth: Option<(String, String)>,
    network: Network,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BtcBlock {
    pub height: u64,
    pub hash: String,
    pub parent_hash: String,
    pub outputs: Vec<BtcOutput>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BtcOutput {
    pub txid: String,
    pub vout: u32,
    pub address: String,
    pub sats: u64,
}

fn protocol(what: impl std::fmt::Display) -> NodeError {
    NodeError::Protocol(what.to_string())
}

/// Bitcoin Core's "block height out of range" and "block not found".
const NOT_FOUND: [i64; 2] = [-8, -5];

impl BitcoinNode {
    /// A client of the node at `url` (user and password of its RPC, when it wants them) on
    /// `net`; every call gives up after `timeout`.
    pub fn new(
        url: &str,
        auth: Option<(String, String)>,
        net: Net,
        timeout: Duration,
    ) -> Result<BitcoinNode, NodeError> {
        url::Url::parse(url).map_err(|e| NodeError::Config(format!("node URL: {e}")))?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| NodeError::Config(e.to_string()))?;
        Ok(BitcoinNode { http, url: url.to_owned(), auth, network: net.bitcoin() })
    }

    /// One call; `Ok(None)` when the node says the block does not exist.
    async fn call(&self, method: &str, params: Value) -> Result<Option<Value>, NodeError> {
        let body = json!({"jsonrpc": "1.0", "id": "paygate", "method": method, "params": params});
        let mut req = self.http.post(&self.url).json(&body);
        if let Some((user, password)) = &self.auth {
            req = req.basic_auth(user, Some(password));
        }
        let resp = req.send().await.map_err(|e| NodeError::Unreachable(e.to_string()))?;
        let status = resp.status();
        // Core answers errors with 500 (or 404) and a JSON body, so the body decides.
        let text = resp.text().await.map_err(|e| NodeError::Unreachable(e.to_string()))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|_| NodeError::Unreachable(format!("{method}: HTTP {status}: not JSON-RPC")))?;
        match v.get("error") {
            Some(e) if !e.is_null() => {
                if e.get("code").and_then(Value::as_i64).is_some_and(|c| NOT_FOUND.contains(&c)) {
                    return Ok(None);
                }
                Err(NodeError::Unreachable(format!("{method}: {e}")))
            }
            _ => Ok(Some(v.get("result").cloned().unwrap_or(Value::Null))),
        }
    }

    async fn require(&self, method: &str, params: Value) -> Result<Value, NodeError> {
        self.call(method, params).await?.ok_or_else(|| protocol(format!("{method}: not found")))
    }

    pub async fn head(&self) -> Result<u64, NodeError> {
        self.require("getblockcount", json!([])).await?.as_u64().ok_or_else(|| protocol("getblockcount"))
    }

    pub async fn block_hash(&self, height: u64) -> Result<Option<String>, NodeError> {
        Ok(self.call("getblockhash", json!([height])).await?.and_then(|v| v.as_str().map(str::to_owned)))
    }

    /// The block at `height` with every output that pays an address.
    pub async fn block(&self, height: u64) -> Result<Option<BtcBlock>, NodeError> {
        let Some(hash) = self.block_hash(height).await? else { return Ok(None) };
        let Some(b) = self.call("getblock", json!([hash, 2])).await? else { return Ok(None) };
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let mut outputs = Vec::new();
        for tx in b.get("tx").and_then(Value::as_array).ok_or_else(|| protocol("getblock: no tx list"))? {
            let txid = text(tx, "txid").ok_or_else(|| protocol("getblock: tx without txid"))?;
            for out in tx.get("vout").and_then(Value::as_array).into_iter().flatten() {
                let vout = out.get("n").and_then(Value::as_u64).ok_or_else(|| protocol("vout without n"))?;
                let Some(script) = out.get("scriptPubKey").and_then(|s| text(s, "hex")) else { continue };
                let Ok(script) = ScriptBuf::from_hex(&script) else { continue };
                // Outputs without an address (OP_RETURN, bare multisig) pay nobody we watch.
                let Ok(address) = Address::from_script(&script, self.network) else { continue };
                let value = out.get("value").ok_or_else(|| protocol("vout without value"))?;
                outputs.push(BtcOutput {
                    txid: txid.clone(),
                    vout: vout as u32,
                    address: address.to_string(),
                    sats: sats(value)?,
                });
            }
        }
        Ok(Some(BtcBlock {
            height,
            hash: text(&b, "hash").ok_or_else(|| protocol("getblock: no hash"))?,
            // The genesis block has no parent: all zeros, as in its header.
            parent_hash: text(&b, "previousblockhash").unwrap_or_else(|| "0".repeat(64)),
            outputs,
        }))
    }

    /// Satoshis a typical payment pays in fees now (`estimatesmartfee 6`); `None` while the node
    /// has too little data to estimate (it says so in `errors`).
    pub async fn fee_estimate(&self) -> Result<Option<u64>, NodeError> {
        let r = self.require("estimatesmartfee", json!([6])).await?;
        let Some(rate) = r.get("feerate") else { return Ok(None) };
        // BTC per 1000 vbytes → satoshis for a typical payment, rounded up.
        let per_kvb = sats(rate)?;
        Ok(Some(per_kvb.saturating_mul(TYPICAL_VSIZE).div_ceil(1000)))
    }
}

/// An amount of BTC as the node writes it (a JSON number with up to 8 decimals) in satoshis.
fn sats(v: &Value) -> Result<u64, NodeError> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return Err(protocol("amount is not a number")),
    };
    btc_to_sats(&text).ok_or_else(|| protocol(format!("amount {text} is not a whole number of satoshis")))
}

/// `"0.00100000"` → 100000, exactly; `None` for negative, exponent or sub-satoshi forms.
pub fn btc_to_sats(text: &str) -> Option<u64> {
    let (int, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    let frac = frac.trim_end_matches('0');
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || frac.len() > 8 {
        return None;
    }
    let whole: u64 = int.parse().ok()?;
    let part: u64 = if frac.is_empty() { 0 } else { format!("{frac:0<8}").parse().ok()? };
    whole.checked_mul(100_000_000)?.checked_add(part)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn btc_amounts_become_satoshis_exactly() {
        assert_eq!(btc_to_sats("0.00100000"), Some(100_000));
        assert_eq!(btc_to_sats("21000000"), Some(2_100_000_000_000_000));
        assert_eq!(btc_to_sats("0.1"), Some(10_000_000));
        assert_eq!(btc_to_sats("0.00000001"), Some(1));
        for bad in ["-1", "1e-8", "0.000000001", "", ".5", "1.2.3", "abc"] {
            assert_eq!(btc_to_sats(bad), None, "{bad}");
        }
    }
}

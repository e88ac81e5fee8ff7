//! A Tron node over its HTTP API (the interface java-tron and TronGrid serve): the head
//! (`/wallet/getnowblock`), blocks by number with their transactions
//! (`/wallet/getblockbynum`), the event logs of a block's transactions
//! (`/wallet/gettransactioninfobyblocknum`), chain parameters for fee estimates, and a TRC-20
//! contract's `decimals()` (`/wallet/triggerconstantcontract`).
//!
//! TRX payments are successful `TransferContract`s (index 0: such a transaction has no logs);
//! TRC-20 payments are `Transfer` logs of successful transactions, indexed by their position in
//! the transaction's log list. Addresses are shown in base58check (`T…`) throughout.

use std::time::Duration;

use serde_json::{Value, json};

use crate::address::tron_address;
use crate::node::NodeError;

/// `Transfer(address,address,uint256)` without `0x`, as Tron writes topics.
const TRANSFER_TOPIC: &str = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
/// Bandwidth of a TRX transfer, and energy and bandwidth of a TRC-20 `transfer` (estimates).
const TRX_BYTES: u128 = 270;
const TRC20_ENERGY: u128 = 65_000;
const TRC20_BYTES: u128 = 345;

pub struct TronNode {
    http: reqwest::Client,
    base: String,
    api_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TronBlock {
    pub height: u64,
    pub hash: String,
    pub parent_hash: String,
    pub transfers: Vec<TronTransfer>,
}

/// Sun (`contract` = `None`) or a TRC-20 token's base units that reached `to` (base58).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TronTransfer {
    pub tx_hash: String,
    pub index: u64,
    pub to: String,
    pub contract: Option<String>,
    /// Base units as decimal digits (a uint256 may exceed any integer type but this text).
    pub value: String,
}

fn protocol(what: impl std::fmt::Display) -> NodeError {
    NodeError::Protocol(what.to_string())
}

/// `41` + 20 bytes of hex (the node's form) → `T…`.
pub fn hex_to_base58(hex41: &str) -> Option<String> {
    let raw = hex::decode(hex41.trim_start_matches("0x")).ok()?;
    let account: [u8; 20] = match raw.len() {
        21 if raw[0] == 0x41 => raw[1..].try_into().ok()?,
        20 => raw[..].try_into().ok()?,
        _ => return None,
    };
    Some(tron_address(&account))
}

/// `T…` → the 20 account bytes as lower-case hex (how logs name contracts).
pub fn base58_to_hex20(address: &str) -> Option<String> {
    let raw = bs58::decode(address.trim()).with_check(None).into_vec().ok()?;
    (raw.len() == 21 && raw[0] == 0x41).then(|| hex::encode(&raw[1..]))
}

/// A uint256 ABI word (64 hex digits) as decimal digits.
fn word_to_decimal(word: &str) -> Option<String> {
    let bytes = hex::decode(word).ok()?;
    if bytes.len() != 32 {
        return None;
    }
    // Long division by 10 over the big-endian bytes: exact for the whole 256-bit range.
    let mut n = bytes;
    let mut digits = Vec::new();
    while n.iter().any(|b| *b != 0) {
        let mut rem = 0u32;
        for b in n.iter_mut() {
            let cur = (rem << 8) | *b as u32;
            *b = (cur / 10) as u8;
            rem = cur % 10;
        }
        digits.push(b'0' + rem as u8);
    }
    if digits.is_empty() {
        return Some("0".into());
    }
    digits.reverse();
    String::from_utf8(digits).ok()
}

impl TronNode {
    /// A client of the node at `base` (e.g. `https://api.shasta.trongrid.io`), sending
    /// `TRON-PRO-API-KEY` when one is given; every call gives up after `timeout`.
    pub fn new(base: &str, api_key: Option<String>, timeout: Duration) -> Result<TronNode, NodeError> {
        url::Url::parse(base).map_err(|e| NodeError::Config(format!("node URL: {e}")))?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| NodeError::Config(e.to_string()))?;
        Ok(TronNode { http, base: base.trim_end_matches('/').to_owned(), api_key })
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, NodeError> {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(k) = &self.api_key {
            req = req.header("TRON-PRO-API-KEY", k);
        }
        let resp = req.send().await.map_err(|e| NodeError::Unreachable(e.to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(NodeError::Unreachable(format!("{path}: HTTP {status}")));
        }
        let v: Value = resp.json().await.map_err(|e| NodeError::Unreachable(format!("{path}: {e}")))?;
        if let Some(e) = v.get("Error") {
            return Err(NodeError::Unreachable(format!("{path}: {e}")));
        }
        Ok(v)
    }

    fn header(block: &Value) -> Option<(u64, String, String)> {
        let raw = block.get("block_header")?.get("raw_data")?;
        Some((
            raw.get("number").and_then(Value::as_u64).unwrap_or(0),
            block.get("blockID")?.as_str()?.to_owned(),
            raw.get("parentHash")?.as_str()?.to_owned(),
        ))
    }

    pub async fn head(&self) -> Result<u64, NodeError> {
        let b = self.post("/wallet/getnowblock", json!({})).await?;
        Self::header(&b).map(|(h, _, _)| h).ok_or_else(|| protocol("getnowblock: no block header"))
    }

    /// The block's header fields, `None` past the head (the node answers `{}`).
    async fn raw_block(&self, height: u64) -> Result<Option<Value>, NodeError> {
        let b = self.post("/wallet/getblockbynum", json!({"num": height})).await?;
        Ok(b.get("blockID").is_some().then_some(b))
    }

    pub async fn block_hash(&self, height: u64) -> Result<Option<String>, NodeError> {
        Ok(self.raw_block(height).await?.and_then(|b| Self::header(&b)).map(|(_, hash, _)| hash))
    }

    /// The block at `height` with its TRX transfers and the TRC-20 `Transfer` logs of
    /// `contracts` (20-byte hex, as [`base58_to_hex20`] gives).
    pub async fn block(&self, height: u64, contracts: &[String]) -> Result<Option<TronBlock>, NodeError> {
        let Some(b) = self.raw_block(height).await? else { return Ok(None) };
        let (number, hash, parent_hash) = Self::header(&b).ok_or_else(|| protocol("getblockbynum: no header"))?;
        let mut transfers = Vec::new();
        for tx in b.get("transactions").and_then(Value::as_array).into_iter().flatten() {
            let ok = tx.pointer("/ret/0/contractRet").and_then(Value::as_str) == Some("SUCCESS");
            let Some(contract) = tx.pointer("/raw_data/contract/0") else { continue };
            if !ok || contract.get("type").and_then(Value::as_str) != Some("TransferContract") {
                continue;
            }
            let value = contract.pointer("/parameter/value").ok_or_else(|| protocol("contract without value"))?;
            let (Some(txid), Some(to), Some(amount)) = (
                tx.get("txID").and_then(Value::as_str),
                value.get("to_address").and_then(Value::as_str).and_then(hex_to_base58),
                value.get("amount").and_then(Value::as_u64),
            ) else {
                continue;
            };
            transfers.push(TronTransfer {
                tx_hash: txid.to_owned(),
                index: 0,
                to,
                contract: None,
                value: amount.to_string(),
            });
        }
        let has_calls = b.get("transactions").and_then(Value::as_array).is_some_and(|txs| {
            txs.iter()
                .any(|t| t.pointer("/raw_data/contract/0/type").and_then(Value::as_str) == Some("TriggerSmartContract"))
        });
        if !contracts.is_empty() && has_calls {
            let infos = self.post("/wallet/gettransactioninfobyblocknum", json!({"num": height})).await?;
            // Asked by number, twice: a fork between the calls would mix two blocks' data.
            let txids: Vec<&str> = b
                .get("transactions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|t| t.get("txID").and_then(Value::as_str))
                .collect();
            let foreign = infos
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| i.get("id").and_then(Value::as_str))
                .any(|id| !txids.contains(&id));
            if foreign {
                return Err(NodeError::Unreachable(format!("block {height} changed while it was read")));
            }
            for info in infos.as_array().into_iter().flatten() {
                if info.pointer("/receipt/result").and_then(Value::as_str) != Some("SUCCESS") {
                    continue;
                }
                let Some(txid) = info.get("id").and_then(Value::as_str) else { continue };
                for (index, log) in info.get("log").and_then(Value::as_array).into_iter().flatten().enumerate() {
                    let Some(address) = log.get("address").and_then(Value::as_str).map(|a| {
                        let a = a.to_ascii_lowercase();
                        a.strip_prefix("41").filter(|r| r.len() == 40).map(str::to_owned).unwrap_or(a)
                    }) else {
                        continue;
                    };
                    if !contracts.contains(&address) {
                        continue;
                    }
                    let topics: Vec<&str> = log
                        .get("topics")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    let data = log.get("data").and_then(Value::as_str).unwrap_or_default();
                    if topics.len() != 3 || topics[0] != TRANSFER_TOPIC || data.len() != 64 {
                        continue;
                    }
                    // The indexed `to` is a 32-byte word: 24 hex digits of padding, then the account.
                    let to = topics[2].get(24..).filter(|a| a.len() == 40).and_then(hex_to_base58);
                    let (Some(to), Some(value)) = (to, word_to_decimal(data)) else { continue };
                    let contract = hex_to_base58(&address);
                    transfers.push(TronTransfer { tx_hash: txid.to_owned(), index: index as u64, to, contract, value });
                }
            }
        }
        Ok(Some(TronBlock { height: number, hash, parent_hash, transfers }))
    }

    /// Sun a transfer burns now when the sender has no free bandwidth or staked energy.
    pub async fn fee_estimate(&self, token: bool) -> Result<u128, NodeError> {
        let p = self.post("/wallet/getchainparameters", json!({})).await?;
        let param = |key: &str| {
            p.get("chainParameter")
                .and_then(Value::as_array)
                .and_then(|ps| ps.iter().find(|x| x.get("key").and_then(Value::as_str) == Some(key)))
                .and_then(|x| x.get("value").and_then(Value::as_u64))
                .map(u128::from)
        };
        let per_byte = param("getTransactionFee").ok_or_else(|| protocol("no getTransactionFee"))?;
        if !token {
            return Ok(TRX_BYTES * per_byte);
        }
        let per_energy = param("getEnergyFee").ok_or_else(|| protocol("no getEnergyFee"))?;
        Ok(TRC20_ENERGY * per_energy + TRC20_BYTES * per_byte)
    }

    /// The `decimals()` a TRC-20 contract (base58) answers.
    pub async fn decimals(&self, contract: &str) -> Result<u8, NodeError> {
        let body = json!({
            "owner_address": contract,
            "contract_address": contract,
            "function_selector": "decimals()",
            "parameter": "",
            "visible": true,
        });
        let r = self.post("/wallet/triggerconstantcontract", body).await?;
        let word =
            r.pointer("/constant_result/0").and_then(Value::as_str).ok_or_else(|| protocol("no constant_result"))?;
        let value = word_to_decimal(word).ok_or_else(|| protocol("decimals() is not a uint"))?;
        value.parse::<u8>().map_err(|_| protocol(format!("decimals() = {value}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_words_convert_both_ways() {
        // TronGrid's documented USDT contract, base58 and hex.
        let usdt = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
        assert_eq!(base58_to_hex20(usdt).as_deref(), Some("a614f803b6fd780986a42c78ec9c7f77e6ded13c"));
        assert_eq!(hex_to_base58("41a614f803b6fd780986a42c78ec9c7f77e6ded13c").as_deref(), Some(usdt));
        assert_eq!(hex_to_base58("a614f803b6fd780986a42c78ec9c7f77e6ded13c").as_deref(), Some(usdt));
        assert_eq!(hex_to_base58("42a614f803b6fd780986a42c78ec9c7f77e6ded13c"), None);
        assert_eq!(word_to_decimal(&format!("{:064x}", 1_500_000u64)).as_deref(), Some("1500000"));
        assert_eq!(word_to_decimal(&"0".repeat(64)).as_deref(), Some("0"));
        assert_eq!(
            word_to_decimal(&"f".repeat(64)).as_deref(),
            Some("115792089237316195423570985008687907853269984665640564039457584007913129639935")
        );
    }
}

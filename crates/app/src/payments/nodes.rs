//! The chains this instance watches: an adapter for every enabled chain of the network mode whose
//! node is configured (`PAYGATE_CHAIN_<CODE>_RPC_URL`), one watcher task each so a slow or dead
//! node holds up only its own chain, and each chain's health as `/health/ready` reports it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use paygate_chain::NodeError;
use paygate_core::{AppError, AppResult, ErrorCode};
use paygate_store::catalogue::Chain;

use super::bitcoin::BitcoinChain;
use super::evm::EvmChain;
use super::sandbox::SandboxChain;
use super::tron::TronChain;
use super::watcher::ChainAdapter;
use crate::{ChainNode, Services};

/// Families this build has adapters for.
const WATCHABLE: [&str; 4] = ["sandbox", "evm", "bitcoin", "tron"];

/// A node failure as the API reports it (500 5001); the watcher marks the chain degraded.
pub(crate) fn node_failed(code: &str, e: NodeError) -> AppError {
    tracing::warn!(chain = code, error = %e, "chain node call failed");
    AppError::new(ErrorCode::DependencyUnavailable, format!("The {code} node is unavailable"))
}

/// Adapters built so far, by chain id, and the outcome of each chain's last watch.
#[derive(Default)]
pub(crate) struct Chains {
    adapters: Mutex<HashMap<i64, Arc<dyn ChainAdapter>>>,
    healthy: Mutex<BTreeMap<String, bool>>,
}

impl Services {
    fn node_of(&self, chain: &Chain) -> Option<&ChainNode> {
        self.config.chain_nodes.get(&ChainNode::key(&chain.code))
    }

    /// Whether this instance watches `chain`: an enabled chain of the mode with an adapter (the
    /// sandbox, or a chain whose node is configured). Addresses are issued only on such chains,
    /// so no payer is sent where nobody looks.
    pub(crate) fn watchable(&self, chain: &Chain) -> bool {
        self.adapter_for(chain).is_some()
    }

    /// The adapter of a chain that can be watched here: the sandbox chain on sandbox instances,
    /// a chain of the mode whose node is configured otherwise.
    pub(crate) fn adapter_for(&self, chain: &Chain) -> Option<Arc<dyn ChainAdapter>> {
        if !chain.enabled || !self.chain_in_mode(chain) {
            return None;
        }
        if let Some(a) = self.chains.adapters.lock().expect("adapters").get(&chain.id) {
            return Some(a.clone());
        }
        let adapter: Arc<dyn ChainAdapter> = if chain.family == "sandbox" {
            Arc::new(SandboxChain)
        } else {
            let node = self.node_of(chain)?;
            let timeout = Duration::from_millis(node.timeout_ms.max(1) as u64);
            let built: Result<Arc<dyn ChainAdapter>, NodeError> = match chain.family.as_str() {
                "evm" => EvmChain::new(chain.id, &chain.code, &node.rpc_url, timeout).map(|a| Arc::new(a) as _),
                "bitcoin" => BitcoinChain::new(
                    chain.id,
                    &chain.code,
                    paygate_chain::Net::of(chain.is_test, &chain.code),
                    node,
                    timeout,
                )
                .map(|a| Arc::new(a) as _),
                "tron" => TronChain::new(chain.id, &chain.code, node, timeout).map(|a| Arc::new(a) as _),
                _ => return None,
            };
            match built {
                Ok(a) => a,
                Err(e) => {
                    tracing::error!(chain = %chain.code, error = %e, "chain node cannot be used");
                    return None;
                }
            }
        };
        self.chains.adapters.lock().expect("adapters").insert(chain.id, adapter.clone());
        Some(adapter)
    }

    /// Chains with a configured node that no adapter serves yet are reported, not ignored.
    fn unsupported_nodes(&self, chains: &[Chain]) -> Vec<String> {
        chains
            .iter()
            .filter(|ch| self.node_of(ch).is_some() && !WATCHABLE.contains(&ch.family.as_str()))
            .map(|ch| ch.code.clone())
            .collect()
    }

    /// One watch of one chain (the job's step; tests call it to be exact about blocks).
    pub async fn watch_chain(&self, chain_id: i64) -> AppResult<usize> {
        let chains = self.catalogue(true).await?.chains;
        let chain =
            chains.iter().find(|c| c.id == chain_id).ok_or_else(|| paygate_core::AppError::not_found("Chain"))?;
        let Some(adapter) = self.adapter_for(chain) else { return Ok(0) };
        let outcome = self.watch_once(adapter.as_ref()).await;
        self.chains.healthy.lock().expect("chain health").insert(chain.code.clone(), outcome.is_ok());
        metrics::gauge!("chain_node_up", "chain" => chain.code.clone()).set(if outcome.is_ok() { 1.0 } else { 0.0 });
        outcome
    }

    /// `ok` or `degraded` for every chain watched here, by code.
    pub async fn chain_health(&self) -> BTreeMap<String, &'static str> {
        let Ok(cat) = self.catalogue(false).await else { return BTreeMap::new() };
        let healthy = self.chains.healthy.lock().expect("chain health").clone();
        let mut out: BTreeMap<String, &'static str> = cat
            .chains
            .iter()
            .filter(|ch| ch.family == "sandbox" || self.node_of(ch).is_some())
            .map(|ch| {
                // Not yet watched counts as ok until its first round says otherwise.
                let ok = healthy.get(&ch.code).copied().unwrap_or(true) && self.watchable(ch);
                (ch.code.clone(), if ok { "ok" } else { "degraded" })
            })
            .collect();
        for code in self.unsupported_nodes(&cat.chains) {
            out.insert(code, "degraded");
        }
        out
    }
}

/// How often the job looks for chains an operator enabled (or added) since it started.
const RESCAN: Duration = Duration::from_secs(30);

/// A watcher task per chain with a node; the sandbox chain has its own miner-and-watcher job.
/// Chains enabled later get theirs at the next rescan; a disabled chain's task idles.
pub(crate) async fn run(services: Arc<Services>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut running: HashMap<i64, tokio::task::JoinHandle<()>> = HashMap::new();
    let mut reported = std::collections::BTreeSet::new();
    loop {
        match services.catalogue(false).await {
            Ok(cat) => {
                for code in services.unsupported_nodes(&cat.chains) {
                    if reported.insert(code.clone()) {
                        tracing::error!(chain = %code, "a node is configured for a chain family this build cannot watch");
                    }
                }
                for chain in cat.chains.into_iter().filter(|ch| ch.family != "sandbox") {
                    if running.contains_key(&chain.id) || services.adapter_for(&chain).is_none() {
                        continue;
                    }
                    let Some(node) = services.node_of(&chain) else { continue };
                    let every = Duration::from_millis(node.poll_ms.max(50) as u64);
                    let id = chain.id;
                    running.insert(id, tokio::spawn(watch_loop(services.clone(), chain, every, shutdown.clone())));
                }
            }
            Err(e) => tracing::error!(error = %e, "chain watchers: catalogue unreadable"),
        }
        tokio::select! {
            _ = tokio::time::sleep(RESCAN) => {}
            _ = shutdown.changed() => break,
        }
    }
    for (_, t) in running {
        let _ = t.await;
    }
}

async fn watch_loop(
    services: Arc<Services>,
    chain: Chain,
    every: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    tracing::info!(chain = %chain.code, "watching the chain");
    loop {
        // A panic on a node's answer must not end the chain's watcher for good.
        match std::panic::AssertUnwindSafe(services.watch_chain(chain.id)).catch_unwind().await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(chain = %chain.code, error = %e, "chain watch failed"),
            Err(_) => {
                tracing::error!(chain = %chain.code, "chain watch panicked");
                services.chains.healthy.lock().expect("chain health").insert(chain.code.clone(), false);
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => return,
        }
    }
}

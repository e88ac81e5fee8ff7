//! The built-in sandbox chain (§5.6): simulated transfers, blocks every few seconds, and
//! reorganisations on demand. It is read by the same watcher as every real chain.

use paygate_core::{Amount, AppError, AppResult, ErrorCode};
use paygate_store::chain_state::{self, SandboxBlock};
use paygate_store::{DbAmount, catalogue};

use super::invoices::{InvoiceCaller, InvoiceView};
use super::watcher::{BlockRef, ChainAdapter, ChainBlock, ChainTransfer};
use crate::{NetworkMode, Services, crypto};

pub const SANDBOX_CHAIN: i64 = 9;

#[derive(Debug, Clone)]
pub struct SandboxTransferAnswer {
    pub tx_hash: String,
    pub block_number: Option<i64>,
}

/// The sandbox chain behind the adapter interface.
pub struct SandboxChain;

#[async_trait::async_trait]
impl ChainAdapter for SandboxChain {
    fn chain_id(&self) -> i64 {
        SANDBOX_CHAIN
    }

    fn code(&self) -> &str {
        "sandbox"
    }

    async fn head(&self, s: &Services) -> AppResult<Option<i64>> {
        let mut c = s.store.conn().await?;
        Ok(chain_state::sandbox_head(&mut c).await?.map(|b| b.height))
    }

    async fn block(&self, s: &Services, height: i64) -> AppResult<Option<ChainBlock>> {
        let mut c = s.store.conn().await?;
        let Some(b) = chain_state::sandbox_block(&mut c, height).await? else { return Ok(None) };
        let transfers = chain_state::sandbox_transfers_in(&mut c, height)
            .await?
            .into_iter()
            .map(|t| ChainTransfer {
                tx_hash: t.tx_hash,
                index: 0,
                to: t.to_address,
                token_id: t.token_id,
                amount: t.amount.0,
            })
            .collect();
        Ok(Some(ChainBlock {
            block: BlockRef { height: b.height, hash: b.hash, parent_hash: b.parent_hash },
            transfers,
        }))
    }

    async fn fee_estimate(&self, _s: &Services, _token_id: i64) -> AppResult<Option<u128>> {
        Ok(None)
    }

    fn read_from_genesis(&self) -> bool {
        true
    }
}

fn not_sandbox() -> AppError {
    AppError::new(ErrorCode::RouteNotFound, "Not a sandbox instance")
}

impl Services {
    pub fn sandbox(&self) -> bool {
        self.config.network_mode == NetworkMode::Sandbox
    }

    /// Mines one block holding every queued transfer; returns its height.
    pub async fn sandbox_mine(&self) -> AppResult<i64> {
        // Two miners (nodes, or the job and an operator) can read the same head; the height's
        // key lets one win, and the other mines on top of the winner's block.
        for _ in 0..5 {
            let mut tx = self.store.begin().await?;
            let head = chain_state::sandbox_head(&mut tx).await?;
            let height = head.as_ref().map(|h| h.height + 1).unwrap_or(1);
            let parent = head.map(|h| h.hash).unwrap_or_else(|| format!("0x{}", "0".repeat(64)));
            let hash = format!("0x{}", hex::encode(crypto::random_bytes(32)));
            let block = SandboxBlock { height, hash, parent_hash: parent, created_at: self.now() };
            match chain_state::insert_sandbox_block(&mut tx, &block).await {
                Err(e) if e.is_conflict_on("sandbox_blocks_pkey") => continue,
                other => other?,
            }
            chain_state::include_queued(&mut tx, height).await?;
            tx.commit().await?;
            return Ok(height);
        }
        Err(AppError::new(ErrorCode::Conflict, "The sandbox chain is busy; try again"))
    }

    /// `POST /sandbox/transfer`: queues a simulated transfer for the next block.
    pub async fn sandbox_transfer(&self, to: &str, token_id: i64, amount: &Amount) -> AppResult<SandboxTransferAnswer> {
        if !self.sandbox() {
            return Err(not_sandbox());
        }
        let mut tx = self.store.begin().await?;
        let token = catalogue::token(&mut tx, token_id).await?.filter(|t| t.chain_id == SANDBOX_CHAIN && t.enabled);
        let Some(token) = token else {
            return Err(AppError::field(ErrorCode::TokenNotAllowed, "token_id", "Not a sandbox token"));
        };
        crate::policy::check_amount("amount", amount, token.decimals, false)?;
        if !paygate_chain::is_valid_address(paygate_chain::Family::Sandbox, true, to) {
            return Err(AppError::field(ErrorCode::FieldFormat, "to_address", "Not a sandbox address"));
        }
        let tx_hash = format!("0x{}", hex::encode(crypto::random_bytes(32)));
        chain_state::queue_sandbox_transfer(&mut tx, &tx_hash, to, token.id, &DbAmount(amount.clone()), self.now())
            .await?;
        tx.commit().await?;
        Ok(SandboxTransferAnswer { tx_hash, block_number: None })
    }

    /// `POST /sandbox/invoice/pay`: a transfer of `amount` (default: what remains) to the
    /// invoice's address.
    pub async fn sandbox_pay_invoice(&self, id: i64, amount: Option<Amount>) -> AppResult<InvoiceView> {
        if !self.sandbox() {
            return Err(not_sandbox());
        }
        let view = self.invoice_state(&InvoiceCaller::Public, id).await?;
        let status = view.invoice.status;
        let (Some(address), Some(token)) = (view.address.clone(), view.token.clone()) else {
            return Err(AppError::new(ErrorCode::InvoiceNotPayable, "Choose the paying token first"));
        };
        if matches!(status, 4 | 6) {
            return Err(AppError::new(ErrorCode::InvoiceNotPayable, "The invoice is final"));
        }
        let amount = match amount {
            Some(a) => a,
            None => view
                .amount_remaining
                .clone()
                .filter(|a| a.is_positive())
                .ok_or_else(|| AppError::new(ErrorCode::InvoiceNotPayable, "Nothing remains to pay"))?,
        };
        self.sandbox_transfer(&address, token.id, &amount).await?;
        self.invoice_state(&InvoiceCaller::Public, id).await
    }

    /// `POST /sandbox/reorg`: drops the last `depth` blocks.
    pub async fn sandbox_reorg(&self, depth: i64, drop_transfers: bool) -> AppResult<(i64, i64)> {
        if !self.sandbox() {
            return Err(not_sandbox());
        }
        let mut tx = self.store.begin().await?;
        let head = chain_state::sandbox_head(&mut tx).await?.map(|h| h.height).unwrap_or(0);
        let keep = (head - depth).max(0);
        let removed = chain_state::sandbox_rewind(&mut tx, keep, drop_transfers).await?;
        tx.commit().await?;
        Ok((removed as i64, keep))
    }
}

/// Mines sandbox blocks and runs the watcher over them.
pub(crate) async fn run(services: std::sync::Arc<Services>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    if !services.sandbox() {
        return;
    }
    let every = std::time::Duration::from_millis(services.config.sandbox_block_ms.max(100) as u64);
    loop {
        if let Err(e) = services.sandbox_mine().await {
            tracing::error!(error = %e, "sandbox block failed");
        }
        if let Err(e) = services.watch_once(&SandboxChain).await {
            tracing::error!(error = %e, "sandbox watcher failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => return,
        }
    }
}

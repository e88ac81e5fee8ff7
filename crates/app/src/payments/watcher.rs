//! The chain-adapter interface every chain implements, and the one watcher that drives it:
//! a stored cursor, payments keyed by (chain, tx, index), confirmations, reorganisations
//! detected by parent-hash mismatch and reverted before the new branch is read, and crediting
//! through the ledger exactly once.

use std::collections::{BTreeSet, HashMap};

use paygate_core::invoice::{self, Status};
use paygate_core::{Amount, AppError, AppResult};
use paygate_store::invoices::{self, NewPayment, Payment};
use paygate_store::ledger::{self, Leg};
use paygate_store::{DbAmount, Tx, catalogue, chain_state, pay_links, xpubs};

use crate::Services;
use crate::ledger::Booking;

/// A block as the watcher needs it.
#[derive(Debug, Clone)]
pub struct BlockRef {
    pub height: i64,
    pub hash: String,
    pub parent_hash: String,
}

/// One token movement: an output, or a token-transfer log.
#[derive(Debug, Clone)]
pub struct ChainTransfer {
    pub tx_hash: String,
    pub index: i64,
    pub to: String,
    pub token_id: i64,
    pub amount: Amount,
}

#[derive(Debug, Clone)]
pub struct ChainBlock {
    pub block: BlockRef,
    pub transfers: Vec<ChainTransfer>,
}

/// What every chain implements (the sandbox, EVM, Tron, Bitcoin). Node failures are 500 `5001`.
#[async_trait::async_trait]
pub trait ChainAdapter: Send + Sync {
    fn chain_id(&self) -> i64;
    /// The chain's code: the `chain` label of its metrics, its key in `/health/ready`.
    fn code(&self) -> &str;
    /// The height of the newest block, `None` before the first.
    async fn head(&self, services: &Services) -> AppResult<Option<i64>>;
    /// The block at `height` with the transfers of the chain's enabled tokens.
    async fn block(&self, services: &Services, height: i64) -> AppResult<Option<ChainBlock>>;
    /// The hash of the block at `height` (to compare with the remembered one); adapters with a
    /// cheaper call than a whole block override it.
    async fn block_hash(&self, services: &Services, height: i64) -> AppResult<Option<String>> {
        Ok(self.block(services, height).await?.map(|b| b.block.hash))
    }
    /// Network fee of a transfer of `token_id`, in the native coin's smallest unit.
    async fn fee_estimate(&self, services: &Services, token_id: i64) -> AppResult<Option<u128>>;
    /// The `decimals` a token contract declares; `None` where the chain has no contracts.
    async fn token_decimals(&self, _services: &Services, _contract: &str) -> AppResult<Option<i64>> {
        Ok(None)
    }
    /// Whether a chain never watched before is read from its first block.
    fn read_from_genesis(&self) -> bool {
        false
    }
}

/// A node answering about a height what contradicts what it said of its head.
fn inconsistent(adapter: &dyn ChainAdapter, height: i64) -> AppError {
    tracing::warn!(chain = adapter.code(), height, "the node's blocks contradict its head");
    AppError::new(
        paygate_core::ErrorCode::DependencyUnavailable,
        format!("The {} node is inconsistent", adapter.code()),
    )
}

/// Operation types of credited payments.
const OP_INVOICE_PAYMENT: i64 = 1;
const OP_RECEIVE_REQUEST: i64 = 2;
const OP_DEPOSIT: i64 = 3;
/// Blocks whose hashes are remembered beyond the confirmation depth.
const REMEMBER: i64 = 64;

impl Services {
    /// Processes every new block of a chain up to its head; returns how many blocks.
    pub async fn watch_once(&self, adapter: &dyn ChainAdapter) -> AppResult<usize> {
        let chain_id = adapter.chain_id();
        let Some(head) = adapter.head(self).await? else { return Ok(0) };
        let mut cursor = {
            let mut c = self.store.conn().await?;
            match chain_state::cursor(&mut c, chain_id).await? {
                Some(h) => h,
                None => {
                    // A real chain is read from the block before the head it had when first
                    // watched: no address existed earlier. The sandbox starts at its genesis.
                    let start = if adapter.read_from_genesis() { 0 } else { (head - 1).max(0) };
                    chain_state::start_cursor(&mut c, chain_id, start, self.now()).await?;
                    chain_state::cursor(&mut c, chain_id).await?.unwrap_or(start)
                }
            }
        };
        if head < cursor {
            // A node behind the one read before (a restart, a fail-over): wait for it to catch
            // up; a shorter chain is no reorganisation by itself.
            tracing::info!(chain = adapter.code(), head, cursor, "node behind the watcher's cursor");
            return Ok(0);
        }
        let from = cursor;
        // A reorganisation: walk back to the last block both branches share, revert above it.
        let mut rewound = false;
        while cursor > 0 {
            let remembered = {
                let mut c = self.store.conn().await?;
                chain_state::block_hash(&mut c, chain_id, cursor).await?
            };
            let Some(remembered) = remembered else {
                if rewound {
                    tracing::error!(
                        chain = adapter.code(),
                        height = cursor,
                        "reorganisation deeper than the remembered blocks: payments below may need an operator's check"
                    );
                }
                break;
            };
            // A node that has no block at a height below its head is not telling the truth.
            let actual = adapter.block_hash(self, cursor).await?.ok_or_else(|| inconsistent(adapter, cursor))?;
            if remembered == actual {
                break;
            }
            cursor -= 1;
            rewound = true;
        }
        if rewound && !self.revert_above(chain_id, from, cursor).await? {
            return Ok(0); // another watcher moved the chain meanwhile
        }
        let remember = self.remember_depth(chain_id).await?;
        let mut processed = 0;
        for height in cursor + 1..=head {
            let Some(block) = adapter.block(self, height).await? else { break };
            if block.block.height != height {
                return Err(inconsistent(adapter, height));
            }
            // After the fetch: every address the block can pay was committed before it.
            self.refresh_watched().await?;
            let mut tx = self.store.begin().await?;
            if chain_state::lock_cursor(&mut tx, chain_id).await? != height - 1 {
                break; // another watcher moved the chain meanwhile: the next round goes on from there
            }
            if let Some(parent) = chain_state::block_hash(&mut tx, chain_id, height - 1).await?
                && parent != block.block.parent_hash
            {
                break; // the branch changed under us: the next round rewinds
            }
            self.process_block(&mut tx, adapter, &block).await?;
            chain_state::remember_block(
                &mut tx,
                chain_id,
                height,
                &block.block.hash,
                &block.block.parent_hash,
                remember,
            )
            .await?;
            chain_state::set_cursor(&mut tx, chain_id, height, self.now()).await?;
            tx.commit().await?;
            processed += 1;
        }
        self.confirm_payments(chain_id).await?;
        let code = adapter.code().to_owned();
        metrics::gauge!("chain_head_height", "chain" => code.clone()).set(head as f64);
        let lag = head - (cursor + processed as i64);
        metrics::gauge!("chain_sync_lag_blocks", "chain" => code).set(lag.max(0) as f64);
        Ok(processed)
    }

    /// How many blocks' hashes are kept: beyond the confirmation depth, so that any reorganisation
    /// that can still touch an unconfirmed payment is seen.
    async fn remember_depth(&self, chain_id: i64) -> AppResult<i64> {
        let mut c = self.store.conn().await?;
        let reference = self.reference(&mut c).await?;
        let required =
            reference.catalogue.chains.iter().find(|ch| ch.id == chain_id).map_or(1, |ch| ch.confirmations_required);
        Ok(REMEMBER.max(required * 2))
    }

    /// Unconfirmed payments in the removed blocks drop out; the invoices they counted for are
    /// evaluated again. `false` when the cursor is no longer at `from` (another watcher acted).
    async fn revert_above(&self, chain_id: i64, from: i64, height: i64) -> AppResult<bool> {
        let mut tx = self.store.begin().await?;
        if chain_state::lock_cursor(&mut tx, chain_id).await? != from {
            return Ok(false);
        }
        let mut touched = BTreeSet::new();
        let mut owners = BTreeSet::new();
        for p in invoices::above(&mut tx, chain_id, height).await? {
            if p.status == "confirmed" {
                tracing::warn!(payment = p.id, tx = %p.tx_hash, "reorganisation removed a credited payment: correct with an adjustment");
                continue;
            }
            invoices::replace(&mut tx, p.id).await?;
            touched.extend(p.invoice_id);
            owners.insert((p.owner_id, p.token_id));
        }
        chain_state::forget_blocks_above(&mut tx, chain_id, height).await?;
        chain_state::set_cursor(&mut tx, chain_id, height, self.now()).await?;
        for id in touched {
            self.advance_invoice(&mut tx, id).await?;
        }
        for (owner, token) in owners {
            self.refresh_incoming(&mut tx, owner, token).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn process_block(&self, tx: &mut Tx, adapter: &dyn ChainAdapter, block: &ChainBlock) -> AppResult<()> {
        let chain_id = adapter.chain_id();
        let candidates: Vec<String> =
            block.transfers.iter().filter(|t| self.maybe_watched(chain_id, &t.to)).map(|t| t.to.clone()).collect();
        let watched: HashMap<String, xpubs::AddressRow> =
            xpubs::watched(tx, chain_id, &candidates).await?.into_iter().map(|a| (a.address.clone(), a)).collect();
        if watched.is_empty() {
            return Ok(());
        }
        let tokens = self.reference(tx).await?.catalogue.tokens.clone();
        let now = self.now();
        for t in &block.transfers {
            let Some(address) = watched.get(&t.to) else { continue };
            let Some(token) = tokens.iter().find(|tok| tok.id == t.token_id && tok.chain_id == chain_id && tok.enabled)
            else {
                continue;
            };
            if let Some(known) = invoices::payment(tx, chain_id, &t.tx_hash, t.index).await? {
                if known.status == "replaced" {
                    invoices::reseen(tx, known.id, block.block.height, &block.block.hash).await?;
                    if let Some(i) = known.invoice_id {
                        self.advance_invoice(tx, i).await?;
                    }
                    self.refresh_incoming(tx, known.owner_id, known.token_id).await?;
                }
                continue;
            }
            let invoice_id = self.counting_invoice(tx, address, token.id).await?;
            let inserted = invoices::insert_payment(
                tx,
                NewPayment {
                    chain_id,
                    tx_hash: &t.tx_hash,
                    index: t.index,
                    address_id: address.id,
                    owner_id: address.owner_id,
                    invoice_id,
                    token_id: token.id,
                    amount: &DbAmount(t.amount.clone()),
                    block_height: block.block.height,
                    block_hash: &block.block.hash,
                    now,
                },
            )
            .await?;
            // Recorded meanwhile by another watcher round: it did the rest.
            let Some(payment_id) = inserted else { continue };
            metrics::counter!("invoice_payments_total", "chain" => adapter.code().to_owned()).increment(1);
            if let Some(i) = invoice_id {
                self.emit_invoice(tx, address.owner_id, "invoice.payment_received", i, Some(payment_id)).await?;
                self.advance_invoice(tx, i).await?;
            }
            self.refresh_incoming(tx, address.owner_id, token.id).await?;
        }
        Ok(())
    }

    /// The invoice a payment to `address` counts for: the one the address was issued to, while
    /// it is still that invoice's address, in its token, within its monitoring window.
    async fn counting_invoice(
        &self,
        tx: &mut Tx,
        address: &xpubs::AddressRow,
        token_id: i64,
    ) -> AppResult<Option<i64>> {
        let Some(id) = address.invoice_id else { return Ok(None) };
        let Some(inv) = invoices::get(tx, id).await? else { return Ok(None) };
        if inv.address_id != Some(address.id) || inv.token_id != Some(token_id) {
            return Ok(None);
        }
        let (facts, _) = self.facts(tx, &inv).await?;
        Ok(invoice::monitoring(&facts, self.now()).then_some(id))
    }

    /// Confirms and credits the payments that reached the chain's confirmation count.
    async fn confirm_payments(&self, chain_id: i64) -> AppResult<()> {
        let (pending, head, required) = {
            let mut c = self.store.conn().await?;
            let chain = catalogue::chain(&mut c, chain_id).await?.ok_or_else(|| AppError::internal("chain missing"))?;
            (
                invoices::unconfirmed(&mut c, chain_id).await?,
                chain_state::cursor(&mut c, chain_id).await?.unwrap_or(0),
                chain.confirmations_required,
            )
        };
        let deep_enough = |p: &Payment| p.block_height.is_some_and(|h| head - h + 1 >= required);
        for p in pending.iter().filter(|p| deep_enough(p)) {
            let mut tx = self.store.begin().await?;
            // Another watcher may have credited it, or a reorganisation moved it, since the list
            // was read: judged again on the locked row.
            match invoices::lock_payment(&mut tx, p.id).await? {
                Some(p) if p.status == "seen" && deep_enough(&p) => self.credit(&mut tx, &p).await?,
                _ => continue,
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// Books a confirmed payment: the owner's balance of the token's coin gets the amount less
    /// the invoice commission, fees the commission, the house deposits account gives both. The
    /// ledger key (chain, tx, index) makes it once-only.
    async fn credit(&self, tx: &mut Tx, p: &Payment) -> AppResult<()> {
        let token = catalogue::token(tx, p.token_id).await?.ok_or_else(|| AppError::internal("token missing"))?;
        let (_, plan) = self.owner_with_plan(tx, p.owner_id).await?;
        let commission =
            p.amount.percent(&plan.invoice_commission_percent).round_up(token.decimals).min(p.amount.0.clone());
        let credited = &p.amount.0 - &commission;
        let now = self.now();
        let (operation_type, product_id) = match p.invoice_id {
            Some(id) => {
                let inv = invoices::get(tx, id).await?.ok_or_else(|| AppError::internal("invoice missing"))?;
                (if inv.receive_request { OP_RECEIVE_REQUEST } else { OP_INVOICE_PAYMENT }, inv.product_id)
            }
            None => (OP_DEPOSIT, 1),
        };
        let balance = ledger::ensure_balance(tx, p.owner_id, token.coin_id, now).await?;
        let deposits = ledger::house(tx, ledger::HOUSE_DEPOSITS, token.coin_id, now).await?;
        let mut legs = vec![
            Leg { account_id: deposits, coin_id: token.coin_id, amount: -p.amount.0.clone(), operation_type },
            Leg { account_id: balance, coin_id: token.coin_id, amount: credited.clone(), operation_type },
        ];
        if commission.is_positive() {
            let fees = ledger::house(tx, ledger::HOUSE_FEES, token.coin_id, now).await?;
            legs.push(Leg { account_id: fees, coin_id: token.coin_id, amount: commission, operation_type });
        }
        let memo =
            serde_json::json!({ "tx_hash": p.tx_hash, "index": p.log_index, "invoice_id": p.invoice_id }).to_string();
        let booking = Booking {
            op_key: format!("payment:{}:{}:{}", p.chain_id, p.tx_hash, p.log_index),
            operation_type,
            product_id,
            owner_id: Some(p.owner_id),
            user_id: None,
            order_id: None,
            memo: Some(memo),
            legs,
        };
        // The ledger key makes the booking once-only; a booking already there is kept (looked up
        // first: after a failed statement PostgreSQL would refuse the rest of the unit of work).
        let ledger_tx = match ledger::tx_by_key(tx, &booking.op_key).await? {
            Some(t) => t.id,
            None => self.book(tx, booking, "amount").await?,
        };
        invoices::confirm(tx, p.id, ledger_tx, now).await?;
        match p.invoice_id {
            Some(i) => {
                self.emit_invoice(tx, p.owner_id, "invoice.payment_confirmed", i, Some(p.id)).await?;
                self.advance_invoice(tx, i).await?;
            }
            None => {
                let address = xpubs::address(tx, p.address_id).await?;
                let data = serde_json::json!({
                    "wallet_id": address.as_ref().filter(|a| a.purpose == "wallet").map(|a| a.id),
                    "invoice_id": address.as_ref().and_then(|a| a.invoice_id),
                    "address": address.map(|a| a.address),
                    "chain_id": p.chain_id,
                    "token_id": p.token_id,
                    "code": token.code,
                    "amount": p.amount.to_plain(),
                    "tx_hash": p.tx_hash,
                    "index": p.log_index,
                    "balance_id": balance,
                    "credited_amount": credited,
                });
                self.emit(tx, p.owner_id, "deposit.confirmed", data).await?;
            }
        }
        self.refresh_incoming(tx, p.owner_id, p.token_id).await?;
        Ok(())
    }

    /// `incoming` of the owner's balance of a token's coin: Σ payments seen, not confirmed.
    async fn refresh_incoming(&self, tx: &mut Tx, owner_id: i64, token_id: i64) -> AppResult<()> {
        let reference = self.reference(tx).await?;
        let Some(coin_id) = reference.catalogue.tokens.iter().find(|t| t.id == token_id).map(|t| t.coin_id) else {
            return Ok(());
        };
        let sum: Amount =
            invoices::unconfirmed_of_owner_coin(tx, owner_id, coin_id).await?.into_iter().map(|a| a.0).sum();
        if sum.is_zero() && ledger::balance_of_coin(tx, owner_id, coin_id).await?.is_none() {
            return Ok(());
        }
        let balance = ledger::ensure_balance(tx, owner_id, coin_id, self.now()).await?;
        invoices::set_incoming(tx, balance, &DbAmount(sum)).await?;
        Ok(())
    }

    /// Re-evaluates an invoice and persists what changed (status, exception, timestamps; a
    /// single-use link completes with its first paid invoice).
    pub(crate) async fn advance_invoice(&self, tx: &mut Tx, id: i64) -> AppResult<()> {
        let Some(inv) = invoices::lock(tx, id).await? else { return Ok(()) };
        let (facts, payments) = self.facts(tx, &inv).await?;
        let now = self.now();
        let out = invoice::evaluate(&facts, &payments, now);
        if out.status == facts.status && out.exception == facts.exception && out.processing_since.is_none() {
            return Ok(());
        }
        let paid_at = out.paid_now.then_some(now);
        invoices::set_state(tx, id, out.status.id(), out.exception.as_str(), out.processing_since, paid_at, now)
            .await?;
        let status_event = match out.status {
            _ if out.status == facts.status => None,
            Status::Processing => Some("invoice.processing"),
            Status::Paid => Some("invoice.paid"),
            Status::Expired => Some("invoice.expired"),
            Status::Invalid => Some("invoice.invalid"),
            Status::New | Status::AwaitingPayment => None,
        };
        if let Some(event) = status_event {
            self.emit_invoice(tx, inv.owner_id, event, id, None).await?;
        }
        if out.exception == invoice::Exception::PaidLate && facts.exception != invoice::Exception::PaidLate {
            self.emit_invoice(tx, inv.owner_id, "invoice.paid_late", id, None).await?;
        }
        if out.status != facts.status {
            metrics::counter!("invoices_total", "status" => out.status.id().to_string()).increment(1);
        }
        if out.status == Status::Paid
            && let (2, Some(link_id)) = (inv.product_id, inv.object_id)
            && let Some(mut link) = pay_links::by_id(tx, link_id).await?
            && link.single_use
            && link.status_id == pay_links::ACTIVE
        {
            link.status_id = pay_links::COMPLETED;
            link.updated_at = now;
            pay_links::update(tx, &link).await?;
        }
        Ok(())
    }

    /// The clock: expiry and monitoring windows. Returns how many invoices it looked at.
    pub async fn advance_due_invoices(&self) -> AppResult<usize> {
        const BATCH: usize = 200;
        // A full batch means more are due: keep going (bounded, so a tick always ends).
        let mut seen = 0;
        for _ in 0..50 {
            let due = {
                let mut c = self.store.conn().await?;
                invoices::due_for_clock(&mut c, self.now(), BATCH as i64).await?
            };
            for id in &due {
                let mut tx = self.store.begin().await?;
                self.advance_invoice(&mut tx, *id).await?;
                tx.commit().await?;
            }
            seen += due.len();
            if due.len() < BATCH {
                break;
            }
        }
        let mut tx = self.store.begin().await?;
        pay_links::expire_due(&mut tx, self.now()).await?;
        tx.commit().await?;
        Ok(seen)
    }
}

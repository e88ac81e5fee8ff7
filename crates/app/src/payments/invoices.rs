//! Invoices (§2.9, §4.26): create, choose the paying token, read the state.

use paygate_core::invoice::{Exception, Status};
use paygate_core::{Amount, AppError, AppResult, ErrorCode, Role};
use paygate_store::catalogue::{self, Chain, Token};
use paygate_store::invoices::{self, Invoice, Payment};
use paygate_store::pay_links::{self, PayLink};
use paygate_store::{Conn, DbAmount, Tx, chain_state, owners, xpubs};

use super::addresses::AddressFor;
use crate::Services;
use crate::actor::Actor;

/// Who calls an invoice route (§4.26).
#[derive(Debug, Clone)]
pub enum InvoiceCaller {
    /// The payer on a checkout page.
    Public,
    Member(Actor),
    /// An integration key with the `invoice` scope: its owner, as role 2.
    Key(crate::KeyActor),
}

#[derive(Debug, Clone, Default)]
pub struct InvoiceCreate {
    pub product_id: i64,
    pub coin_id: i64,
    pub amount: Amount,
    pub object_id: Option<i64>,
    pub order_id: Option<String>,
    pub description: Option<String>,
    pub metadata: Option<String>,
    pub token_ids: Vec<i64>,
    pub success_url: Option<String>,
    pub fail_url: Option<String>,
    pub expiry_minutes: Option<i64>,
    /// Made by `/api/receive/create` (§4.21): its payments book as receive requests.
    pub receive_request: bool,
}

/// The answer of `/invoice/pay`.
#[derive(Debug, Clone)]
pub struct PayAnswer {
    pub address: String,
    pub amount: Amount,
    pub rate: Amount,
    pub name: String,
    pub code: String,
    pub transfer_commission_weis: Option<u128>,
    pub chain_id: i64,
    pub token_id: i64,
}

#[derive(Debug, Clone)]
pub struct PaymentView {
    pub payment: Payment,
    pub confirmations: i64,
}

/// `InvoiceState` of §3.
#[derive(Debug, Clone)]
pub struct InvoiceView {
    pub invoice: Invoice,
    pub owner_name: String,
    pub coin_code: String,
    pub token: Option<Token>,
    pub chain: Option<Chain>,
    pub address: Option<String>,
    pub amount_paid: Amount,
    pub amount_remaining: Option<Amount>,
    pub confirmations: i64,
    pub payments: Vec<PaymentView>,
    pub payable_tokens: Vec<(Token, Chain)>,
    /// `metadata` is shown to the merchant only.
    pub for_merchant: bool,
}

/// Whether an event of `owner_id` may have listeners: always, unless an integration key's owner,
/// read with the key a moment ago, counts no enabled webhook endpoint (then the lookup of the
/// endpoints is skipped; the count is kept with every change to them).
fn may_listen(caller: &InvoiceCaller, owner_id: i64) -> bool {
    !matches!(caller, InvoiceCaller::Key(k) if k.owner_id == owner_id && k.owner.webhook_endpoints == 0)
}

fn answer(address: String, amount: Amount, rate: Amount, chain: Chain, token: Token) -> PayAnswer {
    PayAnswer {
        address,
        amount,
        rate,
        name: chain.name,
        code: token.code,
        // Estimated after the unit of work, from the chain's node (see `pay_invoice`).
        transfer_commission_weis: None,
        chain_id: chain.id,
        token_id: token.id,
    }
}

impl Services {
    /// The pay link a public or member call names; 404 when it is another owner's or deleted.
    async fn link_for(&self, c: &mut impl Conn, caller_owner: Option<i64>, id: i64) -> AppResult<PayLink> {
        let link = match caller_owner {
            Some(o) => pay_links::of_owner(c, o, id).await?,
            None => pay_links::by_id(c, id).await?,
        };
        link.filter(|l| l.status_id != pay_links::DELETED)
            .ok_or_else(|| AppError::field(ErrorCode::NotFound, "id", "Unknown pay link"))
    }

    /// `POST /invoice/create`.
    pub async fn create_invoice(&self, caller: &InvoiceCaller, input: InvoiceCreate) -> AppResult<i64> {
        let mut tx = self.store.begin().await?;
        let id = self.create_invoice_in(&mut tx, caller, input).await?;
        tx.commit().await?;
        metrics::counter!("invoices_total", "status" => "1").increment(1);
        Ok(id)
    }

    /// Creates an invoice inside the caller's unit of work.
    pub(crate) async fn create_invoice_in(
        &self,
        tx: &mut Tx,
        caller: &InvoiceCaller,
        mut input: InvoiceCreate,
    ) -> AppResult<i64> {
        let key_id = match caller {
            InvoiceCaller::Key(k) => Some(k.key_id),
            _ => None,
        };
        let as_key;
        let member = match caller {
            InvoiceCaller::Member(a) => Some(a),
            InvoiceCaller::Key(k) => {
                as_key = Actor::for_key(k);
                Some(&as_key)
            }
            InvoiceCaller::Public => {
                if input.product_id != 2 {
                    return Err(AppError::new(
                        ErrorCode::Unauthenticated,
                        "Only pay-link invoices can be created without credentials",
                    ));
                }
                // Extension fields are the merchant's, not the payer's.
                input = InvoiceCreate {
                    product_id: 2,
                    coin_id: input.coin_id,
                    amount: input.amount,
                    object_id: input.object_id,
                    ..Default::default()
                };
                None
            }
        };
        if let Some(a) = member {
            let role =
                a.owner.map(|o| o.role).ok_or_else(|| AppError::new(ErrorCode::NoActiveOwner, "No active owner"))?;
            let allowed =
                matches!(role, Role::Owner | Role::Administrator) || (role == Role::Cashier && input.product_id == 4);
            if !allowed {
                return Err(AppError::new(
                    ErrorCode::ForbiddenRole,
                    format!("Role {role} may not create this invoice"),
                ));
            }
        }
        if !(1..=4).contains(&input.product_id) {
            return Err(AppError::field(ErrorCode::FieldRange, "product_id", "product_id is 1–4"));
        }
        match (input.product_id, input.object_id) {
            (1, Some(_)) => {
                return Err(AppError::field(
                    ErrorCode::FieldCombination,
                    "id",
                    "Business-wallet invoices have no object",
                ));
            }
            (2..=4, None) => {
                return Err(AppError::field(ErrorCode::FieldRequired, "id", "id of the pay object is required"));
            }
            _ => {}
        }
        let mut success_url = input.success_url.clone();
        let mut fail_url = input.fail_url.clone();
        let owner_id = match (input.product_id, input.object_id) {
            (2, Some(id)) => {
                let link = self.link_for(tx, member.and_then(|a| a.owner.map(|o| o.id)), id).await?;
                self.check_link_accepts(&link, &input)?;
                success_url = success_url.or(link.success_url.clone());
                fail_url = fail_url.or(link.fail_url.clone());
                link.owner_id
            }
            (3 | 4, Some(_)) => return Err(AppError::field(ErrorCode::NotFound, "id", "Unknown pay object")),
            _ => self.owner_of(member.expect("member for product 1"))?,
        };
        let (owner, plan) = match caller {
            // Read with the key a moment ago, as a plain read inside this unit of work would.
            InvoiceCaller::Key(k) if k.owner_id == owner_id => ((*k.owner).clone(), crate::policy::plan_of(&k.owner)),
            _ => self.owner_with_plan(tx, owner_id).await?,
        };
        if member.is_some() || self.config.kyc_required {
            self.require_kyc(&owner)?;
        }
        self.require_product(&plan, input.product_id)?;
        if !input.token_ids.is_empty() {
            self.check_tokens(tx, &input.token_ids).await?;
        }
        let coin = self
            .reference(tx)
            .await?
            .catalogue
            .coins
            .iter()
            .find(|c| c.id == input.coin_id && c.enabled)
            .cloned()
            .ok_or_else(|| AppError::field(ErrorCode::FieldRange, "coin_id", "Unknown pricing coin"))?;
        crate::policy::check_amount("amount", &input.amount, coin.decimals, false)?;
        if let Some(o) = &input.order_id
            && invoices::order_taken(tx, owner_id, o).await?
        {
            return Err(AppError::field(
                ErrorCode::DuplicateOrderId,
                "order_id",
                "order_id already used for an invoice",
            ));
        }
        let now = self.now();
        let expiry = input.expiry_minutes.unwrap_or(owner.invoice_expiry_minutes);
        let invoice = Invoice {
            id: Self::random_public_id(),
            owner_id,
            product_id: input.product_id,
            object_id: input.object_id,
            order_id: input.order_id,
            description: input.description,
            amount: DbAmount(input.amount),
            coin_id: coin.id,
            token_id: None,
            address_id: None,
            rate: None,
            amount_due: None,
            status: Status::New.id(),
            exception: "none".into(),
            token_ids: serde_json::to_string(&input.token_ids).expect("ids"),
            metadata: input.metadata,
            success_url,
            fail_url,
            expiry_minutes: expiry,
            expires_at: now + expiry * 60,
            processing_since: None,
            paid_at: None,
            created_by_user_id: if key_id.is_some() { None } else { member.map(|a| a.user_id) },
            api_key_id: key_id,
            receive_request: input.receive_request && input.product_id == 1 && member.is_some() && key_id.is_none(),
            created_at: now,
            updated_at: now,
        };
        invoices::insert(tx, &invoice).await.map_err(|e| {
            if e.is_conflict_on("invoices_owner_id_order_id_key") {
                AppError::field(ErrorCode::DuplicateOrderId, "order_id", "order_id already used for an invoice")
            } else {
                e.into()
            }
        })?;
        if may_listen(caller, owner_id) {
            self.emit_invoice(tx, owner_id, "invoice.created", invoice.id, None).await?;
        }
        Ok(invoice.id)
    }

    fn check_link_accepts(&self, link: &PayLink, input: &InvoiceCreate) -> AppResult<()> {
        let expired = link.expires_at.is_some_and(|t| t <= self.now());
        if link.status_id != pay_links::ACTIVE || expired {
            return Err(AppError::field(ErrorCode::PayObjectInactive, "id", "The pay link does not accept payments"));
        }
        if input.coin_id != link.coin_id {
            return Err(AppError::field(ErrorCode::FieldRange, "coin_id", "coin_id must be the pay link's"));
        }
        let out_of_range = match &link.amount {
            Some(fixed) => input.amount != fixed.0,
            None => {
                link.amount_min.as_ref().is_some_and(|m| input.amount < m.0)
                    || link.amount_max.as_ref().is_some_and(|m| input.amount > m.0)
            }
        };
        if out_of_range {
            return Err(AppError::field(ErrorCode::AmountOutOfRange, "amount", "The amount does not fit the pay link"));
        }
        Ok(())
    }

    /// The invoice a caller may see: any for public calls, the owner's for members (a cashier
    /// sees its own), 404 otherwise.
    async fn visible_invoice(
        &self,
        c: &mut impl Conn,
        caller: &InvoiceCaller,
        id: i64,
        lock: bool,
    ) -> AppResult<Invoice> {
        let inv = if lock { invoices::lock(c, id).await? } else { invoices::get(c, id).await? };
        let inv = inv.ok_or_else(|| AppError::field(ErrorCode::NotFound, "idInvoice", "Unknown invoice"))?;
        if let InvoiceCaller::Key(k) = caller
            && k.owner_id != inv.owner_id
        {
            return Err(AppError::field(ErrorCode::NotFound, "idInvoice", "Unknown invoice"));
        }
        if let InvoiceCaller::Member(a) = caller {
            let mine = a.owner.is_some_and(|o| {
                o.id == inv.owner_id && (o.role != Role::Cashier || inv.created_by_user_id == Some(a.user_id))
            });
            if !mine {
                return Err(AppError::field(ErrorCode::NotFound, "idInvoice", "Unknown invoice"));
            }
        }
        Ok(inv)
    }

    /// Tokens the payer may choose, with their chains.
    pub(crate) async fn payable_tokens(&self, c: &mut impl Conn, inv: &Invoice) -> AppResult<Vec<(Token, Chain)>> {
        self.payable_tokens_for(c, inv.product_id, inv.object_id, &inv.token_id_list()).await
    }

    /// Tokens payable for a pay object (`[]` = every token the owner accepts), narrowed.
    pub(crate) async fn payable_tokens_for(
        &self,
        c: &mut impl Conn,
        product_id: i64,
        object_id: Option<i64>,
        narrowing: &[i64],
    ) -> AppResult<Vec<(Token, Chain)>> {
        let keyed = self.reference(c).await?.keyed_chains.clone();
        let cat = self.catalogue_in(c, false).await?;
        let object_ids = match (product_id, object_id) {
            (2, Some(id)) => pay_links::by_id(c, id).await?.map(|l| l.token_id_list()).unwrap_or_default(),
            _ => vec![],
        };
        Ok(cat
            .tokens
            .into_iter()
            .filter(|t| keyed.contains(&t.chain_id))
            .filter(|t| cat.chains.iter().any(|ch| ch.id == t.chain_id && self.watchable(ch)))
            .filter(|t| object_ids.is_empty() || object_ids.contains(&t.id))
            .filter(|t| narrowing.is_empty() || narrowing.contains(&t.id))
            .filter_map(|t| cat.chains.iter().find(|ch| ch.id == t.chain_id).cloned().map(|ch| (t, ch)))
            .collect())
    }

    /// `POST /invoice/pay`: chooses (or switches) the paying token, derives the address, locks
    /// the rate, restarts the expiry.
    pub async fn pay_invoice(
        &self,
        caller: &InvoiceCaller,
        id: i64,
        token_id: Option<i64>,
        coin_id: Option<i64>,
    ) -> AppResult<PayAnswer> {
        let mut tx = self.store.begin().await?;
        let mut answer = self.pay_invoice_in(&mut tx, caller, id, token_id, coin_id).await?;
        tx.commit().await?;
        answer.transfer_commission_weis = self.fee_estimate(answer.chain_id, answer.token_id).await;
        Ok(answer)
    }

    /// The network fee of sending `token_id`, in the native coin's base units, as the chain's node
    /// estimates it now; `None` on chains without fees or when the node does not answer (the
    /// field is optional, and the payer is not kept waiting on it under a lock).
    async fn fee_estimate(&self, chain_id: i64, token_id: i64) -> Option<u128> {
        let chains = self.catalogue(true).await.ok()?.chains;
        let adapter = self.adapter_for(chains.iter().find(|c| c.id == chain_id)?)?;
        adapter.fee_estimate(self, token_id).await.ok().flatten()
    }

    /// Chooses the paying token inside the caller's unit of work.
    pub(crate) async fn pay_invoice_in(
        &self,
        tx: &mut Tx,
        caller: &InvoiceCaller,
        id: i64,
        token_id: Option<i64>,
        coin_id: Option<i64>,
    ) -> AppResult<PayAnswer> {
        let inv = self.visible_invoice(tx, caller, id, true).await?;
        let status = Status::from_id(inv.status).unwrap_or(Status::Invalid);
        let not_payable = |m: &'static str| AppError::new(ErrorCode::InvoiceNotPayable, m);
        if status != Status::New && status != Status::AwaitingPayment {
            return Err(not_payable("The invoice cannot be paid any more"));
        }
        if self.now() >= inv.expires_at {
            return Err(not_payable("The invoice has expired"));
        }
        let payable = self.payable_tokens(tx, &inv).await?;
        let choice = match (token_id, coin_id) {
            (Some(t), _) => Some(payable.iter().find(|(tok, _)| tok.id == t).cloned().ok_or_else(|| {
                AppError::field(ErrorCode::TokenNotAllowed, "token_id", "This token cannot pay the invoice")
            })?),
            (None, Some(c)) => {
                let of_coin: Vec<_> = payable.iter().filter(|(t, _)| t.coin_id == c).collect();
                match of_coin.len() {
                    0 => {
                        return Err(AppError::field(
                            ErrorCode::TokenNotAllowed,
                            "coin_id",
                            "No payable token of this coin",
                        ));
                    }
                    1 => Some(of_coin[0].clone()),
                    _ => {
                        return Err(AppError::field(
                            ErrorCode::FieldRequired,
                            "token_id",
                            "The coin exists on several chains: choose the token",
                        ));
                    }
                }
            }
            (None, None) => None,
        };
        // Repeating the call keeps the answer.
        if status == Status::AwaitingPayment && choice.as_ref().is_none_or(|(t, _)| Some(t.id) == inv.token_id) {
            return self.pay_answer(tx, &inv).await;
        }
        let (token, chain) = match choice {
            Some(c) => c,
            None if payable.len() == 1 => payable[0].clone(),
            None if payable.is_empty() => {
                return Err(AppError::new(ErrorCode::PaymentMethodUnavailable, "No token can pay this invoice"));
            }
            None => return Err(AppError::field(ErrorCode::FieldRequired, "token_id", "Choose the paying token")),
        };
        if status == Status::AwaitingPayment && !invoices::payments_of(tx, inv.id).await?.is_empty() {
            return Err(not_payable("A payment was seen: the token cannot change"));
        }
        let rate = self
            .rate(tx, token.coin_id, inv.coin_id)
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::PaymentMethodUnavailable, "No rate for this token"))?
            .rate;
        let due = inv
            .amount
            .div(&rate)
            .ok_or_else(|| AppError::new(ErrorCode::PaymentMethodUnavailable, "Zero rate"))?
            .round_up(token.decimals);
        if !due.is_positive() {
            return Err(AppError::field(
                ErrorCode::AmountOutOfRange,
                "amount",
                "The amount rounds to zero in this token",
            ));
        }
        let (address_id, address) = self
            .new_address(
                tx,
                &chain,
                AddressFor { owner_id: inv.owner_id, purpose: "invoice", invoice_id: Some(inv.id), label: None },
            )
            .await?;
        let now = self.now();
        let (rate, due) = (DbAmount(rate), DbAmount(due));
        let method = invoices::PaymentMethod {
            token_id: token.id,
            address_id,
            rate: &rate,
            amount_due: &due,
            expires_at: now + inv.expiry_minutes * 60,
        };
        invoices::set_payment_method(tx, inv.id, method, now).await?;
        if may_listen(caller, inv.owner_id) {
            self.emit_invoice(tx, inv.owner_id, "invoice.awaiting_payment", inv.id, None).await?;
        }
        Ok(answer(address, due.0, rate.0, chain, token))
    }

    /// The answer for an invoice whose method was chosen earlier (a repeated call).
    async fn pay_answer(&self, c: &mut impl Conn, inv: &Invoice) -> AppResult<PayAnswer> {
        let token = catalogue::token(c, inv.token_id.unwrap_or_default())
            .await?
            .ok_or_else(|| AppError::internal("token missing"))?;
        let chain = catalogue::chain(c, token.chain_id).await?.ok_or_else(|| AppError::internal("chain missing"))?;
        let address = xpubs::address(c, inv.address_id.unwrap_or_default())
            .await?
            .ok_or_else(|| AppError::internal("address missing"))?;
        let (due, rate) = (inv.amount_due.clone().map(|a| a.0), inv.rate.clone().map(|r| r.0));
        Ok(answer(address.address, due.unwrap_or_default(), rate.unwrap_or_default(), chain, token))
    }

    /// `POST /invoice/receive`.
    pub async fn invoice_state(&self, caller: &InvoiceCaller, id: i64) -> AppResult<InvoiceView> {
        let mut c = self.store.conn().await?;
        let inv = self.visible_invoice(&mut c, caller, id, false).await?;
        let mut view = self.invoice_view(&mut c, inv).await?;
        view.for_merchant = !matches!(caller, InvoiceCaller::Public);
        Ok(view)
    }

    pub(crate) async fn invoice_view(&self, c: &mut impl Conn, mut inv: Invoice) -> AppResult<InvoiceView> {
        // Expiry shows as soon as it has passed, before the clock job persists it.
        let status = Status::from_id(inv.status).unwrap_or(Status::Invalid);
        if matches!(status, Status::New | Status::AwaitingPayment) && self.now() >= inv.expires_at {
            let facts = self.facts(c, &inv).await?;
            let outcome = paygate_core::invoice::evaluate(&facts.0, &facts.1, self.now());
            inv.status = outcome.status.id();
            inv.exception = outcome.exception.as_str().to_owned();
        }
        let owner_name = owners::by_id(c, inv.owner_id).await?.map(|o| o.name).unwrap_or_default();
        let coin_code = catalogue::coin(c, inv.coin_id).await?.map(|c| c.code).unwrap_or_default();
        let token = match inv.token_id {
            Some(t) => catalogue::token(c, t).await?,
            None => None,
        };
        let chain = match &token {
            Some(t) => catalogue::chain(c, t.chain_id).await?,
            None => None,
        };
        let address = match inv.address_id {
            Some(a) => xpubs::address(c, a).await?.map(|a| a.address),
            None => None,
        };
        let head = match &chain {
            Some(ch) => chain_state::cursor(c, ch.id).await?.unwrap_or(0),
            None => 0,
        };
        let required = chain.as_ref().map(|ch| ch.confirmations_required).unwrap_or(1);
        let payments: Vec<PaymentView> = invoices::payments_of(c, inv.id)
            .await?
            .into_iter()
            .map(|p| {
                let confirmations = match (p.status.as_str(), p.block_height) {
                    ("replaced", _) | (_, None) => 0,
                    ("confirmed", _) => required,
                    (_, Some(h)) => (head - h + 1).clamp(0, required),
                };
                PaymentView { payment: p, confirmations }
            })
            .collect();
        let live: Vec<&PaymentView> = payments.iter().filter(|p| p.payment.status != "replaced").collect();
        let amount_paid: Amount = live.iter().map(|p| p.payment.amount.0.clone()).sum();
        let confirmations = live.iter().map(|p| p.confirmations).min().unwrap_or(0);
        let amount_remaining = inv.amount_due.as_ref().map(|d| (&d.0 - &amount_paid).max(Amount::zero()));
        let payable_tokens = self.payable_tokens(c, &inv).await?;
        Ok(InvoiceView {
            invoice: inv,
            owner_name,
            coin_code,
            token,
            chain,
            address,
            amount_paid,
            amount_remaining,
            confirmations,
            payments,
            payable_tokens,
            for_merchant: true,
        })
    }

    /// The machine's inputs for an invoice.
    pub(crate) async fn facts(
        &self,
        c: &mut impl Conn,
        inv: &Invoice,
    ) -> AppResult<(paygate_core::invoice::Facts, Vec<paygate_core::invoice::PaymentFact>)> {
        let decimals = match inv.token_id {
            Some(t) => catalogue::token(c, t).await?.map(|t| t.decimals).unwrap_or(0),
            None => 0,
        };
        let tolerance_bp = owners::by_id(c, inv.owner_id).await?.map(|o| o.underpayment_tolerance_bp).unwrap_or(0);
        let facts = paygate_core::invoice::Facts {
            status: Status::from_id(inv.status).unwrap_or(Status::Invalid),
            exception: Exception::parse(&inv.exception),
            amount_due: inv.amount_due.clone().map(|a| a.0),
            token_decimals: decimals,
            tolerance_bp,
            expires_at: inv.expires_at,
            processing_since: inv.processing_since,
        };
        let payments = invoices::payments_of(c, inv.id)
            .await?
            .into_iter()
            .map(|p| paygate_core::invoice::PaymentFact {
                amount: p.amount.0,
                confirmed: p.status == "confirmed",
                replaced: p.status == "replaced",
            })
            .collect();
        Ok((facts, payments))
    }
}

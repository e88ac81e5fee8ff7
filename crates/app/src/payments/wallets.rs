//! Standing deposit addresses (§4.12), receive requests (§4.21) and the public pay-link card
//! (§4.30).

use paygate_core::{Amount, AppError, AppResult, ErrorCode};
use paygate_store::catalogue::{self, Chain, Token};
use paygate_store::pay_links::{self, PayLink};
use paygate_store::{invoices, owners, xpubs};

use super::addresses::AddressFor;
use super::invoices::{InvoiceCaller, InvoiceCreate, InvoiceView};
use crate::Services;
use crate::actor::Actor;

/// Standing addresses an owner may hold per chain.
const WALLETS_PER_CHAIN: usize = 20;

#[derive(Debug, Clone)]
pub struct WalletView {
    pub address: xpubs::AddressRow,
    pub received: Vec<(i64, String, Amount)>,
}

/// `POST /paylink/external-environment/info`.
#[derive(Debug, Clone)]
pub struct PublicLinkCard {
    pub link: PayLink,
    pub payable: bool,
    pub owner_name: String,
    pub owner_avatar: Option<String>,
    pub owner_site_url: Option<String>,
    pub coin_code: String,
    pub payable_tokens: Vec<(Token, Chain)>,
}

#[derive(Debug, Clone)]
pub struct ReceiveRequest {
    pub token_id: i64,
    pub amount: Amount,
    pub order_id: Option<String>,
    pub description: Option<String>,
    pub expiry_minutes: Option<i64>,
}

impl Services {
    pub async fn wallets(&self, actor: &Actor, chain_id: Option<i64>) -> AppResult<Vec<WalletView>> {
        let owner_id = self.owner_of(actor)?;
        let mut c = self.store.conn().await?;
        let mut out = vec![];
        for a in xpubs::wallets(&mut c, owner_id, chain_id).await? {
            let mut received: Vec<(i64, String, Amount)> = vec![];
            for (token_id, amount) in invoices::received_on(&mut c, a.id).await? {
                match received.iter_mut().find(|r| r.0 == token_id) {
                    Some(r) => r.2 = &r.2 + &amount.0,
                    None => {
                        let code = catalogue::token(&mut c, token_id).await?.map(|t| t.code).unwrap_or_default();
                        received.push((token_id, code, amount.0));
                    }
                }
            }
            out.push(WalletView { address: a, received });
        }
        Ok(out)
    }

    /// `POST /api/wallet`: a new standing address on an enabled chain.
    pub async fn create_wallet(&self, actor: &Actor, chain_id: i64, label: Option<&str>) -> AppResult<WalletView> {
        let owner_id = self.owner_of(actor)?;
        let mut tx = self.store.begin().await?;
        let (owner, _) = self.owner_with_plan(&mut tx, owner_id).await?;
        self.require_kyc(&owner)?;
        let chain = catalogue::chain(&mut tx, chain_id)
            .await?
            .filter(|c| c.enabled && self.chain_in_mode(c))
            .ok_or_else(|| AppError::field(ErrorCode::NotFound, "chain_id", "Unknown chain"))?;
        if xpubs::wallets(&mut tx, owner_id, Some(chain.id)).await?.len() >= WALLETS_PER_CHAIN {
            return Err(AppError::field(
                ErrorCode::QuotaExceeded,
                "chain_id",
                "20 standing addresses on this chain already",
            ));
        }
        let (id, _) = self
            .new_address(&mut tx, &chain, AddressFor { owner_id, purpose: "wallet", invoice_id: None, label })
            .await?;
        let address = xpubs::address(&mut tx, id).await?.ok_or_else(|| AppError::internal("address vanished"))?;
        tx.commit().await?;
        Ok(WalletView { address, received: vec![] })
    }

    /// `POST /api/receive/create`: an invoice of product 1 for an exact amount of one token,
    /// with its address issued at once.
    pub async fn create_receive_request(&self, actor: &Actor, r: ReceiveRequest) -> AppResult<InvoiceView> {
        let token = self
            .owner_tokens(actor)
            .await?
            .into_iter()
            .find(|t| t.id == r.token_id)
            .ok_or_else(|| AppError::field(ErrorCode::NotFound, "token_id", "Unknown token"))?;
        crate::policy::check_amount("amount", &r.amount, token.decimals, false)?;
        if r.amount < token.min_amount.0 {
            return Err(AppError::field(
                ErrorCode::AmountOutOfRange,
                "amount",
                format!("At least {} {}", token.min_amount.0, token.code),
            ));
        }
        let caller = InvoiceCaller::Member(actor.clone());
        let input = InvoiceCreate {
            product_id: 1,
            coin_id: token.coin_id,
            amount: r.amount,
            object_id: None,
            order_id: r.order_id,
            description: r.description,
            metadata: None,
            token_ids: vec![token.id],
            success_url: None,
            fail_url: None,
            expiry_minutes: r.expiry_minutes,
            receive_request: true,
        };
        // One unit of work: a request whose address cannot be issued leaves nothing behind.
        let mut tx = self.store.begin().await?;
        let id = self.create_invoice_in(&mut tx, &caller, input).await?;
        self.pay_invoice_in(&mut tx, &caller, id, Some(token.id), None).await?;
        tx.commit().await?;
        self.invoice_state(&caller, id).await
    }

    /// The public card of a pay link by `public_id` or `id`; deleted links are unknown.
    pub async fn public_link(&self, public_id: Option<&str>, id: Option<i64>) -> AppResult<PublicLinkCard> {
        let mut c = self.store.conn().await?;
        let link = match (public_id, id) {
            (Some(p), None) => pay_links::by_public_id(&mut c, p).await?,
            (None, Some(i)) => pay_links::by_id(&mut c, i).await?,
            _ => {
                return Err(AppError::field(
                    ErrorCode::FieldCombination,
                    "public_id",
                    "Give exactly one of public_id and id",
                ));
            }
        };
        let link = link.filter(|l| l.status_id != pay_links::DELETED).ok_or_else(|| AppError::not_found("Pay link"))?;
        let summary = self.summarise(&mut c, link).await?;
        let link = summary.link;
        let owner = owners::by_id(&mut c, link.owner_id).await?.ok_or_else(|| AppError::internal("owner missing"))?;
        let payable = link.status_id == pay_links::ACTIVE && (!self.config.kyc_required || owner.kyc_status == 2);
        let coin_code = catalogue::coin(&mut c, link.coin_id).await?.map(|c| c.code).unwrap_or_default();
        let payable_tokens = self.payable_tokens_for(&mut c, 2, Some(link.id), &[]).await?;
        Ok(PublicLinkCard {
            payable,
            owner_name: owner.name,
            owner_avatar: self.avatar_url(&owner.avatar),
            owner_site_url: owner.site_url,
            coin_code,
            payable_tokens,
            link,
        })
    }
}

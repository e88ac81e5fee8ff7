//! Pay links (§2.10, §4.18): reusable or temporary, fixed or dynamic amount.

use paygate_core::{Amount, AppError, AppResult, ErrorCode};
use paygate_store::pay_links::{self, PayLink};
use paygate_store::{Conn, DbAmount, catalogue, invoices};

use crate::Services;
use crate::actor::Actor;
use crate::crypto;
use crate::policy::check_amount;

const PUBLIC_ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub const KIND_TEMPORARY: i64 = 2;
const MAX_AHEAD: i64 = 90 * 86_400;

/// A new link (validated field by field by the caller).
#[derive(Debug, Clone)]
pub struct PayLinkInput {
    pub kind_id: i64,
    pub name: String,
    pub description: Option<String>,
    pub coin_id: i64,
    pub amount: Option<Amount>,
    pub amount_min: Option<Amount>,
    pub amount_max: Option<Amount>,
    pub token_ids: Vec<i64>,
    pub success_url: Option<String>,
    pub fail_url: Option<String>,
    pub expires_at: Option<i64>,
    pub single_use: bool,
}

/// `PUT /api/pay/pay-link`; `Some(None)` clears a nullable field.
#[derive(Debug, Clone, Default)]
pub struct PayLinkPatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub amount: Option<Option<Amount>>,
    pub amount_min: Option<Option<Amount>>,
    pub amount_max: Option<Option<Amount>>,
    pub token_ids: Option<Vec<i64>>,
    pub success_url: Option<Option<String>>,
    pub fail_url: Option<Option<String>>,
    pub status_id: Option<i64>,
    pub expires_at: Option<i64>,
    pub single_use: Option<bool>,
}

/// A link with its counters, as every pay-link answer shows it.
#[derive(Debug, Clone)]
pub struct PayLinkSummary {
    pub link: PayLink,
    pub url: String,
    pub invoices_count: i64,
    pub paid_count: i64,
    pub paid_amount: Amount,
    pub last_paid_at: Option<i64>,
}

impl Services {
    /// A random public id: 2^32 ≤ id < 2^53 (§1.6), so objects cannot be enumerated.
    pub(crate) fn random_public_id() -> i64 {
        let b = crypto::random_bytes(8);
        let n = u64::from_be_bytes(b.try_into().expect("8 bytes"));
        (1i64 << 32) + (n % ((1u64 << 53) - (1u64 << 32))) as i64
    }

    /// Checked inside the caller's unit of work, on its connection.
    pub(crate) async fn check_tokens(&self, c: &mut impl Conn, token_ids: &[i64]) -> AppResult<()> {
        let accepted: Vec<i64> = self.owner_tokens_in(c).await?.iter().map(|t| t.id).collect();
        if let Some(bad) = token_ids.iter().find(|t| !accepted.contains(t)) {
            return Err(AppError::field(
                ErrorCode::TokenNotAllowed,
                "token_ids",
                format!("Token {bad} cannot be accepted"),
            ));
        }
        Ok(())
    }

    /// Amount rules of a link in its coin's decimals; min ≤ max.
    fn check_link_amounts(&self, decimals: i64, l: &PayLink) -> AppResult<()> {
        for (field, v) in [("amount", &l.amount), ("amount_min", &l.amount_min), ("amount_max", &l.amount_max)] {
            if let Some(a) = v {
                check_amount(field, a, decimals, false)?;
            }
        }
        if let (Some(min), Some(max)) = (&l.amount_min, &l.amount_max)
            && min.0 > max.0
        {
            return Err(AppError::field(ErrorCode::FieldRange, "amount_min", "amount_min is above amount_max"));
        }
        if l.amount.is_some() && (l.amount_min.is_some() || l.amount_max.is_some()) {
            return Err(AppError::field(ErrorCode::FieldCombination, "amount", "A fixed amount has no bounds"));
        }
        Ok(())
    }

    fn check_expiry(&self, expires_at: Option<i64>) -> AppResult<()> {
        if let Some(t) = expires_at
            && (t <= self.now() || t > self.now() + MAX_AHEAD)
        {
            return Err(AppError::field(
                ErrorCode::FieldRange,
                "expires_at",
                "expires_at must be in the future and at most 90 days ahead",
            ));
        }
        Ok(())
    }

    pub async fn create_pay_link(&self, actor: &Actor, input: PayLinkInput) -> AppResult<PayLinkSummary> {
        let owner_id = self.owner_of(actor)?;
        let mut tx = self.store.begin().await?;
        let (owner, plan) = self.owner_with_plan(&mut tx, owner_id).await?;
        self.require_kyc(&owner)?;
        self.require_product(&plan, 2)?;
        let coin = catalogue::coin(&mut tx, input.coin_id)
            .await?
            .filter(|c| c.enabled)
            .ok_or_else(|| AppError::field(ErrorCode::NotFound, "coin_id", "Unknown coin"))?;
        self.check_tokens(&mut tx, &input.token_ids).await?;
        self.check_expiry(input.expires_at)?;
        let now = self.now();
        let link = PayLink {
            id: Self::random_public_id(),
            public_id: crypto::random_code(12, PUBLIC_ID_ALPHABET),
            owner_id,
            kind_id: input.kind_id,
            name: input.name,
            description: input.description,
            amount: input.amount.map(DbAmount),
            amount_min: input.amount_min.map(DbAmount),
            amount_max: input.amount_max.map(DbAmount),
            coin_id: coin.id,
            token_ids: serde_json::to_string(&input.token_ids).expect("ids"),
            single_use: input.kind_id == KIND_TEMPORARY && input.single_use,
            expires_at: if input.kind_id == KIND_TEMPORARY { input.expires_at } else { None },
            success_url: input.success_url,
            fail_url: input.fail_url,
            status_id: pay_links::ACTIVE,
            created_at: now,
            updated_at: now,
        };
        self.check_link_amounts(coin.decimals, &link)?;
        pay_links::insert(&mut tx, &link).await?;
        let summary = self.summarise(&mut tx, link).await?;
        tx.commit().await?;
        Ok(summary)
    }

    pub(crate) async fn summarise(&self, c: &mut impl Conn, mut link: PayLink) -> AppResult<PayLinkSummary> {
        if link.status_id <= pay_links::DISABLED && link.expires_at.is_some_and(|t| t <= self.now()) {
            link.status_id = pay_links::EXPIRED;
        }
        let (invoices_count, paid_count, paid, last_paid_at) =
            invoices::object_counts(c, link.owner_id, 2, link.id).await?;
        let url = format!("{}/pay/{}", self.config.public_base_url, link.public_id);
        Ok(PayLinkSummary {
            link,
            url,
            invoices_count,
            paid_count,
            paid_amount: paid.into_iter().map(|a| a.0).sum(),
            last_paid_at,
        })
    }

    pub async fn pay_link(&self, actor: &Actor, id: i64) -> AppResult<PayLinkSummary> {
        let owner_id = self.owner_of(actor)?;
        let mut c = self.store.conn().await?;
        let link = owned_link(&mut c, owner_id, id).await?;
        self.summarise(&mut c, link).await
    }

    pub async fn update_pay_link(&self, actor: &Actor, id: i64, p: PayLinkPatch) -> AppResult<()> {
        let owner_id = self.owner_of(actor)?;
        let mut tx = self.store.begin().await?;
        let mut link = owned_link(&mut tx, owner_id, id).await?;
        if link.status_id == pay_links::COMPLETED {
            return Err(AppError::new(ErrorCode::InvalidState, "A completed link cannot change"));
        }
        let expired = link.status_id == pay_links::EXPIRED || link.expires_at.is_some_and(|t| t <= self.now());
        if let Some(t) = p.expires_at {
            self.check_expiry(Some(t))?;
            if link.kind_id == KIND_TEMPORARY {
                link.expires_at = Some(t);
                if expired {
                    link.status_id = pay_links::ACTIVE;
                }
            }
        } else if expired && p.status_id.is_some() {
            return Err(AppError::field(
                ErrorCode::InvalidState,
                "status_id",
                "The link has expired: give it a new expires_at",
            ));
        }
        if let Some(s) = p.status_id {
            link.status_id = s;
        }
        if let Some(ids) = &p.token_ids {
            self.check_tokens(&mut tx, ids).await?;
            link.token_ids = serde_json::to_string(ids).expect("ids");
        }
        if let Some(v) = p.name {
            link.name = v;
        }
        macro_rules! nullable {
            ($($f:ident),*) => { $( if let Some(v) = p.$f { link.$f = v; } )* };
        }
        nullable!(description, success_url, fail_url);
        if let Some(v) = p.amount {
            link.amount = v.map(DbAmount);
        }
        if let Some(v) = p.amount_min {
            link.amount_min = v.map(DbAmount);
        }
        if let Some(v) = p.amount_max {
            link.amount_max = v.map(DbAmount);
        }
        if let (Some(v), true) = (p.single_use, link.kind_id == KIND_TEMPORARY) {
            link.single_use = v;
        }
        let coin = catalogue::coin(&mut tx, link.coin_id).await?.ok_or_else(|| AppError::internal("coin missing"))?;
        self.check_link_amounts(coin.decimals, &link)?;
        link.updated_at = self.now();
        pay_links::update(&mut tx, &link).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Status 5; idempotent.
    pub async fn delete_pay_link(&self, actor: &Actor, id: i64) -> AppResult<()> {
        let owner_id = self.owner_of(actor)?;
        let mut tx = self.store.begin().await?;
        let mut link =
            pay_links::of_owner(&mut tx, owner_id, id).await?.ok_or_else(|| AppError::not_found("Pay link"))?;
        link.status_id = pay_links::DELETED;
        link.updated_at = self.now();
        pay_links::update(&mut tx, &link).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn search_pay_links(
        &self,
        actor: &Actor,
        s: &pay_links::Search,
        limit: i64,
        offset: i64,
    ) -> AppResult<(Vec<PayLinkSummary>, i64)> {
        let owner_id = self.owner_of(actor)?;
        let mut c = self.store.conn().await?;
        let (rows, total) = pay_links::search(&mut c, owner_id, s, limit, offset).await?;
        let mut out = vec![];
        for l in rows {
            out.push(self.summarise(&mut c, l).await?);
        }
        Ok((out, total))
    }

    /// Pricing coins: enabled coins with a rate to at least one token the owner accepts.
    pub async fn pricing_coins(&self, actor: &Actor) -> AppResult<Vec<catalogue::Coin>> {
        let tokens = self.owner_tokens(actor).await?;
        let mut c = self.store.conn().await?;
        let mut out = vec![];
        for coin in catalogue::coins(&mut c).await?.into_iter().filter(|c| c.enabled) {
            for t in &tokens {
                if self.rate(&mut c, t.coin_id, coin.id).await?.is_some() {
                    out.push(coin);
                    break;
                }
            }
        }
        Ok(out)
    }
}

/// One of the owner's links that is not deleted; 404 otherwise.
async fn owned_link(c: &mut impl Conn, owner_id: i64, id: i64) -> AppResult<PayLink> {
    pay_links::of_owner(c, owner_id, id)
        .await?
        .filter(|l| l.status_id != pay_links::DELETED)
        .ok_or_else(|| AppError::not_found("Pay link"))
}

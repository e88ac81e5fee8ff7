//! The wire shapes of an invoice (`InvoiceState`, `Payment`, `PayableToken` of §3): what
//! `/invoice/receive` answers and what invoice webhooks carry, built in one place.

use paygate_core::Amount;
use paygate_core::time::rfc3339;
use paygate_store::catalogue::{Chain, Token};
use serde::Serialize;
use utoipa::ToSchema;

use super::{InvoiceView, PaymentView};

fn rfc3339_opt(unix: Option<i64>) -> Option<String> {
    unix.map(rfc3339)
}

#[derive(Serialize, ToSchema)]
pub struct PayableToken {
    pub token_id: i64,
    pub coin_id: i64,
    pub code: String,
    pub chain_id: i64,
    /// Chain name.
    pub name: String,
    pub standard: String,
    pub decimals: i64,
    pub is_test: bool,
}

impl From<(Token, Chain)> for PayableToken {
    fn from((t, c): (Token, Chain)) -> Self {
        PayableToken {
            token_id: t.id,
            coin_id: t.coin_id,
            code: t.code,
            chain_id: c.id,
            name: c.name,
            standard: t.standard,
            decimals: t.decimals,
            is_test: c.is_test,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PaymentState {
    pub tx_hash: String,
    pub index: i64,
    pub amount: String,
    pub confirmations: i64,
    /// `seen`, `confirmed` or `replaced`.
    pub status: String,
    pub seen_at: String,
    pub confirmed_at: Option<String>,
}

impl From<&PaymentView> for PaymentState {
    fn from(p: &PaymentView) -> Self {
        PaymentState {
            tx_hash: p.payment.tx_hash.clone(),
            index: p.payment.log_index,
            amount: p.payment.amount.to_plain(),
            confirmations: p.confirmations,
            status: p.payment.status.clone(),
            seen_at: rfc3339(p.payment.seen_at),
            confirmed_at: rfc3339_opt(p.payment.confirmed_at),
        }
    }
}

/// `InvoiceState` of §3.
#[derive(Serialize, ToSchema)]
pub struct InvoiceState {
    pub invoice_id: i64,
    pub status: i64,
    pub exception: String,
    pub product_id: i64,
    pub object_id: Option<i64>,
    pub owner_name: String,
    pub order_id: Option<String>,
    pub description: Option<String>,
    #[schema(value_type = f64)]
    pub amount: Amount,
    pub coin_id: i64,
    pub coin_code: String,
    pub token_id: Option<i64>,
    pub code: Option<String>,
    pub chain_id: Option<i64>,
    pub name: Option<String>,
    pub address: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub rate: Option<Amount>,
    pub amount_due: Option<String>,
    pub amount_paid: String,
    pub amount_remaining: Option<String>,
    pub confirmations: i64,
    pub confirmations_required: Option<i64>,
    pub payments: Vec<PaymentState>,
    pub payable_tokens: Vec<PayableToken>,
    pub created_at: String,
    pub expires_at: String,
    pub paid_at: Option<String>,
    pub success_url: Option<String>,
    pub fail_url: Option<String>,
    pub metadata: Option<serde_json::Value>,
}

impl From<InvoiceView> for InvoiceState {
    fn from(v: InvoiceView) -> Self {
        let i = v.invoice;
        InvoiceState {
            invoice_id: i.id,
            status: i.status,
            exception: i.exception,
            product_id: i.product_id,
            object_id: i.object_id,
            owner_name: v.owner_name,
            order_id: i.order_id,
            description: i.description,
            amount: i.amount.0,
            coin_id: i.coin_id,
            coin_code: v.coin_code,
            token_id: i.token_id,
            code: v.token.as_ref().map(|t| t.code.clone()),
            chain_id: v.chain.as_ref().map(|c| c.id),
            name: v.chain.as_ref().map(|c| c.name.clone()),
            address: v.address,
            rate: i.rate.map(|r| r.0),
            amount_due: i.amount_due.map(|a| a.to_plain()),
            amount_paid: v.amount_paid.to_plain(),
            amount_remaining: v.amount_remaining.map(|a| a.to_plain()),
            confirmations: v.confirmations,
            confirmations_required: v.chain.as_ref().map(|c| c.confirmations_required),
            payments: v.payments.iter().map(PaymentState::from).collect(),
            payable_tokens: v.payable_tokens.into_iter().map(PayableToken::from).collect(),
            created_at: rfc3339(i.created_at),
            expires_at: rfc3339(i.expires_at),
            paid_at: rfc3339_opt(i.paid_at),
            success_url: i.success_url,
            fail_url: i.fail_url,
            metadata: if v.for_merchant { i.metadata.and_then(|m| serde_json::from_str(&m).ok()) } else { None },
        }
    }
}

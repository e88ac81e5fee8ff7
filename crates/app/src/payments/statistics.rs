//! A product's invoice history and its aggregates (§4.16 "product statistic(s) request"),
//! shared by pay links, terminals and pay forms. Read-only; money figures are exact decimals,
//! converted at current rates where the caller asks for one currency.

use std::collections::{BTreeMap, HashMap};

use paygate_core::series::{self, Interval};
use paygate_core::{Amount, AppError, AppResult, ErrorCode};
use paygate_store::catalogue::{Coin, Token};
use paygate_store::invoices::{self, Invoice, ProductFilter};
use paygate_store::{Conn, ledger, pay_links, timezones, users};
use serde::Serialize;
use utoipa::ToSchema;

use crate::Services;
use crate::actor::Actor;

const MAX_PERIOD: i64 = 366 * 86400;
const DEFAULT_PERIOD: i64 = 30 * 86400;

/// `filters.amount` (§1.8 amount range).
#[derive(Debug, Default, Clone)]
pub struct AmountRange {
    pub coin_id: Option<i64>,
    pub currency_id: Option<i64>,
    pub token_id: Option<i64>,
    pub min: Option<Amount>,
    pub max: Option<Amount>,
    pub exclude: bool,
}

#[derive(Debug, Default)]
pub struct ProductQuery {
    pub product_id: i64,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub object_ids: Option<(Vec<i64>, bool)>,
    pub statuses: Option<(Vec<i64>, bool)>,
    pub token_ids: Option<(Vec<i64>, bool)>,
    pub amount: Option<AmountRange>,
    pub search: Option<String>,
    pub exceptions: Vec<String>,
    pub interval: Option<Interval>,
    pub currency_id: Option<i64>,
}

/// `InvoiceRow` of §3.
#[derive(Serialize, ToSchema)]
pub struct InvoiceRow {
    pub invoice_id: i64,
    pub product_id: i64,
    pub object_id: Option<i64>,
    pub object_name: Option<String>,
    pub order_id: Option<String>,
    pub status: i64,
    pub exception: String,
    #[schema(value_type = f64)]
    pub amount: Amount,
    pub coin_id: i64,
    pub coin_code: String,
    pub token_id: Option<i64>,
    pub code: Option<String>,
    pub amount_paid: String,
    /// After commission, in the paying coin.
    #[schema(value_type = Option<f64>)]
    pub credited_amount: Option<Amount>,
    #[schema(value_type = Option<f64>)]
    pub commission: Option<Amount>,
    pub created_by_user_id: Option<i64>,
    pub created_at: String,
    pub paid_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StatusCount {
    pub status: i64,
    pub count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CoinFigure {
    pub coin_id: i64,
    pub code: String,
    pub count: i64,
    #[schema(value_type = f64)]
    pub amount: Amount,
    #[schema(value_type = f64)]
    pub amount_converted: Amount,
}

#[derive(Serialize, ToSchema)]
pub struct SeriesPoint {
    pub from: String,
    pub to: String,
    pub count: i64,
    pub paid_count: i64,
    #[schema(value_type = f64)]
    pub amount: Amount,
}

/// `InvoiceStatistic` of §3.
#[derive(Serialize, ToSchema)]
pub struct InvoiceStatistic {
    pub currency_id: i64,
    pub from: String,
    pub to: String,
    pub count: i64,
    pub paid_count: i64,
    pub expired_count: i64,
    /// Paid invoices' amounts, converted.
    #[schema(value_type = f64)]
    pub amount: Amount,
    #[schema(value_type = f64)]
    pub commission_amount: Amount,
    pub by_status: Vec<StatusCount>,
    pub by_coin: Vec<CoinFigure>,
    pub series: Vec<SeriesPoint>,
}

/// What one invoice's confirmed payments were booked as.
#[derive(Default, Clone)]
struct Split {
    credited: Amount,
    commission: Amount,
    paid_coin: Option<i64>,
}

impl Services {
    /// `…/statistics`: the rows, newest first, and the total.
    pub async fn product_invoices(
        &self,
        actor: &Actor,
        q: &ProductQuery,
        limit: i64,
        offset: i64,
    ) -> AppResult<(Vec<InvoiceRow>, i64)> {
        let owner_id = self.owner_of(actor)?;
        let mut c = self.store.conn().await?;
        let (from, to) = period(q, self.now())?;
        let rows = self.matching(&mut c, owner_id, q, from, to).await?;
        let total = rows.len() as i64;
        let page: Vec<Invoice> = rows.into_iter().skip(offset.max(0) as usize).take(limit.max(0) as usize).collect();
        let reference = self.reference(&mut c).await?;
        let splits = splits(&mut c, &page, &reference.catalogue.tokens).await?;
        let coins: HashMap<i64, &Coin> = reference.catalogue.coins.iter().map(|c| (c.id, c)).collect();
        let mut out = Vec::with_capacity(page.len());
        for inv in page {
            let object_name = match (inv.product_id, inv.object_id) {
                (2, Some(id)) => pay_links::by_id(&mut c, id).await?.map(|l| l.name),
                _ => None,
            };
            let token = inv.token_id.and_then(|t| reference.catalogue.tokens.iter().find(|x| x.id == t));
            let paid: Amount = invoices::payments_of(&mut c, inv.id)
                .await?
                .into_iter()
                .filter(|p| p.status != "replaced")
                .map(|p| p.amount.0)
                .sum();
            let split = splits.get(&inv.id);
            out.push(InvoiceRow {
                invoice_id: inv.id,
                product_id: inv.product_id,
                object_id: inv.object_id,
                object_name,
                order_id: inv.order_id,
                status: inv.status,
                exception: inv.exception,
                amount: inv.amount.0,
                coin_id: inv.coin_id,
                coin_code: coins.get(&inv.coin_id).map(|c| c.code.clone()).unwrap_or_default(),
                token_id: inv.token_id,
                code: token.map(|t| t.code.clone()),
                amount_paid: paid.to_plain(),
                credited_amount: split.map(|s| s.credited.clone()),
                commission: split.map(|s| s.commission.clone()),
                created_by_user_id: inv.created_by_user_id,
                created_at: paygate_core::time::rfc3339(inv.created_at),
                paid_at: inv.paid_at.map(paygate_core::time::rfc3339),
            });
        }
        Ok((out, total))
    }

    /// `…/statistic`: counts, converted sums and a series over the period.
    pub async fn product_statistic(&self, actor: &Actor, q: &ProductQuery) -> AppResult<InvoiceStatistic> {
        let owner_id = self.owner_of(actor)?;
        let mut c = self.store.conn().await?;
        let (from, to) = period(q, self.now())?;
        let interval = q.interval.unwrap_or(Interval::Day);
        if interval == Interval::Hour && to - from > 7 * 86400 {
            return Err(AppError::field(ErrorCode::FieldRange, "interval", "Hours only for periods up to 7 days"));
        }
        let reference = self.reference(&mut c).await?;
        let coin = |id: i64| reference.catalogue.coins.iter().find(|c| c.id == id);
        let currency_id = match q.currency_id {
            Some(id) => coin(id)
                .map(|c| c.id)
                .ok_or_else(|| AppError::field(ErrorCode::NotFound, "currency_id", "Unknown currency"))?,
            None => {
                ledger::balances(&mut c, owner_id).await?.into_iter().find(|b| b.is_default).map_or(1, |b| b.coin_id)
            }
        };
        let currency = coin(currency_id).ok_or_else(|| AppError::internal("coin missing"))?;
        let rows = self.matching(&mut c, owner_id, q, from, to).await?;
        let paid: Vec<&Invoice> = rows.iter().filter(|i| i.status == 4).collect();
        let splits = splits(&mut c, &rows, &reference.catalogue.tokens).await?;
        let mut rates: HashMap<i64, Option<Amount>> = HashMap::new();
        let mut convert = async |c: &mut paygate_store::PooledConn, coin: i64, amount: &Amount| -> AppResult<Amount> {
            if let std::collections::hash_map::Entry::Vacant(e) = rates.entry(coin) {
                e.insert(self.rate(c, coin, currency_id).await?.map(|r| r.rate));
            }
            // A coin without a rate to the currency cannot be summed into it; it still counts.
            Ok(rates[&coin].as_ref().map_or(Amount::zero(), |r| amount.mul(r)).round_down(currency.decimals))
        };
        let mut amount = Amount::zero();
        let mut by_coin: BTreeMap<i64, CoinFigure> = BTreeMap::new();
        let coins: HashMap<i64, &Coin> = reference.catalogue.coins.iter().map(|c| (c.id, c)).collect();
        for inv in &paid {
            let converted = convert(&mut c, inv.coin_id, &inv.amount.0).await?;
            amount = &amount + &converted;
            let f = by_coin.entry(inv.coin_id).or_insert_with(|| CoinFigure {
                coin_id: inv.coin_id,
                code: coins.get(&inv.coin_id).map(|c| c.code.clone()).unwrap_or_default(),
                count: 0,
                amount: Amount::zero(),
                amount_converted: Amount::zero(),
            });
            f.count += 1;
            f.amount = &f.amount + &inv.amount.0;
            f.amount_converted = &f.amount_converted + &converted;
        }
        let mut commission_amount = Amount::zero();
        for s in splits.values() {
            if let Some(coin) = s.paid_coin {
                commission_amount = &commission_amount + &convert(&mut c, coin, &s.commission).await?;
            }
        }
        let mut by_status: BTreeMap<i64, i64> = BTreeMap::new();
        for i in &rows {
            *by_status.entry(i.status).or_default() += 1;
        }
        // Buckets follow the caller's own time zone (§4.16).
        let zone = match users::by_id(&mut c, actor.user_id).await? {
            Some(u) => timezones::name_of(&mut c, u.timezone_id).await?.unwrap_or_else(|| "UTC".into()),
            None => "UTC".into(),
        };
        let mut series = Vec::new();
        for (start, end) in series::buckets(from, to, interval, &zone) {
            let in_bucket: Vec<&Invoice> =
                rows.iter().filter(|i| i.created_at >= start && i.created_at < end).collect();
            let mut sum = Amount::zero();
            for i in in_bucket.iter().filter(|i| i.status == 4) {
                sum = &sum + &convert(&mut c, i.coin_id, &i.amount.0).await?;
            }
            series.push(SeriesPoint {
                from: paygate_core::time::rfc3339(start),
                to: paygate_core::time::rfc3339(end),
                count: in_bucket.len() as i64,
                paid_count: in_bucket.iter().filter(|i| i.status == 4).count() as i64,
                amount: sum,
            });
        }
        Ok(InvoiceStatistic {
            currency_id,
            from: paygate_core::time::rfc3339(from),
            to: paygate_core::time::rfc3339(to),
            count: rows.len() as i64,
            paid_count: paid.len() as i64,
            expired_count: rows.iter().filter(|i| i.status == 5).count() as i64,
            amount,
            commission_amount,
            by_status: by_status.into_iter().map(|(status, count)| StatusCount { status, count }).collect(),
            by_coin: by_coin.into_values().collect(),
            series,
        })
    }

    /// The invoices matching every filter, the amount range compared exactly here.
    async fn matching(
        &self,
        c: &mut paygate_store::PooledConn,
        owner_id: i64,
        q: &ProductQuery,
        from: i64,
        to: i64,
    ) -> AppResult<Vec<Invoice>> {
        let f = ProductFilter {
            product_id: q.product_id,
            created_from: from,
            created_to: to,
            object_ids: q.object_ids.clone(),
            statuses: q.statuses.clone(),
            token_ids: q.token_ids.clone(),
            exceptions: q.exceptions.clone(),
            search: q.search.clone(),
        };
        let rows = invoices::of_product(c, owner_id, &f).await?;
        let Some(range) = &q.amount else { return Ok(rows) };
        let mut out = Vec::with_capacity(rows.len());
        for inv in rows {
            let value = match range.currency_id {
                Some(cur) if cur != inv.coin_id => {
                    self.rate(c, inv.coin_id, cur).await?.map(|r| inv.amount.0.mul(&r.rate))
                }
                _ => Some(inv.amount.0.clone()),
            };
            let inside = range.coin_id.is_none_or(|id| id == inv.coin_id)
                && range.token_id.is_none_or(|id| Some(id) == inv.token_id)
                && value.is_some_and(|v| {
                    range.min.as_ref().is_none_or(|m| &v >= m) && range.max.as_ref().is_none_or(|m| &v <= m)
                });
            if inside != range.exclude {
                out.push(inv);
            }
        }
        Ok(out)
    }
}

/// `[from, to)`: default the last 30 days, at most 366.
fn period(q: &ProductQuery, now: i64) -> AppResult<(i64, i64)> {
    let to = q.to.unwrap_or(now + 1);
    let from = q.from.unwrap_or(to - DEFAULT_PERIOD);
    if from >= to {
        return Err(AppError::field(ErrorCode::FieldRange, "filters.period", "from must be before to"));
    }
    if to - from > MAX_PERIOD {
        return Err(AppError::field(ErrorCode::FieldRange, "filters.period", "At most 366 days"));
    }
    Ok((from, to))
}

async fn splits(c: &mut impl Conn, rows: &[Invoice], tokens: &[Token]) -> AppResult<HashMap<i64, Split>> {
    let ids: Vec<i64> = rows.iter().map(|i| i.id).collect();
    let mut out: HashMap<i64, Split> = HashMap::new();
    for chunk in ids.chunks(500) {
        for (invoice_id, to_fees, amount) in invoices::booked_splits(c, chunk).await? {
            let s = out.entry(invoice_id).or_default();
            if to_fees {
                s.commission = &s.commission + &amount.0;
            } else {
                s.credited = &s.credited + &amount.0;
            }
        }
    }
    for inv in rows {
        if let (Some(s), Some(t)) = (out.get_mut(&inv.id), inv.token_id) {
            s.paid_coin = tokens.iter().find(|x| x.id == t).map(|t| t.coin_id);
        }
    }
    Ok(out)
}

//! The product statistic and statistics requests (§4.16), shared by pay links, terminals and
//! pay forms.

use paygate_app::payments::statistics::ProductQuery;
use paygate_core::ErrorCode;
use paygate_core::series::Interval;
use paygate_core::validate::Validator;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::admin_filters::{AmountRangeFilter, IdSet, Period};
use crate::wire::Paging;

const EXCEPTIONS: [&str; 4] = ["none", "paid_partial", "paid_over", "paid_late"];

#[derive(Deserialize, ToSchema, Default)]
pub struct StatisticFilters {
    /// Default the last 30 days; at most 366.
    period: Option<Period>,
    /// Object ids.
    id: Option<IdSet>,
    /// Invoice status.
    status: Option<IdSet>,
    /// On the invoice `amount`.
    amount: Option<AmountRangeFilter>,
    /// Paying token.
    token: Option<IdSet>,
    /// Statistics only: over `order_id`, invoice id, address, tx hash.
    search: Option<String>,
    /// Statistics only: exception values.
    exception: Option<Vec<String>>,
}

#[derive(Deserialize, ToSchema)]
pub struct StatisticRequest {
    filters: Option<StatisticFilters>,
    /// `hour` (periods ≤ 7 days), `day` (default), `week`, `month`.
    interval: Option<String>,
    /// Currency of converted figures; default the default balance's coin, else USD.
    currency_id: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct StatisticsRequest {
    filters: Option<StatisticFilters>,
    #[serde(flatten)]
    #[schema(inline)]
    pub paging: Paging,
}

fn check_filters(f: Option<&StatisticFilters>, v: &mut Validator) {
    let Some(f) = f else { return };
    if let Some(p) = &f.period {
        p.bounds("filters.period", v);
    }
    if let Some(s) = &f.search {
        v.length("filters.search", s, 1, 100);
    }
    if let Some(e) = &f.exception {
        v.check(e.iter().all(|x| EXCEPTIONS.contains(&x.as_str())), ErrorCode::FieldFormat, "filters.exception");
    }
}

fn query(product_id: i64, f: Option<StatisticFilters>) -> ProductQuery {
    let f = f.unwrap_or_default();
    let (from, to) = f.period.map(|p| p.bounds("filters.period", &mut Validator::new())).unwrap_or_default();
    ProductQuery {
        product_id,
        from,
        to,
        object_ids: f.id.and_then(IdSet::into_filter),
        statuses: f.status.and_then(IdSet::into_filter),
        token_ids: f.token.and_then(IdSet::into_filter),
        amount: f.amount.map(AmountRangeFilter::into_range),
        search: f.search,
        exceptions: f.exception.unwrap_or_default(),
        interval: None,
        currency_id: None,
    }
}

impl crate::extract::Validate for StatisticRequest {
    fn validate(&self, v: &mut Validator) {
        check_filters(self.filters.as_ref(), v);
        if let Some(i) = &self.interval {
            v.check(Interval::parse(i).is_some(), ErrorCode::FieldFormat, "interval");
        }
    }
}

impl crate::extract::Validate for StatisticsRequest {
    fn validate(&self, v: &mut Validator) {
        check_filters(self.filters.as_ref(), v);
        self.paging.check(v);
    }
}

impl StatisticRequest {
    pub fn into_query(self, product_id: i64) -> ProductQuery {
        ProductQuery {
            interval: self.interval.as_deref().and_then(Interval::parse),
            currency_id: self.currency_id,
            ..query(product_id, self.filters)
        }
    }
}

impl StatisticsRequest {
    pub fn into_query(self, product_id: i64) -> (ProductQuery, i64, i64) {
        (query(product_id, self.filters), self.paging.limit(), self.paging.offset())
    }
}

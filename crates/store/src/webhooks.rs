//! Merchant webhooks (§5.1): endpoints, the event outbox and the delivery log.

use crate::{Conn, StoreResult, exec, run};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Endpoint {
    pub id: i64,
    pub owner_id: i64,
    pub url: String,
    pub description: Option<String>,
    pub event_types: String,
    pub enabled: bool,
    pub secret_sealed: String,
    pub secret_prefix: String,
    pub last_delivery_at: Option<i64>,
    pub failing_since: Option<i64>,
    pub created_at: i64,
}

impl Endpoint {
    pub fn event_type_list(&self) -> Vec<String> {
        serde_json::from_str(&self.event_types).unwrap_or_default()
    }

    pub fn wants(&self, event_type: &str) -> bool {
        let types = self.event_type_list();
        types.is_empty() || types.iter().any(|t| t == event_type)
    }
}

const ENDPOINT: &str = "SELECT id, owner_id, url, description, event_types, enabled, secret_sealed, secret_prefix, \
    last_delivery_at, failing_since, created_at FROM webhook_endpoints";

pub struct NewEndpoint<'a> {
    pub owner_id: i64,
    pub url: &'a str,
    pub description: Option<&'a str>,
    pub event_types: &'a str,
    pub enabled: bool,
    pub secret_sealed: &'a str,
    pub secret_prefix: &'a str,
    pub now: i64,
}

pub async fn insert_endpoint(c: &mut impl Conn, e: NewEndpoint<'_>) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO webhook_endpoints (owner_id, url, description, event_types, enabled, secret_sealed, secret_prefix, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    let (id,): (i64,) = run!(c, |db| sqlx::query_as(SQL)
        .bind(e.owner_id)
        .bind(e.url)
        .bind(e.description)
        .bind(e.event_types)
        .bind(e.enabled)
        .bind(e.secret_sealed)
        .bind(e.secret_prefix)
        .bind(e.now)
        .fetch_one(db)
        .await)?;
    recount(c, id).await?;
    Ok(id)
}

/// Keeps `owners.webhook_endpoints` equal to the count of the endpoint's owner's enabled
/// endpoints; every change to an endpoint calls it in the same unit of work.
async fn recount(c: &mut impl Conn, endpoint_id: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE owners SET webhook_endpoints = \
        (SELECT count(*) FROM webhook_endpoints e WHERE e.owner_id = owners.id AND e.enabled) \
        WHERE id = (SELECT owner_id FROM webhook_endpoints WHERE id = $1)";
    exec!(c, sqlx::query(SQL).bind(endpoint_id))?;
    Ok(())
}

/// The owner's live endpoints, ordered by id.
pub async fn endpoints_of(c: &mut impl Conn, owner_id: i64) -> StoreResult<Vec<Endpoint>> {
    let sql = sqlx::AssertSqlSafe(format!("{ENDPOINT} WHERE owner_id = $1 AND deleted_at IS NULL ORDER BY id"));
    Ok(run!(c, |db| sqlx::query_as::<_, Endpoint>(sql).bind(owner_id).fetch_all(db).await)?)
}

pub async fn endpoint(c: &mut impl Conn, owner_id: i64, id: i64) -> StoreResult<Option<Endpoint>> {
    let sql = sqlx::AssertSqlSafe(format!("{ENDPOINT} WHERE owner_id = $1 AND id = $2 AND deleted_at IS NULL"));
    Ok(run!(c, |db| sqlx::query_as::<_, Endpoint>(sql).bind(owner_id).bind(id).fetch_optional(db).await)?)
}

pub async fn endpoint_by_id(c: &mut impl Conn, id: i64) -> StoreResult<Option<Endpoint>> {
    let sql = sqlx::AssertSqlSafe(format!("{ENDPOINT} WHERE id = $1 AND deleted_at IS NULL"));
    Ok(run!(c, |db| sqlx::query_as::<_, Endpoint>(sql).bind(id).fetch_optional(db).await)?)
}

pub struct EndpointChange<'a> {
    pub url: &'a str,
    pub description: Option<&'a str>,
    pub event_types: &'a str,
    pub enabled: bool,
    pub failing_since: Option<i64>,
}

pub async fn update_endpoint(c: &mut impl Conn, id: i64, e: EndpointChange<'_>) -> StoreResult<()> {
    const SQL: &str = "UPDATE webhook_endpoints SET url = $2, description = $3, event_types = $4, enabled = $5, failing_since = $6 WHERE id = $1";
    exec!(
        c,
        sqlx::query(SQL)
            .bind(id)
            .bind(e.url)
            .bind(e.description)
            .bind(e.event_types)
            .bind(e.enabled)
            .bind(e.failing_since)
    )?;
    recount(c, id).await
}

/// Deletes an endpoint: its log stays, its pending attempts end.
pub async fn delete_endpoint(c: &mut impl Conn, id: i64, now: i64) -> StoreResult<()> {
    exec!(
        c,
        sqlx::query("UPDATE webhook_endpoints SET deleted_at = $2, enabled = FALSE WHERE id = $1").bind(id).bind(now)
    )?;
    exec!(
        c,
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'failed', error = 'endpoint deleted', next_attempt_at = NULL \
             WHERE webhook_id = $1 AND status IN ('pending', 'retrying')"
        )
        .bind(id)
    )?;
    recount(c, id).await
}

/// What one attempt did to the endpoint's health.
pub async fn endpoint_attempted(c: &mut impl Conn, id: i64, ok: bool, now: i64) -> StoreResult<()> {
    let sql = if ok {
        "UPDATE webhook_endpoints SET last_delivery_at = $2, failing_since = NULL WHERE id = $1"
    } else {
        "UPDATE webhook_endpoints SET last_delivery_at = $2, failing_since = COALESCE(failing_since, $2) WHERE id = $1"
    };
    exec!(c, sqlx::query(sql).bind(id).bind(now))?;
    Ok(())
}

pub async fn disable_endpoint(c: &mut impl Conn, id: i64) -> StoreResult<()> {
    exec!(c, sqlx::query("UPDATE webhook_endpoints SET enabled = FALSE WHERE id = $1").bind(id))?;
    recount(c, id).await
}

pub async fn insert_event(c: &mut impl Conn, owner_id: i64, event_type: &str, now: i64) -> StoreResult<i64> {
    const SQL: &str =
        "INSERT INTO webhook_events (owner_id, event_type, body, created_at) VALUES ($1, $2, '', $3) RETURNING id";
    let (id,): (i64,) =
        run!(c, |db| sqlx::query_as(SQL).bind(owner_id).bind(event_type).bind(now).fetch_one(db).await)?;
    Ok(id)
}

/// The body names its own id, so it is written once the id is known.
pub async fn set_event_body(c: &mut impl Conn, id: i64, body: &str) -> StoreResult<()> {
    exec!(c, sqlx::query("UPDATE webhook_events SET body = $2 WHERE id = $1").bind(id).bind(body))?;
    Ok(())
}

pub async fn insert_delivery(c: &mut impl Conn, webhook_id: i64, event_id: i64, now: i64) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO webhook_deliveries (webhook_id, event_id, owner_id, event_type, attempt, status, next_attempt_at, created_at) \
        SELECT $1, e.id, e.owner_id, e.event_type, 0, 'pending', $3, $3 FROM webhook_events e WHERE e.id = $2 RETURNING id";
    let (id,): (i64,) =
        run!(c, |db| sqlx::query_as(SQL).bind(webhook_id).bind(event_id).bind(now).fetch_one(db).await)?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event_id: i64,
    pub owner_id: i64,
    pub event_type: String,
    pub attempt: i64,
    pub status: String,
    pub http_status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: Option<i64>,
    /// The event body; `None` once pruned.
    pub request_body: Option<String>,
    pub response_excerpt: Option<String>,
    pub next_attempt_at: Option<i64>,
    pub created_at: i64,
    /// Until when a worker holds the delivery; the holder's claim, which its record must match.
    pub locked_until: Option<i64>,
}

const DELIVERY: &str = "SELECT d.id, d.webhook_id, d.event_id, d.owner_id, d.event_type, d.attempt, d.status, d.http_status, \
    d.error, d.duration_ms, e.body AS request_body, d.response_excerpt, d.next_attempt_at, d.created_at, d.locked_until \
    FROM webhook_deliveries d LEFT JOIN webhook_events e ON e.id = d.event_id";

pub async fn delivery(c: &mut impl Conn, owner_id: i64, id: i64) -> StoreResult<Option<Delivery>> {
    let sql = sqlx::AssertSqlSafe(format!("{DELIVERY} WHERE d.owner_id = $1 AND d.id = $2"));
    Ok(run!(c, |db| sqlx::query_as::<_, Delivery>(sql).bind(owner_id).bind(id).fetch_optional(db).await)?)
}

/// Takes up to `limit` due deliveries for `lease` seconds; another worker skips them meanwhile.
pub async fn claim_due(c: &mut impl Conn, now: i64, lease: i64, limit: i64) -> StoreResult<Vec<Delivery>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{DELIVERY} WHERE d.status IN ('pending', 'retrying') AND d.next_attempt_at <= $1 \
         AND (d.locked_until IS NULL OR d.locked_until <= $1) ORDER BY d.next_attempt_at, d.id LIMIT $2"
    ));
    let due = run!(c, |db| sqlx::query_as::<_, Delivery>(sql).bind(now).bind(limit).fetch_all(db).await)?;
    let mut claimed = Vec::with_capacity(due.len());
    for mut d in due {
        // The conditional update is the lock: only one worker sees one row changed.
        let taken = exec!(
            c,
            sqlx::query(
                "UPDATE webhook_deliveries SET locked_until = $2 WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $3) \
                 AND status IN ('pending', 'retrying')"
            )
            .bind(d.id)
            .bind(now + lease)
            .bind(now)
        )?;
        if taken == 1 {
            d.locked_until = Some(now + lease);
            claimed.push(d);
        }
    }
    Ok(claimed)
}

pub struct AttemptResult<'a> {
    pub status: &'a str,
    pub http_status: Option<i64>,
    pub error: Option<&'a str>,
    pub duration_ms: i64,
    pub response_excerpt: Option<&'a str>,
    pub next_attempt_at: Option<i64>,
}

/// Records one attempt of the worker whose claim is `claim` (the `locked_until` it set); `false`
/// when it no longer holds the delivery — its lease ran out and another worker took it, or the
/// delivery was cancelled meanwhile (its endpoint deleted) — and nothing was written.
pub async fn record_attempt(c: &mut impl Conn, id: i64, claim: i64, r: AttemptResult<'_>) -> StoreResult<bool> {
    const SQL: &str = "UPDATE webhook_deliveries SET attempt = attempt + 1, status = $2, http_status = $3, error = $4, \
        duration_ms = $5, response_excerpt = $6, next_attempt_at = $7, locked_until = NULL \
        WHERE id = $1 AND status IN ('pending', 'retrying') AND locked_until = $8";
    let changed = exec!(
        c,
        sqlx::query(SQL)
            .bind(id)
            .bind(r.status)
            .bind(r.http_status)
            .bind(r.error)
            .bind(r.duration_ms)
            .bind(r.response_excerpt)
            .bind(r.next_attempt_at)
            .bind(claim)
    )?;
    Ok(changed == 1)
}

#[derive(Debug, Default)]
pub struct DeliveryFilter {
    pub webhook_id: Option<i64>,
    pub event_id: Option<i64>,
    pub event_type: Option<String>,
    pub statuses: Vec<String>,
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
}

pub async fn deliveries(
    c: &mut impl Conn,
    owner_id: i64,
    f: &DeliveryFilter,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<Delivery>, i64)> {
    // Statuses are checked against a closed list by the caller; they are quoted literals here.
    let statuses = f.statuses.iter().map(|s| format!("'{}'", s.replace('\'', ""))).collect::<Vec<_>>().join(",");
    let status_clause = if statuses.is_empty() { String::new() } else { format!(" AND d.status IN ({statuses})") };
    let filter = format!(
        "d.owner_id = $1 AND ($2 = 0 OR d.webhook_id = $2) AND ($3 = 0 OR d.event_id = $3) AND ($4 = '' OR d.event_type = $4) \
         AND ($5 = 0 OR d.created_at >= $5) AND ($6 = 0 OR d.created_at < $6){status_clause}"
    );
    let binds = (
        f.webhook_id.unwrap_or(0),
        f.event_id.unwrap_or(0),
        f.event_type.clone().unwrap_or_default(),
        f.created_from.unwrap_or(0),
        f.created_to.unwrap_or(0),
    );
    let rows_sql = sqlx::AssertSqlSafe(format!("{DELIVERY} WHERE {filter} ORDER BY d.id DESC LIMIT $7 OFFSET $8"));
    let rows = run!(c, |db| sqlx::query_as::<_, Delivery>(rows_sql)
        .bind(owner_id)
        .bind(binds.0)
        .bind(binds.1)
        .bind(&binds.2)
        .bind(binds.3)
        .bind(binds.4)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await)?;
    let count = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM webhook_deliveries d WHERE {filter}"));
    let (total,): (i64,) = run!(c, |db| sqlx::query_as(count)
        .bind(owner_id)
        .bind(binds.0)
        .bind(binds.1)
        .bind(&binds.2)
        .bind(binds.3)
        .bind(binds.4)
        .fetch_one(db)
        .await)?;
    Ok((rows, total))
}

/// Deliveries and events older than `before` (30 days of log).
pub async fn prune(c: &mut impl Conn, before: i64) -> StoreResult<()> {
    exec!(
        c,
        sqlx::query("DELETE FROM webhook_deliveries WHERE created_at < $1 AND status IN ('succeeded', 'failed')")
            .bind(before)
    )?;
    exec!(
        c,
        sqlx::query(
            "DELETE FROM webhook_events WHERE created_at < $1 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id)"
        )
        .bind(before)
    )?;
    Ok(())
}

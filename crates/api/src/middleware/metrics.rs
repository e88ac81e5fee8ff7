//! Prometheus metrics: the recorder and the per-request counters (`route` is the template).

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process-wide recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".into()),
                &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
            )
            .expect("valid buckets")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may exist when several servers share a test process; then this
        // handle simply renders what it records.
        let _ = metrics::set_global_recorder(recorder);
        describe();
        handle
    })
}

fn describe() {
    metrics::describe_counter!("http_requests_total", "HTTP requests by route template, method and status");
    metrics::describe_histogram!(
        "http_request_duration_seconds",
        metrics::Unit::Seconds,
        "HTTP request duration by route"
    );
    metrics::describe_counter!("invoices_total", "Invoices by status");
    metrics::describe_counter!("invoice_payments_total", "Invoice payments seen by chain");
    metrics::describe_gauge!("chain_head_height", "Head height of each chain");
    metrics::describe_gauge!("chain_sync_lag_blocks", "Blocks the watcher is behind the head");
    metrics::describe_gauge!("chain_node_up", "1 when the last look at the chain's node succeeded, else 0");
    metrics::describe_counter!("webhook_deliveries_total", "Webhook deliveries by result");
    metrics::describe_counter!("withdrawals_total", "Withdrawals by kind and status");
    metrics::describe_counter!("ledger_transactions_total", "Ledger transactions posted");
    metrics::describe_gauge!("rate_age_seconds", "Age of each rate pair");
}

pub async fn track(req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route).record(start.elapsed().as_secs_f64());
    res
}

//! Hosted checkout pages (§5.3): server-rendered HTML with no third-party resource, a nonce
//! Content-Security-Policy, and only the public JSON routes behind the buttons.

use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use paygate_app::InvoiceCaller;
use paygate_app::payments::InvoiceView;
use paygate_core::{Amount, AppError, ErrorCode};
use paygate_store::catalogue::{Chain, Token};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::Client;
use crate::state::AppState;

const CSS: &str = include_str!("checkout.css");
const JS: &str = include_str!("checkout.js");

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(pay_link_page)).routes(routes!(invoice_page))
}

#[derive(Deserialize, IntoParams, Default)]
pub struct PageQuery {
    /// Language (`en`; others fall back to English).
    #[allow(dead_code)]
    lang: Option<String>,
    /// `light` or `dark`.
    theme: Option<String>,
    /// Pay links: pre-fills a dynamic amount.
    amount: Option<String>,
    /// Invoices: compact layout inside the pay-form overlay.
    embed: Option<String>,
}

/// HTML-escapes text for element content and attribute values.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// JSON for a `<script type="application/json">` block: `<` cannot end the element.
fn json_block(v: &serde_json::Value) -> String {
    v.to_string().replace('<', "\\u003c")
}

fn page(
    status: StatusCode,
    title: &str,
    body: &str,
    data: &serde_json::Value,
    theme: Option<&str>,
    frame_ancestors: &str,
) -> Response {
    let nonce = hex::encode(paygate_app::crypto::random_bytes(16));
    let class = if theme == Some("dark") { "dark" } else { "light" };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" href=\"data:,\"><title>{title}</title><style nonce=\"{nonce}\">{CSS}</style></head><body class=\"{class}\"><main>{body}</main>\
         <script type=\"application/json\" id=\"checkout-data\">{data}</script><script nonce=\"{nonce}\">{JS}</script></body></html>",
        title = esc(title),
        data = json_block(data),
    );
    let mut res = (status, Html(html)).into_response();
    let h = res.headers_mut();
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; img-src 'self' data:; connect-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors {frame_ancestors}"
    );
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_str(&csp).expect("ascii"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    res
}

/// An error as a page with the envelope's status, message and codes.
fn error_page(e: AppError) -> Response {
    let api = ApiError(e);
    let body = api.body();
    let codes = body.errors.iter().map(|e| e.code.to_string()).collect::<Vec<_>>().join(", ");
    let html = format!(
        "<h1>{}</h1><p class=\"error\">{}</p><p class=\"muted\">statusCode {} · code {}</p>",
        if body.status_code == 404 { "Not found" } else { "Something went wrong" },
        esc(&body.message),
        body.status_code,
        codes
    );
    page(api.status(), "paygate", &html, &serde_json::json!({}), None, "'none'")
}

fn token_buttons(tokens: &[(Token, Chain)], attr: &str) -> String {
    tokens
        .iter()
        .map(|(t, c)| {
            format!(
                "<button type=\"button\" {attr}=\"{}\">{} <span class=\"muted\">{}</span></button>",
                t.id,
                esc(&t.code),
                esc(&c.name)
            )
        })
        .collect::<String>()
}

fn header_html(name: &str, avatar: Option<&str>) -> String {
    let img = avatar.map(|a| format!("<img src=\"{}\" alt=\"\">", esc(a))).unwrap_or_default();
    format!("<header>{img}<div><h1>{}</h1></div></header>", esc(name))
}

/// A pay link's checkout page.
#[utoipa::path(get, path = "/pay/{public_id}", tag = "Checkout", params(("public_id" = String, Path), PageQuery),
    extensions(("x-origin" = json!("extension"))),
    responses((status = 200, content_type = "text/html", body = String), (status = 404, content_type = "text/html", body = String)))]
pub async fn pay_link_page(
    state: AppState,
    Client(client): Client,
    Path(public_id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    rendered(limited(&state, &client.ip), pay_link_html(&state, &public_id, &q)).await
}

/// Pages answer errors as pages, after the per-IP limit of the public routes.
fn limited(state: &AppState, ip: &str) -> Result<(), AppError> {
    state.limit_public(&format!("pages:{ip}"), 120, 60)
}

async fn rendered(limit: Result<(), AppError>, page: impl Future<Output = Result<Response, AppError>>) -> Response {
    match limit {
        Ok(()) => page.await.unwrap_or_else(error_page),
        Err(e) => error_page(e),
    }
}

async fn pay_link_html(state: &AppState, public_id: &str, q: &PageQuery) -> Result<Response, AppError> {
    let card = state.public_link(Some(public_id), None).await?;
    let l = &card.link;
    let mut body = header_html(&card.owner_name, card.owner_avatar.as_deref());
    body.push_str(&format!("<h2>{}</h2>", esc(&l.name)));
    if let Some(d) = &l.description {
        body.push_str(&format!("<p class=\"muted\">{}</p>", esc(d)));
    }
    if !card.payable {
        body.push_str("<p class=\"status bad\">This payment link is not accepting payments.</p>");
        return Ok(page(StatusCode::OK, &l.name, &body, &serde_json::json!({}), q.theme.as_deref(), "'none'"));
    }
    match &l.amount {
        Some(a) => body.push_str(&format!("<div class=\"price\">{} {}</div>", a.0, esc(&card.coin_code))),
        None => {
            let min = l.amount_min.as_ref().map(|a| format!(" min=\"{}\"", a.0)).unwrap_or_default();
            let max = l.amount_max.as_ref().map(|a| format!(" max=\"{}\"", a.0)).unwrap_or_default();
            let value = q.amount.as_deref().map(|a| format!(" value=\"{}\"", esc(a))).unwrap_or_default();
            body.push_str(&format!(
                "<label>Amount in {}<input id=\"amount\" inputmode=\"decimal\"{min}{max}{value}></label>",
                esc(&card.coin_code)
            ));
        }
    }
    body.push_str("<p class=\"muted\">Pay with</p><div class=\"tokens\">");
    body.push_str(&token_buttons(&card.payable_tokens, "data-link-token"));
    body.push_str("</div><p id=\"error\" class=\"error\"></p>");
    let data = serde_json::json!({ "link_id": l.id, "coin_id": l.coin_id, "amount": l.amount.as_ref().map(|a| a.0.to_plain()) });
    Ok(page(StatusCode::OK, &l.name, &body, &data, q.theme.as_deref(), "'none'"))
}

/// What a wallet app understands in a QR code (§5.3).
fn qr_content(chain: &Chain, token: &Token, address: &str, due: &Amount) -> String {
    let units = || due.mul(&Amount::parse(&format!("1e{}", token.decimals)).unwrap_or_default()).to_plain();
    match (chain.family.as_str(), token.standard.as_str(), chain.evm_chain_id) {
        ("bitcoin", _, _) => format!("bitcoin:{address}?amount={due}"),
        ("evm", "native", Some(id)) => format!("ethereum:{address}@{id}?value={}", units()),
        ("evm", _, Some(id)) => format!(
            "ethereum:{}@{id}/transfer?address={address}&uint256={}",
            token.contract_address.clone().unwrap_or_default(),
            units()
        ),
        _ => address.to_owned(),
    }
}

fn invoice_body(state: &AppState, v: &InvoiceView) -> Result<String, AppError> {
    let i = &v.invoice;
    let mut body = header_html(&v.owner_name, None);
    if let Some(d) = &i.description {
        body.push_str(&format!("<p class=\"muted\">{}</p>", esc(d)));
    }
    body.push_str(&format!("<div class=\"price\">{} {}</div>", i.amount.0, esc(&v.coin_code)));
    body.push_str(&format!(
        "<div id=\"status\" class=\"status\" data-status=\"{}\"></div><p id=\"partial\" class=\"status warn\"></p>",
        i.status
    ));
    match (&v.token, &v.chain, &v.address, &i.amount_due) {
        (Some(token), Some(chain), Some(address), Some(due)) if i.status == 2 || i.status == 3 => {
            let qr = paygate_app::qr_png_data_url(&qr_content(chain, token, address, &due.0))?;
            body.push_str(&format!(
                "<div class=\"row\"><span>Send</span><strong id=\"due\">{} {}</strong></div>\
                 <div class=\"row\"><span>Network</span><span>{}</span></div>\
                 <img class=\"qr\" id=\"qr\" alt=\"QR code\" src=\"{qr}\">\
                 <div class=\"address\" id=\"address\">{}</div><p><button type=\"button\" class=\"secondary\" id=\"copy\">Copy address</button></p>\
                 <div class=\"row\"><span>Paid</span><span id=\"paid\"></span></div>\
                 <div class=\"row\"><span>Confirmations</span><span id=\"confirmations\"></span></div>\
                 <div class=\"row\"><span>Time left</span><span id=\"countdown\"></span></div>",
                due.0,
                esc(&token.code),
                esc(&chain.name),
                esc(address)
            ));
            if state.sandbox() && chain.family == "sandbox" {
                let half = due.0.div(&Amount::from_int(2)).unwrap_or_default().round_up(token.decimals);
                body.push_str(&format!(
                    "<div class=\"sandbox\"><p class=\"muted\">Sandbox: no real money moves.</p>\
                     <button type=\"button\" id=\"simulate\" data-simulate=\"full\">Simulate payment</button> \
                     <button type=\"button\" class=\"secondary\" data-simulate=\"{half}\">Pay half</button></div>"
                ));
            }
        }
        _ if i.status == 1 => {
            body.push_str("<p class=\"muted\">Pay with</p><div class=\"tokens\">");
            body.push_str(&token_buttons(&v.payable_tokens, "data-invoice-token"));
            body.push_str("</div>");
        }
        _ => {}
    }
    if let Some(fail) = &i.fail_url {
        body.push_str(&format!("<p id=\"fail\" hidden><a href=\"{}\">Back to the shop</a></p>", esc(fail)));
    }
    body.push_str("<p id=\"error\" class=\"error\"></p>");
    Ok(body)
}

/// One invoice's checkout page: token choice in status 1, the payment view after.
#[utoipa::path(get, path = "/pay/invoice/{id}", tag = "Checkout", params(("id" = i64, Path), PageQuery),
    extensions(("x-origin" = json!("extension"))),
    responses((status = 200, content_type = "text/html", body = String), (status = 404, content_type = "text/html", body = String)))]
pub async fn invoice_page(
    state: AppState,
    Client(client): Client,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    rendered(limited(&state, &client.ip), invoice_html(&state, &id, &q)).await
}

async fn invoice_html(state: &AppState, id: &str, q: &PageQuery) -> Result<Response, AppError> {
    let not_found = || AppError::not_found("Invoice");
    let id = id.parse::<i64>().map_err(|_| not_found())?;
    let v = state.invoice_state(&InvoiceCaller::Public, id).await.map_err(|e| match e.code() {
        // whether the invoice exists but is not public is not the payer's business
        ErrorCode::NotFound => not_found(),
        _ => e,
    })?;
    let body = invoice_body(state, &v)?;
    let embedded = q.embed.as_deref() == Some("1") && v.invoice.product_id == 3;
    let frame_ancestors = if embedded { "*" } else { "'none'" };
    let data = serde_json::json!({ "invoice_id": v.invoice.id, "expires_at": paygate_core::time::rfc3339(v.invoice.expires_at) });
    Ok(page(StatusCode::OK, &v.owner_name, &body, &data, q.theme.as_deref(), frame_ancestors))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(family: &str, evm: Option<i64>) -> Chain {
        Chain {
            id: 1,
            code: family.into(),
            name: family.into(),
            family: family.into(),
            is_test: false,
            evm_chain_id: evm,
            native_coin_id: 1,
            confirmations_required: 1,
            explorer_tx_url: None,
            enabled: true,
        }
    }

    fn token(standard: &str, decimals: i64, contract: Option<&str>) -> Token {
        Token {
            id: 1,
            coin_id: 1,
            chain_id: 1,
            code: "X".into(),
            name: "X".into(),
            standard: standard.into(),
            contract_address: contract.map(Into::into),
            decimals,
            min_amount: paygate_store::DbAmount(Amount::zero()),
            enabled: true,
        }
    }

    #[test]
    fn qr_contents_are_what_wallets_read() {
        let due = |s: &str| Amount::parse(s).unwrap();
        // BIP 21
        assert_eq!(
            qr_content(&chain("bitcoin", None), &token("native", 8, None), "bc1qxyz", &due("0.0015")),
            "bitcoin:bc1qxyz?amount=0.0015"
        );
        // EIP 681, native value in wei
        assert_eq!(
            qr_content(&chain("evm", Some(1)), &token("native", 18, None), "0xabc", &due("0.01")),
            "ethereum:0xabc@1?value=10000000000000000"
        );
        // EIP 681, an ERC-20 transfer in token units
        assert_eq!(
            qr_content(
                &chain("evm", Some(1)),
                &token("erc20", 6, Some("0xdAC17F958D2ee523a2206206994597C13D831ec7")),
                "0xabc",
                &due("12.5")
            ),
            "ethereum:0xdAC17F958D2ee523a2206206994597C13D831ec7@1/transfer?address=0xabc&uint256=12500000"
        );
        // Tron: the bare address
        assert_eq!(qr_content(&chain("tron", None), &token("trc20", 6, Some("T…")), "TAddr", &due("1")), "TAddr");
    }

    #[test]
    fn escaping() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(json_block(&serde_json::json!({"a": "</script>"})), r#"{"a":"\u003c/script>"}"#);
    }
}

//! Path normalisation of §1.1: runs of `/` collapse, one trailing `/` is ignored. It has to run
//! before routing, so it wraps the router instead of being a route layer.

use axum::extract::Request;
use axum::http::Uri;

pub fn normalize_path(mut req: Request) -> Request {
    let uri = req.uri();
    let path = uri.path();
    let needs = path.contains("//") || (path.len() > 1 && path.ends_with('/'));
    if !needs {
        return req;
    }
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c == '/' && out.ends_with('/') {
            continue;
        }
        out.push(c);
    }
    if out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    let pq = match uri.query() {
        Some(q) => format!("{out}?{q}"),
        None => out,
    };
    let mut parts = uri.clone().into_parts();
    if let Ok(p) = pq.parse() {
        parts.path_and_query = Some(p);
        if let Ok(new) = Uri::from_parts(parts) {
            *req.uri_mut() = new;
        }
    }
    req
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(p: &str) -> String {
        normalize_path(Request::builder().uri(p).body(axum::body::Body::empty()).unwrap()).uri().to_string()
    }

    #[test]
    fn collapses_and_trims() {
        assert_eq!(norm("//api//transfer/"), "/api/transfer");
        assert_eq!(norm("/auth/sign-in?x=1"), "/auth/sign-in?x=1");
        assert_eq!(norm("/"), "/");
        assert_eq!(norm("/docs/?a=b"), "/docs?a=b");
    }
}

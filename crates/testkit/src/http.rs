//! A JSON client bound to one server and, optionally, one access token.

use reqwest::Method;
use serde_json::Value;

#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub token: Option<String>,
    pub headers: Vec<(String, String)>,
    client: reqwest::Client,
}

/// A response with its body parsed as JSON when it is JSON.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl Resp {
    /// The first error code of an envelope.
    pub fn code(&self) -> u16 {
        self.body["errors"][0]["code"]
            .as_u64()
            .unwrap_or_else(|| panic!("not an error envelope: {} {}", self.status, self.body)) as u16
    }

    pub fn field(&self) -> Option<&str> {
        self.body["errors"][0]["field"].as_str()
    }

    /// Asserts status and first code, and that the envelope is well-formed.
    #[track_caller]
    pub fn err(&self, status: u16, code: u16) -> &Self {
        assert_eq!((self.status, self.code()), (status, code), "body: {}", self.body);
        assert_eq!(self.body["statusCode"].as_u64(), Some(status as u64), "statusCode repeats the status");
        assert!(self.body["message"].is_string());
        self
    }

    #[track_caller]
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "body: {}", self.body);
        &self.body
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Api {
    pub fn new(base: &str) -> Api {
        crate::tls();
        Api {
            base: base.trim_end_matches('/').to_owned(),
            token: None,
            headers: vec![],
            client: reqwest::Client::new(),
        }
    }

    pub fn with_token(&self, token: &str) -> Api {
        Api { token: Some(token.to_owned()), ..self.clone() }
    }

    pub fn with_header(&self, name: &str, value: &str) -> Api {
        let mut a = self.clone();
        a.headers.push((name.to_owned(), value.to_owned()));
        a
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(Method::POST, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send(Method::PUT, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str, body: Value) -> Resp {
        self.send(Method::DELETE, path, Some(body)).await
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let bytes = body.map(|b| serde_json::to_vec(&b).expect("json"));
        self.raw(method, path, bytes.as_deref().map(|b| ("application/json", b.to_vec()))).await
    }

    /// Any body with any content type.
    pub async fn raw(&self, method: Method, path: &str, body: Option<(&str, Vec<u8>)>) -> Resp {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        if let Some((ct, b)) = body {
            req = req.header("Content-Type", ct).body(b);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let raw = res.bytes().await.expect("body").to_vec();
        let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        Resp { status, headers, body, raw }
    }
}

//! The base OpenAPI document and the finishing pass that adds the error responses every route
//! shares (§1.4.3), so handlers list only what is particular to them.

use serde_json::{Value, json};
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::error::{ErrorBody, ErrorResponse};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "paygate",
        description = "Self-hosted crypto and fiat payment gateway, wire-compatible with the NBC Gate client API.",
        license(name = "AGPL-3.0-only")
    ),
    components(schemas(ErrorBody), responses(ErrorResponse)),
    modifiers(&Security)
)]
struct Base;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "jwt",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        components
            .add_security_scheme("api_key", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))));
    }
}

pub fn base() -> utoipa::openapi::OpenApi {
    Base::openapi()
}

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Adds the shared error responses: [C] to every operation, [A] and [R] to authenticated ones.
pub fn finish(doc: utoipa::openapi::OpenApi) -> Value {
    let mut v = serde_json::to_value(&doc).expect("OpenAPI serialises");
    let err = json!({ "$ref": "#/components/responses/ErrorResponse" });
    if let Some(paths) = v.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for m in METHODS {
                let Some(op) = item.get_mut(m).and_then(Value::as_object_mut) else {
                    continue;
                };
                let secured = op
                    .get("security")
                    .and_then(Value::as_array)
                    .is_some_and(|s| s.iter().any(|x| x.as_object().is_some_and(|o| !o.is_empty())));
                let has_body = op.contains_key("requestBody");
                let responses =
                    op.entry("responses").or_insert_with(|| json!({})).as_object_mut().expect("responses object");
                let mut add = |code: &str| {
                    responses.entry(code.to_owned()).or_insert_with(|| err.clone());
                };
                for code in ["404", "429", "500"] {
                    add(code);
                }
                if has_body {
                    add("400");
                    add("413");
                    add("415");
                }
                if secured {
                    add("401");
                    add("403");
                }
            }
        }
    }
    v
}

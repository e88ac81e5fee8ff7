//! Access tokens: HS256 JWTs (§1.3.1). Written here in a few lines rather than through a
//! general JWT library, so that exactly one header is accepted and nothing else is parsed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::crypto::{ct_eq, hmac_sha256};

/// The only header we issue and accept.
const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// Clock leeway on `exp` and `iat`, seconds.
pub const LEEWAY: i64 = 30;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// User id, decimal string.
    pub sub: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub oid: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rol: Option<i64>,
    pub sid: i64,
    /// `full` or `signup`.
    pub scp: String,
    #[serde(default)]
    pub opr: bool,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum JwtError {
    /// Malformed, another algorithm, or a bad signature.
    Invalid,
    Expired,
}

pub fn encode(claims: &Claims, secret: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(HEADER);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialise"));
    let signing_input = format!("{header}.{payload}");
    let sig = URL_SAFE_NO_PAD.encode(hmac_sha256(secret, signing_input.as_bytes()));
    format!("{signing_input}.{sig}")
}

pub fn decode(token: &str, secret: &[u8], now: i64) -> Result<Claims, JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(JwtError::Invalid);
    };
    let header: serde_json::Value =
        URL_SAFE_NO_PAD.decode(h).ok().and_then(|b| serde_json::from_slice(&b).ok()).ok_or(JwtError::Invalid)?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(JwtError::Invalid);
    }
    if header.get("typ").is_some_and(|t| t.as_str() != Some("JWT")) {
        return Err(JwtError::Invalid);
    }
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtError::Invalid)?;
    let expected = hmac_sha256(secret, format!("{h}.{p}").as_bytes());
    if !ct_eq(&sig, &expected) {
        return Err(JwtError::Invalid);
    }
    let claims: Claims =
        URL_SAFE_NO_PAD.decode(p).ok().and_then(|b| serde_json::from_slice(&b).ok()).ok_or(JwtError::Invalid)?;
    if claims.iat > now + LEEWAY {
        return Err(JwtError::Invalid);
    }
    if claims.exp + LEEWAY <= now {
        return Err(JwtError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(iat: i64) -> Claims {
        Claims {
            sub: "7".into(),
            oid: Some(3),
            rol: Some(1),
            sid: 9,
            scp: "full".into(),
            opr: false,
            iat,
            exp: iat + 900,
            jti: "j".into(),
        }
    }

    #[test]
    fn round_trip_and_rejections() {
        let key = b"k".repeat(32);
        let t = encode(&claims(1000), &key);
        assert_eq!(decode(&t, &key, 1000).unwrap(), claims(1000));
        assert_eq!(decode(&t, &key, 1000 + 900 + LEEWAY - 1).unwrap().sub, "7");
        assert_eq!(decode(&t, &key, 1000 + 900 + LEEWAY), Err(JwtError::Expired));
        assert_eq!(decode(&t, &b"x".repeat(32), 1000), Err(JwtError::Invalid));
        // alg=none with the same payload
        let mut parts: Vec<&str> = t.split('.').collect();
        let none = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        parts[0] = &none;
        assert_eq!(decode(&parts.join("."), &key, 1000), Err(JwtError::Invalid));
        // tampered payload
        let evil = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&Claims { sub: "8".into(), ..claims(1000) }).unwrap());
        let mut parts: Vec<&str> = t.split('.').collect();
        parts[1] = &evil;
        assert_eq!(decode(&parts.join("."), &key, 1000), Err(JwtError::Invalid));
        assert_eq!(decode("garbage", &key, 1000), Err(JwtError::Invalid));
    }
}

//! Hashing, random values and encryption at rest. Password hashing is deliberately slow, so it
//! runs on the blocking pool, never on the async executor.

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use paygate_core::AppError;
use rand::{Rng, RngExt};
use sha2::{Digest, Sha256};

fn argon2() -> Argon2<'static> {
    // OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Argon2id PHC string of a password.
pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let hash: PasswordHash = argon2().hash_password(password.as_bytes()).map_err(AppError::internal)?;
        Ok(hash.to_string())
    })
    .await
    .map_err(AppError::internal)?
}

/// Checks a password against a stored hash. With no hash (unknown user) it still spends the
/// time of one verification, so the answer time does not reveal whether the e-mail exists.
pub async fn verify_password(password: &str, hash: Option<&str>) -> Result<bool, AppError> {
    let password = password.to_owned();
    let hash = hash.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let hash_given = hash.is_some();
        let stored = hash.unwrap_or_else(|| DUMMY_HASH.with(|h| h.clone()));
        let parsed = PasswordHash::new(&stored).map_err(AppError::internal)?;
        let matches = argon2().verify_password(password.as_bytes(), &parsed).is_ok();
        Ok(matches && hash_given)
    })
    .await
    .map_err(AppError::internal)?
}

thread_local! {
    static DUMMY_HASH: String = {
        let hash: Result<PasswordHash, _> = argon2().hash_password(b"paygate-timing-equaliser");
        hash.map(|h| h.to_string()).unwrap_or_default()
    };
}

/// `n` random bytes from the OS CSPRNG.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    rand::rng().fill_bytes(&mut b);
    b
}

/// A 6-digit code, uniformly distributed.
pub fn six_digit_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// 32 random bytes as 43 base64url characters (refresh tokens, keys).
pub fn opaque_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(32))
}

/// `len` characters of `[A-Z0-9]`.
pub fn random_code(len: usize, alphabet: &[u8]) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| alphabet[rng.random_range(0..alphabet.len())] as char).collect()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Constant-time equality.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Authenticated encryption of small secrets (TOTP seeds) with a key derived from the instance
/// encryption key: `base64url(nonce || ciphertext)`.
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl SecretBox {
    pub fn new(master: &[u8]) -> Self {
        let key = hmac_sha256(master, b"paygate secret-box v1");
        SecretBox { cipher: XChaCha20Poly1305::new(&Key::try_from(&key[..]).expect("32-byte key")) }
    }

    pub fn seal(&self, plaintext: &[u8]) -> String {
        let nonce_bytes = random_bytes(24);
        let nonce = XNonce::try_from(&nonce_bytes[..]).expect("24-byte nonce");
        let ct = self.cipher.encrypt(&nonce, plaintext).expect("encryption of a small buffer cannot fail");
        let mut out = nonce_bytes;
        out.extend_from_slice(&ct);
        URL_SAFE_NO_PAD.encode(out)
    }

    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, AppError> {
        let raw = URL_SAFE_NO_PAD.decode(sealed).map_err(AppError::internal)?;
        if raw.len() < 24 {
            return Err(AppError::internal("sealed secret too short"));
        }
        let (nonce, ct) = raw.split_at(24);
        self.cipher
            .decrypt(&XNonce::try_from(nonce).expect("24-byte nonce"), ct)
            .map_err(|_| AppError::internal("sealed secret does not decrypt with this encryption key"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery", Some(&h)).await.unwrap());
        assert!(!verify_password("wrong horse battery", Some(&h)).await.unwrap());
        assert!(!verify_password("paygate-timing-equaliser", None).await.unwrap());
    }

    #[test]
    fn secret_box_round_trip_and_tamper() {
        let b = SecretBox::new(b"0123456789abcdef0123456789abcdef");
        let sealed = b.seal(b"seed");
        assert_eq!(b.open(&sealed).unwrap(), b"seed");
        assert!(SecretBox::new(b"another key of thirty-two bytes!").open(&sealed).is_err());
        let codes: std::collections::HashSet<_> = (0..50).map(|_| six_digit_code()).collect();
        assert!(codes.len() > 40 && codes.iter().all(|c| c.len() == 6));
        assert_eq!(opaque_token().len(), 43);
    }
}

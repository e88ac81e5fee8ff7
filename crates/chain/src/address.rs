//! Address derivation for the three chain families, each checked against published vectors:
//! Bitcoin P2WPKH (BIP84, `xpub`/`zpub` and `tpub`/`vpub`), EVM (BIP44 coin 60, EIP-55 checksum)
//! and Tron (coin 195, base58check with the `0x41` prefix). The sandbox chain uses EVM addresses.

use std::str::FromStr;

use bitcoin::bip32::{ChildNumber, Xpub as BtcXpub};
use bitcoin::secp256k1::Secp256k1;
use bitcoin::{CompressedPublicKey, Network};
use tiny_keccak::{Hasher, Keccak};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Bitcoin,
    Evm,
    Tron,
    Sandbox,
}

impl Family {
    pub fn parse(s: &str) -> Option<Family> {
        match s {
            "bitcoin" => Some(Family::Bitcoin),
            "evm" => Some(Family::Evm),
            "tron" => Some(Family::Tron),
            "sandbox" => Some(Family::Sandbox),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AddressError {
    #[error("not an extended public key")]
    Malformed,
    #[error("the key's version bytes are for another network")]
    WrongNetwork,
    #[error("derivation path must be a relative template of non-hardened steps such as 0/{{index}}")]
    BadPath,
    #[error("derivation failed")]
    Derivation,
}

/// A parsed extended public key.
#[derive(Debug, Clone)]
pub struct Xpub {
    key: BtcXpub,
}

const XPUB: [u8; 4] = [0x04, 0x88, 0xb2, 0x1e];
const TPUB: [u8; 4] = [0x04, 0x35, 0x87, 0xcf];
const ZPUB: [u8; 4] = [0x04, 0xb2, 0x47, 0x46];
const VPUB: [u8; 4] = [0x04, 0x5f, 0x1c, 0xf6];

impl Xpub {
    /// Parses `xpub`/`zpub` (main networks) or `tpub`/`vpub` (test networks); the version must
    /// match `is_test`.
    pub fn parse(s: &str, is_test: bool) -> Result<Xpub, AddressError> {
        let mut raw = bs58::decode(s.trim()).with_check(None).into_vec().map_err(|_| AddressError::Malformed)?;
        if raw.len() != 78 {
            return Err(AddressError::Malformed);
        }
        let version: [u8; 4] = raw[..4].try_into().expect("4 bytes");
        let (main, test) = (version == XPUB || version == ZPUB, version == TPUB || version == VPUB);
        if !(main || test) {
            return Err(AddressError::Malformed);
        }
        if main == is_test {
            return Err(AddressError::WrongNetwork);
        }
        // zpub/vpub differ from xpub/tpub only in the version bytes.
        raw[..4].copy_from_slice(if main { &XPUB } else { &TPUB });
        let key = BtcXpub::decode(&raw).map_err(|_| AddressError::Malformed)?;
        Ok(Xpub { key })
    }

    /// The key in `xpub`/`tpub` form, whatever version it was given in: two strings are the
    /// same key when these are equal.
    pub fn canonical(&self) -> String {
        self.key.to_string()
    }

    /// The key's own fingerprint (8 hex).
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint().to_string()
    }

    /// The public key at a relative non-hardened template such as `0/{index}`.
    fn child(&self, template: &str, index: u32) -> Result<bitcoin::secp256k1::PublicKey, AddressError> {
        let secp = Secp256k1::verification_only();
        let mut steps = vec![];
        for part in template.split('/') {
            let n: u32 = if part == "{index}" { index } else { part.parse().map_err(|_| AddressError::BadPath)? };
            steps.push(ChildNumber::from_normal_idx(n).map_err(|_| AddressError::BadPath)?);
        }
        self.key.derive_pub(&secp, &steps).map(|k| k.public_key).map_err(|_| AddressError::Derivation)
    }
}

/// Checks a derivation template without deriving.
pub fn valid_template(template: &str) -> bool {
    template.split('/').filter(|p| *p == "{index}").count() == 1
        && template.split('/').all(|p| p == "{index}" || p.parse::<u32>().is_ok_and(|n| n < 0x8000_0000))
}

fn keccak256(data: &[u8]) -> [u8; 32] {
    let mut k = Keccak::v256();
    k.update(data);
    let mut out = [0u8; 32];
    k.finalize(&mut out);
    out
}

/// The 20-byte account of a secp256k1 key (Ethereum and Tron alike).
fn account(pk: &bitcoin::secp256k1::PublicKey) -> [u8; 20] {
    let uncompressed = pk.serialize_uncompressed();
    let hash = keccak256(&uncompressed[1..]);
    hash[12..].try_into().expect("20 bytes")
}

/// `0x` + EIP-55 mixed-case hex.
pub fn eip55(account: &[u8; 20]) -> String {
    let lower = hex::encode(account);
    let hash = keccak256(lower.as_bytes());
    let mut out = String::from("0x");
    for (i, c) in lower.chars().enumerate() {
        let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0x0f;
        out.push(if c.is_ascii_alphabetic() && nibble >= 8 { c.to_ascii_uppercase() } else { c });
    }
    out
}

/// Tron's base58check of `0x41 || account`.
pub fn tron_address(account: &[u8; 20]) -> String {
    let mut raw = vec![0x41u8];
    raw.extend_from_slice(account);
    bs58::encode(raw).with_check().into_string()
}

/// Which network of its family a chain is on: the main one, a public test network, or a local
/// regression-test network (Bitcoin gives those addresses their own prefix, `bcrt1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Net {
    Main,
    Test,
    Regtest,
}

impl Net {
    /// A chain's network: test chains whose code names regtest (`bitcoin-regtest`) are regtest.
    pub fn of(is_test: bool, code: &str) -> Net {
        match (is_test, code.contains("regtest")) {
            (false, _) => Net::Main,
            (true, false) => Net::Test,
            (true, true) => Net::Regtest,
        }
    }

    pub fn is_test(self) -> bool {
        self != Net::Main
    }

    /// The Bitcoin network whose address form the chain uses.
    pub fn bitcoin(self) -> Network {
        match self {
            Net::Main => Network::Bitcoin,
            Net::Test => Network::Testnet,
            Net::Regtest => Network::Regtest,
        }
    }
}

/// The address at `template` (e.g. `0/{index}`) of `xpub` for a chain family.
pub fn derive_address(
    xpub: &Xpub,
    family: Family,
    net: Net,
    template: &str,
    index: u32,
) -> Result<String, AddressError> {
    let pk = xpub.child(template, index)?;
    Ok(match family {
        Family::Bitcoin => bitcoin::Address::p2wpkh(&CompressedPublicKey(pk), net.bitcoin()).to_string(),
        Family::Evm | Family::Sandbox => eip55(&account(&pk)),
        Family::Tron => tron_address(&account(&pk)),
    })
}

/// Whether `s` is a well-formed address of the family (checksums included).
pub fn is_valid_address(family: Family, is_test: bool, s: &str) -> bool {
    match family {
        Family::Bitcoin => bitcoin::Address::from_str(s).ok().is_some_and(|a| {
            let network = if is_test { Network::Testnet } else { Network::Bitcoin };
            a.is_valid_for_network(network) || (is_test && a.is_valid_for_network(Network::Regtest))
        }),
        Family::Evm | Family::Sandbox => {
            let Some(hexpart) = s.strip_prefix("0x") else { return false };
            let Ok(bytes) = hex::decode(hexpart) else { return false };
            let Ok(acc) = <[u8; 20]>::try_from(bytes.as_slice()) else { return false };
            // all-lower or all-upper hex carries no checksum; mixed case must match EIP-55
            let mixed =
                hexpart.chars().any(|c| c.is_ascii_lowercase()) && hexpart.chars().any(|c| c.is_ascii_uppercase());
            !mixed || eip55(&acc) == s
        }
        Family::Tron => bs58::decode(s).with_check(None).into_vec().is_ok_and(|raw| raw.len() == 21 && raw[0] == 0x41),
    }
}

/// The account-level extended public key (m/44'/60'/0') of a seed: how the server makes the
/// sandbox chain's key. The seed and private keys are dropped at once.
pub fn xpub_from_seed(seed: &[u8]) -> Result<String, AddressError> {
    xpub_from_seed_on(seed, false)
}

/// The same key in the version of main (`xpub`) or test networks (`tpub`); tests and local
/// development chains register a `tpub` made this way.
pub fn xpub_from_seed_on(seed: &[u8], test_network: bool) -> Result<String, AddressError> {
    use bitcoin::bip32::{DerivationPath, Xpriv};
    let secp = Secp256k1::new();
    let network = if test_network { Network::Testnet } else { Network::Bitcoin };
    let master = Xpriv::new_master(network, seed).map_err(|_| AddressError::Derivation)?;
    let path = DerivationPath::from_str("m/44'/60'/0'").map_err(|_| AddressError::BadPath)?;
    let account = master.derive_priv(&secp, &path).map_err(|_| AddressError::Derivation)?;
    Ok(BtcXpub::from_priv(&secp, &account).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BIP84's published vector: mnemonic "abandon … about", m/84'/0'/0'.
    const BIP84_ZPUB: &str = "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";

    #[test]
    fn bip84_p2wpkh_vector() {
        let x = Xpub::parse(BIP84_ZPUB, false).unwrap();
        assert_eq!(
            derive_address(&x, Family::Bitcoin, Net::Main, "0/{index}", 0).unwrap(),
            "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
        );
        assert_eq!(
            derive_address(&x, Family::Bitcoin, Net::Main, "0/{index}", 1).unwrap(),
            "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"
        );
        assert_eq!(
            derive_address(&x, Family::Bitcoin, Net::Main, "1/{index}", 0).unwrap(),
            "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el"
        );
        assert_eq!(Xpub::parse(BIP84_ZPUB, true).unwrap_err(), AddressError::WrongNetwork);
        assert!(is_valid_address(Family::Bitcoin, false, "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"));
        assert!(!is_valid_address(Family::Bitcoin, true, "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"));
        assert!(!is_valid_address(Family::Bitcoin, false, "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyv"));
    }

    /// The BIP39 seed of "abandon … about" (no passphrase) and the account xpub an operator
    /// would export for `path`.
    fn account_xpub(path: &str) -> String {
        use bitcoin::bip32::{DerivationPath, Xpriv};
        let seed = hex::decode("5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc19a5ac40b389cd370d086206dec8aa6c43daea6690f20ad3d8d48b2d2ce9e38e4").unwrap();
        let secp = Secp256k1::new();
        let master = Xpriv::new_master(Network::Bitcoin, &seed).unwrap();
        let account = master.derive_priv(&secp, &DerivationPath::from_str(path).unwrap()).unwrap();
        BtcXpub::from_priv(&secp, &account).to_string()
    }

    #[test]
    fn evm_bip44_vector_with_eip55() {
        // the published first account of that mnemonic (MetaMask, Trezor, …)
        let x = Xpub::parse(&account_xpub("m/44'/60'/0'"), false).unwrap();
        assert_eq!(
            derive_address(&x, Family::Evm, Net::Main, "0/{index}", 0).unwrap(),
            "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"
        );
        assert!(is_valid_address(Family::Evm, false, "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"));
        assert!(is_valid_address(Family::Evm, false, "0x9858effd232b4033e47d90003d41ec34ecaeda94"));
        assert!(!is_valid_address(Family::Evm, false, "0x9858EfFD232B4033E47d90003D41EC34EcaEda95"));
        assert!(!is_valid_address(Family::Evm, false, "0x9858eFFD232B4033E47d90003D41EC34EcaEda94"), "bad checksum");
        // EIP-55's own examples
        let acc: [u8; 20] = hex::decode("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed").unwrap().try_into().unwrap();
        assert_eq!(eip55(&acc), "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    }

    #[test]
    fn tron_base58check_vector() {
        // The USDT TRC-20 contract: hex 41a614f803b6fd780986a42c78ec9c7f77e6ded13c.
        let acc: [u8; 20] = hex::decode("a614f803b6fd780986a42c78ec9c7f77e6ded13c").unwrap().try_into().unwrap();
        assert_eq!(tron_address(&acc), "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
        assert!(is_valid_address(Family::Tron, false, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"));
        assert!(!is_valid_address(Family::Tron, false, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u"));
        // a Tron deposit address is the EVM account of the same key under another encoding
        let x = Xpub::parse(&account_xpub("m/44'/60'/0'"), false).unwrap();
        let t = derive_address(&x, Family::Tron, Net::Main, "0/{index}", 0).unwrap();
        let raw = bs58::decode(&t).with_check(None).into_vec().unwrap();
        assert_eq!(hex::encode(&raw[1..]), "9858effd232b4033e47d90003d41ec34ecaeda94");
        // the same zpub comes out of the seed as BIP84 publishes, so the seed is the vector's
        let zpub_as_xpub = account_xpub("m/84'/0'/0'");
        let bip84 = Xpub::parse(BIP84_ZPUB, false).unwrap();
        assert_eq!(bip84.key.to_string(), zpub_as_xpub);
    }

    #[test]
    fn tron_bip44_coin_195_vector() {
        // "abandon … about", m/44'/195'/0'/0/{0,1}; the account xpub as a wallet exports it.
        // Cross-checked with bip_utils (Python): Bip44Coins.TRON.
        const XPUB: &str = "xpub6D1AabNHCupeiLM65ZR9UStMhJ1vCpyV4XbZdyhMZBiJXALQtmn9p42VTQckoHVn8WNqS7dqnJokZHAHcHGoaQgmv8D45oNUKx6DZMNZBCd";
        assert_eq!(account_xpub("m/44'/195'/0'"), XPUB);
        let x = Xpub::parse(XPUB, false).unwrap();
        assert_eq!(
            derive_address(&x, Family::Tron, Net::Main, "0/{index}", 0).unwrap(),
            "TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH"
        );
        assert_eq!(
            derive_address(&x, Family::Tron, Net::Main, "0/{index}", 1).unwrap(),
            "TSeJkUh4Qv67VNFwY8LaAxERygNdy6NQZK"
        );
    }

    #[test]
    fn bip84_testnet_vpub_vector() {
        // "abandon … about", m/84'/1'/0'/0/0 (cross-checked with bip_utils).
        const VPUB: &str = "vpub5Y6cjg78GGuNLsaPhmYsiw4gYX3HoQiRBiSwDaBXKUafCt9bNwWQiitDk5VZ5BVxYnQdwoTyXSs2JHRPAgjAvtbBrf8ZhDYe2jWAqvZVnsc";
        let x = Xpub::parse(VPUB, true).unwrap();
        assert_eq!(
            derive_address(&x, Family::Bitcoin, Net::Test, "0/{index}", 0).unwrap(),
            "tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl"
        );
        // the same key on a regtest chain: the same witness program, regtest's prefix
        let regtest = derive_address(&x, Family::Bitcoin, Net::of(true, "bitcoin-regtest"), "0/{index}", 0).unwrap();
        assert!(regtest.starts_with("bcrt1q"), "{regtest}");
        assert!(is_valid_address(Family::Bitcoin, true, &regtest));
        assert_eq!(Xpub::parse(VPUB, false).unwrap_err(), AddressError::WrongNetwork);
        // the plain xpub spelling of BIP84's key derives the same addresses as its zpub
        let as_xpub = Xpub::parse(BIP84_ZPUB, false).unwrap().canonical();
        let x = Xpub::parse(&as_xpub, false).unwrap();
        assert_eq!(
            derive_address(&x, Family::Bitcoin, Net::Main, "0/{index}", 0).unwrap(),
            "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
        );
    }

    #[test]
    fn templates() {
        assert!(valid_template("0/{index}") && valid_template("{index}") && valid_template("1/2/{index}"));
        assert!(!valid_template("0/1") && !valid_template("0'/{index}") && !valid_template("{index}/{index}"));
        assert!(Xpub::parse("not a key", false).is_err());
    }
}

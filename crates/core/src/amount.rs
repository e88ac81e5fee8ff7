//! Exact decimal money (§1.6). Never binary floating point: input is read from the JSON text,
//! output is written as a plain-notation JSON number, and every rounding is explicit.

use std::fmt;
use std::ops::{Add, Neg, Sub};
use std::str::FromStr;

use bigdecimal::{BigDecimal, RoundingMode, Zero};
use serde::{Serialize, Serializer};

/// Most integer digits an amount may have.
pub const MAX_INTEGER_DIGITS: u64 = 30;

/// An exact decimal, kept normalised (no trailing fractional zeros).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Amount(BigDecimal);

/// Why an input is not an amount (all are `4006` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    NotADecimal,
    NotPositive,
    TooManyDecimals,
    TooManyDigits,
}

impl Amount {
    pub fn zero() -> Amount {
        Amount(BigDecimal::zero())
    }

    pub fn from_int(n: i64) -> Amount {
        Amount(BigDecimal::from(n))
    }

    fn new(d: BigDecimal) -> Amount {
        Amount(d.normalized())
    }

    /// A decimal as text: `12.50`, `-3`, `0.000000000000000001`, and — since JSON numbers may be
    /// written so — exponent forms (`1.5e2`), converted exactly.
    pub fn parse(s: &str) -> Result<Amount, AmountError> {
        let s = s.trim();
        let ok_chars = !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
            && s.bytes().any(|b| b.is_ascii_digit());
        if !ok_chars || s.len() > 200 {
            return Err(AmountError::NotADecimal);
        }
        BigDecimal::from_str(s).map(Amount::new).map_err(|_| AmountError::NotADecimal)
    }

    /// An amount from a JSON value: a number (its exact text) or a decimal string (plain
    /// notation only: digits, one optional `.`, an optional leading `-`).
    pub fn from_json(v: &serde_json::Value) -> Result<Amount, AmountError> {
        match v {
            serde_json::Value::Number(n) => Amount::parse(&n.to_string()),
            serde_json::Value::String(s) => {
                let body = s.strip_prefix('-').unwrap_or(s);
                let (int, frac) = body.split_once('.').unwrap_or((body, ""));
                let plain = !int.is_empty()
                    && int.bytes().all(|b| b.is_ascii_digit())
                    && (frac.is_empty() && !body.ends_with('.')
                        || frac.bytes().all(|b| b.is_ascii_digit()) && !frac.is_empty());
                if !plain {
                    return Err(AmountError::NotADecimal);
                }
                Amount::parse(s)
            }
            _ => Err(AmountError::NotADecimal),
        }
    }

    /// Checks an input amount for an asset of `decimals`: at most that many fractional digits
    /// (never rounded silently), at most 30 integer digits, and > 0 unless negatives are allowed.
    pub fn check_input(&self, decimals: i64, allow_negative: bool) -> Result<(), AmountError> {
        if self.fraction_digits() > decimals {
            return Err(AmountError::TooManyDecimals);
        }
        if self.integer_digits() > MAX_INTEGER_DIGITS {
            return Err(AmountError::TooManyDigits);
        }
        if self.is_zero() || (!allow_negative && self.is_negative()) {
            return Err(AmountError::NotPositive);
        }
        Ok(())
    }

    pub fn fraction_digits(&self) -> i64 {
        self.0.fractional_digit_count().max(0)
    }

    pub fn integer_digits(&self) -> u64 {
        let abs = self.0.abs().with_scale_round(0, RoundingMode::Down);
        if abs.is_zero() { 1 } else { abs.digits() }
    }

    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    pub fn is_negative(&self) -> bool {
        self.0.sign() == bigdecimal::num_bigint::Sign::Minus
    }

    pub fn is_positive(&self) -> bool {
        self.0.sign() == bigdecimal::num_bigint::Sign::Plus
    }

    pub fn abs(&self) -> Amount {
        Amount(self.0.abs())
    }

    /// Rounded toward zero to `decimals` places (credits to an owner).
    pub fn round_down(&self, decimals: i64) -> Amount {
        Amount::new(self.0.with_scale_round(decimals, RoundingMode::Down))
    }

    /// Rounded away from zero to `decimals` places (amounts asked of a payer, commissions).
    pub fn round_up(&self, decimals: i64) -> Amount {
        Amount::new(self.0.with_scale_round(decimals, RoundingMode::Up))
    }

    pub fn mul(&self, other: &Amount) -> Amount {
        Amount::new(&self.0 * &other.0)
    }

    /// `self / other` with 40 fractional digits, rounded down; `None` for a zero divisor.
    pub fn div(&self, other: &Amount) -> Option<Amount> {
        if other.is_zero() {
            return None;
        }
        Some(Amount::new((&self.0 / &other.0).with_scale_round(40, RoundingMode::Down)))
    }

    /// `self × percent / 100`, exact.
    pub fn percent(&self, percent: &Amount) -> Amount {
        Amount::new(&self.0 * &percent.0 / BigDecimal::from(100))
    }

    pub fn min(self, other: Amount) -> Amount {
        if self <= other { self } else { other }
    }

    pub fn max(self, other: Amount) -> Amount {
        if self >= other { self } else { other }
    }

    /// Plain notation, no exponent, no trailing fractional zeros, `0` for zero.
    pub fn to_plain(&self) -> String {
        if self.0.is_zero() {
            return "0".into();
        }
        let s = self.0.to_plain_string();
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s }
    }

    /// The same value as an exact JSON number.
    pub fn to_json_number(&self) -> serde_json::Number {
        serde_json::Number::from_str(&self.to_plain()).expect("a plain decimal is a JSON number")
    }

    pub fn as_bigdecimal(&self) -> &BigDecimal {
        &self.0
    }

    pub fn from_bigdecimal(d: BigDecimal) -> Amount {
        Amount::new(d)
    }

    /// An on-chain quantity in base units (wei, sun, satoshi; decimal digits) as an amount of a
    /// coin with `decimals`: `1500000` with 6 decimals is `1.5`.
    pub fn from_base_units(units: &str, decimals: i64) -> Result<Amount, AmountError> {
        if units.is_empty() || units.len() > 80 || !units.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AmountError::NotADecimal);
        }
        let int = bigdecimal::num_bigint::BigInt::from_str(units).map_err(|_| AmountError::NotADecimal)?;
        Ok(Amount::new(BigDecimal::new(int, decimals)))
    }

    /// The amount in base units of a coin with `decimals`, `None` when it has finer digits.
    pub fn to_base_units(&self, decimals: i64) -> Option<String> {
        if self.fraction_digits() > decimals || self.is_negative() {
            return None;
        }
        let (int, scale) = self.0.with_scale(decimals).into_bigint_and_exponent();
        debug_assert_eq!(scale, decimals);
        Some(int.to_string())
    }
}

impl Default for Amount {
    fn default() -> Self {
        Amount::zero()
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_plain())
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({})", self.to_plain())
    }
}

impl Add for &Amount {
    type Output = Amount;
    fn add(self, o: &Amount) -> Amount {
        Amount::new(&self.0 + &o.0)
    }
}

impl Add for Amount {
    type Output = Amount;
    fn add(self, o: Amount) -> Amount {
        &self + &o
    }
}

impl Sub for &Amount {
    type Output = Amount;
    fn sub(self, o: &Amount) -> Amount {
        Amount::new(&self.0 - &o.0)
    }
}

impl Sub for Amount {
    type Output = Amount;
    fn sub(self, o: Amount) -> Amount {
        &self - &o
    }
}

impl Neg for Amount {
    type Output = Amount;
    fn neg(self) -> Amount {
        Amount(-self.0)
    }
}

impl std::iter::Sum for Amount {
    fn sum<I: Iterator<Item = Amount>>(iter: I) -> Amount {
        iter.fold(Amount::zero(), |a, b| &a + &b)
    }
}

/// Written as an exact JSON number in plain notation.
impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json_number().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn a(s: &str) -> Amount {
        Amount::parse(s).unwrap()
    }

    #[test]
    fn base_units_convert_exactly_both_ways() {
        assert_eq!(Amount::from_base_units("1500000", 6).unwrap(), a("1.5"));
        assert_eq!(Amount::from_base_units("1", 18).unwrap().to_plain(), "0.000000000000000001");
        let max_u256 = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
        assert_eq!(Amount::from_base_units(max_u256, 0).unwrap().to_plain(), max_u256);
        assert_eq!(Amount::from_base_units("0", 8).unwrap(), Amount::zero());
        for bad in ["", "-1", "1.5", "0x10"] {
            assert_eq!(Amount::from_base_units(bad, 6), Err(AmountError::NotADecimal), "{bad}");
        }
        assert_eq!(a("1.5").to_base_units(6).as_deref(), Some("1500000"));
        assert_eq!(a("10").to_base_units(18).as_deref(), Some("10000000000000000000"));
        assert_eq!(a("0.0000001").to_base_units(6), None);
        assert_eq!(a("-1").to_base_units(6), None);
    }

    #[test]
    fn parses_exactly_and_prints_plain() {
        assert_eq!(a("12.50").to_plain(), "12.5");
        assert_eq!(a("0.000000000000000001").to_plain(), "0.000000000000000001");
        assert_eq!(a("1.5e2").to_plain(), "150");
        assert_eq!(a("100").to_plain(), "100");
        assert_eq!(a("0.00").to_plain(), "0");
        assert_eq!(a("-3.10").to_plain(), "-3.1");
        let big = "123456789012345678901234567890.123456";
        assert_eq!(a(big).to_plain(), big);
        assert!(Amount::parse("abc").is_err() && Amount::parse("").is_err() && Amount::parse("1,5").is_err());
    }

    #[test]
    fn json_numbers_and_strings() {
        let v: serde_json::Value = serde_json::from_str(r#"{"x": 0.000000000000000001, "y": 1e-18}"#).unwrap();
        assert_eq!(Amount::from_json(&v["x"]).unwrap().to_plain(), "0.000000000000000001");
        assert_eq!(Amount::from_json(&v["y"]).unwrap().to_plain(), "0.000000000000000001");
        assert_eq!(Amount::from_json(&json!("12.50")).unwrap().to_plain(), "12.5");
        assert!(Amount::from_json(&json!("1e5")).is_err());
        assert!(Amount::from_json(&json!("1.")).is_err());
        assert!(Amount::from_json(&json!(".5")).is_err());
        assert!(Amount::from_json(&json!(true)).is_err());
        assert_eq!(serde_json::to_string(&json!({"a": a("12.5")})).unwrap(), r#"{"a":12.5}"#);
        assert_eq!(serde_json::to_string(&a("0.000000000000000001")).unwrap(), "0.000000000000000001");
    }

    #[test]
    fn input_rules() {
        assert_eq!(a("1.123").check_input(2, false), Err(AmountError::TooManyDecimals));
        assert_eq!(a("0").check_input(2, false), Err(AmountError::NotPositive));
        assert_eq!(a("-1").check_input(2, false), Err(AmountError::NotPositive));
        assert!(a("-1").check_input(2, true).is_ok());
        assert_eq!(a("1234567890123456789012345678901").check_input(2, false), Err(AmountError::TooManyDigits));
        assert!(a("123456789012345678901234567890").check_input(0, false).is_ok());
        assert!(a("1.10").check_input(1, false).is_ok());
    }

    #[test]
    fn rounding_and_arithmetic() {
        assert_eq!(a("1.005").round_down(2).to_plain(), "1");
        assert_eq!(a("1.001").round_up(2).to_plain(), "1.01");
        assert_eq!(a("-1.001").round_up(2).to_plain(), "-1.01");
        assert_eq!(a("200").percent(&a("0.5")).to_plain(), "1");
        assert_eq!((&a("0.1") + &a("0.2")).to_plain(), "0.3");
        assert_eq!(a("1").div(&a("3")).unwrap().round_down(18).to_plain(), "0.333333333333333333");
        assert!(a("1").div(&Amount::zero()).is_none());
        assert_eq!([a("1"), a("2.5")].into_iter().sum::<Amount>().to_plain(), "3.5");
    }
}

//! Static dictionaries of §2.17 that never change at run time.

pub mod countries;
pub mod timezones;

pub use countries::{COUNTRIES, CountryDef, country};

/// Owner types: 1 individual, 2 company.
pub const OWNER_TYPES: &[(i32, &str)] = &[(1, "Individual"), (2, "Company")];

/// Owner sub-types with the owner type they belong to.
pub const OWNER_SUB_TYPES: &[(i32, i32, &str)] = &[
    (1, 1, "Private person"),
    (2, 1, "Sole trader / self-employed"),
    (3, 2, "Limited liability company"),
    (4, 2, "Joint-stock company"),
    (5, 2, "Partnership"),
    (6, 2, "Non-profit organisation"),
    (7, 2, "Other company"),
];

/// 2FA types: 1 e-mail code, 2 authenticator app.
pub const TFA_TYPES: &[(i32, &str)] = &[(1, "E-mail code"), (2, "Authenticator app (TOTP)")];

/// Blockchain operation types (§2.17): what an on-chain transaction did for an owner.
pub const BLOCKCHAIN_OPERATION_TYPES: &[(i32, &str)] =
    &[(1, "Invoice payment"), (2, "Deposit"), (3, "Withdrawal"), (4, "Refund"), (5, "Payout"), (6, "Consolidation")];

pub const OWNER_TYPE_INDIVIDUAL: i32 = 1;
pub const OWNER_TYPE_COMPANY: i32 = 2;

pub fn owner_type_exists(id: i64) -> bool {
    OWNER_TYPES.iter().any(|(t, _)| *t as i64 == id)
}

/// The owner type a sub-type belongs to.
pub fn sub_type_owner_type(sub_type: i64) -> Option<i32> {
    OWNER_SUB_TYPES.iter().find(|(id, _, _)| *id as i64 == sub_type).map(|(_, t, _)| *t)
}

//! Amounts in the database: PostgreSQL `NUMERIC(78,18)`, SQLite canonical decimal `TEXT`. One
//! Rust type reads and writes both, so row structs stay shared. Sums are taken in Rust, never
//! with SQL `SUM` (SQLite would add text as floating point).

use std::ops::Deref;

use paygate_core::Amount;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentsBuffer, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DbAmount(pub Amount);

impl Deref for DbAmount {
    type Target = Amount;
    fn deref(&self) -> &Amount {
        &self.0
    }
}

impl From<Amount> for DbAmount {
    fn from(a: Amount) -> Self {
        DbAmount(a)
    }
}

impl From<&Amount> for DbAmount {
    fn from(a: &Amount) -> Self {
        DbAmount(a.clone())
    }
}

impl Type<Postgres> for DbAmount {
    fn type_info() -> PgTypeInfo {
        <bigdecimal::BigDecimal as Type<Postgres>>::type_info()
    }
}

impl<'r> Decode<'r, Postgres> for DbAmount {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(DbAmount(Amount::from_bigdecimal(<bigdecimal::BigDecimal as Decode<Postgres>>::decode(value)?)))
    }
}

impl Encode<'_, Postgres> for DbAmount {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <bigdecimal::BigDecimal as Encode<Postgres>>::encode_by_ref(self.0.as_bigdecimal(), buf)
    }
}

impl Type<Sqlite> for DbAmount {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
}

impl<'r> Decode<'r, Sqlite> for DbAmount {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <String as Decode<Sqlite>>::decode(value)?;
        Amount::parse(&text).map(DbAmount).map_err(|_| format!("not a decimal amount: {text:?}").into())
    }
}

impl Encode<'_, Sqlite> for DbAmount {
    fn encode_by_ref(&self, buf: &mut SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        <String as Encode<Sqlite>>::encode(self.0.to_plain(), buf)
    }
}

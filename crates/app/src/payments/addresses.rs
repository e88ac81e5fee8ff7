//! Deposit addresses: derived from the chain's active extended public key at the next unused
//! index, never reused (the database's unique constraints stand behind the counter).

use paygate_chain::{Family, Net, Xpub, derive_address};
use paygate_core::{AppError, AppResult, ErrorCode};
use paygate_store::catalogue::{self, Chain};
use paygate_store::{Tx, xpubs};

use crate::Services;
use crate::actor::{Actor, ClientInfo};
use crate::audit::Change;

/// What an address is for.
pub struct AddressFor<'a> {
    pub owner_id: i64,
    pub purpose: &'a str,
    pub invoice_id: Option<i64>,
    pub label: Option<&'a str>,
}

impl Services {
    /// A fresh address on `chain` (422 4229 without an active key).
    pub(crate) async fn new_address(&self, tx: &mut Tx, chain: &Chain, f: AddressFor<'_>) -> AppResult<(i64, String)> {
        let unavailable =
            || AppError::new(ErrorCode::PaymentMethodUnavailable, format!("No active key for chain {}", chain.code));
        if !self.watchable(chain) {
            return Err(AppError::new(
                ErrorCode::PaymentMethodUnavailable,
                format!("Chain {} is not watched by this instance", chain.code),
            ));
        }
        let family = Family::parse(&chain.family).ok_or_else(unavailable)?;
        let (key, index) = xpubs::claim_index(tx, chain.id).await?.ok_or_else(unavailable)?;
        // A stored key that cannot derive is the operator's to fix (§4.26: 500 5001); the unit of
        // work rolls back, so no index is spent on it.
        let failed = |e: &dyn std::fmt::Display| {
            tracing::error!(chain = %chain.code, key = key.id, error = %e, "address derivation failed");
            AppError::new(ErrorCode::DependencyUnavailable, "Address derivation failed")
        };
        let parsed = Xpub::parse(&key.xpub, chain.is_test && family != Family::Sandbox).map_err(|e| failed(&e))?;
        let address =
            derive_address(&parsed, family, Net::of(chain.is_test, &chain.code), &key.derivation_path, index as u32)
                .map_err(|e| failed(&e))?;
        let id = xpubs::insert_address(
            tx,
            xpubs::NewAddress {
                chain_id: chain.id,
                address: &address,
                xpub_id: key.id,
                index,
                owner_id: f.owner_id,
                purpose: f.purpose,
                invoice_id: f.invoice_id,
                label: f.label,
                now: self.now(),
            },
        )
        .await?;
        Ok((id, address))
    }

    /// The sandbox chain's key: made once from a random seed (no private key is kept).
    pub(crate) async fn ensure_sandbox_key(&self, tx: &mut Tx) -> AppResult<()> {
        if xpubs::active_for_update(tx, 9).await?.is_some() {
            return Ok(());
        }
        let xpub = paygate_chain::xpub_from_seed(&crate::crypto::random_bytes(32)).map_err(AppError::internal)?;
        let fingerprint = Xpub::parse(&xpub, false).map_err(AppError::internal)?.fingerprint();
        xpubs::insert(tx, 9, &xpub, &fingerprint, "0/{index}", self.now()).await?;
        Ok(())
    }

    pub async fn list_xpubs(&self, _operator: &Actor, chain_id: Option<i64>) -> AppResult<Vec<xpubs::XpubRow>> {
        let mut c = self.store.conn().await?;
        Ok(xpubs::list(&mut c, chain_id).await?)
    }

    /// `POST /admin/xpub`: the chain's new active key; the previous one is retired and its
    /// addresses stay watched.
    pub async fn add_xpub(
        &self,
        operator: &Actor,
        chain_id: i64,
        xpub: &str,
        path: &str,
        otp: &str,
        client: &ClientInfo,
    ) -> AppResult<xpubs::XpubRow> {
        let mut tx = self.store.begin().await?;
        self.operator_totp(&mut tx, operator, otp).await?;
        let chain = catalogue::chain(&mut tx, chain_id)
            .await?
            .ok_or_else(|| AppError::field(ErrorCode::NotFound, "chain_id", "Unknown chain"))?;
        if !paygate_chain::valid_template(path) {
            return Err(AppError::field(
                ErrorCode::FieldFormat,
                "derivation_path",
                "A relative template of non-hardened steps such as 0/{index}",
            ));
        }
        let family = Family::parse(&chain.family).ok_or_else(|| AppError::internal("unknown family"))?;
        let parsed = Xpub::parse(xpub, chain.is_test && family != Family::Sandbox)
            .map_err(|e| AppError::field(ErrorCode::FieldFormat, "xpub", e.to_string()))?;
        // The same key in another version (xpub and zpub) would start its indexes over and hand
        // out addresses already given: a key is registered once per chain, in any spelling.
        let registered = xpubs::list(&mut tx, Some(chain.id)).await?;
        if registered
            .iter()
            .any(|r| Xpub::parse(&r.xpub, parsed_is_test(&r.xpub)).is_ok_and(|k| k.canonical() == parsed.canonical()))
        {
            return Err(AppError::field(ErrorCode::AlreadyExists, "xpub", "This key is registered already"));
        }
        xpubs::retire_active(&mut tx, chain.id).await?;
        let id = xpubs::insert(&mut tx, chain.id, xpub.trim(), &parsed.fingerprint(), path, self.now()).await.map_err(
            |e| {
                if e.is_conflict_on("xpubs_chain_id_xpub_key") {
                    AppError::field(ErrorCode::AlreadyExists, "xpub", "This key is registered already")
                } else {
                    e.into()
                }
            },
        )?;
        let row = xpubs::by_id(&mut tx, id).await?.ok_or_else(|| AppError::internal("key vanished"))?;
        self.audit(
            &mut tx,
            operator,
            client,
            Change {
                action: "xpub.add",
                object_type: "xpub",
                object_id: Some(id),
                before: None,
                after: format!("chain {} key {}", chain.id, row.fingerprint),
            },
        )
        .await?;
        tx.commit().await?;
        self.forget_reference();
        Ok(row)
    }

    /// `PUT /admin/xpub`: retires a key.
    pub async fn retire_xpub(&self, operator: &Actor, id: i64, otp: &str, client: &ClientInfo) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        self.operator_totp(&mut tx, operator, otp).await?;
        xpubs::by_id(&mut tx, id).await?.ok_or_else(|| AppError::not_found("Key"))?;
        if !xpubs::retire(&mut tx, id).await? {
            return Err(AppError::new(ErrorCode::InvalidState, "The key is retired already"));
        }
        self.audit(
            &mut tx,
            operator,
            client,
            Change {
                action: "xpub.retire",
                object_type: "xpub",
                object_id: Some(id),
                before: Some("active".into()),
                after: "retired".into(),
            },
        )
        .await?;
        tx.commit().await?;
        self.forget_reference();
        Ok(())
    }

    /// The operator's current TOTP code (the `otp` of operator mutations, §5.5).
    pub(crate) async fn operator_totp(&self, tx: &mut Tx, operator: &Actor, otp: &str) -> AppResult<()> {
        let user = paygate_store::users::by_id(tx, operator.user_id)
            .await?
            .ok_or_else(|| AppError::internal("operator missing"))?;
        let seed = user.totp_secret.clone().ok_or_else(|| AppError::internal("operator without authenticator"))?;
        self.check_totp(tx, user.id, &seed, otp, "otp").await
    }
}

/// Whether a stored key is a test-network key (`tpub`/`vpub`), judged by its prefix.
fn parsed_is_test(xpub: &str) -> bool {
    xpub.starts_with("tpub") || xpub.starts_with("vpub")
}

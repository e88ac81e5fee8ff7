//! One behaviour, two backends: every store function is exercised on SQLite and, when
//! `TEST_DATABASE_URL` is set, on PostgreSQL in the same run.

use paygate_store::users::NewUser;
use paygate_store::{Store, StoreError, mail, memberships, otp, owners, sessions, tfa_resets, timezones, users};
use paygate_testkit::{Backend, TestDb};

async fn each_backend<F, Fut>(f: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in Backend::available() {
        let db = TestDb::new(backend).await;
        let store = Store::connect(&db.url).await.expect("connect");
        store.migrate().await.expect("migrate");
        assert!(store.migrations_current().await.unwrap());
        f(store.clone()).await;
        store.close().await;
    }
}

fn new_user(email: &str) -> NewUser<'_> {
    NewUser {
        email,
        status: users::STATUS_ACTIVE,
        is_operator: false,
        password_hash: Some("h"),
        language: "en",
        timezone_id: 1,
        now: 1000,
    }
}

#[tokio::test]
async fn users_are_unique_by_email_and_the_constraint_is_named() {
    each_backend(|store| async move {
        let mut tx = store.begin().await.unwrap();
        let id = users::insert(&mut tx, new_user("a@example.com")).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let err = users::insert(&mut tx, new_user("a@example.com")).await.unwrap_err();
        assert!(err.is_conflict_on("users_email_key"), "{err:?}");
        drop(tx);
        let mut c = store.conn().await.unwrap();
        let u = users::by_email(&mut c, "a@example.com").await.unwrap().unwrap();
        assert_eq!(u.id, id);
        assert!(users::by_id(&mut c, id + 100).await.unwrap().is_none());
        // a rolled-back unit of work leaves nothing
        let mut tx = store.begin().await.unwrap();
        users::insert(&mut tx, new_user("b@example.com")).await.unwrap();
        drop(tx);
        assert!(users::by_email(&mut c, "b@example.com").await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn totp_steps_are_used_once() {
    each_backend(|store| async move {
        let mut tx = store.begin().await.unwrap();
        let id = users::insert(&mut tx, new_user("t@example.com")).await.unwrap();
        assert!(users::use_totp_step(&mut tx, id, 100).await.unwrap());
        assert!(!users::use_totp_step(&mut tx, id, 100).await.unwrap());
        assert!(!users::use_totp_step(&mut tx, id, 99).await.unwrap());
        assert!(users::use_totp_step(&mut tx, id, 101).await.unwrap());
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn codes_burn_after_max_failures_and_are_single_use() {
    each_backend(|store| async move {
        let mut tx = store.begin().await.unwrap();
        otp::replace(&mut tx, "signup", "x@example.com", "hash1", Some("{}"), 2000, 1000).await.unwrap();
        let open = otp::open(&mut tx, "signup", "x@example.com", 1000).await.unwrap().unwrap();
        assert_eq!(open.payload.as_deref(), Some("{}"));
        for n in 1..5 {
            assert_eq!(otp::record_failure(&mut tx, open.id, 5, 1000).await.unwrap(), n);
        }
        assert_eq!(otp::record_failure(&mut tx, open.id, 5, 1000).await.unwrap(), 5);
        assert!(otp::open(&mut tx, "signup", "x@example.com", 1000).await.unwrap().is_none(), "burnt");
        otp::replace(&mut tx, "signup", "x@example.com", "hash2", None, 2000, 1001).await.unwrap();
        let open = otp::open(&mut tx, "signup", "x@example.com", 1001).await.unwrap().unwrap();
        assert!(otp::open(&mut tx, "signup", "x@example.com", 2000).await.unwrap().is_none(), "expired");
        assert!(otp::consume(&mut tx, open.id, 1002).await.unwrap());
        assert!(!otp::consume(&mut tx, open.id, 1003).await.unwrap());
        // a new code closes the previous one
        otp::replace(&mut tx, "tfa", "7", "h1", None, 2000, 1000).await.unwrap();
        let first = otp::open(&mut tx, "tfa", "7", 1000).await.unwrap().unwrap();
        otp::replace(&mut tx, "tfa", "7", "h2", None, 2000, 1000).await.unwrap();
        let second = otp::open(&mut tx, "tfa", "7", 1000).await.unwrap().unwrap();
        assert_ne!(first.id, second.id);
        assert!(!otp::consume(&mut tx, first.id, 1000).await.unwrap());
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn sessions_refresh_tokens_and_the_request_check() {
    each_backend(|store| async move {
        let mut tx = store.begin().await.unwrap();
        let uid = users::insert(&mut tx, new_user("s@example.com")).await.unwrap();
        let data = owners::OwnerData {
            owner_type: 1,
            owner_sub_type: 1,
            name: "Shop".into(),
            country_id: 203,
            ..Default::default()
        };
        let oid = owners::insert(&mut tx, &data, "ABCD1234", None, 1, 1000).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let err = owners::insert(&mut tx, &data, "ABCD1234", None, 1, 1000).await.unwrap_err();
        assert!(err.is_conflict_on("owners_referral_code_key"), "{err:?}");
        // after a failed statement a unit of work only rolls back, on both backends
        assert!(tx.commit().await.is_err());
        let mut tx = store.begin().await.unwrap();
        let mid = memberships::insert(&mut tx, uid, oid, 1, memberships::STATUS_ACTIVE, 1000).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        assert!(
            memberships::insert(&mut tx, uid, oid, 2, 2, 1000)
                .await
                .unwrap_err()
                .is_conflict_on("memberships_user_id_owner_id_key")
        );
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        let sid = sessions::insert(
            &mut tx,
            sessions::NewSession {
                user_id: uid,
                scope: "full",
                owner_id: Some(oid),
                ip: Some("10.0.0.1"),
                user_agent: None,
                now: 1000,
                expires_at: 5000,
            },
        )
        .await
        .unwrap();
        sessions::insert_refresh(&mut tx, sid, "rt-hash", 5000, 1000).await.unwrap();
        let check = sessions::check(&mut tx, sid, Some(oid)).await.unwrap().unwrap();
        assert_eq!(
            (check.user_id, check.role_id, check.membership_status, check.owner_status),
            (uid, Some(1), Some(2), Some(1))
        );
        let other_owner = sessions::check(&mut tx, sid, Some(oid + 1)).await.unwrap().unwrap();
        assert_eq!(other_owner.role_id, None);
        let rt = sessions::refresh_by_hash(&mut tx, "rt-hash").await.unwrap().unwrap();
        assert!(sessions::consume_refresh(&mut tx, rt.id, 1001).await.unwrap());
        assert!(!sessions::consume_refresh(&mut tx, rt.id, 1002).await.unwrap());
        assert!(sessions::seen_ip(&mut tx, uid, "10.0.0.1").await.unwrap());
        assert!(!sessions::seen_ip(&mut tx, uid, "10.0.0.2").await.unwrap());
        assert_eq!(sessions::close_all_of_user(&mut tx, uid, Some(sid), "x", 1003).await.unwrap(), 0);
        assert_eq!(sessions::close_all_of_user(&mut tx, uid, None, "x", 1003).await.unwrap(), 1);
        assert_eq!(sessions::check(&mut tx, sid, None).await.unwrap().unwrap().closed_at, Some(1003));
        let ms = memberships::of_user(&mut tx, uid).await.unwrap();
        assert_eq!((ms.len(), ms[0].id, ms[0].owner_name.as_str()), (1, mid, "Shop"));
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn tfa_reset_transitions_and_listing() {
    each_backend(|store| async move {
        let mut tx = store.begin().await.unwrap();
        let uid = users::insert(&mut tx, new_user("r@example.com")).await.unwrap();
        let id = tfa_resets::insert(&mut tx, uid, "lost my phone", 1000).await.unwrap();
        assert_eq!(tfa_resets::open_of_user(&mut tx, uid).await.unwrap().unwrap().id, id);
        assert!(
            !tfa_resets::transition(&mut tx, id, tfa_resets::APPROVED, tfa_resets::COMPLETED, None, None, 1001)
                .await
                .unwrap()
        );
        assert!(
            tfa_resets::transition(&mut tx, id, tfa_resets::PENDING, tfa_resets::APPROVED, Some(9), Some("ok"), 1001)
                .await
                .unwrap()
        );
        let (rows, total) = tfa_resets::list(&mut tx, &[2], Some("R@EXAMPLE"), 10, 0).await.unwrap();
        assert_eq!((rows.len(), total, rows[0].decided_by, rows[0].comment.as_deref()), (1, 1, Some(9), Some("ok")));
        let (rows, total) = tfa_resets::list(&mut tx, &[1], None, 10, 0).await.unwrap();
        assert_eq!((rows.len(), total), (0, 0));
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn mail_outbox_leases_and_retries() {
    each_backend(|store| async move {
        let mut tx = store.begin().await.unwrap();
        mail::enqueue(&mut tx, "a@example.com", "s1", "b1", 1000).await.unwrap();
        mail::enqueue(&mut tx, "b@example.com", "s2", "b2", 1000).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let batch = mail::claim_due(&mut tx, 1000, 1120, 10).await.unwrap();
        assert_eq!(batch.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>(), ["s1", "s2"]);
        // leased: not due again until the lease ends
        assert!(mail::claim_due(&mut tx, 1001, 1121, 10).await.unwrap().is_empty());
        mail::mark_sent(&mut tx, batch[0].id, 1002).await.unwrap();
        mail::mark_failed(&mut tx, batch[1].id, "smtp down", 1030).await.unwrap();
        assert_eq!(mail::pending_count(&mut tx).await.unwrap(), 1);
        let again = mail::claim_due(&mut tx, 1030, 1150, 10).await.unwrap();
        assert_eq!((again.len(), again[0].attempts), (1, 1));
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn timezone_seeding_appends_and_keeps_ids() {
    each_backend(|store| async move {
        let mut tx = store.begin().await.unwrap();
        timezones::seed(&mut tx, &["Europe/Prague", "UTC"]).await.unwrap();
        timezones::seed(&mut tx, &["America/New_York", "Europe/Prague", "UTC"]).await.unwrap();
        let all = timezones::all(&mut tx).await.unwrap();
        let ids: Vec<(i64, &str)> = all.iter().map(|t| (t.id, t.name.as_str())).collect();
        assert_eq!(ids, [(3, "America/New_York"), (1, "Europe/Prague"), (2, "UTC")]);
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn unknown_scheme_is_refused() {
    match Store::connect("mysql://localhost/x").await {
        Err(StoreError::Other(msg)) => assert!(msg.contains("sqlite: or postgres:")),
        _ => panic!("mysql accepted"),
    }
}

/// An owner (an individual) for rows that need one.
async fn some_owner(tx: &mut paygate_store::Tx, referral_code: &str) -> i64 {
    let data = owners::OwnerData {
        owner_type: 1,
        owner_sub_type: 1,
        name: referral_code.into(),
        country_id: 203,
        ..Default::default()
    };
    owners::insert(tx, &data, referral_code, None, 1, 1000).await.unwrap()
}

/// An enabled endpoint of `owner_id` at `url`.
fn endpoint(owner_id: i64, url: &str) -> paygate_store::webhooks::NewEndpoint<'_> {
    paygate_store::webhooks::NewEndpoint {
        owner_id,
        url,
        description: None,
        event_types: "[]",
        enabled: true,
        secret_sealed: "sealed",
        secret_prefix: "whsec_ab",
        now: 1000,
    }
}

#[tokio::test]
async fn a_webhook_attempt_is_recorded_only_by_the_worker_holding_the_delivery() {
    use paygate_store::webhooks::{self, AttemptResult};
    each_backend(|store| async move {
        let mut tx = store.begin().await.unwrap();
        let oid = some_owner(&mut tx, "HOOK0001").await;
        let wid = webhooks::insert_endpoint(&mut tx, endpoint(oid, "https://shop.example/hook")).await.unwrap();
        let event = webhooks::insert_event(&mut tx, oid, "invoice.paid", 1000).await.unwrap();
        let id = webhooks::insert_delivery(&mut tx, wid, event, 1000).await.unwrap();
        tx.commit().await.unwrap();
        let attempt = || AttemptResult {
            status: "succeeded",
            http_status: Some(200),
            error: None,
            duration_ms: 5,
            response_excerpt: None,
            next_attempt_at: None,
        };
        let mut c = store.conn().await.unwrap();
        // worker A claims, stalls past its lease; worker B takes the delivery over
        let a = webhooks::claim_due(&mut c, 1000, 300, 10).await.unwrap();
        assert_eq!((a.len(), a[0].locked_until), (1, Some(1300)));
        assert!(webhooks::claim_due(&mut c, 1299, 300, 10).await.unwrap().is_empty(), "held while leased");
        let b = webhooks::claim_due(&mut c, 1300, 300, 10).await.unwrap();
        assert_eq!((b.len(), b[0].locked_until), (1, Some(1600)));
        // A's late answer is not written over B's attempt; B's is
        assert!(!webhooks::record_attempt(&mut c, id, 1300, attempt()).await.unwrap());
        assert!(webhooks::record_attempt(&mut c, id, 1600, attempt()).await.unwrap());
        let d = webhooks::delivery(&mut c, oid, id).await.unwrap().unwrap();
        assert_eq!((d.attempt, d.status.as_str(), d.locked_until), (1, "succeeded", None));
        assert!(!webhooks::record_attempt(&mut c, id, 1600, attempt()).await.unwrap(), "recorded once");
    })
    .await;
}

#[tokio::test]
async fn an_owner_counts_its_enabled_webhook_endpoints_through_every_change() {
    use paygate_store::webhooks::{self, EndpointChange};
    each_backend(|store| async move {
        let mut tx = store.begin().await.unwrap();
        let oid = some_owner(&mut tx, "COUNT001").await;
        let count = |n: i64| (oid, n);
        let new = |url: &'static str| endpoint(oid, url);
        let a = webhooks::insert_endpoint(&mut tx, new("https://a.example/h")).await.unwrap();
        let b = webhooks::insert_endpoint(&mut tx, new("https://b.example/h")).await.unwrap();
        let read =
            async |tx: &mut paygate_store::Tx| (oid, owners::by_id(tx, oid).await.unwrap().unwrap().webhook_endpoints);
        assert_eq!(read(&mut tx).await, count(2));
        let off = EndpointChange {
            url: "https://a.example/h",
            description: None,
            event_types: "[]",
            enabled: false,
            failing_since: None,
        };
        webhooks::update_endpoint(&mut tx, a, off).await.unwrap();
        assert_eq!(read(&mut tx).await, count(1));
        webhooks::disable_endpoint(&mut tx, b).await.unwrap();
        assert_eq!(read(&mut tx).await, count(0));
        let on = EndpointChange {
            url: "https://a.example/h",
            description: None,
            event_types: "[]",
            enabled: true,
            failing_since: None,
        };
        webhooks::update_endpoint(&mut tx, a, on).await.unwrap();
        assert_eq!(read(&mut tx).await, count(1));
        webhooks::delete_endpoint(&mut tx, a, 2000).await.unwrap();
        assert_eq!(read(&mut tx).await, count(0));
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn addresses_are_read_after_an_id_and_by_missing_ids() {
    use paygate_store::xpubs::{self, NewAddress};
    each_backend(|store| async move {
        let mut tx = store.begin().await.unwrap();
        let data = owners::OwnerData {
            owner_type: 1,
            owner_sub_type: 1,
            name: "Addr".into(),
            country_id: 203,
            ..Default::default()
        };
        let oid = owners::insert(&mut tx, &data, "ADDR0001", None, 1, 1000).await.unwrap();
        let key = xpubs::insert(&mut tx, 8, "tpub-conformance", "00000000", "0/{index}", 1000).await.unwrap();
        let mut ids = vec![];
        for (i, chain) in [(0, 8), (1, 8), (2, 9)] {
            let a = format!("0x{i:040x}");
            let new = NewAddress {
                chain_id: chain,
                address: &a,
                xpub_id: key,
                index: i,
                owner_id: oid,
                purpose: "wallet",
                invoice_id: None,
                label: None,
                now: 1000,
            };
            ids.push(xpubs::insert_address(&mut tx, new).await.unwrap());
        }
        tx.commit().await.unwrap();
        let mut c = store.conn().await.unwrap();
        let all = xpubs::addresses_after(&mut c, 0, &[]).await.unwrap();
        assert_eq!(all.iter().map(|r| r.0).collect::<Vec<_>>(), ids, "every chain, in id order");
        assert_eq!((all[2].1, all[2].2.as_str()), (9, "0x0000000000000000000000000000000000000002"));
        let later = xpubs::addresses_after(&mut c, ids[1], &[ids[0]]).await.unwrap();
        let mut got: Vec<i64> = later.iter().map(|r| r.0).collect();
        got.sort_unstable();
        assert_eq!(got, vec![ids[0], ids[2]], "above the id, and the missing one asked for");
    })
    .await;
}

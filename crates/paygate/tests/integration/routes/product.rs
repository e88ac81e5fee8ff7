//! `/api/product*`, `/api/subscribe*`, `/api/notification*`.

use serde_json::json;

use crate::backend_tests;
use crate::harness::*;

backend_tests! {
    async fn products_favorites_onboarding(app) {
        let m = app.merchant("prod@example.com").await;
        let me = app.as_user(&m.token);
        let list = me.get("/api/product").await;
        assert_eq!(list.ok(200).as_array().unwrap().len(), 4);
        assert_eq!(list.body[1], json!({"id": 2, "code": "pay_link", "name": "Pay link", "enabled": true, "favorite": false}));
        me.post("/api/product/favorite", json!({"product_id": 2})).await.ok(204);
        me.post("/api/product/favorite", json!({"product_id": 2})).await.ok(204);
        me.post("/api/product/favorite", json!({"product_id": 9})).await.err(400, 4004);
        assert_eq!(me.get("/api/product/favorite").await.ok(200).as_array().unwrap().iter().map(|p| p["id"].clone()).collect::<Vec<_>>(), [json!(2)]);
        me.post("/api/product/favorite", json!({"product_id": 2, "favorite": false})).await.ok(204);
        assert_eq!(me.get("/api/product/favorite").await.ok(200).clone(), json!([]));
        let ob = me.get("/api/product/onboarding").await.ok(200).clone();
        assert_eq!(ob[0]["steps"], json!([{"code": "kyc_approved", "done": false}, {"code": "balance_opened", "done": false}, {"code": "first_payment", "done": false}]));
        fund(&app, m.owner_id, 6, "1").await;
        let ob = me.get("/api/product/onboarding").await.ok(200).clone();
        assert_eq!(ob[0]["steps"][1]["done"], true);
        assert_eq!(ob[0]["steps"][2]["done"], true, "a credit is the wallet's first payment");
        assert_eq!(ob[1]["steps"][2]["code"], "object_created");
    }

    async fn subscriptions(app) {
        let m = app.merchant("sub@example.com").await;
        let me = app.as_user(&m.token);
        let s = me.get("/api/subscribe").await.ok(200).clone();
        assert_eq!((s["plan_id"].clone(), s["plan_name"].clone(), s["status_id"].clone(), s["price"].clone()), (json!(1), json!("Start"), json!(1), json!(0)));
        let plans = me.get("/api/subscribe/info").await.ok(200).clone();
        assert_eq!(plans.as_array().unwrap().len(), 3);
        assert_eq!(plans[0]["transfer_commission_percent"].to_string(), "0.5");
        me.post("/api/subscribe", json!({"plan_id": 1})).await.err(409, 4096);
        me.post("/api/subscribe", json!({"plan_id": 99})).await.err(404, 4040);
        me.post("/api/subscribe", json!({"plan_id": 2})).await.err(400, 4002);
        let usd = fund(&app, m.owner_id, 1, "40").await;
        let eur = fund(&app, m.owner_id, 2, "100").await;
        me.post("/api/subscribe", json!({"plan_id": 2, "balance_id": eur})).await.err(422, 4226);
        me.post("/api/subscribe", json!({"plan_id": 2, "balance_id": usd})).await.err(422, 4220);
        fund(&app, m.owner_id, 1, "10").await;
        let s = me.post("/api/subscribe", json!({"plan_id": 2, "balance_id": usd})).await;
        let s = s.ok(200).clone();
        assert_eq!((s["plan_id"].clone(), s["price"].clone(), s["balance_id"].clone()), (json!(2), json!(49), json!(usd)));
        assert!(s["renews_at"].is_string());
        assert_eq!(balance_of(&me, 1).await["amount"].to_string(), "1");
        assert_eq!(me.get("/api/owner").await.body["plan_id"], 2);
        // only role 1 may change the plan
        let admin = app.member("sub-admin@example.com", m.owner_id, 2).await;
        app.as_user(&admin.token).post("/api/subscribe", json!({"plan_id": 1})).await.err(403, 4030);
        app.as_user(&admin.token).get("/api/subscribe").await.ok(200);
        // renewal: due now, 1 USD left → past due
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, "UPDATE subscriptions SET renews_at = 1").await.unwrap();
        drop(c);
        app.services.renew_subscriptions().await.unwrap();
        assert_eq!(me.get("/api/subscribe").await.body["status_id"], 3);
        // switching back to plan 1 ends renewals
        me.post("/api/subscribe", json!({"plan_id": 1})).await.ok(200);
        assert_eq!(me.get("/api/subscribe").await.body["renews_at"], serde_json::Value::Null);
        assert_ledger_ok(&app).await;
    }

    async fn notifications_read_flags(app) {
        let a = app.merchant("note-a@example.com").await;
        let b = app.merchant("note-b@example.com").await;
        let from = fund(&app, a.owner_id, 6, "10").await;
        let me = app.as_user(&a.token);
        for i in 0..3 {
            me.post("/api/transfer", json!({"amount": 1, "from_balance_id": from, "order_id": format!("n{i}"), "product_id": 1, "to_owner_id": b.owner_id})).await.ok(204);
        }
        let them = app.as_user(&b.token);
        let list = them.get("/api/notification?limit=2").await;
        assert_eq!((list.ok(200).as_array().unwrap().len(), list.header("x-total-count")), (2, Some("3")));
        assert_eq!(list.body[0]["data"]["order_id"], "n2", "newest first");
        let first = list.body[0]["id"].as_i64().unwrap();
        them.put("/api/notification", json!({"ids": [first, 999_999]})).await.ok(204);
        assert_eq!(them.get("/api/notification/unread").await.header("x-total-count"), Some("2"));
        assert_eq!(them.get("/api/notification?read=true").await.header("x-total-count"), Some("1"));
        // another user's ids are ignored
        me.put("/api/notification", json!({"ids": [list.body[1]["id"]]})).await.ok(204);
        assert_eq!(them.get("/api/notification/unread").await.header("x-total-count"), Some("2"));
        them.put("/api/notification", json!({"all": true})).await.ok(204);
        assert_eq!(them.get("/api/notification/unread").await.header("x-total-count"), Some("0"));
        them.put("/api/notification", json!({"all": true, "read": false})).await.ok(204);
        assert_eq!(them.get("/api/notification/unread").await.header("x-total-count"), Some("3"));
        them.put("/api/notification", json!({})).await.err(400, 4008);
        them.put("/api/notification", json!({"ids": [1], "all": true})).await.err(400, 4008);
        them.get("/api/notification?limit=0").await.err(400, 4007);
    }
}

//! `/api/balance*`: opening, flags, figures from the ledger, conversions.

use serde_json::json;

use crate::backend_tests;
use crate::harness::*;

backend_tests! {
    async fn open_list_and_flags(app) {
        let m = app.merchant("bal@example.com").await;
        let me = app.as_user(&m.token);
        assert_eq!(me.get("/api/balance").await.ok(200).clone(), json!([]));
        let usdt = me.post("/api/balance", json!({"coin_id": 6})).await;
        let usdt = usdt.ok(200).clone();
        assert_eq!((usdt["code"].clone(), usdt["amount"].clone(), usdt["hold"].clone(), usdt["incoming"].clone()), (json!("USDT"), json!(0), json!(0), json!(0)));
        assert_eq!((usdt["available"].clone(), usdt["default"].clone(), usdt["is_fiat"].clone()), (json!(true), json!(true), json!(false)));
        let eur = me.post("/api/balance", json!({"coin_id": 2})).await.ok(200).clone();
        assert_eq!(eur["default"], false, "only the first balance is the default");
        me.post("/api/balance", json!({"coin_id": 6})).await.err(409, 4094);
        me.post("/api/balance", json!({"coin_id": 999})).await.err(404, 4040);
        me.post("/api/balance", json!({})).await.err(400, 4002);
        let list = me.get("/api/balance").await;
        assert_eq!(list.ok(200).as_array().unwrap().iter().map(|b| b["coin_id"].as_i64().unwrap()).collect::<Vec<_>>(), [2, 6]);
        assert_eq!(me.get("/api/balance/coin").await.ok(200).as_array().unwrap().len(), 1);
        assert_eq!(me.get("/api/balance/fiat").await.ok(200)[0]["code"], "EUR");
        // flags
        let (usdt_id, eur_id) = (usdt["id"].as_i64().unwrap(), eur["id"].as_i64().unwrap());
        me.put("/api/balance/available/off", json!({"balance_id": usdt_id})).await.err(409, 4096);
        me.put("/api/balance/available/off", json!({"balance_id": eur_id})).await.ok(204);
        me.put("/api/balance/available/off", json!({"balance_id": eur_id})).await.ok(204);
        me.put("/api/balance/default/set", json!({"balance_id": eur_id})).await.err(422, 4226);
        me.put("/api/balance/available/set", json!({"balance_id": eur_id})).await.ok(204);
        me.put("/api/balance/default/set", json!({"balance_id": eur_id})).await.ok(204);
        let list = me.get("/api/balance").await;
        let defaults: Vec<_> = list.body.as_array().unwrap().iter().filter(|b| b["default"] == true).map(|b| b["id"].clone()).collect();
        assert_eq!(defaults, [json!(eur_id)]);
        me.put("/api/balance/default/off", json!({"balance_id": usdt_id})).await.ok(204);
        me.put("/api/balance/default/off", json!({"balance_id": eur_id})).await.ok(204);
        assert!(me.get("/api/balance").await.body.as_array().unwrap().iter().all(|b| b["default"] == false));
        // another owner's balance does not exist for this one
        let other = app.merchant("bal-other@example.com").await;
        app.as_user(&other.token).put("/api/balance/available/off", json!({"balance_id": usdt_id})).await.err(404, 4040);
        me.put("/api/balance/available/set", json!({"balance_id": 0})).await.err(404, 4040);
    }

    async fn general_and_state_convert_at_current_rates(app) {
        let m = app.merchant("gen@example.com").await;
        let me = app.as_user(&m.token);
        fund(&app, m.owner_id, 6, "100.5").await;
        fund(&app, m.owner_id, 3, "0.01").await;
        fund(&app, m.owner_id, 2, "10").await;
        let g = me.get("/api/balance/general").await.ok(200).clone();
        // default = the first balance (USDT); sandbox rates: USDT=1 USD, BTC=65000 USD, EUR=1.08 USD
        assert_eq!(g["code"], "USDT");
        assert_eq!(g["amount"].to_string(), "761.3", "100.5 + 650 + 10.8");
        assert_eq!(g["balances_count"], 3);
        assert_eq!(g["unconverted_coin_ids"], json!([]));
        let member = app.member("gen-viewer@example.com", m.owner_id, 5).await;
        let states = app.as_user(&member.token).get("/api/balance/state/user").await;
        let states = states.ok(200).as_array().unwrap().clone();
        let row = states.iter().find(|s| s["owner_id"] == m.owner_id).unwrap();
        assert_eq!((row["role_id"].clone(), row["amount"].to_string()), (json!(5), "761.3".to_owned()));
        assert_eq!(states.len(), 2, "its own owner and this one");
        let b = balance_of(&me, 6).await;
        assert_eq!(b["amount"].to_string(), "100.5");
        assert_ledger_ok(&app).await;
    }
}

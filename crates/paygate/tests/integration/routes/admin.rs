//! Operator money routes: catalogue, rates, adjustments, the ledger check, owners.

use serde_json::json;

use crate::backend_tests;
use crate::harness::*;

async fn operator(app: &TestApp) -> (Api, String) {
    let (email, secret) = app.operator("money-ops@example.com").await;
    (app.as_user(&app.operator_token(&email, &secret).await), secret)
}

backend_tests! {
    async fn adjustment_funds_and_debits_with_totp(app) {
        let m = app.merchant("adj@example.com").await;
        let (op, secret) = operator(&app).await;
        let body = |amount: serde_json::Value, order: &str, otp: String| json!({"owner_id": m.owner_id, "coin_id": 6, "amount": amount, "order_id": order, "reason": "test funding", "otp": otp});
        // the sign-in used the current step; the next one confirms this
        let r = op.post("/admin/ledger/adjustment", body(json!("250.5"), "adj-1", totp_now(&secret, 1))).await;
        let r = r.ok(200).clone();
        assert_eq!(r["amount"].to_string(), "250.5");
        let balance_id = r["balance_id"].as_i64().unwrap();
        assert!(r["operation_id"].as_i64().unwrap() > 0);
        op.post("/admin/ledger/adjustment", body(json!(1), "adj-2", totp_now(&secret, 1))).await.err(400, 4020);
        op.post("/admin/ledger/adjustment", body(json!(1), "adj-1", "000000x".into())).await.err(400, 4020);
        op.post("/admin/ledger/adjustment", body(json!(1.0000001), "adj-3", "123456".into())).await.err(400, 4020);
        let me = app.as_user(&m.token);
        let b = balance_of(&me, 6).await;
        assert_eq!((b["id"].as_i64().unwrap(), b["amount"].to_string()), (balance_id, "250.5".to_owned()));
        let notes = me.get("/api/notification").await;
        assert_eq!(notes.ok(200)[0]["type"], "balance.adjusted");
        app.as_user(&m.token).post("/admin/ledger/adjustment", body(json!(1), "x", "123456".into())).await.err(403, 4033);
        op.post("/admin/ledger/adjustment", json!({"owner_id": m.owner_id})).await.err(400, 4002);
        let check = op.get("/admin/ledger/check").await;
        let check = check.ok(200).clone();
        assert_eq!(check["ok"], true);
        assert!(check["transactions"].as_i64().unwrap() >= 1);
        assert_eq!(check["balances_mismatched"], json!([]));
        assert!(check["coins"].as_array().unwrap().iter().all(|c| c["ok"] == true && c["sum"] == 0));
    }

    async fn adjustment_errors(app) {
        let m = app.merchant("adj-err@example.com").await;
        let (op, secret) = operator(&app).await;
        let body = |amount: serde_json::Value, order: &str| json!({"owner_id": m.owner_id, "coin_id": 6, "amount": amount, "order_id": order, "reason": "r"});
        // each call needs an unused TOTP step: forget the used ones between calls
        let call = |mut b: serde_json::Value| {
            let (op, secret, app) = (op.clone(), secret.clone(), &app);
            async move {
                let mut c = app.services.store.conn().await.unwrap();
                paygate_store::testing::execute(&mut c, "UPDATE users SET totp_last_step = 0 WHERE is_operator").await.unwrap();
                drop(c);
                b["otp"] = json!(totp_now(&secret, 0));
                op.post("/admin/ledger/adjustment", b).await
            }
        };
        call(body(json!(-5), "neg")).await.err(422, 4220);
        call(body(json!(0.1234567), "dec")).await.err(400, 4006);
        call(body(json!(0), "zero")).await.err(400, 4006);
        let mut ghost = body(json!(1), "ghost");
        ghost["owner_id"] = json!(999_999);
        call(ghost).await.err(404, 4040);
        call(body(json!(3), "dup")).await.ok(200);
        call(body(json!(3), "dup")).await.err(409, 4091);
        call(body(json!(-1), "debit")).await.ok(200);
        assert_eq!(balance_of(&app.as_user(&m.token), 6).await["amount"].to_string(), "2");
        assert_ledger_ok(&app).await;
    }

    async fn catalogue_management(app) {
        let (op, _) = operator(&app).await;
        let coin = op.post("/admin/coin", json!({"code": "DAI", "name": "Dai", "decimals": 18, "is_fiat": false})).await;
        let coin = coin.ok(200).clone();
        assert_eq!((coin["code"].clone(), coin["enabled"].clone()), (json!("DAI"), json!(false)));
        assert!(coin["id"].as_i64().unwrap() > 100);
        op.post("/admin/coin", json!({"code": "DAI", "name": "Dai", "decimals": 18, "is_fiat": false})).await.err(409, 4094);
        op.post("/admin/coin", json!({"code": "dai", "name": "Dai", "decimals": 19, "is_fiat": false})).await.err(400, 4005);
        op.put("/admin/coin", json!({"id": coin["id"], "enabled": true, "symbol": "◈"})).await.ok(204);
        op.put("/admin/coin", json!({"id": 6, "decimals": 8})).await.err(409, 4095);
        op.put("/admin/coin", json!({"id": 999_999, "name": "x"})).await.err(404, 4040);
        // chains: only the instance's mode can be enabled (sandbox here)
        let chain = op.post("/admin/chain", json!({"code": "base", "name": "Base", "family": "evm", "is_test": false, "evm_chain_id": 8453, "native_coin_id": 4, "confirmations_required": 10})).await;
        let chain_id = chain.ok(200)["id"].as_i64().unwrap();
        op.put("/admin/chain", json!({"id": chain_id, "enabled": true})).await.err(409, 4096);
        op.put("/admin/chain", json!({"id": chain_id, "confirmations_required": 20, "explorer_tx_url": "https://basescan.org/tx/{tx}"})).await.ok(204);
        op.post("/admin/chain", json!({"code": "base", "name": "Base", "family": "evm", "is_test": false, "evm_chain_id": 8453, "native_coin_id": 4, "confirmations_required": 10})).await.err(409, 4094);
        op.post("/admin/chain", json!({"code": "x2", "name": "X", "family": "evm", "is_test": true, "native_coin_id": 999, "confirmations_required": 1, "evm_chain_id": 5})).await.err(404, 4040);
        op.post("/admin/chain", json!({"code": "x3", "name": "X", "family": "evm", "is_test": true, "native_coin_id": 4, "confirmations_required": 1})).await.err(400, 4002);
        // tokens
        let t = op.post("/admin/token", json!({"coin_id": 6, "chain_id": 9, "name": "USDT again", "standard": "sandbox", "decimals": 6, "min_amount": 1})).await;
        t.err(409, 4094);
        op.post("/admin/token", json!({"coin_id": 6, "chain_id": 8, "name": "Bad", "standard": "erc20", "contract_address": "0x1", "decimals": 6, "min_amount": 1})).await.err(400, 4005);
        op.post("/admin/token", json!({"coin_id": 6, "chain_id": 8, "name": "Bad", "standard": "erc20", "contract_address": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "decimals": 8, "min_amount": 1})).await.err(422, 4225);
        op.post("/admin/token", json!({"coin_id": 3, "chain_id": 4, "name": "Bad", "standard": "native", "decimals": 8, "min_amount": 1})).await.err(400, 4004);
        let dai = op.post("/admin/token", json!({"coin_id": coin["id"], "chain_id": chain_id, "name": "DAI on Base", "standard": "erc20", "contract_address": "0x50c5725949A6F0c72E6C4a641F24049A917DB0Cb", "decimals": 18, "min_amount": "0.01"})).await;
        let dai = dai.ok(200).clone();
        assert_eq!(dai["min_amount"].to_string(), "0.01");
        op.put("/admin/token", json!({"id": dai["id"], "min_amount": 2, "enabled": true})).await.ok(204);
        op.put("/admin/token", json!({"id": dai["id"], "contract_address": "0x0000000000000000000000000000000000000001"})).await.err(409, 4095);
        op.put("/admin/token", json!({"id": 11, "contract_address": "0x5FbDB2315678afecb367f032d93F642f64180aa3"})).await.ok(204);
        let all = op.get("/currency/tokens?include_disabled=true").await;
        let t11 = all.ok(200).as_array().unwrap().iter().find(|t| t["id"] == 11).unwrap().clone();
        assert_eq!(t11["contract_address"], "0x5FbDB2315678afecb367f032d93F642f64180aa3");
        op.put("/admin/token", json!({"id": 999_999})).await.err(404, 4040);
    }

    async fn static_rates(app) {
        let (op, _) = operator(&app).await;
        let rates = op.get("/admin/rate").await;
        let btc = rates.ok(200).as_array().unwrap().iter().find(|r| r["from_coin_id"] == 3 && r["to_coin_id"] == 1).unwrap().clone();
        assert_eq!((btc["rate"].to_string(), btc["source"].clone()), ("65000".to_owned(), json!("static")));
        op.put("/admin/rate", json!({"from_coin_id": 3, "to_coin_id": 1, "rate": "70000.5"})).await.ok(204);
        op.put("/admin/rate", json!({"from_coin_id": 3, "to_coin_id": 3, "rate": 1})).await.err(400, 4008);
        op.put("/admin/rate", json!({"from_coin_id": 3, "to_coin_id": 999, "rate": 1})).await.err(404, 4040);
        op.put("/admin/rate", json!({"from_coin_id": 3, "to_coin_id": 1, "rate": 0})).await.err(400, 4004);
        op.put("/admin/rate", json!({"from_coin_id": 3, "to_coin_id": 1})).await.err(400, 4002);
        let m = app.merchant("rates@example.com").await;
        fund(&app, m.owner_id, 1, "0").await;
        fund(&app, m.owner_id, 3, "1").await;
        let g = app.as_user(&m.token).get("/api/balance/general").await;
        assert_eq!(g.ok(200)["amount"].to_string(), "70000.5");
        op.put("/admin/rate", json!({"from_coin_id": 3, "to_coin_id": 1, "rate": null})).await.ok(204);
        let g = app.as_user(&m.token).get("/api/balance/general").await;
        assert_eq!(g.ok(200)["unconverted_coin_ids"], json!([3]));
    }

    async fn owners_list_and_profile(app) {
        let a = app.merchant("list-a@example.com").await;
        app.merchant("list-b@example.com").await;
        let (op, _) = operator(&app).await;
        let all = op.post("/admin/owner/list", json!({})).await;
        assert_eq!(all.header("x-total-count"), Some("2"));
        let found = op.post("/admin/owner/list", json!({"filters": {"search": "LIST-A@"}})).await;
        assert_eq!(found.ok(200).as_array().unwrap().len(), 1);
        assert_eq!(found.body[0]["id"], a.owner_id);
        let by_kyc = op.post("/admin/owner/list", json!({"filters": {"kyc_status": {"id": [2]}}})).await;
        assert_eq!(by_kyc.ok(200).as_array().unwrap().len(), 0);
        let recent = op.post("/admin/owner/list", json!({"filters": {"created": {"from": "2000-01-01T00:00:00Z"}}, "limit": 1})).await;
        assert_eq!((recent.ok(200).as_array().unwrap().len(), recent.header("x-total-count")), (1, Some("2")));
        op.post("/admin/owner/list", json!({"filters": {"created": {"from": "yesterday"}}})).await.err(400, 4005);
        let p = op.get(&format!("/admin/owner/profile?id={}", a.owner_id)).await;
        let p = p.ok(200).clone();
        assert_eq!(p["owner"]["name"], "Shop of list-a@example.com");
        assert_eq!(p["members"][0]["email"], "list-a@example.com");
        assert_eq!(p["profile"]["missing_doc_type_ids"], json!([1, 2, 3]));
        op.get("/admin/owner/profile?id=999999").await.err(404, 4040);
        op.get("/admin/owner/profile").await.err(400, 4007);
    }
}

//! `/currency/*` and `/api/owner/currency/tokens`: the catalogue as the instance's mode shows it.

use serde_json::json;

use crate::backend_tests;

fn ids(v: &serde_json::Value) -> Vec<i64> {
    v.as_array().unwrap().iter().map(|x| x["id"].as_i64().unwrap()).collect()
}

backend_tests! {
    async fn sandbox_catalogue(app) {
        let api = app.api();
        let chains = api.get("/currency/chain").await;
        assert_eq!(ids(chains.ok(200)), [9]);
        assert_eq!(chains.header("cache-control"), Some("public, max-age=300"));
        assert_eq!(chains.body[0]["family"], "sandbox");
        let coins = api.get("/currency/coin").await;
        assert_eq!(ids(coins.ok(200)), [1, 2, 3, 4, 6], "TRX has no sandbox token");
        assert_eq!(coins.body[0], json!({"id": 1, "code": "USD", "name": "US Dollar", "symbol": "$", "decimals": 2, "is_fiat": true, "enabled": true}));
        assert_eq!(ids(api.get("/currency/coin?is_fiat=true").await.ok(200)), [1, 2]);
        assert_eq!(ids(api.get("/currency/coin?is_fiat=false").await.ok(200)), [3, 4, 6]);
        api.get("/currency/coin?is_fiat=maybe").await.err(400, 4007);
        let tokens = api.get("/currency/tokens").await;
        assert_eq!(ids(tokens.ok(200)), [12, 13, 14]);
        assert_eq!(tokens.body[2]["min_amount"].to_string(), "1");
        assert_eq!(tokens.body[0]["min_amount"].to_string(), "0.00001");
        assert_eq!(ids(api.get("/currency/tokens?coin_id=6").await.ok(200)), [14]);
        assert_eq!(ids(api.get("/currency/tokens?chain_id=4").await.ok(200)), Vec::<i64>::new());
        api.get("/currency/tokens?chain_id=x").await.err(400, 4007);
        // disabled entries only for operators; a bad token is refused, not ignored
        let m = app.merchant("cat@example.com").await;
        assert_eq!(ids(app.as_user(&m.token).get("/currency/chain?include_disabled=true").await.ok(200)), [9]);
        let (email, secret) = app.operator("cat-ops@example.com").await;
        let op = app.as_user(&app.operator_token(&email, &secret).await);
        assert_eq!(ids(op.get("/currency/chain?include_disabled=true").await.ok(200)), (1..=9).collect::<Vec<_>>());
        assert_eq!(ids(op.get("/currency/tokens?include_disabled=true").await.ok(200)).len(), 14);
        app.as_user("garbage").get("/currency/coin").await.err(401, 4011);
        // what an owner can accept: the sandbox tokens (the sandbox chain has the server's key)
        let owner_tokens = app.as_user(&m.token).get("/api/owner/currency/tokens").await;
        assert_eq!(ids(owner_tokens.ok(200)), [12, 13, 14]);
    }
}

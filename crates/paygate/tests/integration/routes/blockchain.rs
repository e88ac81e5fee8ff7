//! `/api/blockchain/*` (§4.13).

use serde_json::json;

use crate::backend_tests;

backend_tests! {
    async fn operation_types_are_the_dictionary_of_the_contract(app) {
        let m = app.merchant("chain-dict@example.com").await;
        let r = app.as_user(&m.token).get("/api/blockchain/operations/types").await;
        assert_eq!(r.ok(200).clone(), json!([
            {"id": 1, "name": "Invoice payment"}, {"id": 2, "name": "Deposit"}, {"id": 3, "name": "Withdrawal"},
            {"id": 4, "name": "Refund"}, {"id": 5, "name": "Payout"}, {"id": 6, "name": "Consolidation"},
        ]));
        assert_eq!(r.header("cache-control"), Some("private, max-age=300"));
        app.api().get("/api/blockchain/operations/types").await.err(401, 4010);
    }
}

//! `/api/user`, `/api/user/info`.

use serde_json::json;

use crate::backend_tests;

backend_tests! {
    async fn profile_read_update_and_session_card(app) {
        let m = app.merchant("user@example.com").await;
        let me = app.as_user(&m.token);
        me.put("/api/user", json!({"name": "Jana", "phone": "+420777888999", "language": "cs"})).await.ok(204);
        let u = me.get("/api/user").await.ok(200).clone();
        assert_eq!((u["name"].clone(), u["surname"].clone(), u["phone"].clone(), u["language"].clone()), (json!("Jana"), json!("Novák"), json!("+420777888999"), json!("cs")));
        me.put("/api/user", json!({"phone": null})).await.ok(204);
        assert_eq!(me.get("/api/user").await.body["phone"], serde_json::Value::Null);
        let r = me.put("/api/user", json!({"name": "", "phone": "777", "language": "xx"})).await;
        r.err(400, 4004);
        assert_eq!(r.body["errors"].as_array().unwrap().len(), 3);
        me.put("/api/user", json!({"surname": null})).await.err(400, 4002);
        let info = me.get("/api/user/info").await.ok(200).clone();
        assert_eq!(info["owner_id"], m.owner_id);
        assert_eq!(info["owner_name"], "Shop of user@example.com");
        assert_eq!(info["role_id"], 1);
        assert_eq!(info["kyc_status"], 0);
        assert_eq!(info["operator"], false);
        assert_eq!(info["permissions"].as_array().unwrap().len(), 14);
    }
}

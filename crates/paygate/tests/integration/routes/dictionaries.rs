//! `/api/country*`, `/api/timezone*`.

use serde_json::json;

use crate::backend_tests;
use crate::harness::*;

backend_tests! {
    async fn countries(app) {
        let m = app.merchant("geo@example.com").await;
        let me = app.as_user(&m.token);
        let all = me.get("/api/country").await;
        let all = all.ok(200).as_array().unwrap().clone();
        assert_eq!(all.len(), 249);
        let names: Vec<&str> = all.iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert!(names.windows(2).all(|w| w[0] <= w[1]), "ordered by name");
        let cz = me.get("/api/country/203").await;
        assert_eq!(cz.ok(200).clone(), json!({"id": 203, "code": "CZ", "name": "Czechia", "sepa": true, "phone_code": "+420"}));
        me.get("/api/country/999").await.err(404, 4040);
        me.get("/api/country/abc").await.err(400, 4007);
        let sepa = me.get("/api/country/sepa").await;
        assert_eq!(sepa.ok(200).as_array().unwrap().len(), 36);
        assert!(sepa.body.as_array().unwrap().iter().all(|c| c["sepa"] == true));
        app.api().get("/api/country").await.err(401, 4010);
    }

    async fn timezones(app) {
        let m = app.merchant("tz@example.com").await;
        let me = app.as_user(&m.token);
        let list = me.get("/api/timezone").await.ok(200).as_array().unwrap().clone();
        assert!(list.len() > 300);
        let utc = list.iter().find(|t| t["name"] == "UTC").unwrap();
        assert_eq!((utc["utc_offset"].clone(), utc["selected"].clone()), (json!("+00:00"), json!(true)));
        let prague = list.iter().find(|t| t["name"] == "Europe/Prague").unwrap();
        assert!(["+01:00", "+02:00"].contains(&prague["utc_offset"].as_str().unwrap()));
        let names: Vec<&str> = list.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        // ids follow alphabetical order at seeding
        let ids: Vec<i64> = list.iter().map(|t| t["id"].as_i64().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        me.put("/api/timezone/set", json!({"timezone_id": prague["id"]})).await.ok(204);
        let list = me.get("/api/timezone").await.body.as_array().unwrap().clone();
        assert_eq!(list.iter().filter(|t| t["selected"] == true).map(|t| t["name"].clone()).collect::<Vec<_>>(), vec![json!("Europe/Prague")]);
        assert_eq!(me.get("/api/user").await.body["timezone_id"], prague["id"]);
        me.put("/api/timezone/set", json!({"timezone_id": 0})).await.err(400, 4004);
        me.put("/api/timezone/set", json!({})).await.err(400, 4002);
        me.put("/api/timezone/set", json!({"timezone_id": "1"})).await.err(400, 4003);
    }
}

backend_tests! {
    options = unlimited();

    async fn recovery(app) {
        let m = app.merchant("forgetful@example.com").await;
        let api = app.client_at("10.40.0.1");
        api.post("/auth/recovery", json!({"email": "nobody@example.com"})).await.ok(204);
        api.post("/auth/recovery", json!({"email": "bad"})).await.err(400, 4005);
        let n = app.mail.code_count(&m.email);
        api.post("/auth/recovery", json!({"email": m.email})).await.ok(204);
        let code = app.mail.next_code(&m.email, n).await;
        api.post("/auth/recovery/psw/otp/check", json!({"email": "nobody@example.com", "otp": "123456", "password": "a new good password"})).await.err(404, 4021);
        api.post("/auth/recovery/psw/otp/check", json!({"email": m.email, "otp": code, "password": "short"})).await.err(400, 4026);
        let wrong = if code == "000000" { "111111" } else { "000000" };
        api.post("/auth/recovery/psw/otp/check", json!({"email": m.email, "otp": wrong, "password": "a new good password"})).await.err(400, 4020);
        api.post("/auth/recovery/psw/otp/check", json!({"email": m.email, "otp": code, "password": "a new good password"})).await.ok(204);
        app.as_user(&m.token).get("/api/user").await.err(401, 4011);
        api.post("/auth/sign-in", json!({"email": m.email, "password": "a new good password"})).await.ok(200);
        api.post("/auth/recovery/psw/otp/check", json!({"email": m.email, "otp": code, "password": "a new good password"})).await.err(404, 4021);
    }
}

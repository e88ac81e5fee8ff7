//! `/auth/sign-up*`: the whole registration through a real SMTP sink, and every error it lists.

use serde_json::json;

use crate::backend_tests;
use crate::harness::*;

backend_tests! {
    async fn full_flow_then_sign_in_refresh_log_out(app) {
        let m = app.merchant("jan@example.com").await;
        let me = app.as_user(&m.token).get("/api/user").await;
        let me = me.ok(200);
        assert_eq!(me["email"], "jan@example.com");
        assert_eq!(me["name"], "Jan");
        assert_eq!(me["memberships"][0]["role_id"], 1);
        assert_eq!(me["memberships"][0]["status_id"], 2);
        assert_eq!(me["active_owner_id"], m.owner_id);
        let owner = app.as_user(&m.token).get("/api/owner").await;
        assert_eq!(owner.ok(200)["name"], "Shop of jan@example.com");
        assert_eq!(owner.body["referral_code"].as_str().unwrap().len(), 8);

        let signed = app.api().post("/auth/sign-in", json!({"email": "JAN@example.com", "password": PASSWORD})).await;
        let signed = signed.ok(200).clone();
        let refreshed = app.api().post("/auth/token/refresh", json!({"refreshToken": signed["refreshToken"]})).await;
        let token = s(&refreshed.ok(200)["token"]).to_owned();
        assert_ne!(refreshed.body["refreshToken"], signed["refreshToken"]);
        app.as_user(&token).get("/api/user").await.ok(200);
        app.as_user(&token).post("/auth/log-out", json!({})).await.ok(204);
        app.as_user(&token).get("/api/user").await.err(401, 4011);
        // the other session is untouched
        app.as_user(&m.token).get("/api/user").await.ok(200);
    }

    async fn get_code_errors(app) {
        let api = app.api();
        api.post("/auth/sign-up/email/get-code", json!({})).await.err(400, 4002);
        let r = api.post("/auth/sign-up/email/get-code", json!({"email": "nope", "language": "xx", "referral_code": "abc"})).await;
        r.err(400, 4005);
        assert_eq!(r.body["errors"].as_array().unwrap().len(), 3, "every failing field at once: {}", r.body);
        api.post("/auth/sign-up/email/get-code", json!({"email": "a@example.com", "referral_code": "ZZZZ9999"})).await.err(404, 4040);
        api.post("/auth/sign-up/email/get-code", json!({"email": "a@example.com"})).await.ok(204);
        let r = api.post("/auth/sign-up/email/get-code", json!({"email": "a@example.com"})).await;
        r.err(429, 4290);
        assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    }

    async fn referral_code_links_the_new_owner(app) {
        let referrer = app.merchant("ref@example.com").await;
        let code = s(&app.as_user(&referrer.token).get("/api/owner").await.body["referral_code"]).to_owned();
        let api = app.client_at("10.1.1.1");
        api.post("/auth/sign-up/email/get-code", json!({"email": "new@example.com", "referral_code": code, "language": "cs"})).await.ok(204);
        let mail = app.mail.wait_next("new@example.com", 0).await;
        assert!(mail.text().contains("Váš potvrzovací kód"), "{}", mail.text());
        let pair = api.post("/auth/sign-up/email/check-code", json!({"email": "new@example.com", "code": mail.code().unwrap()})).await;
        let t = app.as_user(s(&pair.ok(200)["token"]));
        t.post("/auth/sign-up/pss/set", json!({"password": PASSWORD})).await.ok(204);
        t.put("/auth/sign-up/user/update", json!({"name": "Eva", "surname": "K", "phone": "+420601234567", "timezone_id": 1})).await.ok(204);
        t.put("/auth/sign-up/owner/update", json!({"owner_type": 2, "owner_sub_type": 3, "name": "Eva s.r.o.", "country_id": 203, "registration_number": "12345678"})).await.ok(204);
        let full = t.post("/auth/sign-up", json!({})).await;
        let owner = app.as_user(s(&full.ok(200)["token"])).get("/api/owner").await;
        assert_eq!(owner.ok(200)["referrer_owner_id"], referrer.owner_id);
        assert_eq!(owner.body["owner_type"], 2);
        let user = app.as_user(s(&full.body["token"])).get("/api/user").await;
        assert_eq!(user.ok(200)["language"], "cs");
    }

    async fn code_brute_force_burns_the_code(app) {
        let api = app.api();
        api.post("/auth/sign-up/email/get-code", json!({"email": "bf@example.com"})).await.ok(204);
        let code = app.mail.next_code("bf@example.com", 0).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..4 {
            api.post("/auth/sign-up/email/check-code", json!({"email": "bf@example.com", "code": wrong})).await.err(400, 4020);
        }
        api.post("/auth/sign-up/email/check-code", json!({"email": "bf@example.com", "code": wrong})).await.err(400, 4022);
        // the 6th guess fails even when right
        let r = api.post("/auth/sign-up/email/check-code", json!({"email": "bf@example.com", "code": code})).await;
        r.err(404, 4021);
        assert_eq!(r.field(), Some("code"));
        api.post("/auth/sign-up/email/check-code", json!({"email": "never@example.com", "code": "123456"})).await.err(404, 4021);
        api.post("/auth/sign-up/email/check-code", json!({"email": "bf@example.com", "code": "12"})).await.err(400, 4004);
    }

    async fn steps_validate_and_sign_up_reports_missing_steps(app) {
        let api = app.api();
        api.post("/auth/sign-up/email/get-code", json!({"email": "steps@example.com"})).await.ok(204);
        let code = app.mail.next_code("steps@example.com", 0).await;
        let pair = api.post("/auth/sign-up/email/check-code", json!({"email": "steps@example.com", "code": code})).await;
        let t = app.as_user(s(&pair.ok(200)["token"]));
        let state = t.post("/auth/sign-up/check", json!({})).await;
        assert_eq!(state.ok(200).clone(), json!({"email": "steps@example.com", "password_set": false, "user_filled": false, "owner_filled": false, "invited_owner_id": null, "ready": false}));
        let r = t.post("/auth/sign-up", json!({})).await;
        r.err(422, 4233);
        let fields: Vec<_> = r.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
        assert_eq!(fields, ["password", "user", "owner"]);
        t.post("/auth/sign-up/pss/set", json!({"password": "short"})).await.err(400, 4026);
        t.post("/auth/sign-up/pss/set", json!({"password": "my steps password"})).await.err(400, 4026);
        t.post("/auth/sign-up/pss/set", json!({})).await.err(400, 4002);
        t.put("/auth/sign-up/user/update", json!({"surname": "X", "phone": "123"})).await.err(400, 4002);
        t.put("/auth/sign-up/user/update", json!({"name": "A", "surname": "X", "timezone_id": 999999})).await.err(400, 4004);
        t.put("/auth/sign-up/owner/update", json!({"owner_type": 2, "owner_sub_type": 3, "name": "Co", "country_id": 203})).await.err(400, 4002);
        t.put("/auth/sign-up/owner/update", json!({"owner_type": 1, "owner_sub_type": 3, "name": "Co", "country_id": 203})).await.err(400, 4004);
        t.put("/auth/sign-up/owner/update", json!({"owner_type": 1, "owner_sub_type": 1, "name": "Co", "country_id": 999})).await.err(400, 4004);
        // a full token may not use sign-up routes, a sign-up token may not use full routes
        let m = app.merchant("other@example.com").await;
        app.as_user(&m.token).post("/auth/sign-up/check", json!({})).await.err(403, 4019);
        t.get("/api/user").await.err(403, 4019);
        t.get("/api/owner").await.err(403, 4019);
        // dictionaries accept the sign-up token
        t.get("/api/country/sepa").await.ok(200);
        t.get("/api/owner/subtype?owner_type=2").await.ok(200);
        let uid = t.post("/auth/token/check", json!({})).await.ok(200)["user_id"].as_i64().unwrap();
        // a registration through an invitation has no owner step
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, &format!("UPDATE signups SET invited_membership_id = 1 WHERE user_id = {uid}")).await.unwrap();
        drop(c);
        let owner = json!({"owner_type": 1, "owner_sub_type": 1, "name": "Co", "country_id": 203});
        t.put("/auth/sign-up/owner/update", owner).await.err(409, 4096);
    }
}

backend_tests! {
    options = unlimited();

    async fn already_registered_address_gets_a_notice_not_a_code(app) {
        let m = app.merchant("known@example.com").await;
        app.client_at("10.2.2.2").post("/auth/sign-up/email/get-code", json!({"email": "known@example.com"})).await.ok(204);
        let mail = app.mail.wait_for(&m.email, |x| x.subject().contains("Sign-up attempt")).await;
        assert!(mail.text().contains("already has an account"));
        assert!(mail.code().is_none());
    }

    async fn code_for_an_address_finished_meanwhile_conflicts(app) {
        let api = app.api();
        api.post("/auth/sign-up/email/get-code", json!({"email": "race@example.com"})).await.ok(204);
        let first = app.mail.next_code("race@example.com", 0).await;
        let pair = api.post("/auth/sign-up/email/check-code", json!({"email": "race@example.com", "code": first})).await;
        let t = app.as_user(s(&pair.ok(200)["token"]));
        api.post("/auth/sign-up/email/get-code", json!({"email": "race@example.com"})).await.ok(204);
        let second = app.mail.next_code("race@example.com", 1).await;
        t.post("/auth/sign-up/pss/set", json!({"password": PASSWORD})).await.ok(204);
        t.put("/auth/sign-up/user/update", json!({"name": "R", "surname": "C"})).await.ok(204);
        t.put("/auth/sign-up/owner/update", json!({"owner_type": 1, "owner_sub_type": 2, "name": "Race", "country_id": 276})).await.ok(204);
        t.post("/auth/sign-up", json!({})).await.ok(200);
        // the sign-up session is closed once the registration is finished
        t.post("/auth/sign-up/check", json!({})).await.err(401, 4011);
        api.post("/auth/sign-up/email/check-code", json!({"email": "race@example.com", "code": second})).await.err(409, 4094);
    }
}

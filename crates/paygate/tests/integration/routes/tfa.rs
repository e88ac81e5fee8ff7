//! `/api/tfa*`, `/auth/qrcode`, and the recovery of a lost factor through `/tfa/*` and the
//! operator's `/admin/tfa/reset*`.

use serde_json::json;

use crate::backend_tests;
use crate::harness::*;

/// Enables the authenticator for `m` and returns its seed.
async fn enable_totp(app: &TestApp, m: &Merchant) -> String {
    let me = app.as_user(&m.token);
    let qr = me.get("/auth/qrcode").await;
    let qr = qr.ok(200).clone();
    let secret = s(&qr["secret"]).to_owned();
    assert_eq!(secret.len(), 32);
    assert!(s(&qr["otpauth_uri"]).starts_with("otpauth://totp/paygate:"));
    assert!(
        s(&qr["otpauth_uri"]).contains(&format!("secret={secret}&issuer=paygate&algorithm=SHA1&digits=6&period=30"))
    );
    assert!(s(&qr["qr_png"]).starts_with("data:image/png;base64,"));
    let state = me.get("/api/tfa").await;
    assert_eq!(state.ok(200)["totp_pending"], true);
    me.post("/api/tfa", json!({"enabled": true, "tfa_type_id": 2, "otp": totp_now(&secret, 0)})).await.ok(204);
    secret
}

backend_tests! {
    async fn authenticator_enrolment_sign_in_and_step_reuse(app) {
        let m = app.merchant("totp@example.com").await;
        let me = app.as_user(&m.token);
        let state = me.get("/api/tfa").await;
        assert_eq!(state.ok(200).clone(), json!({"enabled": false, "tfa_type_id": 1, "totp_pending": false, "reset_request": null}));
        me.post("/api/tfa", json!({"enabled": true, "tfa_type_id": 2, "otp": "123456"})).await.err(409, 4023);
        let secret = enable_totp(&app, &m).await;
        assert_eq!(me.get("/api/tfa").await.body["enabled"], true);
        me.get("/auth/qrcode").await.err(409, 4023);
        me.post("/api/tfa/otp", json!({"purpose": "withdrawal"})).await.err(409, 4023);
        let api = app.client_at("10.20.0.1");
        api.post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD})).await.err(401, 4015);
        // the step used to enable is spent; the next step signs in once
        let next = totp_now(&secret, 1);
        api.post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD, "otp": next})).await.ok(200);
        api.post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD, "otp": next})).await.err(400, 4020);
        api.post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD, "otp": "000000x"})).await.err(400, 4020);
        // psw/check for type 2 sends nothing
        let c = api.post("/auth/sign-in/psw/check", json!({"email": m.email, "password": PASSWORD})).await;
        assert_eq!((c.ok(200)["tfa_type_id"].clone(), c.body["otp_sent"].clone()), (json!(2), json!(false)));
    }

    async fn switch_and_disable(app) {
        let m = app.merchant("switch@example.com").await;
        let secret = enable_totp(&app, &m).await;
        let me = app.as_user(&m.token);
        // 2 → 1: e-mail code as otp, TOTP as current_otp
        me.post("/api/tfa", json!({"enabled": true, "tfa_type_id": 1, "otp": "123456"})).await.err(400, 4002);
        let n = app.mail.code_count(&m.email);
        me.post("/api/tfa/otp", json!({"purpose": "tfa"})).await.ok(204);
        let code = app.mail.next_code(&m.email, n).await;
        me.post("/api/tfa", json!({"enabled": true, "tfa_type_id": 1, "otp": code, "current_otp": totp_now(&secret, 1)})).await.ok(204);
        let st = me.get("/api/tfa").await;
        assert_eq!((st.body["enabled"].clone(), st.body["tfa_type_id"].clone()), (json!(true), json!(1)));
        // disable with the current factor (an e-mail code)
        me.post("/api/tfa", json!({"enabled": false, "otp": "123456"})).await.err(404, 4021);
        let n = app.mail.code_count(&m.email);
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        let r = me.post("/api/tfa/otp", json!({"purpose": "tfa"})).await;
        r.err(429, 4290);
        let _ = n;
        me.post("/api/tfa/otp", json!({"purpose": "other"})).await.err(400, 4004);
        me.post("/api/tfa", json!({})).await.err(400, 4002);
    }

    async fn changing_the_factor_closes_other_sessions(app) {
        let m = app.merchant("close@example.com").await;
        let other = app.api().post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD})).await;
        let other = s(&other.ok(200)["token"]).to_owned();
        enable_totp(&app, &m).await;
        app.as_user(&other).get("/api/user").await.err(401, 4011);
        app.as_user(&m.token).get("/api/user").await.ok(200);
        app.mail.wait_for(&m.email, |x| x.subject().contains("Two-factor authentication changed")).await;
    }

    async fn operators_sign_in_with_their_authenticator(app) {
        let (email, secret) = app.operator("root@example.com").await;
        let api = app.client_at("10.22.0.1");
        api.post("/auth/sign-in", json!({"email": email, "password": PASSWORD})).await.err(401, 4015);
        let token = app.operator_token(&email, &secret).await;
        let check = app.api().post("/auth/token/check", json!({"token": token})).await;
        assert_eq!(check.ok(200)["operator"], true);
        assert_eq!(check.body["owner_id"], serde_json::Value::Null);
        let op = app.as_user(&token);
        op.get("/api/owner").await.err(403, 4036);
        op.get("/api/user").await.ok(200);
        // operators keep the authenticator
        op.post("/api/tfa", json!({"enabled": false, "otp": totp_now(&secret, 1)})).await.err(409, 4023);
    }
}

backend_tests! {
    options = unlimited();


    async fn lost_factor_reset_with_operator_approval(app) {
        let m = app.merchant("lost@example.com").await;
        let intruder = app.merchant("intruder@example.com").await;
        let api = app.client_at("10.21.0.1");
        let reason = "I lost my phone with the authenticator";
        api.post("/tfa/reset", json!({"email": m.email, "password": PASSWORD, "reason": reason})).await.err(409, 4023);
        enable_totp(&app, &m).await;
        api.post("/tfa/reset", json!({"email": m.email, "password": "wrong password!", "reason": reason})).await.err(404, 4014);
        api.post("/tfa/reset", json!({"email": m.email, "password": PASSWORD, "reason": "short"})).await.err(400, 4004);
        let created = api.post("/tfa/reset", json!({"email": m.email, "password": PASSWORD, "reason": reason})).await;
        let id = created.ok(200)["id"].as_i64().unwrap();
        assert_eq!(created.body["status_id"], 1);
        app.client_at("10.21.0.2").post("/tfa/reset", json!({"email": m.email, "password": PASSWORD, "reason": reason})).await.err(409, 4024);
        let otp_path = format!("/tfa/otp/reset/{id}");
        app.client_at("10.21.0.3").post(&otp_path, json!({"email": m.email, "password": PASSWORD, "otp": "123456"})).await.err(409, 4096);

        let (op_email, op_secret) = app.operator("ops@example.com").await;
        let op = app.as_user(&app.operator_token(&op_email, &op_secret).await);
        app.as_user(&m.token).post("/admin/tfa/reset/list", json!({})).await.err(403, 4033);
        let list = op.post("/admin/tfa/reset/list", json!({"filters": {"search": "LOST@"}, "limit": 10})).await;
        assert_eq!(list.ok(200).as_array().unwrap().len(), 1);
        assert_eq!(list.header("x-total-count"), Some("1"));
        assert_eq!(list.body[0]["reason"], reason);
        op.post("/admin/tfa/reset/list", json!({"limit": 0})).await.err(400, 4004);
        op.put("/admin/tfa/reset/status", json!({"id": id, "status_id": 4})).await.err(400, 4004);
        op.put("/admin/tfa/reset/status", json!({"id": 999_999, "status_id": 2})).await.err(404, 4040);
        let n = app.mail.code_count(&m.email);
        op.put("/admin/tfa/reset/status", json!({"id": id, "status_id": 2, "comment": "identity checked"})).await.ok(204);
        op.put("/admin/tfa/reset/status", json!({"id": id, "status_id": 3})).await.err(409, 4096);
        let code = app.mail.next_code(&m.email, n).await;
        let mut c = app.services.store.conn().await.unwrap();
        assert_eq!(paygate_store::audit::count_for(&mut c, "tfa_reset", id).await.unwrap(), 1, "the decision is audited");
        drop(c);
        let approved = op.post("/admin/tfa/reset/list", json!({"filters": {"status": {"id": [2]}}})).await;
        assert_eq!(approved.ok(200)[0]["status_id"], 2);

        // another user's credentials do not reach this request
        app.client_at("10.21.0.4").post(&otp_path, json!({"email": intruder.email, "password": PASSWORD, "otp": code})).await.err(404, 4040);
        app.client_at("10.21.0.5").post("/tfa/otp/reset/abc", json!({"email": m.email, "password": PASSWORD, "otp": code})).await.err(400, 4007);
        app.client_at("10.21.0.5").post(&otp_path, json!({"email": m.email, "password": PASSWORD, "otp": "000000x"})).await.err(400, 4020);
        app.client_at("10.21.0.6").post(&otp_path, json!({"email": m.email, "password": PASSWORD, "otp": code})).await.ok(204);
        app.client_at("10.21.0.7").post(&otp_path, json!({"email": m.email, "password": PASSWORD, "otp": code})).await.err(409, 4096);
        // 2FA is off and every session was closed
        app.as_user(&m.token).get("/api/user").await.err(401, 4011);
        let t = app.client_at("10.21.0.8").post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD})).await;
        let st = app.as_user(s(&t.ok(200)["token"])).get("/api/tfa").await;
        assert_eq!(st.ok(200)["enabled"], false);
        assert_eq!(st.body["reset_request"]["status_id"], 4);
    }
}

backend_tests! {
    async fn reset_requests_are_rate_limited(app) {
        let m = app.merchant("limited@example.com").await;
        let body = json!({"email": m.email, "password": PASSWORD, "reason": "lost my phone, please help"});
        for _ in 0..3 {
            app.api().post("/tfa/reset", body.clone()).await.err(409, 4023);
        }
        app.api().post("/tfa/reset", body).await.err(429, 4290);
    }
}

//! `/api/personal/*`, with the documented seed operation `POST /api/personal/psw/otp/check`.

use serde_json::json;

use crate::backend_tests;
use crate::harness::*;

backend_tests! {
    async fn seed_operation_password_code_check(app) {
        let m = app.merchant("seed@example.com").await;
        let me = app.as_user(&m.token);
        // no code was sent
        let r = me.post("/api/personal/psw/otp/check", json!({"otp": "123456"})).await;
        r.err(404, 4021);
        assert_eq!(r.header("content-type"), Some("application/json; charset=utf-8"));
        // validation: length 3 and 7, missing, wrong type
        me.post("/api/personal/psw/otp/check", json!({"otp": "123"})).await.err(400, 4004);
        me.post("/api/personal/psw/otp/check", json!({"otp": "1234567"})).await.err(400, 4004);
        let r = me.post("/api/personal/psw/otp/check", json!({})).await;
        r.err(400, 4002);
        assert_eq!(r.field(), Some("otp"));
        me.post("/api/personal/psw/otp/check", json!({"otp": 123456})).await.err(400, 4003);
        app.api().post("/api/personal/psw/otp/check", json!({"otp": "123456"})).await.err(401, 4010);

        let n = app.mail.code_count(&m.email);
        me.post("/api/personal/psw/otp", json!({})).await.ok(204);
        let code = app.mail.next_code(&m.email, n).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        me.post("/api/personal/psw/otp/check", json!({"otp": wrong})).await.err(400, 4020);
        let r = me.post("/api/personal/psw/otp/check", json!({"otp": code})).await;
        assert_eq!(r.status, 204);
        assert!(r.raw.is_empty());
        // single use
        me.post("/api/personal/psw/otp/check", json!({"otp": code})).await.err(404, 4021);
    }

    async fn password_change(app) {
        let m = app.merchant("psw@example.com").await;
        let other_session = app.api().post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD})).await;
        let other_session = s(&other_session.ok(200)["token"]).to_owned();
        let me = app.as_user(&m.token);
        me.put("/api/personal/psw", json!({"password": "a brand new password"})).await.err(404, 4021);
        let n = app.mail.code_count(&m.email);
        me.post("/api/personal/psw/otp", json!({})).await.ok(204);
        me.post("/api/personal/psw/otp", json!({})).await.err(429, 4290);
        let code = app.mail.next_code(&m.email, n).await;
        me.post("/api/personal/psw/otp/check", json!({"otp": code})).await.ok(204);
        me.put("/api/personal/psw", json!({"password": "short"})).await.err(400, 4026);
        me.put("/api/personal/psw", json!({"password": "a brand new password"})).await.ok(204);
        // the verification is consumed; other sessions are closed, this one stays
        me.put("/api/personal/psw", json!({"password": "another new password"})).await.err(404, 4021);
        app.as_user(&other_session).get("/api/user").await.err(401, 4011);
        me.get("/api/user").await.ok(200);
        app.client_at("10.11.0.1").post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD})).await.err(404, 4014);
        app.client_at("10.11.0.1").post("/auth/sign-in", json!({"email": m.email, "password": "a brand new password"})).await.ok(200);
        app.mail.wait_for(&m.email, |x| x.subject().contains("Password changed")).await;
    }

    async fn email_change(app) {
        let m = app.merchant("old@example.com").await;
        let taken = app.merchant("taken@example.com").await;
        let me = app.as_user(&m.token);
        me.post("/api/personal/email/otp", json!({})).await.err(404, 4021);
        me.put("/api/personal/email", json!({"email": "new@example.com", "password": "wrong password!"})).await.err(400, 4025);
        me.put("/api/personal/email", json!({"email": taken.email, "password": PASSWORD})).await.err(409, 4094);
        me.put("/api/personal/email", json!({"email": "bad"})).await.err(400, 4005);
        me.put("/api/personal/email", json!({"email": "new@example.com", "password": PASSWORD})).await.ok(204);
        let code = app.mail.next_code("new@example.com", 0).await;
        app.mail.wait_for(&m.email, |x| x.subject().contains("E-mail change requested")).await;
        me.post("/api/personal/email/otp/check", json!({"otp": "12"})).await.err(400, 4004);
        me.post("/api/personal/email/otp/check", json!({"otp": code})).await.ok(204);
        let user = me.get("/api/user").await;
        assert_eq!(user.ok(200)["email"], "new@example.com");
        app.client_at("10.12.0.1").post("/auth/sign-in", json!({"email": "new@example.com", "password": PASSWORD})).await.ok(200);
        app.client_at("10.12.0.1").post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD})).await.err(404, 4014);
    }

    async fn email_taken_meanwhile(app) {
        let m = app.merchant("first@example.com").await;
        let me = app.as_user(&m.token);
        me.put("/api/personal/email", json!({"email": "wanted@example.com", "password": PASSWORD})).await.ok(204);
        let code = app.mail.next_code("wanted@example.com", 0).await;
        // somebody registers the address before the change is confirmed
        app.merchant("wanted@example.com").await;
        me.post("/api/personal/email/otp/check", json!({"otp": code})).await.err(409, 4094);
        assert_eq!(me.get("/api/user").await.ok(200)["email"], "first@example.com");
    }
}

//! `POST /auth/sign-in`, `/auth/sign-in/psw/check`, `/auth/tfa/otp/email`: credentials, the
//! second factor, and the failure limits.

use serde_json::json;

use crate::backend_tests;
use crate::harness::*;

backend_tests! {
    async fn credentials_and_input_errors(app) {
        let m = app.merchant("in@example.com").await;
        let api = app.client_at("10.3.0.1");
        api.post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD})).await.ok(200);
        api.post("/auth/sign-in", json!({"email": m.email, "password": "wrong password!"})).await.err(404, 4014);
        api.post("/auth/sign-in", json!({"email": "ghost@example.com", "password": PASSWORD})).await.err(404, 4014);
        api.post("/auth/sign-in", json!({"email": m.email})).await.err(400, 4008);
        api.post("/auth/sign-in", json!({"password": PASSWORD})).await.err(400, 4002);
        api.post("/auth/sign-in", json!({"email": "bad", "password": PASSWORD})).await.err(400, 4005);
        api.post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD, "owner_id": "1"})).await.err(400, 4003);
        // otp is ignored without 2FA
        api.post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD, "otp": "123456"})).await.ok(200);
        // a code alone without 2FA
        api.post("/auth/sign-in", json!({"email": m.email, "otp": "123456"})).await.err(404, 4014);
        // an owner the user is not a member of
        let other = app.merchant("other-in@example.com").await;
        api.post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD, "owner_id": other.owner_id})).await.err(403, 4032);
        let check = api.post("/auth/sign-in/psw/check", json!({"email": m.email, "password": PASSWORD})).await;
        assert_eq!(check.ok(200).clone(), json!({"tfa_required": false, "tfa_type_id": null, "otp_sent": false, "expires_at": null}));
        api.post("/auth/sign-in/psw/check", json!({"email": m.email, "password": "nope nope nope"})).await.err(404, 4014);
        api.post("/auth/sign-in/psw/check", json!({"email": m.email})).await.err(400, 4002);
    }

    async fn failures_per_email_and_ip_then_account_lock(app) {
        let m = app.merchant("lock@example.com").await;
        let api = app.client_at("10.4.0.1");
        for _ in 0..5 {
            api.post("/auth/sign-in", json!({"email": m.email, "password": "wrong password!"})).await.err(404, 4014);
        }
        // five failures from this address: even the right password waits for the window
        let r = api.post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD})).await;
        r.err(429, 4290);
        assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() > 800);
        // another address still works until the account has 20 failures in the hour
        app.client_at("10.4.9.9").post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD})).await.ok(200);
        for i in 0..15 {
            let ip = format!("10.5.{}.1", i / 4);
            let r = app.client_at(&ip).post("/auth/sign-in", json!({"email": m.email, "password": "wrong password!"})).await;
            r.err(404, 4014);
        }
        let r = app.client_at("10.6.0.1").post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD})).await;
        r.err(429, 4291);
        let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1700..=1800).contains(&retry), "{retry}");
        app.client_at("10.6.0.2").post("/auth/sign-in/psw/check", json!({"email": m.email, "password": PASSWORD})).await.err(429, 4291);
        app.mail.wait_for(&m.email, |x| x.subject().contains("Sign-in locked")).await;
        // sessions opened before the lock keep working
        app.as_user(&m.token).get("/api/user").await.ok(200);
    }

    async fn request_rate_per_ip(app) {
        let api = app.client_at("10.7.0.1");
        for i in 0..10 {
            api.post("/auth/sign-in/psw/check", json!({"email": format!("x{i}@example.com"), "password": "whatever it is"})).await.err(404, 4014);
        }
        api.post("/auth/sign-in", json!({"email": "y@example.com", "password": "whatever it is"})).await.err(429, 4290);
    }

    async fn new_address_is_notified(app) {
        let m = app.merchant("ip@example.com").await;
        app.client_at("192.0.2.77").post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD})).await.ok(200);
        let mail = app.mail.wait_for(&m.email, |x| x.subject().contains("New sign-in")).await;
        assert!(mail.text().contains("192.0.2.77"));
        let count = app.mail.to(&m.email).len();
        app.client_at("192.0.2.77").post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD})).await.ok(200);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(app.mail.to(&m.email).len(), count, "a known address is not notified again");
    }
}

backend_tests! {
    options = unlimited();

    async fn email_second_factor(app) {
        let m = app.merchant("mail2fa@example.com").await;
        let me = app.as_user(&m.token);
        // enable type 1 with an e-mailed code of purpose tfa
        let n = app.mail.code_count(&m.email);
        me.post("/api/tfa/otp", json!({"purpose": "tfa"})).await.ok(204);
        let code = app.mail.next_code(&m.email, n).await;
        me.post("/api/tfa", json!({"enabled": true, "tfa_type_id": 1, "otp": code})).await.ok(204);
        me.post("/api/tfa", json!({"enabled": true, "tfa_type_id": 1, "otp": "123456"})).await.err(409, 4023);
        let api = app.client_at("10.8.0.1");
        // password alone: 401 4015 and the code is e-mailed
        let n = app.mail.code_count(&m.email);
        let r = api.post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD})).await;
        r.err(401, 4015);
        let code = app.mail.next_code(&m.email, n).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        api.post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD, "otp": wrong})).await.err(400, 4020);
        api.post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD, "otp": code})).await.ok(200);
        // two steps: psw/check opens the challenge and mails a code, then e-mail + code
        let n = app.mail.code_count(&m.email);
        let c = api.post("/auth/sign-in/psw/check", json!({"email": m.email, "password": PASSWORD})).await;
        let c = c.ok(200);
        assert_eq!((c["tfa_required"].clone(), c["tfa_type_id"].clone(), c["otp_sent"].clone()), (json!(true), json!(1), json!(true)));
        assert!(c["expires_at"].as_str().unwrap().ends_with('Z'));
        let first = app.mail.next_code(&m.email, n).await;
        // re-send replaces the code
        api.post("/auth/tfa/otp/email", json!({"email": m.email})).await.ok(204);
        let second = app.mail.next_code(&m.email, n + 1).await;
        if first != second {
            api.post("/auth/sign-in", json!({"email": m.email, "otp": first})).await.err(400, 4020);
        }
        api.post("/auth/sign-in", json!({"email": m.email, "otp": second})).await.ok(200);
        // the challenge is used up
        api.post("/auth/sign-in", json!({"email": m.email, "otp": second})).await.err(404, 4014);
        api.post("/auth/tfa/otp/email", json!({"email": "ghost@example.com"})).await.ok(204);
        api.post("/auth/tfa/otp/email", json!({})).await.err(400, 4002);
    }
}

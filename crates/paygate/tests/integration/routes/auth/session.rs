//! Tokens: `/auth/token/check`, `/auth/token/refresh`, `/auth/log-out`, and what every
//! authenticated request checks.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use paygate_app::jwt::{self, Claims};
use serde_json::json;

use crate::backend_tests;
use crate::harness::*;

backend_tests! {
    async fn refresh_rotates_and_reuse_revokes_the_session(app) {
        let m = app.merchant("rot@example.com").await;
        let api = app.api();
        let first = api.post("/auth/token/refresh", json!({"refreshToken": m.refresh})).await;
        let first = first.ok(200).clone();
        assert_eq!(s(&first["refreshToken"]).len(), 43);
        let access = s(&first["token"]).to_owned();
        app.as_user(&access).get("/api/user").await.ok(200);
        // the consumed token presented again: the family is revoked
        api.post("/auth/token/refresh", json!({"refreshToken": m.refresh})).await.err(401, 4013);
        app.as_user(&access).get("/api/user").await.err(401, 4011);
        app.as_user(&m.token).get("/api/user").await.err(401, 4011);
        api.post("/auth/token/refresh", json!({"refreshToken": first["refreshToken"]})).await.err(401, 4013);
        api.post("/auth/token/refresh", json!({"refreshToken": "unknown"})).await.err(401, 4013);
        api.post("/auth/token/refresh", json!({})).await.err(400, 4002);
    }

    async fn refresh_switches_the_active_owner(app) {
        let a = app.merchant("own-a@example.com").await;
        let b = app.merchant("own-b@example.com").await;
        let member = app.member("both@example.com", a.owner_id, 5).await;
        let r = app.api().post("/auth/sign-in", json!({"email": member.email, "password": PASSWORD})).await;
        let refresh = s(&r.ok(200)["refreshToken"]).to_owned();
        let switched = app.api().post("/auth/token/refresh", json!({"refreshToken": refresh, "owner_id": a.owner_id})).await;
        let token = s(&switched.ok(200)["token"]).to_owned();
        let check = app.api().post("/auth/token/check", json!({"token": token})).await;
        assert_eq!(check.ok(200)["owner_id"], a.owner_id);
        assert_eq!(check.body["role_id"], 5);
        app.api().post("/auth/token/refresh", json!({"refreshToken": switched.body["refreshToken"], "owner_id": b.owner_id})).await.err(403, 4032);
    }

    async fn log_out_all_sessions(app) {
        let m = app.merchant("out@example.com").await;
        let second = app.api().post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD})).await;
        let second = s(&second.ok(200)["token"]).to_owned();
        app.as_user(&m.token).post("/auth/log-out", json!({"all_sessions": true})).await.ok(204);
        app.as_user(&second).get("/api/user").await.err(401, 4011);
        app.as_user(&m.token).post("/auth/log-out", json!({})).await.err(401, 4011);
        app.api().post("/auth/log-out", json!({})).await.err(401, 4010);
        app.api().post("/auth/token/refresh", json!({"refreshToken": m.refresh})).await.err(401, 4013);
    }

    async fn token_check_and_bad_tokens(app) {
        let m = app.merchant("tok@example.com").await;
        let c = app.as_user(&m.token).post("/auth/token/check", json!({})).await;
        let c = c.ok(200);
        assert_eq!(c["valid"], true);
        assert_eq!(c["user_id"], m.user_id);
        assert_eq!(c["owner_id"], m.owner_id);
        assert_eq!(c["role_id"], 1);
        assert_eq!(c["scope"], "full");
        assert_eq!(c["operator"], false);
        // without "Bearer"
        app.api().with_header("Authorization", &m.token).get("/api/user").await.ok(200);
        app.api().with_header("Authorization", &format!("bearer   {}", m.token)).get("/api/user").await.ok(200);
        app.api().post("/auth/token/check", json!({})).await.err(401, 4010);
        app.api().post("/auth/token/check", json!({"token": "not.a.jwt"})).await.err(401, 4011);

        let secret = &app.config.app.jwt_secret.0;
        let parts: Vec<&str> = m.token.split('.').collect();
        let claims: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        // expired
        let now = paygate_core::time::now();
        let expired = jwt::encode(&Claims { iat: now - 2000, exp: now - 1000, ..claims.clone() }, secret);
        app.as_user(&expired).get("/api/user").await.err(401, 4012);
        // tampered payload (another user) with the old signature
        let evil = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&Claims { sub: "999".into(), ..claims.clone() }).unwrap());
        app.as_user(&format!("{}.{evil}.{}", parts[0], parts[2])).get("/api/user").await.err(401, 4011);
        // alg none
        let none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        app.as_user(&format!("{none}.{}.", parts[1])).get("/api/user").await.err(401, 4011);
        // signed with another key
        let other = jwt::encode(&claims, &[7u8; 32]);
        app.as_user(&other).get("/api/user").await.err(401, 4011);
        // a valid signature over a session that does not exist
        let ghost = jwt::encode(&Claims { sid: 999_999, ..claims }, secret);
        app.as_user(&ghost).get("/api/user").await.err(401, 4011);
    }

    async fn restart_keeps_sessions(app) {
        let m = app.merchant("restart@example.com").await;
        app.restart().await;
        app.as_user(&m.token).get("/api/user").await.ok(200);
        app.api().post("/auth/token/refresh", json!({"refreshToken": m.refresh})).await.ok(200);
    }
}

backend_tests! {
    async fn blocked_users_are_refused_everywhere(app) {
        let m = app.merchant("blocked@example.com").await;
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, &format!("UPDATE users SET status = 3 WHERE id = {}", m.user_id)).await.unwrap();
        drop(c);
        app.as_user(&m.token).get("/api/user").await.err(403, 4034);
        app.client_at("10.50.0.1").post("/auth/sign-in", json!({"email": m.email, "password": PASSWORD})).await.err(403, 4034);
        app.client_at("10.50.0.1").post("/auth/sign-in/psw/check", json!({"email": m.email, "password": PASSWORD})).await.err(403, 4034);
        app.api().post("/auth/token/refresh", json!({"refreshToken": m.refresh})).await.err(403, 4034);
        // a wrong password still answers as for anyone else
        app.client_at("10.50.0.2").post("/auth/sign-in", json!({"email": m.email, "password": "wrong password!"})).await.err(404, 4014);
    }

    async fn refresh_is_rate_limited_per_ip(app) {
        let api = app.client_at("10.51.0.1");
        for _ in 0..30 {
            api.post("/auth/token/refresh", json!({"refreshToken": "nope"})).await.err(401, 4013);
        }
        let r = api.post("/auth/token/refresh", json!({"refreshToken": "nope"})).await;
        r.err(429, 4290);
        assert!(r.header("retry-after").is_some());
    }
}

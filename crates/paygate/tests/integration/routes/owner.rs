//! `/api/owner*`: profile, partial update with its locks, info card, avatar, type dictionaries.

use reqwest::Method;
use serde_json::json;

use crate::backend_tests;

/// A PNG of `w` × `h`.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 99]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

pub fn multipart(file: &[u8], ct: &str) -> (String, Vec<u8>) {
    let boundary = "XpaygateBoundaryX";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\nContent-Type: {ct}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

backend_tests! {
    async fn read_and_partial_update(app) {
        let m = app.merchant("owner@example.com").await;
        let me = app.as_user(&m.token);
        let o = me.get("/api/owner").await.ok(200).clone();
        assert_eq!(o["invoice_expiry_minutes"], 15);
        assert_eq!(o["underpayment_tolerance_percent"], 0);
        assert_eq!(o["show_network_fee"], true);
        assert_eq!(o["kyc_status"], 0);
        assert_eq!(o["plan_id"], 1);
        assert!(o["created_at"].as_str().unwrap().ends_with('Z'));
        me.put("/api/owner", json!({"site_url": "https://shop.example.com", "underpayment_tolerance_percent": 2.5, "invoice_expiry_minutes": 30, "phone": "+420601234567"})).await.ok(204);
        let o = me.get("/api/owner").await.ok(200).clone();
        assert_eq!(o["site_url"], "https://shop.example.com");
        assert_eq!(o["underpayment_tolerance_percent"].to_string(), "2.5");
        assert_eq!(o["invoice_expiry_minutes"], 30);
        assert_eq!(o["name"], "Shop of owner@example.com", "absent fields keep their value");
        me.put("/api/owner", json!({"phone": null})).await.ok(204);
        assert_eq!(me.get("/api/owner").await.body["phone"], serde_json::Value::Null);
        let r = me.put("/api/owner", json!({"invoice_expiry_minutes": 4, "underpayment_tolerance_percent": 1.234, "site_url": "ftp://x", "name": null})).await;
        r.err(400, 4002);
        assert_eq!(r.body["errors"].as_array().unwrap().len(), 4, "{}", r.body);
        me.put("/api/owner", json!({"owner_sub_type": 3})).await.err(400, 4004);
        me.put("/api/owner", json!({"owner_type": 2, "owner_sub_type": 4})).await.ok(204);
        // legal data is locked while KYC is under review
        let mut c = app.services.store.conn().await.unwrap();
        paygate_store::testing::execute(&mut c, &format!("UPDATE owners SET kyc_status = 1 WHERE id = {}", m.owner_id)).await.unwrap();
        drop(c);
        me.put("/api/owner", json!({"name": "New legal name"})).await.err(409, 4095);
        me.put("/api/owner", json!({"site_url": "https://other.example.com"})).await.ok(204);
        let info = me.get("/api/owner/info").await;
        assert_eq!(info.ok(200)["products"], json!([1, 2, 3, 4]));
        assert_eq!(info.body["kyc_status"], 1);
    }

    async fn roles_on_owner_routes(app) {
        let m = app.merchant("roles@example.com").await;
        let accountant = app.member("acc@example.com", m.owner_id, 3).await;
        let cashier = app.member("cash@example.com", m.owner_id, 4).await;
        app.as_user(&accountant.token).get("/api/owner").await.ok(200);
        app.as_user(&accountant.token).put("/api/owner", json!({"name": "X"})).await.err(403, 4030);
        app.as_user(&cashier.token).get("/api/owner").await.err(403, 4030);
        app.as_user(&cashier.token).get("/api/owner/info").await.ok(200);
        let info = app.as_user(&cashier.token).get("/api/user/info").await;
        assert_eq!(info.ok(200)["role_id"], 4);
        assert_eq!(info.body["permissions"], json!(["pay_objects.read", "invoices.create", "statistics.read"]));
    }

    async fn avatar_upload_and_media(app) {
        let m = app.merchant("avatar@example.com").await;
        let me = app.as_user(&m.token);
        let (ct, body) = multipart(&png(900, 600), "image/png");
        let r = me.raw(Method::POST, "/api/owner/info/avatar", Some((&ct, body))).await;
        let url = r.ok(200)["avatar"].as_str().unwrap().to_owned();
        assert!(url.starts_with(&format!("{}/media/avatar/", app.config.app.public_base_url)));
        let path = url.split_once("/media/").map(|(_, p)| format!("/media/{p}")).unwrap();
        let img = app.api().raw(Method::GET, &path, None).await;
        assert_eq!(img.status, 200);
        assert_eq!(img.header("content-type"), Some("image/png"));
        assert_eq!(img.header("cache-control"), Some("public, max-age=31536000, immutable"));
        let decoded = image::load_from_memory(&img.raw).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (512, 512));
        assert_eq!(me.get("/api/owner").await.body["avatar"], url.as_str());
        // replacing removes the old file
        let (ct, body) = multipart(&png(64, 64), "image/png");
        me.raw(Method::POST, "/api/owner/info/avatar", Some((&ct, body))).await.ok(200);
        app.api().raw(Method::GET, &path, None).await.err(404, 4040);
        app.api().get("/media/avatar/nothing.png").await.err(404, 4040);
        // errors: not an image, too many pixels, too large, not multipart, no file
        let (ct, body) = multipart(b"GIF89a....", "image/gif");
        me.raw(Method::POST, "/api/owner/info/avatar", Some((&ct, body))).await.err(415, 4150);
        let (ct, body) = multipart(&png(4097, 8), "image/png");
        me.raw(Method::POST, "/api/owner/info/avatar", Some((&ct, body))).await.err(400, 4004);
        let mut huge = png(8, 8);
        huge.extend(std::iter::repeat_n(0u8, 2 * 1024 * 1024));
        let (ct, body) = multipart(&huge, "image/png");
        me.raw(Method::POST, "/api/owner/info/avatar", Some((&ct, body))).await.err(413, 4130);
        me.post("/api/owner/info/avatar", json!({})).await.err(415, 4150);
        let (ct, _) = multipart(b"", "image/png");
        me.raw(Method::POST, "/api/owner/info/avatar", Some((&ct, b"--XpaygateBoundaryX--\r\n".to_vec()))).await.err(400, 4002);
        // the user avatar route
        let (ct, body) = multipart(&png(20, 30), "image/png");
        let r = me.raw(Method::POST, "/api/user/info/avatar", Some((&ct, body))).await;
        assert_eq!(me.get("/api/user").await.body["avatar"], r.ok(200)["avatar"]);
    }

    async fn type_dictionaries(app) {
        let m = app.merchant("dict@example.com").await;
        let me = app.as_user(&m.token);
        let t = me.get("/api/owner/type").await;
        assert_eq!(t.ok(200).clone(), json!([{"id": 1, "name": "Individual"}, {"id": 2, "name": "Company"}]));
        assert_eq!(t.header("cache-control"), Some("private, max-age=300"));
        let sub = me.get("/api/owner/subtype?owner_type=1").await;
        assert_eq!(sub.ok(200).as_array().unwrap().len(), 2);
        assert_eq!(me.get("/api/owner/subtype").await.body.as_array().unwrap().len(), 7);
        me.get("/api/owner/subtype?owner_type=x").await.err(400, 4007);
        me.get("/api/owner/subtype?owner_type=9").await.err(400, 4004);
    }
}

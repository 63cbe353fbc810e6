//! One app instance with the in-memory store: `form_post` callbacks, the cookie, session id
//! rotation, logout, and the requests the routes refuse.

mod support;

use std::sync::Arc;

use oidckit_axum::store::MemoryStore;
use serde_json::Value;
use support::{App, Browser, location, provider_with};

fn session_cookie(resp: &reqwest::Response) -> String {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("oidckit_session="))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_post_sign_in_rotates_the_session_id_and_logout_goes_to_the_provider() {
    let op = provider_with(|_| {});
    let app = App::start_with(&op.issuer(), Arc::new(MemoryStore::new()), |c, _| {
        c.response_mode = Some("form_post".into());
    })
    .await;
    let browser = Browser::new();
    let (status, body) = browser.me(&app).await;
    assert_eq!((status, body["code"].as_u64()), (401, Some(944)));

    let mut cookies = Vec::new();
    for _ in 0..2 {
        let url = browser.start_login(&app, Some("/me?x=1")).await;
        let outcome = tokio::task::spawn_blocking(move || {
            oidckit_mock::browser::authorize(&url).expect("provider answers")
        })
        .await
        .expect("join");
        let fields = outcome.form_post.expect("a form_post response");
        let resp = browser
            .http
            .post(app.url("/callback"))
            .form(&fields)
            .send()
            .await
            .expect("POST /callback");
        assert_eq!(resp.status(), 303);
        assert_eq!(location(&resp), "/me?x=1");
        cookies.push(session_cookie(&resp));
        assert_eq!(browser.me(&app).await.0, 200);
    }
    assert_ne!(cookies[0], cookies[1], "a new session id at every sign-in");
    let old = reqwest::Client::new()
        .get(app.url("/me"))
        .header("cookie", &cookies[0])
        .send()
        .await
        .expect("GET /me");
    assert_eq!(
        old.status(),
        401,
        "the session before the new sign-in ended"
    );
    let forged = cookies[1].replace('.', ".x");
    let forged = reqwest::Client::new()
        .get(app.url("/me"))
        .header("cookie", forged)
        .send()
        .await
        .expect("GET /me");
    assert_eq!(
        forged.status(),
        401,
        "a cookie with a bad signature names no session"
    );

    let resp = browser
        .http
        .post(app.url("/logout"))
        .send()
        .await
        .expect("POST /logout");
    assert_eq!(resp.status(), 303);
    let to = location(&resp);
    assert!(to.starts_with(&format!("{}/logout?", op.issuer())), "{to}");
    assert!(to.contains("id_token_hint="));
    assert_eq!(browser.me(&app).await.0, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_redirects_and_foreign_callbacks_are_refused() {
    let op = provider_with(|_| {});
    let app = App::start(&op.issuer(), Arc::new(MemoryStore::new())).await;
    let browser = Browser::new();
    for evil in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
    ] {
        let resp = browser
            .http
            .get(format!(
                "{}?return_to={}",
                app.url("/login"),
                support::urlencode(evil)
            ))
            .send()
            .await
            .expect("GET /login");
        assert_eq!(resp.status(), 400, "{evil}");
        assert!(resp.headers().get("location").is_none());
        let body: Value = resp.json().await.expect("json");
        assert_eq!(body["code"], 942);
    }
    // A callback from a login another browser started: no login cookie here.
    let url = browser.start_login(&app, None).await;
    let cb = browser.authorize(&url, &app).await;
    let stranger = Browser::new();
    let resp = stranger.callback(&cb).await;
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["code"], 941);
    // The login is still there for the browser that started it.
    assert_eq!(browser.callback(&cb).await.status(), 303);
}

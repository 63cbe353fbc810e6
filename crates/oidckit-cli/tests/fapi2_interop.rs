//! `oidckit login --profile fapi2` against panva's `oidc-provider` in its FAPI 2.0 mode
//! (`INTEROP_FAPI2=1`, see `interop/provider.mjs`): a pushed request, `private_key_jwt` with a
//! key file, DPoP-bound tokens and UserInfo, through the provider's login and consent pages.
//! Skipped only with `OIDCKIT_SKIP_INTEROP=1` when Node.js or the npm packages are missing.

use std::time::{Duration, Instant};

#[path = "../../oidckit/tests/interop_support/mod.rs"]
#[macro_use]
mod interop_support;
mod support;

use interop_support::{Browser, USER};
use support::{finish, json_of};

const TIMEOUT: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_with_profile_fapi2_signs_in_at_oidc_provider_in_fapi2_mode() {
    let op = provider_or_skip!(&[("INTEROP_FAPI2", "1")]);
    let dir = std::env::temp_dir().join(format!("oidckit-fapi2-interop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let key_file = dir.join("client-key.json");
    std::fs::write(
        &key_file,
        op.client_private_key("interop-fapi2-es256").await,
    )
    .expect("key file");
    // The "browser" hands the URL to the test, which signs in with the scripted browser.
    let (script, url_file) = support::url_handing_browser(&dir);
    let (key_s, script_s) = (key_file.display().to_string(), script.display().to_string());
    let args = [
        "login",
        "--json",
        "--profile",
        "fapi2",
        "--issuer",
        op.issuer(),
        "--client-id",
        "interop-fapi2-es256",
        "--private-key",
        &key_s,
        "--scope",
        "openid profile",
        // Registered: http://127.0.0.1:9/cb; a native client's loopback port may differ.
        "--redirect-path",
        "/cb",
        "--browser-command",
        &script_s,
        "--browser-timeout",
        "60",
    ];
    let mut child = support::command(&args).spawn().expect("oidckit runs");
    let deadline = Instant::now() + TIMEOUT;
    let mut visited = None;
    while child.try_wait().expect("wait").is_none() && Instant::now() < deadline {
        if let Ok(url) = std::fs::read_to_string(&url_file) {
            let _ = std::fs::remove_file(&url_file);
            let _ = Browser::new().visit(&url).await;
            visited = Some(url);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let out = tokio::task::spawn_blocking(move || finish(child, Vec::new(), TIMEOUT))
        .await
        .expect("join");
    let _ = std::fs::remove_dir_all(&dir);
    let v = json_of(&out);
    assert!(
        out.status.success(),
        "{v}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = visited.expect("the browser was opened");
    let names: Vec<String> = url::Url::parse(&url)
        .expect("URL")
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect();
    assert_eq!(names, ["client_id", "request_uri"], "{url}");
    assert_eq!(v["token_type"], "DPoP", "{v}");
    assert_eq!(v["claims"]["sub"], USER);
    assert_eq!(
        v["userinfo"]["sub"], USER,
        "UserInfo with the DPoP-bound token"
    );
}

//! The seed's walkthroughs through the blocking `OpenId` facade alone, against the mock provider
//! over real HTTP: discovery then code flow, endpoints set by hand, Web, Application and Mobile
//! profiles, refresh, interrupt, reset, XPath and config errors.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use oidckit::GrantType;
use oidckit::openid::settings::{self, Access, Status};
use oidckit::openid::{ClientProfile, OpenId};
use oidckit_mock::{MockConfig, MockProvider};
use serde_json::json;

const REDIRECT: &str = "http://127.0.0.1:9/cb";

fn provider() -> MockProvider {
    provider_with(|_| {})
}

fn provider_with(f: impl FnOnce(&mut MockConfig)) -> MockProvider {
    let mut cfg = MockConfig::default();
    f(&mut cfg);
    MockProvider::start(cfg).expect("mock provider starts")
}

fn web_openid() -> OpenId {
    let mut o = OpenId::new();
    o.set_client_id("test-client");
    o.set_client_secret("test-secret");
    o.set_client_profile(ClientProfile::Web);
    o.set_return_url(REDIRECT);
    o
}

/// Web profile: get_authorization_url, the scripted browser follows it, the app completes with
/// the callback URL.
fn web_sign_in(o: &mut OpenId) -> String {
    let url = o.get_authorization_url().expect("authorization URL");
    let outcome = oidckit_mock::browser::authorize(&url).expect("provider answers");
    o.set_authorization_code(outcome.callback_url());
    o.get_authorization().expect("authorization")
}

#[test]
fn discovery_then_code_flow_fills_user_details_and_user_info() {
    let p = provider();
    let mut o = web_openid();
    o.set_authorization_scope("openid profile email address phone");
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");

    assert_eq!(o.discovery_doc_details_issuer(), p.issuer());
    assert_eq!(
        o.server_auth_url(),
        o.discovery_doc_details_authorization_url()
    );
    assert_eq!(o.server_token_url(), o.discovery_doc_details_token_url());
    assert_eq!(
        o.server_user_info_url(),
        o.discovery_doc_details_user_info_url()
    );
    assert_eq!(
        o.signer_cert_url(),
        o.discovery_doc_details_signer_cert_url()
    );
    assert!(
        o.discovery_doc_details_supported_scopes()
            .contains("openid")
    );
    assert!(
        o.discovery_doc_details_supported_response_types()
            .contains("code")
    );
    assert!(o.config("RawJSON").expect("raw").contains("\"issuer\""));
    o.config("XPath=/json/issuer").expect("xpath");
    assert_eq!(o.config("XText").expect("text"), p.issuer());

    let authorization = web_sign_in(&mut o);
    assert!(authorization.starts_with("Bearer "), "{authorization}");
    assert_eq!(authorization, format!("Bearer {}", o.access_token()));
    assert!(o.access_token_exp() > 0);
    assert!(!o.refresh_token().is_empty());
    assert_eq!(o.user_details_subject(), "248289761001");
    assert_eq!(o.user_details_issuer(), p.issuer());
    assert_eq!(o.user_details_audiences(), "test-client");
    assert!(o.user_details_token_exp_time() > o.user_details_token_issued_at());
    assert_eq!(o.config("AuthorizationTokenType").expect("tt"), "Bearer");
    assert_eq!(o.config("IDToken").expect("id").split('.').count(), 3);
    // RawJSON is now the ID token payload.
    o.config("XPath=/json/sub").expect("xpath sub");
    assert_eq!(o.config("XText").expect("sub"), "248289761001");
    assert!(!o.get_param("code").is_empty());
    assert_eq!(o.get_param("token_type"), "Bearer");

    o.get_user_info().expect("userinfo");
    assert_eq!(o.user_details_email(), "janedoe@example.com");
    assert!(o.user_details_email_verified());
    assert_eq!(o.user_details_first_name(), "Jane");
    assert_eq!(o.user_details_last_name(), "Doe");
    assert_eq!(o.user_details_addr_locality(), "Los Angeles");
    assert_eq!(o.user_details_phone_number(), "+1 (310) 123-4567");
    assert!(!o.user_details_phone_number_verified());
    assert_eq!(o.user_details_updated_at(), 1_700_000_000);
    assert_eq!(
        o.user_details_issuer(),
        p.issuer(),
        "kept from the ID token"
    );
    o.config("XPath=/json/address/region").expect("xpath");
    assert_eq!(o.config("XText").expect("region"), "CA");
}

#[test]
fn web_profile_completes_with_a_bare_code() {
    let p = provider();
    let mut o = web_openid();
    o.get_discovery_doc(&p.issuer())
        .expect("discovery from the issuer");
    let url = o.get_authorization_url().expect("url");
    let outcome = oidckit_mock::browser::authorize(&url).expect("provider answers");
    let params = oidckit::CallbackParams::from_url(&outcome.redirect_to);
    o.set_authorization_code(params.get("code").expect("code"));
    let auth = o.get_authorization().expect("exchange");
    assert!(auth.starts_with("Bearer "));
    assert!(o.transaction().is_none(), "the transaction is single-use");
    let again = o.get_authorization();
    // A refresh token is kept, so a second call refreshes instead of reusing the code.
    assert!(again.expect("refresh").starts_with("Bearer "));
}

#[test]
fn endpoints_set_by_hand_instead_of_discovery() {
    let p = provider();
    let base = p.issuer();
    let mut o = web_openid();
    o.set_authorization_scope("openid profile");
    o.set_issuer(base.clone());
    o.set_server_auth_url(format!("{base}/authorize"));
    o.set_server_token_url(format!("{base}/token"));
    o.set_server_user_info_url(format!("{base}/userinfo"));
    o.set_signer_cert_url(format!("{base}/jwks"));
    let discovery_requests = || {
        p.requests()
            .iter()
            .filter(|r| r.path.contains("well-known"))
            .count()
    };
    let auth = web_sign_in(&mut o);
    assert!(auth.starts_with("Bearer "));
    o.get_user_info().expect("userinfo");
    assert_eq!(o.user_details_name(), "Jane Doe");
    assert_eq!(discovery_requests(), 0, "no discovery request was made");
}

#[test]
fn hand_set_endpoints_without_issuer_are_a_clear_error() {
    let mut o = web_openid();
    o.set_server_auth_url("http://127.0.0.1:1/authorize");
    let err = o.get_authorization_url().expect_err("no issuer");
    assert_eq!(err.code(), 920);
}

#[test]
fn implicit_grant_type_completes_with_the_callback_url() {
    let p = provider();
    let mut o = web_openid();
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    o.set_grant_type(GrantType::Implicit);
    assert_eq!(o.config("ResponseType").expect("rt"), "id_token token");
    let auth = web_sign_in(&mut o);
    assert!(auth.starts_with("Bearer "));
    assert_eq!(o.user_details_subject(), "248289761001");
}

/// A scripted browser: follows the URL at the mock and delivers the redirect to the loopback
/// server, on its own thread like a real browser.
fn scripted_browser(url: String) {
    std::thread::spawn(move || {
        let outcome = oidckit_mock::browser::authorize(&url).expect("provider answers");
        let _ = oidckit_mock::browser::http_get(&outcome.callback_url());
    });
}

#[test]
fn application_profile_signs_in_through_the_loopback_server() {
    let p = provider();
    let mut o = OpenId::new();
    o.set_client_id("test-client");
    o.set_client_secret("test-secret");
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    o.on_launch_browser(move |e| {
        seen2
            .lock()
            .expect("lock")
            .push(format!("launch {}", e.url));
        scripted_browser(e.url.clone());
        e.command.clear(); // the application opens the URL itself
    });
    let seen3 = seen.clone();
    o.on_return_url(move |e| {
        seen3
            .lock()
            .expect("lock")
            .push(format!("return {} state={}", e.query_string, e.state));
    });
    let auth = o.get_authorization().expect("sign-in");
    assert!(auth.starts_with("Bearer "));
    assert!(
        o.return_url().starts_with("http://127.0.0.1:"),
        "{}",
        o.return_url()
    );
    assert!(o.web_server_port() > 0);
    assert_eq!(o.user_details_subject(), "248289761001");
    assert!(!o.authorization_code().is_empty());
    assert!(!o.get_param("state").is_empty());
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen[0].starts_with("launch "));
    assert!(seen[0].contains("redirect_uri=http%3A%2F%2F127.0.0.1"));
    assert!(seen[1].starts_with("return ") && seen[1].contains("code="));
    assert!(o.idle());
}

#[test]
fn on_launch_browser_can_change_the_url() {
    let p = provider();
    let mut o = OpenId::new();
    o.set_client_id("test-client");
    o.set_client_secret("test-secret");
    o.set_client_profile(ClientProfile::Mobile);
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    o.on_launch_browser(|e| {
        e.url.push_str("&ui_locales=de");
        scripted_browser(e.url.clone());
    });
    o.get_authorization().expect("sign-in");
    let authorize = p
        .requests()
        .into_iter()
        .find(|r| r.path == "/authorize")
        .expect("authorize request");
    assert_eq!(authorize.param("ui_locales"), Some("de"));
}

#[test]
fn web_server_can_be_started_and_reused() {
    let p = provider();
    let mut o = OpenId::new();
    o.set_client_id("test-client");
    o.set_client_secret("test-secret");
    o.set_client_profile(ClientProfile::Browser);
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    o.config("ReUseWebServer=true").expect("setting");
    o.start_web_server().expect("start");
    let port = o.web_server_port();
    o.on_launch_browser(|e| scripted_browser(e.url.clone()));
    o.get_authorization().expect("first");
    o.set_refresh_token("");
    o.get_authorization().expect("second");
    assert_eq!(o.web_server_port(), port, "same server");
    o.stop_web_server().expect("stop");
}

#[test]
fn interrupt_from_another_thread_during_the_browser_wait_returns_301() {
    let p = provider();
    let mut o = OpenId::new();
    o.set_client_id("test-client");
    o.set_client_secret("test-secret");
    o.set_client_profile(ClientProfile::Mobile);
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    let interrupter = o.interrupter();
    o.on_launch_browser(move |_| {
        // Nobody opens the URL: the call waits for the browser until interrupted.
        let i = interrupter.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            i.interrupt();
        });
    });
    let codes = Arc::new(Mutex::new(Vec::new()));
    let codes2 = codes.clone();
    o.on_error(move |e| codes2.lock().expect("lock").push(e.error_code));
    let started = std::time::Instant::now();
    let err = o.get_authorization().expect_err("interrupted");
    assert_eq!(err.code(), 301);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(*codes.lock().expect("lock"), vec![301]);
    assert!(o.idle());
    // The facade stays usable.
    o.get_discovery_doc(&p.discovery_url())
        .expect("still works");
}

#[test]
fn interrupt_with_no_call_running_does_nothing() {
    let p = provider();
    let mut o = web_openid();
    o.interrupt();
    o.interrupter().interrupt();
    o.get_discovery_doc(&p.discovery_url())
        .expect("a stale interrupt does not abort the next call");
}

fn defaults_snapshot(o: &mut OpenId) -> Vec<String> {
    let mut v = vec![
        o.access_token().to_string(),
        o.access_token_exp().to_string(),
        o.authorization_code().to_string(),
        o.authorization_scope().to_string(),
        o.client_id().to_string(),
        format!("{:?}", o.client_profile()),
        o.client_secret().to_string(),
        format!("{:?}", o.grant_type()),
        o.issuer().to_string(),
        o.param_count().to_string(),
        o.cookie_count().to_string(),
        o.refresh_token().to_string(),
        o.return_url().to_string(),
        o.server_auth_url().to_string(),
        o.server_token_url().to_string(),
        o.server_user_info_url().to_string(),
        o.signer_cert_encoded().to_string(),
        o.signer_cert_url().to_string(),
        o.state().to_string(),
        o.timeout().to_string(),
        o.use_pkce().to_string(),
        o.web_server_port().to_string(),
        o.discovery_doc_details_issuer().to_string(),
        o.user_details_subject().to_string(),
        o.user_details_email().to_string(),
        o.user_details_token_exp_time().to_string(),
    ];
    for s in settings::TABLE {
        if s.indexed
            || s.name.contains("XPath")
            || s.name.starts_with('X')
            || s.name.starts_with("JWTX")
        {
            continue;
        }
        v.push(format!("{}={}", s.name, o.config(s.name).expect(s.name)));
    }
    v
}

#[test]
fn reset_restores_every_default() {
    let p = provider();
    let mut fresh = OpenId::new();
    let expected = defaults_snapshot(&mut fresh);
    assert_eq!(fresh.authorization_scope(), "openid");
    assert_eq!(fresh.client_profile(), ClientProfile::Application);
    assert_eq!(fresh.grant_type(), GrantType::Code);
    assert_eq!(fresh.timeout(), 60);
    assert!(fresh.use_pkce());

    let mut o = web_openid();
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    web_sign_in(&mut o);
    o.set_state("s");
    o.set_timeout(5);
    o.set_use_pkce(false);
    o.set_grant_type(GrantType::Hybrid);
    o.add_param("ui_locales", "fr");
    o.add_cookie("a", "b");
    o.set_signer_cert_encoded("x");
    for setting in [
        "LoginHint=u@example.com",
        "LogLevel=3",
        "ReUseWebServer=true",
        "ResponseType=code id_token",
        "UserAgent=me",
    ] {
        o.config(setting).expect(setting);
    }
    assert_ne!(defaults_snapshot(&mut o), expected);
    o.reset();
    assert_eq!(defaults_snapshot(&mut o), expected);
}

#[test]
fn every_setting_reads_back_and_accepts_its_default() {
    let mut o = OpenId::new();
    for s in settings::TABLE {
        let name = if s.indexed {
            format!("{}[0]", s.name)
        } else {
            s.name.to_string()
        };
        let is_x = s.name.contains('X') && (s.name.starts_with('X') || s.name.starts_with("JWTX"));
        match o.config(&name) {
            Ok(v) => {
                if s.access == Access::ReadWrite
                    && s.name != "ResponseType"
                    && !is_x
                    && s.name != "PKCEVerifier"
                {
                    assert_eq!(v, s.default, "{name}");
                    o.config(&format!("{name}={}", s.default)).expect(&name);
                }
            }
            Err(e) => {
                // Only the XPath family needs a document first.
                assert!(is_x, "{name}: {e}");
                assert_eq!(e.code(), 921);
            }
        }
        // Case-insensitive names.
        if !is_x && !s.indexed {
            o.config(&s.name.to_ascii_lowercase())
                .expect("lower-case name");
        }
    }
}

#[test]
fn config_errors_are_clear() {
    let mut o = OpenId::new();
    let e = o.config("LogLevl=2").expect_err("unknown");
    assert_eq!(e.code(), 921);
    assert!(e.to_string().contains("did you mean `LogLevel`"), "{e}");
    assert_eq!(o.config("Promtp").expect_err("unknown").code(), 921);
    assert_eq!(
        o.config("LogLevel=loud").expect_err("not a number").code(),
        921
    );
    assert_eq!(
        o.config("LogLevel=9").expect_err("out of range").code(),
        921
    );
    assert_eq!(
        o.config("ReUseWebServer=perhaps")
            .expect_err("not a bool")
            .code(),
        921
    );
    assert_eq!(
        o.config("Display=fullscreen")
            .expect_err("not a choice")
            .code(),
        921
    );
    assert_eq!(o.config("RawJSON=x").expect_err("read-only").code(), 921);
    assert_eq!(o.config("ResponseType=token").expect_err("902").code(), 902);
    assert_eq!(
        o.config("FormVarName=x").expect_err("needs index").code(),
        921
    );
    assert_eq!(
        o.config("LogLevel[1]=1")
            .expect_err("takes no index")
            .code(),
        921
    );
    assert_eq!(o.config("CodePage=65001").expect_err("n/a").code(), 921);
    assert_eq!(o.config("LocalPort=4000").expect_err("n/a").code(), 921);
    assert_eq!(o.config("HTTPVersion=3.0").expect_err("choice").code(), 921);
    assert_eq!(
        o.config("XPath=/json/a").expect_err("no document").code(),
        921
    );
    // Accepted forms.
    o.config("reusewebserver=YES").expect("bool");
    assert_eq!(o.config("ReUseWebServer").expect("read"), "true");
    o.config("display=POPUP").expect("choice");
    assert_eq!(o.config("Display").expect("read"), "popup");
    o.config("ResponseType=id_token code").expect("any order");
    assert_eq!(o.config("responsetype").expect("read"), "code id_token");
    o.config("CodePage=0")
        .expect("the default of a N/A setting is accepted");
    for s in settings::TABLE {
        if let Status::NotApplicable(reason) = s.status {
            assert!(!reason.is_empty(), "{}", s.name);
        }
    }
}

#[test]
fn config_settings_reach_the_authorization_request() {
    let p = provider();
    let mut o = web_openid();
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    for setting in [
        "Prompt=login",
        "Display=popup",
        "LoginHint=jane@example.com",
        "PKCEChallengeEncoding=2",
    ] {
        o.config(setting).expect(setting);
    }
    o.add_param("ui_locales", "fr");
    o.add_param("state", "my-state");
    let url = o.get_authorization_url().expect("url");
    let parsed = url::Url::parse(&url).expect("url parses");
    let q: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("prompt"), Some("login"));
    assert_eq!(get("display"), Some("popup"));
    assert_eq!(get("login_hint"), Some("jane@example.com"));
    assert_eq!(get("ui_locales"), Some("fr"));
    assert_eq!(get("state"), Some("my-state"));
    assert_eq!(q.iter().filter(|(n, _)| n == "state").count(), 1);
    assert_eq!(get("code_challenge_method"), Some("S256"));
    let verifier = o.config("PKCEVerifier").expect("verifier");
    assert_eq!(verifier.len(), 43);
}

fn xpath_provider() -> MockProvider {
    provider_with(|c| {
        let extra = json!({
            "name": "Zoë Ångström-Łukasiewicz 東京",
            "org": {"team": {"lead": "Ümit", "members": ["Ana", "Bo", "Ça"]}},
            "groups": ["admins", "ops"],
            "counts": [1, 2.5, true, null],
        });
        if let serde_json::Value::Object(m) = extra {
            c.user.claims.extend(m);
        }
    })
}

fn userinfo_doc(p: &MockProvider) -> OpenId {
    let mut o = web_openid();
    o.set_authorization_scope("openid profile");
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    web_sign_in(&mut o);
    o.get_user_info().expect("userinfo");
    o
}

#[test]
fn xpath_walks_nested_objects_and_arrays() {
    let p = xpath_provider();
    let mut o = userinfo_doc(&p);
    let mut x = |path: &str, what: &str| {
        o.config(&format!("XPath={path}")).expect(path);
        o.config(what).expect(what)
    };
    assert_eq!(x("/json/org/team/lead", "XText"), "Ümit");
    assert_eq!(x("/json/org/team/lead", "XElement"), "lead");
    assert_eq!(x("/json/org/team/lead", "XParent"), "team");
    assert_eq!(x("/json/org/team/members", "XChildCount"), "3");
    assert_eq!(x("/json/org/team/members/[1]", "XText"), "Ana");
    assert_eq!(x("/json/org/team/members[2]", "XText"), "Bo");
    assert_eq!(x("/json/org/team/members/[last()]", "XText"), "Ça");
    assert_eq!(x("/json/org/team/members/[last()-1]", "XText"), "Bo");
    assert_eq!(x("/json/org/team/members/[1]", "XElement"), "members");
    assert_eq!(
        x("/json/org/team/members/[3]/..", "XSubTree"),
        r#"["Ana","Bo","Ça"]"#
    );
    assert_eq!(
        x("/json/org", "XSubTree"),
        r#"{"team":{"lead":"Ümit","members":["Ana","Bo","Ça"]}}"#
    );
    assert_eq!(x("/json/org", "XText"), "");
    assert_eq!(x("/json/counts/[2]", "XText"), "2.5");
    assert_eq!(x("/json/counts/[3]", "XText"), "true");
    assert_eq!(x("/json/counts/[4]", "XText"), "null");
    assert_eq!(x("/json/org/team", "XChildName[1]"), "members");
    assert_eq!(x("/json/org/team/members", "XChildXText[2]"), "Ça");
    assert_eq!(x("/json/org/team/members", "XChildName[0]"), "members");
    // Relative paths and `..`.
    assert_eq!(x("/json/org", "XElement"), "org");
    assert_eq!(x("team/lead", "XText"), "Ümit");
    assert_eq!(x("../members/[1]", "XText"), "Ana");
    assert_eq!(x("../../..", "XElement"), "org");
    assert_eq!(x("/json", "XElement"), "json");
    assert_eq!(x("/json", "XPath"), "/json");
    assert_eq!(x("/json/groups/[2]", "XPath"), "/json/groups/[2]");
    // Non-ASCII text and names.
    assert_eq!(x("/json/name", "XText"), "Zoë Ångström-Łukasiewicz 東京");
}

#[test]
fn xpath_missing_paths_are_clear_errors_and_keep_the_position() {
    let p = xpath_provider();
    let mut o = userinfo_doc(&p);
    o.config("XPath=/json/org/team").expect("ok");
    for bad in [
        "/json/org/nobody",
        "/json/org/team/members/[4]",
        "/json/org/team/members/[0]",
        "/json/groups/[last()-5]",
        "/json/org/team/lead/deeper",
        "/xml/org",
        "/json/..",
        "/json/org/team/lead[2]",
        "/json/groups/[x]",
    ] {
        let e = o.config(&format!("XPath={bad}")).expect_err(bad);
        assert_eq!(e.code(), 921, "{bad}");
    }
    let e = o.config("XPath=/json/org/tam").expect_err("typo");
    assert!(e.to_string().contains("team"), "lists the children: {e}");
    assert_eq!(o.config("XPath").expect("unchanged"), "/json/org/team");
    assert_eq!(o.config("XChildName[5]").expect_err("range").code(), 921);
}

#[test]
fn jwt_xpath_needs_a_jwt_access_token() {
    let p = provider();
    let mut o = web_openid();
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    web_sign_in(&mut o);
    match o.config("JWTPayload").expect("read") {
        payload if payload.is_empty() => {
            assert_eq!(
                o.config("JWTXPath=/json").expect_err("no payload").code(),
                921
            );
        }
        _ => {
            o.config("JWTXPath=/json").expect("root");
            assert_eq!(o.config("JWTXElement").expect("element"), "json");
        }
    }
}

#[test]
fn refresh_token_property_refreshes_without_user_interaction() {
    let p = provider();
    let mut o = web_openid();
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    let first = web_sign_in(&mut o);
    let rt = o.refresh_token().to_string();
    let mut later = web_openid();
    later
        .get_discovery_doc(&p.discovery_url())
        .expect("discovery");
    later.set_refresh_token(rt.clone());
    let second = later.get_authorization().expect("refresh");
    assert!(second.starts_with("Bearer "));
    assert_ne!(first, second);
    assert_ne!(later.refresh_token(), rt, "rotated");
}

#[test]
fn events_log_and_do_events() {
    let p = provider();
    let mut o = web_openid();
    let logs = Arc::new(Mutex::new(Vec::new()));
    let l2 = logs.clone();
    o.on_log(move |e| {
        l2.lock()
            .expect("lock")
            .push((e.log_level, e.log_type.clone(), e.message.clone()))
    });
    o.do_events();
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    let logs = logs.lock().expect("lock").clone();
    assert!(
        logs.iter()
            .any(|(_, _, m)| m.contains("discovery document")),
        "{logs:?}"
    );
    o.config("LogLevel=0").expect("off");
}

#[test]
fn transport_events_and_cookies_are_forwarded() {
    let p = provider();
    let mut o = web_openid();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (s1, s2, s3) = (seen.clone(), seen.clone(), seen.clone());
    o.on_status(move |e| {
        s1.lock()
            .expect("lock")
            .push(format!("status {}", e.status_code))
    });
    o.on_header(move |e| {
        s2.lock()
            .expect("lock")
            .push(format!("header {}", e.field.to_ascii_lowercase()))
    });
    o.on_end_transfer(move |e| {
        s3.lock()
            .expect("lock")
            .push(format!("end {}", e.direction))
    });
    o.add_cookie("session", "abc");
    assert_eq!(o.cookie_count(), 1);
    assert_eq!(o.cookie_name(0), Some("session"));
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    web_sign_in(&mut o);
    let seen = seen.lock().expect("lock").clone();
    assert!(seen.contains(&"status 200".to_string()), "{seen:?}");
    assert!(seen.iter().any(|s| s == "header content-type"), "{seen:?}");
    assert!(seen.contains(&"end 1".to_string()), "{seen:?}");
    let token_req = p
        .requests()
        .into_iter()
        .find(|r| r.path == "/token")
        .expect("token request");
    assert!(
        token_req
            .header("cookie")
            .is_some_and(|c| c.contains("session=abc")),
        "{:?}",
        token_req.header("cookie")
    );
}

#[test]
fn device_profile_shows_the_user_code_then_polls_until_approved() {
    let p = Arc::new(provider_with(|c| c.device_interval_secs = 1));
    let mut o = web_openid();
    o.set_return_url("");
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    o.set_client_profile(ClientProfile::Device);
    o.config("PollingInterval=1").expect("interval");
    let url = o.get_authorization_url().expect("device code");
    assert!(url.ends_with("/device"), "{url}");
    let code = o.config("DeviceUserCode").expect("code");
    assert!(!code.is_empty());
    assert!(o.get_param("verification_uri_complete").contains(&code));
    let p2 = p.clone();
    let approver = std::thread::spawn(move || {
        while p2.device_poll_times(&code).is_empty() {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(p2.approve_device(&code));
    });
    let auth = o.get_authorization().expect("tokens once approved");
    approver.join().expect("approver");
    assert!(auth.starts_with("Bearer "));
    assert_eq!(o.user_details_subject(), "248289761001");
    let polls: Vec<_> = p
        .requests()
        .into_iter()
        .filter(|r| r.path == "/token")
        .collect();
    assert!(polls.len() >= 2, "pending, then approved");
    assert_eq!(
        polls[0].param("grant_type"),
        Some("urn:ietf:params:oauth:grant-type:device_code")
    );
}

#[test]
fn jwt_profile_with_a_google_service_account_key() {
    let p = provider();
    let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("key");
    let email = "robot@oidckit-test.iam.gserviceaccount.com";
    p.register_client_key(email, &kp.public_key_pem())
        .expect("registered");
    let key = json!({
        "type": "service_account",
        "private_key_id": "k1",
        "private_key": kp.serialize_pem(),
        "client_email": email,
        "token_uri": format!("{}/token", p.issuer()),
    });
    let mut o = OpenId::new();
    o.set_client_profile(ClientProfile::Jwt);
    o.set_authorization_scope("https://www.googleapis.com/auth/analytics");
    o.config(&format!("JWTJSONKey={key}")).expect("key");
    o.config("JWTServiceProvider=0").expect("google");
    o.config("JWTSubject=user@example.com").expect("sub");
    o.config("JWTValidityTime=600").expect("validity");
    let auth = o.get_authorization().expect("token");
    assert_eq!(auth, format!("Bearer {}", o.access_token()));
    let req = p
        .requests()
        .into_iter()
        .rfind(|r| r.path == "/token")
        .expect("token request");
    assert_eq!(
        req.param("grant_type"),
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    );
    let sent = oidckit::jwt_bearer::unverified_payload(req.param("assertion").expect("assertion"))
        .expect("payload");
    assert_eq!(sent["iss"], email);
    assert_eq!(sent["sub"], "user@example.com");
    assert_eq!(sent["scope"], "https://www.googleapis.com/auth/analytics");
    assert_eq!(
        sent["exp"].as_u64().expect("exp") - sent["iat"].as_u64().expect("iat"),
        600
    );
}

#[test]
fn validate_token_fills_the_token_info_fields() {
    let p = provider();
    let mut o = web_openid();
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    web_sign_in(&mut o);
    o.config(&format!("TokenInfoURL={}/tokeninfo", p.issuer()))
        .expect("url");
    assert_eq!(o.config("ValidateToken=").expect("validates"), "true");
    let n: usize = o
        .config("TokenInfoFieldCount")
        .expect("count")
        .parse()
        .expect("number");
    assert!(n > 0);
    let names: Vec<String> = (0..n)
        .map(|i| o.config(&format!("TokenInfoFieldName[{i}]")).expect("name"))
        .collect();
    assert!(
        names.iter().any(|k| k == "sub" || k == "scope"),
        "{names:?}"
    );
    assert_eq!(
        o.config("ValidateToken=not-a-token").expect("answers"),
        "false"
    );
    // Without TokenInfoURL: RFC 7662 introspection at the provider.
    o.config("TokenInfoURL=").expect("url");
    let at = o.access_token().to_string();
    assert_eq!(
        o.config(&format!("ValidateToken={at}"))
            .expect("introspects"),
        "true"
    );
}

#[test]
fn logout_url_comes_from_the_discovery_document() {
    let p = provider();
    let mut o = web_openid();
    assert_eq!(o.config("LogoutURL").expect("empty"), "");
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    assert_eq!(
        o.config("LogoutURL").expect("url"),
        format!("{}/logout", p.issuer())
    );
    web_sign_in(&mut o);
    let url = o.logout_url("http://127.0.0.1:9/bye").expect("logout url");
    let parsed = url::Url::parse(&url).expect("url");
    let q: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    assert!(q.contains(&("client_id".into(), "test-client".into())));
    assert!(q.contains(&(
        "id_token_hint".into(),
        o.config("IDToken").expect("id token")
    )));
}

#[test]
fn password_grant_and_form_vars_reach_the_token_endpoint() {
    let p = provider();
    let mut o = web_openid();
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    o.config("PasswordGrantUsername=j.doe").expect("user");
    o.set_password_grant_password("password");
    for s in [
        "FormVarCount=2",
        "FormVarName[0]=myvar",
        "FormVarValue[0]=my value",
        "FormVarName[1]=testname",
        "FormVarValue[1]=testvalue",
        "IncludeEmptyRedirectURI=false",
    ] {
        o.config(s).expect(s);
    }
    o.set_return_url("");
    let auth = o.get_authorization().expect("password grant");
    assert!(auth.starts_with("Bearer "));
    let req = p
        .requests()
        .into_iter()
        .rfind(|r| r.path == "/token")
        .expect("token request");
    assert_eq!(req.param("grant_type"), Some("password"));
    assert_eq!(req.param("username"), Some("j.doe"));
    assert_eq!(req.param("myvar"), Some("my value"));
    assert_eq!(req.param("testname"), Some("testvalue"));
    assert_eq!(req.param("redirect_uri"), None);
}

#[test]
fn transport_settings_round_trip_into_the_http_config() {
    use oidckit::http::{FirewallType, FollowRedirects, ProxyAuthScheme};
    let mut o = OpenId::new();
    o.set_proxy_server("proxy.example");
    o.set_proxy_port(3128);
    o.set_proxy_user("pu");
    o.set_proxy_password("pp");
    o.set_proxy_auth_scheme(3).expect("none");
    o.set_proxy_ssl(1).expect("always");
    o.set_firewall_host("socks.example");
    o.set_firewall_type(3).expect("socks5");
    o.set_firewall_port(1081);
    o.set_firewall_user("fu");
    o.set_firewall_password("fp");
    o.set_firewall_auto_detect(true);
    o.set_follow_redirects(2).expect("same scheme");
    o.set_other_headers("X-One: 1\r\nX-Two: two");
    o.set_local_host("127.0.0.1");
    o.set_ssl_accept_server_cert_encoded("MIIB");
    for s in [
        "MaxRedirectAttempts=3",
        "MaskSensitive=false",
        "UserAgent=ua/1",
        "TransferredDataLimit=4096",
    ] {
        o.config(s).expect(s);
    }
    assert_eq!(o.config("ProxyServer").expect("read"), "proxy.example");
    assert_eq!(o.config("FirewallType").expect("read"), "3");
    let h = o.http_settings().expect("valid");
    let px = h.proxy.expect("proxy");
    assert_eq!((px.server.as_str(), px.port), ("proxy.example", 3128));
    assert_eq!(
        (px.user.as_deref(), px.password.as_deref()),
        (Some("pu"), Some("pp"))
    );
    assert_eq!(px.auth_scheme, ProxyAuthScheme::None);
    assert_eq!(px.ssl, oidckit::http::ProxySsl::Always);
    let fw = h.firewall.expect("firewall");
    assert_eq!(
        (fw.kind, fw.host.as_str(), fw.port),
        (FirewallType::Socks5, "socks.example", 1081)
    );
    assert_eq!(
        (fw.user.as_deref(), fw.password.as_deref()),
        (Some("fu"), Some("fp"))
    );
    assert!(h.proxy_auto_detect);
    assert_eq!(h.follow_redirects, FollowRedirects::SameScheme);
    assert_eq!(h.max_redirects, 3);
    assert_eq!(
        h.other_headers,
        vec![
            ("X-One".to_string(), "1".to_string()),
            ("X-Two".to_string(), "two".to_string())
        ]
    );
    assert_eq!(h.local_host, Some("127.0.0.1".parse().expect("ip")));
    assert_eq!(h.tls.accept_server_certificate.as_deref(), Some("MIIB"));
    assert!(!h.mask_sensitive);
    assert_eq!(h.user_agent, "ua/1");
    assert_eq!(h.max_response_size, 4096);
    o.set_local_host("not-an-ip");
    assert_eq!(o.http_settings().expect_err("bad ip").code(), 921);
    o.set_local_host("");
    o.set_other_headers("no colon");
    assert_eq!(o.http_settings().expect_err("bad header").code(), 921);
    assert_eq!(o.set_follow_redirects(7).expect_err("range").code(), 921);
}

#[test]
fn other_headers_arrive_and_transferred_data_is_the_userinfo_body() {
    let p = provider();
    let mut o = web_openid();
    o.set_other_headers("X-Seed-Test: hello");
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    web_sign_in(&mut o);
    o.get_user_info().expect("userinfo");
    let req = p
        .requests()
        .into_iter()
        .rfind(|r| r.path == "/userinfo")
        .expect("userinfo request");
    assert_eq!(req.header("x-seed-test"), Some("hello"));
    assert_eq!(o.transferred_data(), o.config("RawJSON").expect("raw"));
    assert_eq!(
        o.config("TransferredData").expect("data"),
        o.transferred_data()
    );
    assert_eq!(o.config("StatusCode").expect("status"), "200");
    assert!(o.config("StatusLine").expect("line").contains("200"));
    assert!(
        o.transferred_headers()
            .to_ascii_lowercase()
            .contains("content-type:")
    );
}

#[test]
fn on_return_url_can_send_a_custom_page() {
    let p = provider();
    let mut o = OpenId::new();
    o.set_client_id("test-client");
    o.set_client_secret("test-secret");
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    let (tx, rx) = std::sync::mpsc::channel();
    o.on_launch_browser(move |e| {
        let url = e.url.clone();
        let tx = tx.clone();
        std::thread::spawn(move || {
            let outcome = oidckit_mock::browser::authorize(&url).expect("provider answers");
            let page =
                oidckit_mock::browser::http_get(&outcome.callback_url()).expect("page served");
            let _ = tx.send(page);
        });
        e.command.clear();
    });
    o.on_return_url(|e| {
        e.response_headers = "Content-Type: text/plain\r\nX-App: seed".into();
        e.response_body = "custom page for the user".into();
    });
    o.get_authorization().expect("sign-in");
    let page = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the browser read the page");
    let (status, headers, body) = page;
    let header = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(status, 200);
    assert_eq!(body, "custom page for the user");
    assert_eq!(header("x-app"), Some("seed"));
    assert!(header("content-type").is_some_and(|c| c.starts_with("text/plain")));
}

#[test]
fn two_sign_ins_through_the_facade_fetch_the_jwks_once() {
    let p = provider();
    let mut o = web_openid();
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    let jwks_requests = || p.requests().iter().filter(|r| r.path == "/jwks").count();
    assert!(web_sign_in(&mut o).starts_with("Bearer "));
    assert!(web_sign_in(&mut o).starts_with("Bearer "));
    assert_eq!(
        jwks_requests(),
        1,
        "the kept client's key cache served the second sign-in"
    );
    // A setting that shapes the client builds a new one, with an empty key cache.
    o.config("UserAgent=oidckit-test").expect("set UserAgent");
    assert!(web_sign_in(&mut o).starts_with("Bearer "));
    assert_eq!(jwks_requests(), 2, "the new client fetched the keys");
    let agents: Vec<String> = p
        .requests()
        .iter()
        .filter(|r| r.path == "/token")
        .filter_map(|r| {
            r.headers
                .iter()
                .find(|(n, _)| n == "user-agent")
                .map(|(_, v)| v.clone())
        })
        .collect();
    assert_eq!(agents.last().map(String::as_str), Some("oidckit-test"));
}

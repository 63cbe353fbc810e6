//! Support for the interop tests: starts the independent OpenID Provider (`interop/provider.mjs`,
//! panva's `oidc-provider` on Node.js) on 127.0.0.1, and a scripted browser that signs in through
//! its devInteractions login and consent pages over plain HTTP.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use oidckit::{AuthTransaction, AuthorizationRequest, CallbackParams, Client, ClientConfig};

/// The redirect URI every interop client registered. Nothing listens there: the scripted browser
/// stops at the redirect.
pub const REDIRECT: &str = "http://127.0.0.1:9/cb";
/// The post-logout redirect URI every interop client registered (nothing listens there either).
pub const POST_LOGOUT_REDIRECT: &str = "http://127.0.0.1:9/logged-out";
/// The only user the provider knows.
pub const USER: &str = "interop-user";

const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// The `interop/` directory at the repository root.
pub fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../interop")
}

fn skip_requested() -> bool {
    std::env::var("OIDCKIT_SKIP_INTEROP").is_ok_and(|v| v == "1")
}

/// Why the provider cannot be started, if it cannot.
fn missing_prerequisite() -> Option<String> {
    let dir = interop_dir();
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            return Some(format!(
                "`node --version` failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Err(e) => {
            return Some(format!(
                "the `node` binary cannot be run ({e}); install Node.js 20 or later"
            ));
        }
    }
    if !dir.join("provider.mjs").is_file() {
        return Some(format!("{} is missing", dir.join("provider.mjs").display()));
    }
    if !dir
        .join("node_modules/oidc-provider/package.json")
        .is_file()
    {
        return Some(format!(
            "the npm packages are not installed in {}; run `(cd interop && npm ci)` at the repository root",
            dir.display()
        ));
    }
    None
}

/// A running `interop/provider.mjs`. Dropping it kills the process (and its process group);
/// the script also exits by itself when its stdin closes, so it cannot outlive the test binary.
#[derive(Debug)]
pub struct OpenIdProvider {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    issuer: String,
}

/// Starts the provider, or returns `None` when `OIDCKIT_SKIP_INTEROP=1` and it cannot be started.
/// Without that variable a missing prerequisite fails the test with instructions.
pub fn start() -> Option<OpenIdProvider> {
    start_with(&[])
}

/// Like [`start`], with features of `provider.mjs` turned on by environment variables (e.g.
/// `("INTEROP_REQUIRE_PAR", "1")`; see the script's header).
pub fn start_with(env: &[(&str, &str)]) -> Option<OpenIdProvider> {
    if let Some(why) = missing_prerequisite() {
        if skip_requested() {
            eprintln!("interop test skipped (OIDCKIT_SKIP_INTEROP=1): {why}");
            return None;
        }
        panic!(
            "cannot run the oidc-provider interop tests: {why}.\n\
             Set OIDCKIT_SKIP_INTEROP=1 to skip them deliberately."
        );
    }
    Some(OpenIdProvider::start(env))
}

/// Starts the provider or returns from the test when skipping is requested.
macro_rules! provider_or_skip {
    () => {
        match crate::interop_support::start() {
            Some(op) => op,
            None => return,
        }
    };
    ($env:expr) => {
        match crate::interop_support::start_with($env) {
            Some(op) => op,
            None => return,
        }
    };
}

impl OpenIdProvider {
    fn start(env: &[(&str, &str)]) -> OpenIdProvider {
        let dir = interop_dir();
        let mut cmd = Command::new("node");
        cmd.envs(env.iter().copied());
        cmd.arg("provider.mjs")
            .arg("0")
            .current_dir(&dir)
            .env("NODE_ENV", "development")
            .env_remove("DEBUG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd.spawn().expect("spawn `node interop/provider.mjs`");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let stdin = child.stdin.take();

        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                // The provider's development-mode warnings are noise; keep everything else.
                if !line.starts_with("oidc-provider WARNING") {
                    eprintln!("[oidc-provider] {line}");
                }
            }
        });

        let mut op = OpenIdProvider {
            child,
            stdin,
            lines,
            issuer: String::new(),
        };
        let ready = op.wait_for_line("READY ", STARTUP_TIMEOUT);
        op.issuer = ready.trim().to_string();
        assert!(
            op.issuer.starts_with("http://127.0.0.1:"),
            "unexpected issuer {:?}",
            op.issuer
        );
        op
    }

    /// Waits for a stdout line starting with `prefix`; returns the rest of it.
    fn wait_for_line(&mut self, prefix: &str, timeout: Duration) -> String {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => match line.strip_prefix(prefix) {
                    Some(rest) => return rest.to_string(),
                    None => eprintln!("[oidc-provider stdout] {line}"),
                },
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!("oidc-provider printed no `{prefix}` line within {timeout:?}")
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().ok();
                    panic!(
                        "oidc-provider exited ({status:?}) before printing `{prefix}`; see the \
                         [oidc-provider] lines above"
                    )
                }
            }
        }
    }

    /// The issuer, e.g. `http://127.0.0.1:40123` (no trailing slash).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Replaces every signing key of the provider with new ones (new `kid`s), without changing
    /// the issuer or port. Returns the new kids.
    pub fn rotate_keys(&mut self) -> Vec<String> {
        let stdin = self.stdin.as_mut().expect("provider stdin open");
        stdin
            .write_all(b"ROTATE\n")
            .and_then(|()| stdin.flush())
            .expect("send ROTATE");
        let kids = self.wait_for_line("ROTATED ", STARTUP_TIMEOUT);
        kids.split_whitespace().map(str::to_string).collect()
    }

    /// Registers the web client `interop-backchannel` (secret `interop-backchannel-secret`)
    /// with `uri` as its back-channel logout URI. The provider is rebuilt as by
    /// [`OpenIdProvider::rotate_keys`]; sign in afterwards.
    pub fn set_backchannel_logout_uri(&mut self, uri: &str) {
        let stdin = self.stdin.as_mut().expect("provider stdin open");
        stdin
            .write_all(format!("BACKCHANNEL {uri}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .expect("send BACKCHANNEL");
        self.wait_for_line("BACKCHANNEL-SET", STARTUP_TIMEOUT);
    }

    /// A client configuration for one of the provider's registered clients. Confidential
    /// clients' secrets are `<client_id>-secret`.
    pub fn config(&self, client_id: &str) -> ClientConfig {
        let mut c = ClientConfig::new(self.issuer.clone(), client_id).with_redirect_uri(REDIRECT);
        c.scope = "openid profile email".into();
        c
    }

    /// The private JWK of the `private_key_jwt` client `interop-private-key-jwt`, served by
    /// provider.mjs at `GET /interop/client-keys` (its public half is registered).
    pub async fn private_key_jwt_client_key(&self) -> String {
        self.client_private_key("interop-private-key-jwt").await
    }

    /// The private JWK of `client_id` as served by provider.mjs at `GET /interop/client-keys`
    /// (`interop-private-key-jwt`, or with `INTEROP_FAPI2=1` the FAPI 2.0 clients; with
    /// `INTEROP_ENCRYPTION=1` also `interop-enc-rsa` and `interop-enc-ec`, decryption keys).
    pub async fn client_private_key(&self, client_id: &str) -> String {
        let url = format!("{}/interop/client-keys", self.issuer);
        let body = reqwest::get(&url)
            .await
            .and_then(|r| r.error_for_status())
            .unwrap_or_else(|e| panic!("GET {url}: {e}"))
            .bytes()
            .await
            .expect("client keys body");
        let keys: serde_json::Value = serde_json::from_slice(&body).expect("client keys JSON");
        let jwk = keys
            .get(client_id)
            .unwrap_or_else(|| panic!("no {client_id} key in {keys}"));
        jwk.to_string()
    }

    /// A confidential client's configuration (secret `<client_id>-secret`).
    pub fn confidential(&self, client_id: &str) -> ClientConfig {
        self.config(client_id)
            .with_secret(format!("{client_id}-secret"))
    }
}

impl Drop for OpenIdProvider {
    fn drop(&mut self) {
        // Closing stdin alone makes the script exit; the kills make sure of it.
        drop(self.stdin.take());
        #[cfg(unix)]
        {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Discovers `config.issuer` and builds the client, panicking with the error.
pub async fn discover(config: ClientConfig) -> Client {
    Client::discover(config)
        .await
        .expect("discovery against oidc-provider succeeds")
}

/// What the provider sent back to the redirect URI.
#[derive(Debug, Clone)]
pub enum Callback {
    /// A redirect (query or fragment response mode): the full Location.
    Redirect(String),
    /// A `form_post` response: the fields of the auto-submitting form.
    FormPost(Vec<(String, String)>),
}

impl Callback {
    /// The parameters as the library parses them.
    pub fn params(&self) -> CallbackParams {
        match self {
            Callback::Redirect(url) => CallbackParams::from_url(url),
            Callback::FormPost(fields) => CallbackParams::from_pairs(fields.clone()),
        }
    }
}

/// Where a [`Browser::visit`] ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The provider sent the browser to `http://127.0.0.1:9/…`.
    Callback(Callback),
    /// A page without a form (nothing left to submit).
    Page {
        /// The page's URL.
        url: String,
        /// Its HTML.
        body: String,
    },
}

/// A scripted user agent: keeps cookies, follows redirects by hand, fills the devInteractions
/// login (`prompt=login`) and consent (`prompt=consent`) forms, and stops at the redirect URI.
#[derive(Debug, Clone)]
pub struct Browser {
    http: reqwest::Client,
    /// Every URL requested, in order (for assertions and failure messages).
    pub visited: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    /// A browser with an empty cookie jar (no session at the provider).
    pub fn new() -> Browser {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("reqwest client");
        Browser {
            http,
            visited: Default::default(),
        }
    }

    /// Opens `url` and signs in as [`USER`] wherever the provider asks, until the provider sends
    /// the browser to the redirect URI.
    pub async fn authorize(&self, url: &str) -> Callback {
        match self.visit(url).await {
            Outcome::Callback(callback) => callback,
            Outcome::Page { url, body } => panic!("no form in the page at {url}:\n{body}"),
        }
    }

    /// Opens `url` and answers every page the provider shows: self-submitting forms, the
    /// devInteractions login (as [`USER`]) and consent forms, the device flow's user code
    /// confirmation, and the logout confirmation (`logout=yes`). Stops at a redirect to the redirect URI (or the post-logout
    /// redirect URI, both on `http://127.0.0.1:9/`), or at a page without a form, such as the
    /// device flow's success page.
    pub async fn visit(&self, url: &str) -> Outcome {
        let mut next = Request::Get(url.to_string());
        for _ in 0..20 {
            let (current, resp) = match next {
                Request::Get(u) => {
                    self.log(format!("GET {u}"));
                    let resp = self.http.get(&u).send().await;
                    (u, resp)
                }
                Request::Post(u, fields) => {
                    self.log(format!("POST {u}"));
                    let body = form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(&fields)
                        .finish();
                    let resp = self
                        .http
                        .post(&u)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(body)
                        .send()
                        .await;
                    (u, resp)
                }
            };
            let resp = resp.unwrap_or_else(|e| panic!("request to {current} failed: {e}"));
            let status = resp.status();
            if status.is_redirection() {
                let location = resp
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_else(|| panic!("{status} from {current} without Location"));
                let target = url::Url::parse(&current)
                    .and_then(|base| base.join(location))
                    .unwrap_or_else(|e| panic!("bad Location {location:?}: {e}"))
                    .to_string();
                if is_redirect_uri(&target) {
                    self.log(format!("-> {target}"));
                    return Outcome::Callback(Callback::Redirect(target));
                }
                next = Request::Get(target);
                continue;
            }
            let body = resp.text().await.unwrap_or_default();
            assert!(
                status.is_success(),
                "{status} from {current}: {body}\nvisited: {:#?}",
                self.visited()
            );
            let Some(form) = Form::parse(&body) else {
                return Outcome::Page { url: current, body };
            };
            let action = url::Url::parse(&current)
                .and_then(|base| base.join(&form.action))
                .unwrap_or_else(|e| panic!("bad form action {:?}: {e}", form.action))
                .to_string();
            if is_redirect_uri(&action) {
                self.log(format!("-> form_post {action}"));
                return Outcome::Callback(Callback::FormPost(form.fields));
            }
            let mut fields = form.fields;
            // A page that submits its form from a script (as a browser would, at once); e.g.
            // the device flow's verification_uri_complete posting the user code.
            let auto_submit = body.contains("document.forms[0].submit()");
            match form_value(&fields, "prompt") {
                _ if auto_submit => {}
                Some("login") => {
                    fields.retain(|(k, _)| k != "login" && k != "password");
                    fields.push(("login".into(), USER.into()));
                    fields.push(("password".into(), "any password".into()));
                }
                Some("consent") => {}
                // The device flow's "Confirm Device" page: its hidden fields say confirm=yes.
                None if form_value(&fields, "confirm") == Some("yes")
                    && form_value(&fields, "user_code").is_some() => {}
                // The logout confirmation: "Yes, sign me out" is a button outside the form.
                None if action.ends_with("/session/end/confirm") => {
                    fields.push(("logout".into(), "yes".into()));
                }
                other => {
                    panic!("unexpected interaction page (prompt {other:?}) at {current}:\n{body}")
                }
            }
            next = Request::Post(action, fields);
        }
        panic!(
            "no redirect to {REDIRECT} after 20 steps: {:#?}",
            self.visited()
        );
    }

    /// Opens a device flow's `verification_uri_complete` and presses "[ Abort ]" on the
    /// "Confirm Device" page. Returns the HTML of the page shown afterwards.
    pub async fn abort_device_flow(&self, url: &str) -> String {
        // The URL's page posts the user code by itself; the answer is the confirmation page.
        let (auto, page) = self.page(url, None).await;
        let form = Form::parse(&page).unwrap_or_else(|| panic!("no form at {url}:\n{page}"));
        let action = join(&auto, &form.action);
        let (confirm_url, page) = self.page(&action, Some(form.fields)).await;
        let form = Form::parse(&page)
            .unwrap_or_else(|| panic!("no confirmation form at {confirm_url}:\n{page}"));
        let mut fields = form.fields;
        assert_eq!(form_value(&fields, "confirm"), Some("yes"), "{page}");
        fields.push(("abort".into(), "yes".into()));
        let action = join(&confirm_url, &form.action);
        self.page(&action, Some(fields)).await.1
    }

    /// GET (or POST `fields` to) `url`, expecting a 200 page; returns the URL and the HTML.
    async fn page(&self, url: &str, fields: Option<Vec<(String, String)>>) -> (String, String) {
        let resp = match fields {
            None => {
                self.log(format!("GET {url}"));
                self.http.get(url).send().await
            }
            Some(fields) => {
                self.log(format!("POST {url}"));
                let body = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&fields)
                    .finish();
                self.http
                    .post(url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await
            }
        };
        let resp = resp.unwrap_or_else(|e| panic!("request to {url} failed: {e}"));
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        assert!(status.is_success(), "{status} from {url}: {body}");
        (url.to_string(), body)
    }

    fn log(&self, line: String) {
        if let Ok(mut v) = self.visited.lock() {
            v.push(line);
        }
    }

    /// The requests made so far.
    pub fn visited(&self) -> Vec<String> {
        self.visited.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

enum Request {
    Get(String),
    Post(String, Vec<(String, String)>),
}

fn join(base: &str, relative: &str) -> String {
    url::Url::parse(base)
        .and_then(|b| b.join(relative))
        .unwrap_or_else(|e| panic!("bad URL {relative:?} from {base}: {e}"))
        .to_string()
}

fn is_redirect_uri(url: &str) -> bool {
    url.starts_with("http://127.0.0.1:9/")
}

fn form_value<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The first `<form>` of a page: its action and its inputs' names and values.
#[derive(Debug)]
struct Form {
    action: String,
    fields: Vec<(String, String)>,
}

impl Form {
    fn parse(html: &str) -> Option<Form> {
        let start = html.find("<form")?;
        let rest = &html[start..];
        let end = rest.find("</form>").unwrap_or(rest.len());
        let form = &rest[..end];
        let open_end = form.find('>')?;
        let action = attr(&form[..open_end], "action").unwrap_or_default();
        let mut fields = Vec::new();
        let mut inputs = &form[open_end..];
        while let Some(i) = inputs.find("<input") {
            let tag_end = inputs[i..].find('>').map_or(inputs.len(), |e| i + e);
            let tag = &inputs[i..tag_end];
            if let Some(name) = attr(tag, "name") {
                fields.push((name, attr(tag, "value").unwrap_or_default()));
            }
            inputs = &inputs[tag_end..];
        }
        Some(Form { action, fields })
    }
}

/// The decoded value of `name="…"` (or `'…'`) in an HTML start tag.
fn attr(tag: &str, name: &str) -> Option<String> {
    let mut search = tag;
    while let Some(i) = search.find(name) {
        let before_ok = search[..i].ends_with(|c: char| c.is_ascii_whitespace());
        let after = search[i + name.len()..].trim_start();
        if before_ok && let Some(after_eq) = after.strip_prefix('=') {
            let after_eq = after_eq.trim_start();
            let quote = after_eq.chars().next()?;
            if quote == '"' || quote == '\'' {
                let value = &after_eq[1..];
                let end = value.find(quote)?;
                return Some(decode_entities(&value[..end]));
            }
            let end = after_eq
                .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
                .unwrap_or(after_eq.len());
            return Some(decode_entities(&after_eq[..end]));
        }
        search = &search[i + name.len()..];
    }
    None
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest.find(';').filter(|&n| n <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Builds the authorization URL for `client`, signs in with a fresh browser, and returns the
/// transaction and the callback parameters.
pub async fn authorize(
    client: &Client,
    req: &AuthorizationRequest,
) -> (AuthTransaction, CallbackParams) {
    authorize_with(&Browser::new(), client, req).await
}

/// Like [`authorize`] with a given browser (keeps its session cookies).
pub async fn authorize_with(
    browser: &Browser,
    client: &Client,
    req: &AuthorizationRequest,
) -> (AuthTransaction, CallbackParams) {
    let (url, tx) = client.authorization_url(req).expect("authorization URL");
    let callback = browser.authorize(&url).await;
    (tx, callback.params())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_parse_with_entities_and_any_attribute_order() {
        let html = r#"<html><form method="post" action="http://127.0.0.1:9/cb?a=1&amp;b=2">
            <input type="hidden" name="code" value="x&#x2F;y&quot;z"/>
            <input value='v' name='state' type=hidden>
            <button>go</button></form><form action="/other"></form>"#;
        let f = Form::parse(html).expect("form");
        assert_eq!(f.action, "http://127.0.0.1:9/cb?a=1&b=2");
        assert_eq!(
            f.fields,
            vec![
                ("code".to_string(), "x/y\"z".to_string()),
                ("state".to_string(), "v".to_string())
            ]
        );
    }
}

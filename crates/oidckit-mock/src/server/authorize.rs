//! The authorization endpoint: request checks, the login page and the responses.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use url::Url;

use super::respond::{escape_html, html, html_error, method_not_allowed};
use super::signing::IdTokenInput;
use super::state::{AccessGrant, CODE_TTL, CodeGrant, Req, S, Shared, now};
use crate::keys::random_token;
use crate::{Endpoint, Misbehavior, MockClient};

// ---------------------------------------------------------------------------------------
// Authorization endpoint
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ResponseType {
    pub(super) code: bool,
    pub(super) id_token: bool,
    pub(super) token: bool,
}

impl ResponseType {
    pub(super) fn parse(s: &str) -> Option<ResponseType> {
        let mut rt = ResponseType {
            code: false,
            id_token: false,
            token: false,
        };
        for part in s.split(' ') {
            let slot = match part {
                "code" => &mut rt.code,
                "id_token" => &mut rt.id_token,
                "token" => &mut rt.token,
                _ => return None,
            };
            if *slot {
                return None;
            }
            *slot = true;
        }
        // Plain OAuth "token" is not an OpenID Connect response type.
        (rt.code || rt.id_token).then_some(rt)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

/// Sends authorization responses (success or error) back to the client.
pub(super) struct Responder<'a> {
    pub(super) s: &'a Shared,
    pub(super) redirect: Url,
    pub(super) mode: ResponseMode,
    pub(super) state: Option<String>,
    /// JARM: sign the parameters into one `response` JWT for this client id.
    pub(super) jarm: Option<String>,
}

impl Responder<'_> {
    pub(super) fn error(&self, error: &str, description: &str) -> Response {
        self.send(vec![
            ("error".into(), error.into()),
            ("error_description".into(), description.into()),
        ])
    }

    pub(super) fn send(&self, mut params: Vec<(String, String)>) -> Response {
        let wrong_state = self.s.has(&Misbehavior::AuthResponseWrongState);
        match (&self.state, wrong_state) {
            (Some(st), false) => params.push(("state".into(), st.clone())),
            (Some(st), true) => params.push(("state".into(), format!("{st}-tampered"))),
            (None, true) => params.push(("state".into(), "tampered".into())),
            (None, false) => {}
        }
        if self.s.config.advertise_iss_parameter {
            let iss = if self.s.has(&Misbehavior::AuthResponseWrongIss) {
                "https://wrong-issuer.example.com".to_owned()
            } else {
                self.s.issuer.clone()
            };
            params.push(("iss".into(), iss));
        }
        if let Some(client_id) = &self.jarm {
            match super::jarm::sign(self.s, client_id, &params) {
                Ok(jwt) => params = vec![("response".into(), jwt)],
                Err(e) => return html_error(StatusCode::INTERNAL_SERVER_ERROR, &e),
            }
        }
        match self.mode {
            ResponseMode::Query => {
                let mut url = self.redirect.clone();
                {
                    let mut q = url.query_pairs_mut();
                    for (k, v) in &params {
                        q.append_pair(k, v);
                    }
                }
                redirect_to(url.as_str())
            }
            ResponseMode::Fragment => {
                let mut url = self.redirect.clone();
                let frag = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(params.iter())
                    .finish();
                url.set_fragment(Some(&frag));
                redirect_to(url.as_str())
            }
            ResponseMode::FormPost => {
                let inputs: String = params
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "<input type=\"hidden\" name=\"{}\" value=\"{}\"/>",
                            escape_html(k),
                            escape_html(v)
                        )
                    })
                    .collect();
                html(
                    StatusCode::OK,
                    format!(
                        "<!DOCTYPE html><html><head><title>Submit This Form</title></head>\
                         <body onload=\"javascript:document.forms[0].submit()\">\
                         <form method=\"post\" action=\"{}\">{inputs}\
                         <noscript><button type=\"submit\">Continue</button></noscript>\
                         </form></body></html>",
                        escape_html(self.redirect.as_str())
                    ),
                )
            }
        }
    }
}

pub(super) fn redirect_to(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location.to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

pub(super) fn redirect_allowed(client: &MockClient, redirect_uri: &str) -> bool {
    if !client.redirect_uris.is_empty() {
        return client.redirect_uris.iter().any(|u| u == redirect_uri);
    }
    match Url::parse(redirect_uri) {
        Ok(u) => {
            // Loopback redirects (RFC 8252 §7.3), plain or HTTPS.
            matches!(u.scheme(), "http" | "https")
                && matches!(
                    u.host_str(),
                    Some("127.0.0.1") | Some("localhost") | Some("[::1]")
                )
        }
        Err(_) => false,
    }
}

/// RFC 7636 `code_verifier` / S256 `code_challenge` syntax: 43–128 unreserved characters.
pub(super) fn pkce_syntax_ok(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

pub(super) async fn authorize(
    State(s): S,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = s.record(&method, &uri, &headers, &body);
    if method != Method::GET && method != Method::POST {
        return method_not_allowed("GET, POST");
    }
    if let Some(r) = s.endpoint_misbehavior(Endpoint::Authorize).await {
        return r;
    }
    let req = match super::par::resolve(&s, &req) {
        Ok(Some(pushed)) => pushed,
        Ok(None) => req,
        Err(why) => return html_error(StatusCode::BAD_REQUEST, why),
    };
    let req = match req.param("client_id").map(str::to_owned) {
        Some(id) if req.param("request").is_some() => {
            let all = req.query.iter().chain(req.form.iter()).cloned().collect();
            match super::request_object::expand(&s, &id, all) {
                Ok(query) => super::state::Req {
                    query,
                    form: Vec::new(),
                    headers: req.headers.clone(),
                },
                Err(why) => return html_error(StatusCode::BAD_REQUEST, &why),
            }
        }
        _ => req,
    };
    let p = |n: &str| req.param(n);

    // Errors about the client or the redirect URI are never redirected.
    let Some(client_id) = p("client_id") else {
        return html_error(StatusCode::BAD_REQUEST, "missing client_id");
    };
    let Some(client) = s.client(client_id) else {
        return html_error(StatusCode::BAD_REQUEST, "unknown client_id");
    };
    let Some(redirect_uri) = p("redirect_uri") else {
        return html_error(StatusCode::BAD_REQUEST, "missing redirect_uri");
    };
    if !redirect_allowed(&client, redirect_uri) {
        return html_error(
            StatusCode::BAD_REQUEST,
            "redirect_uri is not registered for this client",
        );
    }
    let redirect = match Url::parse(redirect_uri) {
        Ok(u) if u.fragment().is_none() => u,
        _ => return html_error(StatusCode::BAD_REQUEST, "invalid redirect_uri"),
    };

    let response_type = p("response_type");
    let rt = response_type.and_then(ResponseType::parse);
    let default_mode = match rt {
        Some(r) if r.id_token || r.token => ResponseMode::Fragment,
        _ => ResponseMode::Query,
    };
    // JARM: `<mode>.jwt` and `jwt` (the default mode, signed).
    let raw_mode = p("response_mode");
    let jarm = raw_mode.is_some_and(|m| m == "jwt" || m.ends_with(".jwt"));
    let plain_mode = match raw_mode {
        Some("jwt") => None,
        Some(m) => Some(m.strip_suffix(".jwt").unwrap_or(m)),
        None => None,
    };
    let (mode, mode_error) = match plain_mode {
        None => (default_mode, None),
        Some("query") if rt.is_some_and(|r| r.id_token || r.token) => (
            default_mode,
            Some("response_mode=query is not allowed for this response_type"),
        ),
        Some("query") => (ResponseMode::Query, None),
        Some("fragment") => (ResponseMode::Fragment, None),
        Some("form_post") => (ResponseMode::FormPost, None),
        Some(_) => (default_mode, Some("unsupported response_mode")),
    };
    let responder = Responder {
        s: &s,
        redirect,
        mode,
        state: p("state").map(str::to_owned),
        jarm: jarm.then(|| client_id.to_owned()),
    };

    let forced_error = s.lock().misbehaviors.iter().find_map(|m| match m {
        Misbehavior::AuthResponseError(e) => Some(e.clone()),
        _ => None,
    });
    if let Some(e) = forced_error {
        return responder.error(&e, "mock provider misbehavior: forced error response");
    }
    let forced_text = s.lock().misbehaviors.iter().find_map(|m| match m {
        Misbehavior::AuthResponseErrorText { error, description } => {
            Some((error.clone(), description.clone()))
        }
        _ => None,
    });
    if let Some((e, d)) = forced_text {
        return responder.error(&e, &d);
    }
    if let Some(msg) = mode_error {
        return responder.error("invalid_request", msg);
    }
    let Some(response_type) = response_type else {
        return responder.error("invalid_request", "missing response_type");
    };
    let Some(rt) = rt else {
        return responder.error(
            "unsupported_response_type",
            &format!("response_type '{response_type}' is not supported"),
        );
    };
    let scope = p("scope").unwrap_or("");
    if !scope.split_whitespace().any(|x| x == "openid") {
        return responder.error("invalid_scope", "the openid scope is required");
    }
    let nonce = p("nonce");
    if rt
        != (ResponseType {
            code: true,
            id_token: false,
            token: false,
        })
        && nonce.is_none()
    {
        return responder.error(
            "invalid_request",
            "nonce is required for the implicit and hybrid flows",
        );
    }
    let challenge_method = p("code_challenge_method");
    let challenge = match (p("code_challenge"), challenge_method) {
        (None, Some(_)) => {
            return responder.error(
                "invalid_request",
                "code_challenge_method without code_challenge",
            );
        }
        (None, None) => None,
        (Some(c), m) => {
            let m = m.unwrap_or("plain");
            if m != "S256" && m != "plain" {
                return responder.error(
                    "invalid_request",
                    "unsupported code_challenge_method (S256 or plain)",
                );
            }
            if !pkce_syntax_ok(c) {
                return responder.error("invalid_request", "malformed code_challenge");
            }
            Some((c.to_owned(), m.to_owned()))
        }
    };
    if client.client_secret.is_none() && rt.code && challenge.is_none() {
        return responder.error(
            "invalid_request",
            "PKCE (code_challenge) is required for public clients",
        );
    }
    let prompts: Vec<&str> = p("prompt").unwrap_or("").split_whitespace().collect();
    if prompts.contains(&"none") && prompts.len() > 1 {
        return responder.error("invalid_request", "prompt=none cannot be combined");
    }
    if let Some(max_age) = p("max_age")
        && max_age.parse::<u64>().is_err()
    {
        return responder.error("invalid_request", "max_age must be a non-negative integer");
    }

    if !s.config.auto_approve {
        match p("mock_decision") {
            Some("approve") => {}
            Some(_) => return responder.error("access_denied", "the end-user denied the request"),
            None if prompts.contains(&"none") => {
                return responder.error("login_required", "the end-user is not logged in");
            }
            None => return login_page(&s, &req),
        }
    }

    // Issue.
    let auth_time = now();
    let mut out: Vec<(String, String)> = Vec::new();
    let code = rt.code.then(|| random_token(32));
    if let Some(code) = &code {
        let grant = CodeGrant {
            client_id: client.client_id.clone(),
            redirect_uri: redirect_uri.to_owned(),
            nonce: nonce.map(str::to_owned),
            code_challenge: challenge,
            scope: scope.to_owned(),
            auth_time,
            expires: Instant::now() + CODE_TTL,
        };
        s.lock().codes.insert(code.clone(), grant);
        out.push(("code".into(), code.clone()));
    }
    let access_token = rt.token.then(|| random_token(32));
    if let Some(at) = &access_token {
        let grant = AccessGrant {
            client_id: client.client_id.clone(),
            scope: scope.to_owned(),
            expires: Instant::now() + Duration::from_secs(s.config.token_ttl_secs),
            sub: String::new(),
        };
        s.lock().access_tokens.insert(at.clone(), grant);
        out.push(("access_token".into(), at.clone()));
        out.push(("token_type".into(), "Bearer".into()));
        out.push(("expires_in".into(), s.config.token_ttl_secs.to_string()));
    }
    if rt.id_token {
        let input = IdTokenInput {
            client_id: &client.client_id,
            nonce,
            auth_time,
            code: code.as_deref(),
            access_token: access_token.as_deref(),
            scope,
            with_user_claims: !rt.code && !rt.token,
        };
        match s.issue_id_token(&input) {
            Ok(t) => out.push(("id_token".into(), t)),
            Err(e) => return responder.error("server_error", &e),
        }
    }
    responder.send(out)
}

pub(super) fn login_page(s: &Shared, req: &Req) -> Response {
    let hidden: String = req
        .query
        .iter()
        .chain(req.form.iter())
        .filter(|(k, _)| k != "mock_decision")
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\"/>",
                escape_html(k),
                escape_html(v)
            )
        })
        .collect();
    let name = s
        .config
        .user
        .claims
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(&s.config.user.sub)
        .to_owned();
    html(
        StatusCode::OK,
        format!(
            "<!DOCTYPE html><html><head><title>oidckit-mock: sign in</title></head><body>\
             <h1>oidckit-mock</h1><p>Sign in as <strong>{}</strong>?</p>\
             <form method=\"post\" action=\"/authorize\">{hidden}\
             <button type=\"submit\" name=\"mock_decision\" value=\"approve\">Approve</button>\
             <button type=\"submit\" name=\"mock_decision\" value=\"deny\">Deny</button>\
             </form></body></html>",
            escape_html(&name)
        ),
    )
}

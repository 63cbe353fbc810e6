//! The userinfo and logout endpoints.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use url::Url;

use super::authorize::redirect_to;
use super::respond::{html, html_error, method_not_allowed};
use super::state::{S, now};
use crate::keys::compact_sign;
use crate::{Endpoint, Misbehavior};

// ---------------------------------------------------------------------------------------
// UserInfo and logout
// ---------------------------------------------------------------------------------------

pub(super) fn bearer_error(www_authenticate: String) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, www_authenticate)],
        "",
    )
        .into_response()
}

pub(super) async fn userinfo(
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
    if let Some(r) = s.endpoint_misbehavior(Endpoint::UserInfo).await {
        return r;
    }
    let token = req.authorization("Bearer").or_else(|| {
        (method == Method::POST)
            .then(|| req.form("access_token"))
            .flatten()
    });
    let Some(token) = token else {
        return bearer_error("Bearer realm=\"oidckit-mock\"".to_owned());
    };
    let Some(grant) = s.live_access_token(Some(token)) else {
        return bearer_error(
            "Bearer realm=\"oidckit-mock\", error=\"invalid_token\", \
             error_description=\"unknown or expired access token\""
                .to_owned(),
        );
    };
    let mut claims = Map::new();
    let sub = if s.has(&Misbehavior::UserinfoWrongSub) {
        format!("{}-someone-else", s.config.user.sub)
    } else {
        s.config.user.sub.clone()
    };
    claims.insert("sub".into(), sub.into());
    claims.extend(s.user_claims(&grant.scope));
    if !s.config.userinfo_signed {
        if let Some(to) = &s.config.userinfo_encryption {
            let plain = Value::Object(claims).to_string();
            let bad_tag = s.has(&Misbehavior::JweBadTag);
            return jwt_response(crate::encryption::encrypt(
                plain.as_bytes(),
                to,
                None,
                bad_tag,
            ));
        }
        return (StatusCode::OK, axum::Json(Value::Object(claims))).into_response();
    }
    claims.insert("iss".into(), s.issuer.clone().into());
    claims.insert("aud".into(), grant.client_id.clone().into());
    claims.insert("iat".into(), now().into());
    let alg = s.config.id_token_alg;
    let signed = s
        .header_and_key(alg, Some(&grant.client_id))
        .and_then(|(h, k)| compact_sign(&Value::Object(h), &Value::Object(claims), &k, alg));
    let signed = match &s.config.userinfo_encryption {
        Some(to) => signed.and_then(|jwt| {
            crate::encryption::encrypt(
                jwt.as_bytes(),
                to,
                Some("JWT"),
                s.has(&Misbehavior::JweBadTag),
            )
        }),
        None => signed,
    };
    jwt_response(signed)
}

fn jwt_response(jwt: Result<String, String>) -> Response {
    match jwt {
        Ok(jwt) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/jwt")],
            jwt,
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

pub(super) async fn logout(
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
    if let Some(target) = req.param("post_logout_redirect_uri") {
        let Ok(mut url) = Url::parse(target) else {
            return html_error(StatusCode::BAD_REQUEST, "invalid post_logout_redirect_uri");
        };
        if let Some(state) = req.param("state") {
            url.query_pairs_mut().append_pair("state", state);
        }
        return redirect_to(url.as_str());
    }
    html(
        StatusCode::OK,
        "<!DOCTYPE html><html><head><title>oidckit-mock: signed out</title></head>\
         <body><h1>You have been signed out.</h1></body></html>"
            .to_owned(),
    )
}

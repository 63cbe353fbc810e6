//! The discovery document and the JWKS endpoint.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::respond::{json_body, method_not_allowed};
use super::state::S;
use crate::{Endpoint, Misbehavior};

pub(super) async fn discovery(
    State(s): S,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.record(&method, &uri, &headers, &body);
    if method != Method::GET && method != Method::HEAD {
        return method_not_allowed("GET, HEAD");
    }
    // RFC 8414 mode: only `/.well-known/oauth-authorization-server{path}` answers.
    let as_only = s.lock().misbehaviors.iter().find_map(|m| match m {
        Misbehavior::AuthorizationServerMetadataOnly(path) => Some(path.clone()),
        _ => None,
    });
    let as_path = uri
        .path()
        .strip_prefix("/.well-known/oauth-authorization-server");
    if as_only.as_deref() != as_path {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    if let Some(r) = s.endpoint_misbehavior(Endpoint::Discovery).await {
        return r;
    }
    let iss = &s.issuer;
    if s.has(&Misbehavior::DiscoveryMalformedJson) {
        return json_body(
            StatusCode::OK,
            format!("{{\"issuer\": \"{iss}\", \"authorization_endpoint\": \"{iss}/authorize\", "),
        );
    }
    let mut algs = vec![s.config.id_token_alg.as_str().to_owned()];
    for k in &s.lock().keys {
        let a = k.alg.as_str().to_owned();
        if !algs.contains(&a) {
            algs.push(a);
        }
    }
    let issuer = if s.has(&Misbehavior::DiscoveryIssuerMismatch) {
        format!("{iss}/other-issuer")
    } else {
        format!("{iss}{}", as_path.unwrap_or_default())
    };
    let mut doc = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "userinfo_endpoint": format!("{iss}/userinfo"),
        "jwks_uri": format!("{iss}/jwks"),
        "end_session_endpoint": format!("{iss}/logout"),
        "device_authorization_endpoint": format!("{iss}/device_authorization"),
        "introspection_endpoint": format!("{iss}/introspect"),
        "revocation_endpoint": format!("{iss}/revoke"),
        "pushed_authorization_request_endpoint": format!("{iss}/par"),
        "require_pushed_authorization_requests": s.config.require_par,
        "registration_endpoint": format!("{iss}/register"),
        "service_documentation": format!("{iss}/docs"),
        "scopes_supported": ["openid", "profile", "email", "address", "phone", "offline_access"],
        "response_types_supported": [
            "code", "id_token", "id_token token", "code id_token", "code token",
            "code id_token token"
        ],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": [
            "authorization_code", "implicit", "refresh_token", "client_credentials", "password",
            "urn:ietf:params:oauth:grant-type:device_code",
            "urn:ietf:params:oauth:grant-type:jwt-bearer"
        ],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algs,
        "userinfo_signing_alg_values_supported": [s.config.id_token_alg.as_str()],
        "token_endpoint_auth_methods_supported":
            ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
             "none"],
        "token_endpoint_auth_signing_alg_values_supported":
            ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
             "HS256", "HS384", "HS512"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "claims_supported": [
            "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "c_hash",
            "name", "given_name", "family_name", "middle_name", "nickname",
            "preferred_username", "profile", "picture", "website", "gender", "birthdate",
            "zoneinfo", "locale", "updated_at", "email", "email_verified", "address",
            "phone_number", "phone_number_verified"
        ],
        "display_values_supported": ["page", "popup"],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": s.config.advertise_iss_parameter,
    });
    for m in s.lock().misbehaviors.iter() {
        if let Misbehavior::DiscoveryMember(name, value) = m
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(value)
        {
            doc[name.as_str()] = v;
        }
    }
    (StatusCode::OK, axum::Json(doc)).into_response()
}

pub(super) async fn jwks(
    State(s): S,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.record(&method, &uri, &headers, &body);
    if method != Method::GET && method != Method::HEAD {
        return method_not_allowed("GET, HEAD");
    }
    if let Some(r) = s.endpoint_misbehavior(Endpoint::Jwks).await {
        return r;
    }
    if s.has(&Misbehavior::JwksMalformedJson) {
        return json_body(StatusCode::OK, "{\"keys\": [{\"kty\": \"RSA\", ".to_owned());
    }
    (StatusCode::OK, axum::Json(s.jwks())).into_response()
}

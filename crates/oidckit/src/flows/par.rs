//! Pushed authorization requests, RFC 9126 (<https://www.rfc-editor.org/rfc/rfc9126>).
//!
//! The parameters of an authorization URL built as usual are posted to the provider's
//! `pushed_authorization_request_endpoint` with the client's authentication (the same as at the
//! token endpoint; client assertions name the issuer as their audience, §2). The browser is then
//! sent to the authorization endpoint with only `client_id` and the `request_uri` it answered.

use serde_json::Value;

use crate::client_auth::ClientAuth;
use crate::config::AuthMethod;
use crate::http::Http;
use crate::token::parse_json_response;
use crate::{Error, Result};

/// Pushes the query parameters of `authorization_url` (built on `authorization_endpoint`) to
/// `par_endpoint` and returns the URL to send the browser to. `audience` is the audience of
/// client assertions (the issuer).
pub(crate) async fn push(
    http: &Http,
    par_endpoint: &str,
    auth: &ClientAuth,
    audience: &str,
    authorization_endpoint: &str,
    authorization_url: &str,
) -> Result<String> {
    let url = url::Url::parse(authorization_url).map_err(|e| Error::InvalidUrl {
        url: authorization_endpoint.to_string(),
        reason: format!("authorization URL is not a URL: {e}"),
        problem: crate::error::UrlProblem::NoServer,
    })?;
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    // The client's credentials carry `client_id` where the method sends it in the body; with
    // HTTP Basic it stays a request parameter (§2.1: the request includes it).
    let in_credentials = auth.method != AuthMethod::ClientSecretBasic;
    let params: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(k, _)| !(in_credentials && k == "client_id"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let resp =
        crate::client_auth::post_with_dpop(http, par_endpoint, auth, audience, &params).await?;
    let body =
        parse_json_response(&resp, "pushed authorization request", par_endpoint).map_err(|e| {
            match e {
                Error::InvalidTokenResponse { reason } => {
                    Error::InvalidPushedAuthorizationResponse { reason }
                }
                other => other,
            }
        })?;
    let invalid = |reason: &str| Error::InvalidPushedAuthorizationResponse {
        reason: reason.to_string(),
    };
    let request_uri = match body.get("request_uri") {
        Some(Value::String(s)) if !s.is_empty() => s.as_str(),
        Some(_) => return Err(invalid("`request_uri` is not a non-empty string")),
        None => return Err(invalid("the response has no `request_uri`")),
    };
    match body.get("expires_in").and_then(Value::as_u64) {
        Some(n) if n > 0 => {}
        _ => return Err(invalid("`expires_in` is missing or not a positive integer")),
    }
    // The endpoint as configured (keeping its own query, e.g. a tenant), without the pushed
    // parameters.
    let mut url = url::Url::parse(authorization_endpoint).map_err(|e| Error::InvalidUrl {
        url: authorization_endpoint.to_string(),
        reason: format!("authorization endpoint is not a URL: {e}"),
        problem: crate::error::UrlProblem::NoServer,
    })?;
    url.query_pairs_mut()
        .append_pair("client_id", &auth.client_id)
        .append_pair("request_uri", request_uri);
    Ok(url.into())
}

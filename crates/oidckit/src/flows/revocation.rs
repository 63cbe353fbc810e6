//! OAuth 2.0 Token Revocation, [RFC 7009](https://www.rfc-editor.org/rfc/rfc7009) §2: revoke
//! an access or refresh token at the provider's `revocation_endpoint`.

use crate::Result;
use crate::client_auth::ClientAuth;
use crate::http::Http;
use crate::token;

/// Posts `token` (with an optional `token_type_hint`) to the revocation endpoint. Any 2xx is
/// success (the provider answers 200 for unknown tokens too, §2.2); an error response is
/// code 151 with its `error` kept (e.g. `unsupported_token_type`).
pub(crate) async fn revoke(
    http: &Http,
    url: &str,
    auth: &ClientAuth,
    token_url: &str,
    token: &str,
    hint: Option<&str>,
) -> Result<()> {
    let mut params = vec![("token", token)];
    if let Some(h) = hint {
        params.push(("token_type_hint", h));
    }
    let resp = crate::client_auth::post(http, url, auth, token_url, &params).await?;
    if resp.is_success() {
        return Ok(());
    }
    token::parse_json_response(&resp, "revocation", url).map(|_| ())
}

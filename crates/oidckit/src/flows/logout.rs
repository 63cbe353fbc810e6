//! OpenID Connect RP-Initiated Logout 1.0 §2: the URL that sends the user to the provider's
//! `end_session_endpoint` (the seed's `LogoutURL`).

use url::Url;

use crate::error::UrlProblem;
use crate::{Error, Result};

/// The parameters of a logout request. Every field is optional.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct EndSessionRequest {
    /// The ID token of the session, recommended (`id_token_hint`). Default: none.
    pub id_token_hint: Option<String>,
    /// Where the provider sends the user afterwards; must be registered. Default: none.
    pub post_logout_redirect_uri: Option<String>,
    /// Opaque value returned with the redirect. Default: none.
    pub state: Option<String>,
    /// Hint about the user being logged out. Default: none.
    pub logout_hint: Option<String>,
    /// Preferred languages of the logout page. Default: none.
    pub ui_locales: Option<String>,
}

impl EndSessionRequest {
    /// Sets `id_token_hint` (builder style).
    pub fn with_id_token_hint(mut self, raw_id_token: impl Into<String>) -> EndSessionRequest {
        self.id_token_hint = Some(raw_id_token.into());
        self
    }

    /// Sets `post_logout_redirect_uri` (builder style).
    pub fn with_post_logout_redirect_uri(mut self, uri: impl Into<String>) -> EndSessionRequest {
        self.post_logout_redirect_uri = Some(uri.into());
        self
    }

    /// Sets `state` (builder style).
    pub fn with_state(mut self, state: impl Into<String>) -> EndSessionRequest {
        self.state = Some(state.into());
        self
    }
}

/// Builds the logout URL: `endpoint` plus `client_id` and each parameter that is set.
pub(crate) fn build(endpoint: &str, client_id: &str, req: &EndSessionRequest) -> Result<String> {
    let mut url = Url::parse(endpoint).map_err(|e| Error::InvalidUrl {
        url: endpoint.to_string(),
        reason: format!("not an absolute URL: {e}"),
        problem: UrlProblem::NoServer,
    })?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("client_id", client_id);
        for (name, value) in [
            ("id_token_hint", &req.id_token_hint),
            ("post_logout_redirect_uri", &req.post_logout_redirect_uri),
            ("state", &req.state),
            ("logout_hint", &req.logout_hint),
            ("ui_locales", &req.ui_locales),
        ] {
            if let Some(v) = value {
                q.append_pair(name, v);
            }
        }
    }
    Ok(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_existing_query_and_adds_set_parameters_only() {
        let req = EndSessionRequest::default()
            .with_id_token_hint("a.b.c")
            .with_state("s 1");
        let url = build("https://op.example/logout?x=1", "cid", &req).expect("url");
        assert_eq!(
            url,
            "https://op.example/logout?x=1&client_id=cid&id_token_hint=a.b.c&state=s+1"
        );
    }
}

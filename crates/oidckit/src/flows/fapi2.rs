//! The FAPI 2.0 Security Profile switch (<https://openid.net/specs/fapi-security-profile-2_0-final.html>,
//! §5.3 for clients): [`ClientConfig::fapi2`](crate::ClientConfig::fapi2).
//!
//! Each rule is checked when the client is built (or when a forbidden call is made) and a
//! refusal is code 953 naming the rule.

use crate::config::{AuthMethod, ClientConfig, PkceMethod, ResponseType};
use crate::discovery::ProviderMetadata;
use crate::jose::Alg;
use crate::{Error, Result};

/// The signing algorithms FAPI 2.0 allows (§5.4.1).
pub(crate) const ALGS: [Alg; 2] = [Alg::ES256, Alg::PS256];

/// A refusal naming the FAPI 2.0 rule.
pub(crate) fn refuse(rule: &'static str, reason: impl Into<String>) -> Error {
    Error::Fapi2 {
        rule,
        reason: reason.into(),
    }
}

/// Checks a FAPI 2.0 configuration against the provider; returns the ID token algorithms to
/// allow. `method` is the client authentication method chosen.
pub(crate) fn check(
    config: &ClientConfig,
    metadata: &ProviderMetadata,
    method: &AuthMethod,
) -> Result<Vec<Alg>> {
    if !config.pushed_authorization || metadata.pushed_authorization_request_endpoint.is_none() {
        return Err(refuse(
            "PAR only",
            "authorization requests must be pushed: set pushed_authorization and use a provider with a pushed_authorization_request_endpoint",
        ));
    }
    if !config.use_pkce || config.pkce_method != PkceMethod::S256 {
        return Err(refuse("PKCE S256", "PKCE with S256 is required"));
    }
    if config.effective_response_type() != ResponseType::CODE {
        return Err(refuse(
            "no implicit or hybrid",
            "only response_type=code is allowed",
        ));
    }
    let mtls = *method == AuthMethod::TlsClientAuth;
    if !(mtls || *method == AuthMethod::PrivateKeyJwt) {
        return Err(refuse(
            "client authentication",
            format!(
                "private_key_jwt or tls_client_auth is required, not {}",
                method.as_str()
            ),
        ));
    }
    if !(config.dpop || config.dpop_key.is_some() || mtls) {
        return Err(refuse(
            "sender-constrained tokens",
            "tokens must be bound with DPoP (set dpop) or mTLS (tls_client_auth)",
        ));
    }
    if !metadata.authorization_response_iss_parameter_supported {
        return Err(refuse(
            "RFC 9207 iss",
            "the provider must send `iss` in authorization responses (authorization_response_iss_parameter_supported)",
        ));
    }
    for (what, key) in [
        ("client key", &config.client_key),
        ("DPoP key", &config.dpop_key),
    ] {
        if let Some(k) = key
            && !ALGS.contains(k.alg())
        {
            return Err(refuse(
                "ES256 or PS256 only",
                format!("the {what} signs with {}", k.alg().as_str()),
            ));
        }
    }
    let algs: Vec<Alg> = match &config.allowed_algs {
        Some(algs) => {
            if let Some(other) = algs.iter().find(|a| !ALGS.contains(a)) {
                return Err(refuse(
                    "ES256 or PS256 only",
                    format!("allowed_algs contains {}", other.as_str()),
                ));
            }
            algs.clone()
        }
        None => {
            let advertised = &metadata.id_token_signing_alg_values_supported;
            ALGS.iter()
                .filter(|a| advertised.is_empty() || advertised.iter().any(|x| x == a.as_str()))
                .cloned()
                .collect()
        }
    };
    if algs.is_empty() {
        return Err(refuse(
            "ES256 or PS256 only",
            "the provider signs ID tokens with neither ES256 nor PS256",
        ));
    }
    Ok(algs)
}

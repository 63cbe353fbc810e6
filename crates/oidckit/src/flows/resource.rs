//! OAuth 2.0 Protected Resource Metadata, RFC 9728 (<https://www.rfc-editor.org/rfc/rfc9728>):
//! which authorization servers a protected resource (an API, an MCP server) accepts tokens from.
//!
//! [`Client::for_resource`](crate::Client::for_resource) asks the resource itself first: a `401` with
//! `WWW-Authenticate: Bearer resource_metadata="…"` (§5.1) names the document; otherwise the
//! well-known URL (§3.1, [`well_known_url`]) is tried. The document's `resource` must equal the
//! resource URL asked for (§3.3, code 962), and the authorization server to use is the first
//! it names that the caller trusts (code 963 when none is).

use serde_json::Value;

use crate::http::Http;
use crate::{Error, Result};

const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";
/// The longest `WWW-Authenticate` value parsed; a longer one is ignored.
const MAX_CHALLENGE: usize = 8 * 1024;
/// At most this many authorization servers are read from a document.
const MAX_SERVERS: usize = 32;

/// A protected resource's metadata (RFC 9728 §2).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ResourceMetadata {
    /// `resource`: the resource identifier (equal to the URL asked for, checked).
    pub resource: String,
    /// `authorization_servers`: issuer identifiers of the servers whose tokens it accepts.
    pub authorization_servers: Vec<String>,
    /// `scopes_supported`.
    pub scopes_supported: Vec<String>,
    /// `bearer_methods_supported` (`header`, `body`, `query`).
    pub bearer_methods_supported: Vec<String>,
    /// `resource_name`, for display (provider-controlled text: escape before printing).
    pub resource_name: Option<String>,
    /// Where the document was read from.
    pub metadata_url: String,
    /// The whole document as received.
    pub raw: serde_json::Map<String, Value>,
}

impl ResourceMetadata {
    /// Parses a metadata document read from `url` (code 961 when it is not a JSON object with
    /// a `resource` string and string arrays where the RFC has them).
    pub fn from_json(bytes: &[u8], url: &str) -> Result<ResourceMetadata> {
        let invalid = |reason: String| Error::InvalidResourceMetadata {
            url: crate::token::strip_query(url),
            reason,
        };
        let raw = match crate::json::parse(bytes) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(invalid("not a JSON object".into())),
            Err(e) => {
                return Err(
                    e.into_error("resource metadata", |e| invalid(format!("not JSON: {e}")))
                );
            }
        };
        let strings = |name: &str| -> Result<Vec<String>> {
            match raw.get(name) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(a)) => a
                    .iter()
                    .take(MAX_SERVERS)
                    .map(|v| {
                        v.as_str().map(str::to_string).ok_or_else(|| {
                            invalid(format!("`{name}` has a member that is not a string"))
                        })
                    })
                    .collect(),
                Some(_) => Err(invalid(format!("`{name}` is not an array"))),
            }
        };
        let resource = match raw.get("resource") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => {
                return Err(invalid(
                    "`resource` is missing or not a non-empty string".into(),
                ));
            }
        };
        Ok(ResourceMetadata {
            resource,
            authorization_servers: strings("authorization_servers")?,
            scopes_supported: strings("scopes_supported")?,
            bearer_methods_supported: strings("bearer_methods_supported")?,
            resource_name: raw
                .get("resource_name")
                .and_then(Value::as_str)
                .map(str::to_string),
            metadata_url: url.to_string(),
            raw,
        })
    }

    /// The authorization server to use: the first listed that is in `trusted` (issuer
    /// identifiers, compared exactly), or the first listed when `trusted` is empty. Code 961
    /// when none is listed, 963 when none is trusted.
    pub fn choose_authorization_server(&self, trusted: &[String]) -> Result<&str> {
        if self.authorization_servers.is_empty() {
            return Err(Error::InvalidResourceMetadata {
                url: crate::token::strip_query(&self.metadata_url),
                reason: "`authorization_servers` names no authorization server".into(),
            });
        }
        self.authorization_servers
            .iter()
            .find(|s| trusted.is_empty() || trusted.contains(s))
            .map(String::as_str)
            .ok_or_else(|| Error::UntrustedAuthorizationServer {
                resource: self.resource.clone(),
                servers: self.authorization_servers.clone(),
            })
    }
}

/// The RFC 9728 §3.1 well-known URL of a resource: `/.well-known/oauth-protected-resource`
/// inserted between the host and the path (`https://r.example/mcp` gives
/// `https://r.example/.well-known/oauth-protected-resource/mcp`), the query kept. `None` when
/// `resource` is not a URL with a host.
pub fn well_known_url(resource: &str) -> Option<String> {
    crate::discovery::insert_well_known(resource, WELL_KNOWN)
}

/// The `resource_metadata` URL of a `Bearer` challenge in a `WWW-Authenticate` value (RFC 9728
/// §5.1), among any number of challenges and parameters (quoted strings with `\` escapes, or
/// tokens). `None` when there is none, or the value is longer than 8 KiB or malformed.
pub fn resource_metadata_from_challenge(www_authenticate: &str) -> Option<String> {
    if www_authenticate.len() > MAX_CHALLENGE {
        return None;
    }
    let mut p = ChallengeParser {
        s: www_authenticate.as_bytes(),
        i: 0,
    };
    let mut scheme: Option<String> = None;
    loop {
        p.skip(b", \t");
        if p.done() {
            return None;
        }
        let word = p.token()?;
        p.skip(b" \t");
        if p.peek() == Some(b'=') {
            // `name=value` (a parameter of the current challenge), unless it is a token68
            // (`=` padding then a comma or the end).
            p.i += 1;
            p.skip(b" \t");
            let value = match p.peek() {
                Some(b'"') => p.quoted()?,
                Some(b',') | None => String::new(),
                _ => p.token().unwrap_or_default(),
            };
            if scheme
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("bearer"))
                && word.eq_ignore_ascii_case("resource_metadata")
                && !value.is_empty()
            {
                return Some(value);
            }
        } else {
            scheme = Some(word);
        }
    }
}

struct ChallengeParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl ChallengeParser<'_> {
    fn done(&self) -> bool {
        self.i >= self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip(&mut self, set: &[u8]) {
        while self.peek().is_some_and(|c| set.contains(&c)) {
            self.i += 1;
        }
    }

    /// An RFC 9110 token (plus `/` and `=`-less token68 characters).
    fn token(&mut self) -> Option<String> {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~/:".contains(&c))
        {
            self.i += 1;
        }
        if self.i == start {
            // Not a token: skip one byte so the parse always advances.
            self.i += 1;
            return None;
        }
        Some(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn quoted(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return String::from_utf8(out).ok();
                }
                b'\\' => {
                    self.i += 1;
                    out.push(self.peek()?);
                    self.i += 1;
                }
                c => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }
}

/// Finds and checks the metadata of `resource` (see the module docs): the resource is asked
/// without a token; a 401 naming `resource_metadata` is followed, else the well-known URL is
/// read. Code 961 when there is no usable document, 962 when it names another resource, 917
/// when a URL is not https.
pub(crate) async fn discover(http: &Http, resource: &str) -> Result<ResourceMetadata> {
    crate::http::check_provider_url("resource", resource, http.allows_http())?;
    let probe = http.get(resource, None, "*/*").await?;
    let from_challenge = (probe.status == 401)
        .then(|| {
            probe
                .www_authenticate
                .as_deref()
                .and_then(resource_metadata_from_challenge)
        })
        .flatten();
    let url = match from_challenge {
        Some(url) => url,
        None => well_known_url(resource).ok_or_else(|| Error::InvalidResourceMetadata {
            url: resource.to_string(),
            reason: "the resource URL has no host".into(),
        })?,
    };
    crate::http::check_provider_url("resource_metadata", &url, http.allows_http())?;
    let resp = http.get(&url, None, "application/json").await?;
    if !resp.is_success() {
        return Err(Error::InvalidResourceMetadata {
            url: crate::token::strip_query(&url),
            reason: format!(
                "HTTP status {} (expected 200); the resource answered {} without a resource_metadata challenge",
                resp.status, probe.status
            ),
        });
    }
    let meta = ResourceMetadata::from_json(&resp.body, &url)?;
    if !same_resource(&meta.resource, resource) {
        return Err(Error::ResourceMismatch {
            expected: resource.to_string(),
            found: meta.resource,
        });
    }
    for server in &meta.authorization_servers {
        crate::http::check_provider_url("authorization_servers", server, http.allows_http())?;
    }
    Ok(meta)
}

/// RFC 9728 §3.3: identical, except that a bare origin and the origin with `/` are the same
/// URL.
fn same_resource(found: &str, expected: &str) -> bool {
    found == expected
        || (found.trim_end_matches('/') == expected.trim_end_matches('/')
            && url::Url::parse(expected).is_ok_and(|u| u.path() == "/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_resource_metadata_among_challenges_and_escapes() {
        let get = resource_metadata_from_challenge;
        assert_eq!(
            get(r#"Bearer resource_metadata="https://r.example/.well-known/oauth-protected-resource""#)
                .as_deref(),
            Some("https://r.example/.well-known/oauth-protected-resource")
        );
        assert_eq!(
            get(r#"DPoP algs="ES256", Bearer realm="a \"b\", c", error="invalid_token", resource_metadata="https://x/m""#)
                .as_deref(),
            Some("https://x/m")
        );
        // In another scheme's challenge it does not count.
        assert_eq!(get(r#"Basic resource_metadata="https://x/m""#), None);
        assert_eq!(get("Bearer"), None);
        assert_eq!(get(r#"Bearer resource_metadata="unterminated"#), None);
        assert_eq!(get(&"Bearer x=\"".repeat(5000)), None);
        assert_eq!(
            get("Negotiate abc==, Bearer resource_metadata=https://t/m").as_deref(),
            Some("https://t/m")
        );
        for junk in ["\u{0}\u{1}==,,", "=\"", "\\", "Bearer ===", "Bearer ,=,"] {
            let _ = get(junk);
        }
    }

    #[test]
    fn well_known_url_is_inserted_before_the_path() {
        assert_eq!(
            well_known_url("https://r.example/mcp").as_deref(),
            Some("https://r.example/.well-known/oauth-protected-resource/mcp")
        );
        assert_eq!(
            well_known_url("https://r.example").as_deref(),
            Some("https://r.example/.well-known/oauth-protected-resource")
        );
    }

    #[test]
    fn resource_must_be_identical_but_for_a_bare_origin_slash() {
        assert!(same_resource("https://r.example/", "https://r.example"));
        assert!(!same_resource(
            "https://r.example/mcp/",
            "https://r.example/mcp"
        ));
        assert!(!same_resource(
            "https://evil.example/mcp",
            "https://r.example/mcp"
        ));
    }
}

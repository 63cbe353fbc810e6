//! Signed cookies holding nothing but an opaque random id: `<id>.<HMAC-SHA256 of name=id>`.

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Signs and reads the crate's cookies.
#[derive(Clone)]
pub(crate) struct CookieJar {
    key: hmac::Key,
    secure: bool,
}

/// `SameSite` of one cookie.
#[derive(Clone, Copy)]
pub(crate) enum SameSite {
    Lax,
    /// Sent on the provider's cross-site `form_post` too; needs `Secure`.
    None,
}

impl CookieJar {
    pub fn new(key: &[u8], secure: bool) -> CookieJar {
        CookieJar {
            key: hmac::Key::new(hmac::HMAC_SHA256, key),
            secure,
        }
    }

    fn mac(&self, name: &str, id: &str) -> String {
        let tag = hmac::sign(&self.key, format!("{name}={id}").as_bytes());
        URL_SAFE_NO_PAD.encode(tag.as_ref())
    }

    /// The `Set-Cookie` value that stores `id` under `name`.
    pub fn set(&self, name: &str, id: &str, max_age_secs: u64, same_site: SameSite) -> String {
        let same_site = match same_site {
            SameSite::None if self.secure => "None",
            _ => "Lax",
        };
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{name}={id}.{}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite={same_site}{secure}",
            self.mac(name, id)
        )
    }

    /// The `Set-Cookie` value that removes the cookie `name`.
    pub fn clear(&self, name: &str) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}")
    }

    /// The id in the cookie `name` of the request headers, when present and correctly signed.
    pub fn get(&self, headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
        headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(n, _)| *n == name)
            .find_map(|(_, value)| self.verify(name, value))
    }

    fn verify(&self, name: &str, value: &str) -> Option<String> {
        let (id, tag) = value.rsplit_once('.')?;
        if id.is_empty() || id.len() > 128 {
            return None;
        }
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        hmac::verify(&self.key, format!("{name}={id}").as_bytes(), &tag).ok()?;
        Some(id.to_owned())
    }
}

/// A new opaque id: 32 bytes from the system CSPRNG, base64url. Code 943 when the system
/// random source fails.
pub(crate) fn random_id() -> oidckit::Result<String> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| oidckit::Error::SessionStore {
        operation: "draw a random id",
        source: "the system random number generator failed".into(),
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_reads_back_only_with_its_signature_and_name() {
        let jar = CookieJar::new(&[7u8; 32], true);
        let set = jar.set("s", "abc", 60, SameSite::Lax);
        assert!(set.contains("HttpOnly") && set.contains("Secure") && set.contains("SameSite=Lax"));
        let value = set.split(';').next().unwrap_or_default().to_owned();
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(axum::http::header::COOKIE, value.parse().expect("header"));
        assert_eq!(jar.get(&headers, "s").as_deref(), Some("abc"));
        assert_eq!(jar.get(&headers, "t"), None);
        let forged = value.replace("abc", "abd");
        headers.insert(axum::http::header::COOKIE, forged.parse().expect("header"));
        assert_eq!(jar.get(&headers, "s"), None);
    }
}

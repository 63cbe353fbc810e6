//! UserInfo (OpenID Connect Core §5.3) and the standard claims (§5.1) as [`UserDetails`].

use serde_json::{Map, Value};

use crate::id_token::Claims;

/// The standard claims about the user (the seed's `user_details_*`), from the ID token or the
/// UserInfo response. Values real providers send in odd shapes are tolerated:
/// `email_verified: "true"`, `updated_at` as a string. Every claim, standard or not, stays in
/// [`UserDetails::claims`].
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct UserDetails {
    /// `sub`: the user's identifier at the provider.
    pub sub: Option<String>,
    /// `iss`.
    pub iss: Option<String>,
    /// `aud`, as a list.
    pub aud: Vec<String>,
    /// `iat`.
    pub iat: Option<i64>,
    /// `exp`.
    pub exp: Option<i64>,
    /// `auth_time`.
    pub auth_time: Option<i64>,
    /// `name`.
    pub name: Option<String>,
    /// `given_name`.
    pub given_name: Option<String>,
    /// `family_name`.
    pub family_name: Option<String>,
    /// `middle_name`.
    pub middle_name: Option<String>,
    /// `nickname`.
    pub nickname: Option<String>,
    /// `preferred_username`.
    pub preferred_username: Option<String>,
    /// `profile` (URL).
    pub profile: Option<String>,
    /// `picture` (URL).
    pub picture: Option<String>,
    /// `website` (URL).
    pub website: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `email_verified`.
    pub email_verified: Option<bool>,
    /// `gender`.
    pub gender: Option<String>,
    /// `birthdate`.
    pub birthdate: Option<String>,
    /// `zoneinfo`.
    pub zoneinfo: Option<String>,
    /// `locale`.
    pub locale: Option<String>,
    /// `phone_number`.
    pub phone_number: Option<String>,
    /// `phone_number_verified`.
    pub phone_number_verified: Option<bool>,
    /// `address.formatted`.
    pub address_formatted: Option<String>,
    /// `address.street_address`.
    pub address_street_address: Option<String>,
    /// `address.locality`.
    pub address_locality: Option<String>,
    /// `address.region`.
    pub address_region: Option<String>,
    /// `address.postal_code`.
    pub address_postal_code: Option<String>,
    /// `address.country`.
    pub address_country: Option<String>,
    /// `updated_at` in seconds since the epoch.
    pub updated_at: Option<i64>,
    /// Every claim received, including the ones above.
    pub claims: Map<String, Value>,
}

impl UserDetails {
    /// Maps a claims object.
    pub fn from_map(map: &Map<String, Value>) -> UserDetails {
        let s = |name: &str| text(map.get(name));
        let addr = map.get("address").and_then(Value::as_object);
        let a = |name: &str| addr.and_then(|o| text(o.get(name)));
        UserDetails {
            sub: s("sub"),
            iss: s("iss"),
            aud: match map.get("aud") {
                Some(Value::String(x)) => vec![x.clone()],
                Some(Value::Array(xs)) => xs
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            },
            iat: number(map.get("iat")),
            exp: number(map.get("exp")),
            auth_time: number(map.get("auth_time")),
            name: s("name"),
            given_name: s("given_name"),
            family_name: s("family_name"),
            middle_name: s("middle_name"),
            nickname: s("nickname"),
            preferred_username: s("preferred_username"),
            profile: s("profile"),
            picture: s("picture"),
            website: s("website"),
            email: s("email"),
            email_verified: boolean(map.get("email_verified")),
            gender: s("gender"),
            birthdate: s("birthdate"),
            zoneinfo: s("zoneinfo"),
            locale: s("locale"),
            phone_number: s("phone_number"),
            phone_number_verified: boolean(map.get("phone_number_verified")),
            address_formatted: a("formatted"),
            address_street_address: a("street_address"),
            address_locality: a("locality"),
            address_region: a("region"),
            address_postal_code: a("postal_code"),
            address_country: a("country"),
            updated_at: number(map.get("updated_at")),
            claims: map.clone(),
        }
    }

    /// Maps verified ID token claims.
    pub fn from_claims(claims: &Claims) -> UserDetails {
        Self::from_map(claims.as_map())
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn boolean(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn number(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_what_real_providers_send() {
        let v = serde_json::json!({
            "sub": "1", "email_verified": "true", "phone_number_verified": "False",
            "updated_at": "1700000000", "address": {"country": "NZ"}, "custom": [1]
        });
        let d = UserDetails::from_map(v.as_object().expect("object"));
        assert_eq!(d.email_verified, Some(true));
        assert_eq!(d.phone_number_verified, Some(false));
        assert_eq!(d.updated_at, Some(1_700_000_000));
        assert_eq!(d.address_country.as_deref(), Some("NZ"));
        assert_eq!(d.claims["custom"], serde_json::json!([1]));
    }
}

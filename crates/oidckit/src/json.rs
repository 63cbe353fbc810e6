//! Strict reading of the JSON documents a provider sends (discovery, JWKS, token, device,
//! introspection, UserInfo): a leading UTF-8 byte-order mark is tolerated (RFC 8259 §8.1 lets
//! a parser ignore it, and some providers send one), and an object that repeats a member name
//! at any depth is refused, because two parsers may pick different copies (RFC 8259 §4,
//! RFC 7519 §4 for JWTs).

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::Error;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a document could not be read.
#[derive(Debug)]
pub(crate) enum JsonError {
    /// Not JSON at all (the parser's message).
    Syntax(String),
    /// An object repeats this member name.
    Repeated(String),
}

impl JsonError {
    /// The error for a document of `document` kind: a repeated member is code 916; a syntax
    /// error is whatever `syntax` makes of the parser's message.
    pub(crate) fn into_error(
        self,
        document: &'static str,
        syntax: impl FnOnce(String) -> Error,
    ) -> Error {
        match self {
            JsonError::Repeated(member) => Error::RepeatedJsonMember { document, member },
            JsonError::Syntax(reason) => syntax(reason),
        }
    }
}

/// `bytes` without a leading UTF-8 byte-order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// Strips a BOM and checks that `bytes` is one JSON value with no repeated member names;
/// returns the bytes to hand to the real parser.
pub(crate) fn checked(bytes: &[u8]) -> Result<&[u8], JsonError> {
    let bytes = strip_bom(bytes);
    let repeated = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let outcome = Check(&repeated)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Some(member) = repeated.into_inner() {
        return Err(JsonError::Repeated(member));
    }
    outcome.map_err(|e| JsonError::Syntax(e.to_string()))?;
    Ok(bytes)
}

/// [`checked`], then parsed into a [`Value`].
pub(crate) fn parse(bytes: &[u8]) -> Result<Value, JsonError> {
    let bytes = checked(bytes)?;
    serde_json::from_slice(bytes).map_err(|e| JsonError::Syntax(e.to_string()))
}

/// Walks a value without keeping it, remembering the first repeated member name.
#[derive(Clone, Copy)]
struct Check<'c>(&'c RefCell<Option<String>>);

impl<'de> DeserializeSeed<'de> for Check<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                let message = format!("repeated member `{key}`");
                *self.0.borrow_mut() = Some(key);
                return Err(de::Error::custom(message));
            }
            seen.insert(key);
            map.next_value_seed(self)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_a_byte_order_mark() {
        let v = parse(b"\xEF\xBB\xBF{\"a\":1}").expect("parses");
        assert_eq!(v["a"], 1);
    }

    #[test]
    fn refuses_repeated_members_at_any_depth() {
        for doc in [
            &br#"{"issuer":"a","issuer":"b"}"#[..],
            br#"{"keys":[{"kid":"k","kid":"k"}]}"#,
            br#"{"a":{"b":{"c":1,"c":2}}}"#,
        ] {
            match checked(doc) {
                Err(JsonError::Repeated(_)) => {}
                other => panic!("{other:?} for {}", String::from_utf8_lossy(doc)),
            }
        }
        assert!(checked(br#"{"a":{"x":1},"b":{"x":1}}"#).is_ok());
        assert!(matches!(checked(b"{\"a\":"), Err(JsonError::Syntax(_))));
        assert!(matches!(checked(b"{} {}"), Err(JsonError::Syntax(_))));
    }
}

//! A zero-copy view of the registered claims, decoded straight from the payload bytes for the
//! checks; the full claims map is only built when the application asks for it.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::ClaimCheck;
use crate::{Error, Result};

/// One claim value, as far as the checks care: a string, a number, a list of strings, or anything else.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Field<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Strs(Vec<Cow<'a, str>>),
    Other,
}

/// How a claim value reads in an error message: `"a"`, `["a", "b"]`, a number, or
/// `(not a string)`; never Rust's Debug form.
impl fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Str(s) => write!(f, "{:?}", s.as_ref()),
            Field::Int(n) => write!(f, "{n}"),
            Field::Float(n) => write!(f, "{n}"),
            Field::Strs(list) => {
                let items: Vec<String> = list.iter().map(|s| format!("{:?}", s.as_ref())).collect();
                write!(f, "[{}]", items.join(", "))
            }
            Field::Other => f.write_str("(not a string)"),
        }
    }
}

/// The claims the validator checks. Every other claim is read and validated exactly as a full
/// parse would (UTF-8, escapes, number range, nesting depth) but not stored, so a token that
/// passes validation always yields its claims map later.
#[derive(Debug, Default)]
pub(crate) struct Registered<'a> {
    pub iss: Option<Field<'a>>,
    pub sub: Option<Field<'a>>,
    pub aud: Option<Field<'a>>,
    pub azp: Option<Field<'a>>,
    pub exp: Option<Field<'a>>,
    pub iat: Option<Field<'a>>,
    pub nbf: Option<Field<'a>>,
    pub nonce: Option<Field<'a>>,
    pub auth_time: Option<Field<'a>>,
    pub at_hash: Option<Field<'a>>,
    pub c_hash: Option<Field<'a>>,
    pub tid: Option<Field<'a>>,
    /// RFC 9068 access tokens and other JWTs (`TokenProfile`).
    pub client_id: Option<Field<'a>>,
    pub jti: Option<Field<'a>>,
}

impl<'a> Registered<'a> {
    /// Parses the payload; code 901 when it is not a JSON object (or repeats a registered claim).
    pub fn parse(payload: &'a [u8]) -> Result<Registered<'a>> {
        serde_json::from_str(claims_text(payload)?).map_err(not_json)
    }

    /// [`Registered::parse`] that also hands every member to `sink`, in document order, in
    /// the same pass: the registered claims for the checks and the caller's own claims object
    /// from one read of the payload. Same errors (901).
    pub fn parse_into<S: ClaimSink<'a>>(payload: &'a [u8], sink: &mut S) -> Result<Registered<'a>> {
        let mut de = serde_json::Deserializer::from_str(claims_text(payload)?);
        de.deserialize_map(SinkVisitor { sink })
            .and_then(|r| de.end().map(|()| r))
            .map_err(not_json)
    }

    /// The slot of a registered claim, `None` for any other name.
    fn slot(&mut self, name: &str) -> Option<&mut Option<Field<'a>>> {
        Some(match name {
            "iss" => &mut self.iss,
            "sub" => &mut self.sub,
            "aud" => &mut self.aud,
            "azp" => &mut self.azp,
            "exp" => &mut self.exp,
            "iat" => &mut self.iat,
            "nbf" => &mut self.nbf,
            "nonce" => &mut self.nonce,
            "auth_time" => &mut self.auth_time,
            "at_hash" => &mut self.at_hash,
            "c_hash" => &mut self.c_hash,
            "tid" => &mut self.tid,
            "client_id" => &mut self.client_id,
            "jti" => &mut self.jti,
            _ => return None,
        })
    }
}

/// The payload as text, when it can be a JSON object (901 otherwise).
fn claims_text(payload: &[u8]) -> Result<&str> {
    if payload.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Error::malformed("the claims are not a JSON object"));
    }
    // One UTF-8 check of the whole payload is cheaper than serde_json's check of every string.
    std::str::from_utf8(payload).map_err(|_| Error::malformed("the claims are not valid UTF-8"))
}

/// A JSON error in the claims (901).
fn not_json(e: serde_json::Error) -> Error {
    Error::malformed(format!("the claims are not valid JSON: {e}"))
}

/// Builds something of its own from a token's claims while the validator reads them, so that
/// the payload is parsed once for both (see [`Client::validate_id_token_now`]).
///
/// The validator calls [`ClaimSink::member`] for every member of the claims object, in
/// document order, before the signature is checked: what the sink builds must not be used
/// unless the validation that fed it succeeded (the validator returns the sink only then).
///
/// [`Client::validate_id_token_now`]: crate::Client::validate_id_token_now
pub trait ClaimSink<'de> {
    /// Reads the value of the member `name` from `value` (a JSON value), whole: deserialize
    /// it, or into [`serde::de::IgnoredAny`] to skip it. A name may come again for a repeated
    /// claim that is not one the validator checks (a repeated checked claim is refused, 901);
    /// an error ends the parse with code 901.
    fn member<D: Deserializer<'de>>(
        &mut self,
        name: &str,
        value: D,
    ) -> std::result::Result<(), D::Error>;
}

/// The claims visitor that also feeds a [`ClaimSink`].
struct SinkVisitor<'s, S> {
    sink: &'s mut S,
}

impl<'de, S: ClaimSink<'de>> Visitor<'de> for SinkVisitor<'_, S> {
    type Value = Registered<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of claims")
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Registered<'de>, A::Error> {
        let mut r = Registered::default();
        while let Some(key) = map.next_key::<Field<'de>>()? {
            let Field::Str(key) = key else {
                return Err(de::Error::custom("a claim name is not a string"));
            };
            let Some(slot) = r.slot(&key) else {
                map.next_value_seed(Member {
                    sink: &mut *self.sink,
                    name: &key,
                })?;
                continue;
            };
            if slot.is_some() {
                return Err(de::Error::custom(format_args!("duplicate claim `{key}`")));
            }
            // A checked claim is taken as its JSON text, then read from it twice: once for the
            // checks, once for the sink. Plain strings and integers, nearly all of them, skip
            // the second parse.
            let raw = map.next_value::<&'de serde_json::value::RawValue>()?.get();
            let field = match plain_field(raw) {
                Some(f) => f,
                None => serde_json::from_str(raw).map_err(de::Error::custom)?,
            };
            let fed = match &field {
                Field::Str(Cow::Borrowed(s)) => self
                    .sink
                    .member(&key, de::value::BorrowedStrDeserializer::new(s)),
                Field::Int(i) => self.sink.member(&key, de::value::I64Deserializer::new(*i)),
                _ => self
                    .sink
                    .member(&key, &mut serde_json::Deserializer::from_str(raw))
                    .map_err(de::Error::custom),
            };
            fed.map_err(|e: de::value::Error| de::Error::custom(e))?;
            *slot = Some(field);
        }
        Ok(r)
    }
}

/// The claim of the JSON text `raw` of one value (already checked to be JSON by the parser
/// that cut it out) when it is a string without escapes or an integer that fits an `i64`:
/// the cases that need no parser.
fn plain_field(raw: &str) -> Option<Field<'_>> {
    let bytes = raw.as_bytes();
    match bytes.first()? {
        b'"' => {
            let inner = raw.get(1..raw.len().checked_sub(1)?)?;
            (!inner.contains('\\')).then_some(Field::Str(Cow::Borrowed(inner)))
        }
        // Not `-0`, which JSON parsers read as the float -0.0.
        b'-' | b'0'..=b'9'
            if bytes[1..].iter().all(u8::is_ascii_digit) && !raw.starts_with("-0") =>
        {
            raw.parse().ok().map(Field::Int)
        }
        _ => None,
    }
}

/// One member's value, read by the sink.
struct Member<'s, 'n, S> {
    sink: &'s mut S,
    name: &'n str,
}

impl<'de, S: ClaimSink<'de>> DeserializeSeed<'de> for Member<'_, '_, S> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        self.sink.member(self.name, d)
    }
}

/// A string claim that must be present.
pub(crate) fn required_str<'f>(
    field: &'f Option<Field<'_>>,
    name: &'static str,
) -> Result<&'f str> {
    optional_str(field, name)?.ok_or_else(|| Error::claim(name, ClaimCheck::Missing, None, None))
}

/// A string claim that may be absent.
pub(crate) fn optional_str<'f>(
    field: &'f Option<Field<'_>>,
    name: &'static str,
) -> Result<Option<&'f str>> {
    match field {
        None => Ok(None),
        Some(Field::Str(s)) => Ok(Some(s)),
        Some(_) => Err(Error::claim(
            name,
            ClaimCheck::WrongType,
            Some("a string".into()),
            None,
        )),
    }
}

/// A time claim (seconds since the epoch) that may be absent.
pub(crate) fn optional_time(field: &Option<Field<'_>>, name: &'static str) -> Result<Option<i64>> {
    match field {
        None => Ok(None),
        Some(Field::Int(i)) => Ok(Some(*i)),
        Some(Field::Float(f)) if f.is_finite() => Ok(Some(*f as i64)),
        Some(_) => Err(Error::claim(
            name,
            ClaimCheck::WrongType,
            Some("seconds since the epoch".into()),
            None,
        )),
    }
}

/// A time claim that must be present.
pub(crate) fn required_time(field: &Option<Field<'_>>, name: &'static str) -> Result<i64> {
    optional_time(field, name)?.ok_or_else(|| Error::claim(name, ClaimCheck::Missing, None, None))
}

impl<'de: 'a, 'a> Deserialize<'de> for Registered<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Registered<'a>, D::Error> {
        d.deserialize_map(RegisteredVisitor(std::marker::PhantomData))
    }
}

struct RegisteredVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for RegisteredVisitor<'a> {
    type Value = Registered<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of claims")
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Registered<'a>, A::Error> {
        let mut r = Registered::default();
        // Keys go through `Field` so that plain keys are borrowed, not allocated.
        while let Some(key) = map.next_key::<Field<'a>>()? {
            let Field::Str(key) = key else {
                return Err(de::Error::custom("a claim name is not a string"));
            };
            let Some(slot) = r.slot(&key) else {
                // Read (and so validate) the value like a full parse, then drop it.
                map.next_value::<Field<'a>>()?;
                continue;
            };
            if slot.is_some() {
                return Err(de::Error::custom(format_args!("duplicate claim `{key}`")));
            }
            *slot = Some(map.next_value()?);
        }
        Ok(r)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Field<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Field<'a>, D::Error> {
        d.deserialize_any(FieldVisitor(std::marker::PhantomData))
    }
}

struct FieldVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for FieldVisitor<'a> {
    type Value = Field<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Field<'a>, E> {
        Ok(Field::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Field<'a>, E> {
        Ok(Field::Str(Cow::Owned(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Field<'a>, E> {
        Ok(Field::Str(Cow::Owned(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Field<'a>, E> {
        Ok(Field::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Field<'a>, E> {
        Ok(i64::try_from(v)
            .map(Field::Int)
            .unwrap_or(Field::Float(v as f64)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Field<'a>, E> {
        Ok(Field::Float(v))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Field<'a>, E> {
        Ok(Field::Other)
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<Field<'a>, E> {
        Ok(Field::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Field<'a>, A::Error> {
        let mut items = Vec::new();
        let mut all_strings = true;
        while let Some(item) = seq.next_element::<Field<'a>>()? {
            match item {
                Field::Str(s) => items.push(s),
                _ => all_strings = false,
            }
        }
        Ok(if all_strings {
            Field::Strs(items)
        } else {
            Field::Other
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Field<'a>, A::Error> {
        // Keys and values are decoded (not skipped) so that they are validated like a full parse.
        while map.next_entry::<Field<'a>, Field<'a>>()?.is_some() {}
        Ok(Field::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_plain_strings_and_types_the_rest() {
        let r = Registered::parse(br#"{"iss":"a","aud":["x","y"],"exp":1.5e9,"iat":10,"nbf":true,"sub":"s\u0041","other":{"k":[1]}}"#)
            .expect("parses");
        assert!(matches!(r.iss, Some(Field::Str(Cow::Borrowed("a")))));
        assert_eq!(
            r.aud,
            Some(Field::Strs(vec![Cow::Borrowed("x"), Cow::Borrowed("y")]))
        );
        assert_eq!(
            optional_time(&r.exp, "exp").expect("time"),
            Some(1_500_000_000)
        );
        assert_eq!(required_time(&r.iat, "iat").expect("time"), 10);
        assert_eq!(required_str(&r.sub, "sub").expect("str"), "sA");
        assert_eq!(optional_time(&r.nbf, "nbf").expect_err("bool").code(), 903);
    }

    #[test]
    fn refuses_non_objects_and_repeated_registered_claims() {
        for bad in [
            &b"[]"[..],
            b"1",
            b"\"x\"",
            b"{\"iss\":\"a\",\"iss\":\"b\"}",
            b"{",
            b"",
        ] {
            assert_eq!(Registered::parse(bad).expect_err("bad").code(), 901);
        }
    }
}

//! The token response parser (`TokenSet::from_fields`) is crate-private and only reached after
//! an HTTP round trip, so this target fuzzes what is public and parses the same JSON objects:
//! `Claims::from_payload` (a JSON object of claims) and `UserDetails::from_map` (UserInfo and
//! ID token claims, with the lenient handling of `email_verified: "true"`, string numbers, …).
#![no_main]

use libfuzzer_sys::fuzz_target;
use oidckit::{Claims, UserDetails};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let claims = match Claims::from_payload(data) {
        Ok(c) => c,
        Err(e) => {
            assert_eq!(e.code(), 901);
            assert!(!matches!(
                serde_json::from_slice::<Value>(data),
                Ok(Value::Object(_))
            ));
            return;
        }
    };
    let map = claims.as_map();
    let d = UserDetails::from_map(map);
    assert_eq!(&d.claims, map);
    if let Some(Value::String(s)) = map.get("sub") {
        assert_eq!(d.sub.as_deref(), Some(s.as_str()));
    }
    if let Some(Value::Bool(b)) = map.get("email_verified") {
        assert_eq!(d.email_verified, Some(*b));
    }
    if let Some(Value::String(s)) = map.get("aud") {
        assert_eq!(d.aud, vec![s.clone()]);
    }
    if let Some(Value::Number(n)) = map.get("updated_at") {
        if let Some(i) = n.as_i64() {
            assert_eq!(d.updated_at, Some(i));
        }
    }
    assert_eq!(UserDetails::from_claims(&claims), d);
    let json = serde_json::to_string(&d).expect("UserDetails serializes");
    assert!(serde_json::from_str::<Value>(&json).is_ok());
});

//! Property tests: base64url, the `at_hash` / `c_hash` and PKCE computations against an
//! independent implementation (the `sha2` and `base64` crates), and authorization URLs that keep
//! every value intact whatever characters it contains.

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use oidckit::authorize::pkce_challenge;
use oidckit::jose::{b64url_decode, b64url_encode, half_hash};
use oidckit::{
    Alg, AuthorizationRequest, CallbackParams, Client, ClientConfig, ProviderMetadata, ResponseType,
};
use proptest::prelude::*;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// The left half of the digest of `value` with `H`, base64url without padding.
fn left_half<H: Digest>(value: &str) -> String {
    let digest = H::digest(value.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// Strings made to break naive URL building: separators, newlines, percent signs, non-ASCII.
fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z&#=?+%/ ;\n\r\t\u{0}é€😀]{0,24}",
        any::<String>(),
        Just(String::new()),
        Just("a&b=c#d".to_string()),
    ]
}

fn client() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let config = ClientConfig::new("https://op.example", "client-1")
            .with_redirect_uri("https://rp.example/cb");
        let mut meta = ProviderMetadata::new("https://op.example");
        meta.authorization_endpoint = Some("https://op.example/auth?x=1".into());
        Client::new(config, meta).expect("client")
    })
}

proptest! {
    #[test]
    fn base64url_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let encoded = b64url_encode(&bytes);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        prop_assert_eq!(encoded.len(), (bytes.len() * 4).div_ceil(3));
        prop_assert_eq!(b64url_decode(&encoded), Some(bytes.clone()));
        prop_assert_eq!(&encoded, &URL_SAFE_NO_PAD.encode(&bytes));
    }

    #[test]
    fn base64url_refuses_padding(bytes in proptest::collection::vec(any::<u8>(), 1..100)) {
        let padded = URL_SAFE.encode(&bytes);
        if padded.ends_with('=') {
            prop_assert_eq!(b64url_decode(&padded), None);
        }
        let unpadded = URL_SAFE_NO_PAD.encode(&bytes);
        prop_assert_eq!(b64url_decode(&format!("{unpadded}=")), None);
        prop_assert_eq!(b64url_decode(&format!("{unpadded}==")), None);
    }

    #[test]
    fn base64url_refuses_the_standard_alphabet(
        bytes in proptest::collection::vec(any::<u8>(), 0..100),
        at in any::<prop::sample::Index>(),
        bad in prop::sample::select(vec!['+', '/', '=', ' ', '.']),
    ) {
        let standard = STANDARD.encode(&bytes);
        if standard.contains(['+', '/']) {
            prop_assert_eq!(b64url_decode(standard.trim_end_matches('=')), None);
        }
        let mut s = URL_SAFE_NO_PAD.encode(&bytes);
        s.insert(at.index(s.len() + 1), bad);
        prop_assert_eq!(b64url_decode(&s), None);
    }

    #[test]
    fn base64url_decode_agrees_with_the_base64_crate(
        s in "[A-Za-z0-9_-]{0,40}[A-Za-z0-9_+/=. \n-]{0,3}|\\PC{0,24}",
    ) {
        prop_assert_eq!(b64url_decode(&s), URL_SAFE_NO_PAD.decode(s.as_bytes()).ok(), "{:?}", s);
    }

    #[test]
    fn half_hash_is_the_left_half_of_the_algs_hash(value in any::<String>()) {
        for alg in Alg::SUPPORTED {
            let expected = match alg.as_str() {
                "RS256" | "PS256" | "ES256" | "HS256" => left_half::<Sha256>(&value),
                "RS384" | "PS384" | "ES384" | "HS384" => left_half::<Sha384>(&value),
                "RS512" | "PS512" | "ES512" | "HS512" | "EdDSA" => left_half::<Sha512>(&value),
                other => panic!("no expected hash for {other}"),
            };
            prop_assert_eq!(half_hash(&alg, &value), Some(expected), "{}", alg);
        }
        prop_assert_eq!(half_hash(&Alg::None, &value), None);
        prop_assert_eq!(half_hash(&Alg::from("XS256"), &value), None);
    }

    #[test]
    fn pkce_s256_is_base64url_of_sha256(verifier in "[A-Za-z0-9._~-]{43,128}|\\PC{0,64}") {
        let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        prop_assert_eq!(pkce_challenge(&verifier), expected);
    }

    #[test]
    fn authorization_url_keeps_every_value_intact(
        state in nasty(),
        nonce in nasty(),
        login_hint in nasty(),
        redirect_uri in proptest::option::of(nasty()),
        extra in proptest::collection::vec((nasty(), nasty()), 0..4),
    ) {
        let mut req = AuthorizationRequest::default();
        req.state = Some(state.clone());
        req.nonce = Some(nonce.clone());
        req.login_hint = Some(login_hint.clone());
        req.redirect_uri = redirect_uri.clone();
        req.extra = extra.clone();
        let (url, tx) = client().authorization_url(&req).expect("url builds");

        prop_assert_eq!(&tx.state, &state);
        prop_assert_eq!(&tx.nonce, &nonce);
        let redirect = redirect_uri.unwrap_or_else(|| "https://rp.example/cb".into());
        prop_assert_eq!(&tx.redirect_uri, &redirect);

        let parsed = url::Url::parse(&url).expect("the URL parses");
        prop_assert_eq!(parsed.fragment(), None);
        prop_assert_eq!(parsed.scheme(), "https");
        prop_assert_eq!(parsed.host_str(), Some("op.example"));
        prop_assert_eq!(parsed.path(), "/auth");
        let mut found: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        prop_assert_eq!(found.first().map(|(k, v)| (k.as_str(), v.as_str())), Some(("x", "1")));

        let verifier = tx.code_verifier.clone().expect("PKCE is on by default");
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        let mut expected = vec![
            pair("x", "1"),
            pair("response_type", "code"),
            pair("client_id", "client-1"),
            pair("redirect_uri", &redirect),
            pair("scope", "openid"),
            pair("state", &state),
            pair("nonce", &nonce),
            pair("code_challenge", &pkce_challenge(&verifier)),
            pair("code_challenge_method", "S256"),
            pair("login_hint", &login_hint),
        ];
        expected.extend(extra);
        found.sort();
        expected.sort();
        prop_assert_eq!(found, expected);
    }

    #[test]
    fn callback_params_round_trip_through_form_encoding(
        pairs in proptest::collection::vec((nasty(), nasty()), 0..6),
    ) {
        let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
        let params = CallbackParams::from_query(&encoded);
        prop_assert_eq!(params.pairs(), &pairs[..]);
        prop_assert_eq!(&CallbackParams::from_url(&format!("https://rp.example/cb?{encoded}")), &params);
        if !pairs.is_empty() {
            prop_assert_eq!(&CallbackParams::from_url(&format!("/cb?ignored=1#{encoded}")), &params);
        }
    }

    #[test]
    fn response_type_round_trips(code: bool, id_token: bool, token: bool, reversed: bool) {
        let mut words: Vec<&str> = [("code", code), ("id_token", id_token), ("token", token)]
            .iter()
            .filter(|(_, on)| *on)
            .map(|(w, _)| *w)
            .collect();
        if reversed {
            words.reverse();
        }
        let text = words.join(" ");
        match ResponseType::parse(&text) {
            Ok(rt) => {
                prop_assert!(code || id_token);
                prop_assert_eq!((rt.code, rt.id_token, rt.token), (code, id_token, token));
                prop_assert_eq!(ResponseType::parse(rt.as_str()).ok(), Some(rt));
            }
            Err(e) => {
                prop_assert!(!(code || id_token));
                prop_assert_eq!(e.code(), 902);
            }
        }
    }
}

// Known bug, NOT fixed (ignored until the id_token module is fixed; see the fuzz report): the
// id_token fuzzer found that `Validator::validate` accepts a signed token whose payload has
// invalid UTF-8 inside an unregistered claim's string (`"email_verified": "trw\xf5"`). The
// zero-copy registered-claims parser (id_token/registered.rs) lets serde_json skip unknown values,
// and skipping checks neither UTF-8, `\u` surrogate escapes nor number range; so the token
// validates, but `IdToken::claims()` (a full JSON parse) then fails and silently returns an empty
// map: a "verified" token with no `sub`. Run with `cargo test -p oidckit --test properties --
// --ignored`.
mod regression_unchecked_ignored_claims {
    use std::time::{Duration, UNIX_EPOCH};

    use aws_lc_rs::hmac;
    use oidckit::jose::b64url_encode;
    use oidckit::{Alg, Checks, Jwks, Validator};

    fn signed(payload: &[u8]) -> String {
        let input = format!(
            "{}.{}",
            b64url_encode(br#"{"alg":"HS256"}"#),
            b64url_encode(payload)
        );
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"secret");
        format!(
            "{input}.{}",
            b64url_encode(hmac::sign(&key, input.as_bytes()))
        )
    }

    fn check(extra: &[u8]) {
        let mut payload =
            br#"{"iss":"https://op.example","sub":"u1","aud":"c1","exp":2000,"iat":1000,"x":""#
                .to_vec();
        payload.extend_from_slice(extra);
        payload.extend_from_slice(br#""}"#);
        check_payload(&payload);
    }

    fn check_payload(payload: &[u8]) {
        let validator = Validator::new("https://op.example", "c1")
            .with_allowed_algs([Alg::HS256])
            .with_client_secret("secret");
        let mut checks = Checks::default();
        checks.now = Some(UNIX_EPOCH + Duration::from_secs(1500));
        match validator.validate(&signed(payload), &Jwks::default(), &checks) {
            // Accepting is fine only if the claims are really there.
            Ok(token) => assert_eq!(
                token.claims().subject(),
                Some("u1"),
                "{:?}",
                String::from_utf8_lossy(payload)
            ),
            Err(e) => assert_eq!(e.code(), 901, "{e}"),
        }
    }

    #[test]
    fn control_token_validates() {
        check(b"plain");
    }

    #[test]
    fn invalid_utf8_in_an_unknown_claim_is_not_half_accepted() {
        check(b"trw\xf5");
        check(b"\xff\xfe");
        check(b"\xed\xa0\x80"); // an encoded surrogate
    }

    #[test]
    fn lone_surrogate_escape_in_an_unknown_claim_is_not_half_accepted() {
        check(br"\ud800");
        check(br"\udc00x");
    }

    #[test]
    fn out_of_range_number_in_an_unknown_claim_is_not_half_accepted() {
        let payload = br#"{"iss":"https://op.example","sub":"u1","aud":"c1","exp":2000,"iat":1000,"y":1e999}"#;
        check_payload(payload);
    }
}

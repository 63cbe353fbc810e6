//! `CallbackParams::from_url` / `from_query` on arbitrary text (query, fragment, form body): no
//! panic; the parsed pairs re-serialise with form_urlencoded and re-parse to the same pairs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oidckit::CallbackParams;

fn round_trip(params: &CallbackParams) {
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.pairs().iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .finish();
    let again = CallbackParams::from_query(&encoded);
    assert_eq!(again.pairs(), params.pairs(), "re-parse of {encoded:?}");
    assert_eq!(&CallbackParams::from_url(&format!("/cb?{encoded}")), params);
    if !params.pairs().is_empty() {
        assert_eq!(
            &CallbackParams::from_url(&format!("https://rp.example/cb?x=1#{encoded}")),
            params
        );
    }
    assert_eq!(
        &CallbackParams::from_pairs(params.pairs().iter().cloned()),
        params
    );
    for (k, _) in params.pairs() {
        let first = params
            .pairs()
            .iter()
            .find(|(k2, _)| k2 == k)
            .map(|(_, v)| v.as_str());
        assert_eq!(params.get(k), first);
    }
    let _ = format!("{params:?}");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    round_trip(&CallbackParams::from_url(&text));
    round_trip(&CallbackParams::from_query(&text));
});

//! The loopback redirect server's request reader and router on arbitrary bytes (what any local
//! process can send to the port), via `oidckit::fuzzing::loopback_request`: no panic, no hang;
//! whatever it hands over as an authorization response came from the redirect path or the
//! relay path and carries one of the response parameters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oidckit::fuzzing;

fuzz_target!(|data: &[u8]| {
    let Some(params) = fuzzing::loopback_request(data) else {
        return;
    };
    assert!(
        ["code", "state", "error", "id_token", "access_token"]
            .iter()
            .any(|k| params.get(k).is_some()),
        "{params:?}"
    );
    let text = String::from_utf8_lossy(data);
    assert!(
        text.starts_with("GET /cb") || text.starts_with("POST /cb") || text.starts_with("POST /oidckit-relay"),
        "handed over a request for another path: {text:?}"
    );
});

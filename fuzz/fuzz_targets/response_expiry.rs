//! Whole token, device authorization and introspection responses through the expiry
//! computation (not only the parser), via `oidckit::fuzzing`: the first byte picks the
//! response kind and the next few drive the device poll answers (slow_down / timeout) and a
//! local timeout; the rest is the body. No input may panic; every lifetime stays within its
//! documented clamp, and every failure is a typed error with a code.
#![no_main]

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use oidckit::device::{MAX_EXPIRES_IN, MAX_INTERVAL};
use oidckit::fuzzing;
use oidckit::token::MAX_LIFETIME;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let before = SystemTime::now();
    match kind % 3 {
        0 => match fuzzing::token_response(rest) {
            Ok((_, Some(at))) => {
                let latest = SystemTime::now() + MAX_LIFETIME;
                assert!(at >= before && at <= latest, "expiry {at:?} out of range");
            }
            Ok((sent, None)) => assert!(sent.is_none()),
            Err(e) => assert!(matches!(e.code(), 908 | 915 | 916), "{e}"),
        },
        1 => {
            let (control, body) = rest.split_at(rest.len().min(9));
            let (&timeout, answers) = control.split_first().unwrap_or((&0, &[]));
            let timeout = (timeout > 0).then(|| Duration::from_secs(u64::from(timeout) << 24));
            match fuzzing::device_response(body, answers, timeout) {
                Ok((interval, left, more)) => {
                    assert!(interval >= Duration::from_secs(1) && interval <= MAX_INTERVAL);
                    assert!(left <= Duration::from_secs(MAX_EXPIRES_IN));
                    assert!(!more || interval <= left);
                }
                Err(e) => assert!(matches!(e.code(), 908 | 910 | 916 | 917), "{e}"),
            }
        }
        _ => match fuzzing::introspection_response(rest) {
            Ok(_) => {}
            Err(e) => assert!(matches!(e.code(), 908 | 914 | 916), "{e}"),
        },
    }
});

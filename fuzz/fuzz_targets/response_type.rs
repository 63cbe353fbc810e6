//! `ResponseType::parse` on arbitrary text: no panic; a parsed value round-trips through its
//! canonical name, which is also accepted in every order of its words.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oidckit::ResponseType;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match ResponseType::parse(text) {
        Ok(rt) => {
            let name = rt.as_str();
            assert_eq!(
                ResponseType::parse(name).ok(),
                Some(rt),
                "{name:?} does not round-trip"
            );
            assert_eq!(format!("{rt}"), name);
            assert!(rt.code || rt.id_token, "token alone was accepted");
            let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
            let mut sorted = words.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), words.len(), "a repeated word was accepted");
            assert_eq!(
                ResponseType::parse(&words.iter().rev().copied().collect::<Vec<_>>().join(" "))
                    .ok(),
                Some(rt)
            );
        }
        Err(e) => assert_eq!(e.code(), 902),
    }
});

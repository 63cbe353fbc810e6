//! RFC 9728 parsers on arbitrary input: the `WWW-Authenticate` challenge reader
//! (`resource_metadata=` of a Bearer challenge) and the protected resource metadata document.
//! No panic; a URL found is not empty and never longer than the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oidckit::resource::{ResourceMetadata, resource_metadata_from_challenge};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(url) = resource_metadata_from_challenge(&text) {
        assert!(!url.is_empty());
        assert!(url.len() <= text.len(), "{url:?} from {text:?}");
    }
    if let Ok(meta) = ResourceMetadata::from_json(data, "https://r.example/m") {
        assert!(!meta.resource.is_empty());
        let _ = meta.choose_authorization_server(&[]);
    }
});

//! Strict base64url decoding (RFC 4648 §5, no padding) into caller-provided buffers, for the
//! validation hot path (no allocation for headers and short signatures).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The number of bytes `len` base64url characters decode to, or `None` for an impossible length.
pub(crate) fn decoded_len(len: usize) -> Option<usize> {
    match len % 4 {
        1 => None,
        r => Some(len / 4 * 3 + r.saturating_sub(1)),
    }
}

/// Decodes `input` into `out`, which must be exactly [`decoded_len`] long plus up to two bytes
/// of slack (see [`decode`]). Refuses characters outside the alphabet (padding included) and
/// non-zero trailing bits, so every byte string has exactly one accepted encoding. Returns the
/// number of bytes written.
pub(crate) fn decode_into(input: &[u8], out: &mut [u8]) -> Option<usize> {
    let n = decoded_len(input.len())?;
    // The base64 crate's strict engine, unrolled and table-driven, is faster than a naive loop.
    match URL_SAFE_NO_PAD.decode_slice(input, out) {
        Ok(written) if written == n => Some(n),
        _ => None,
    }
}

/// Decodes into a new vector.
pub(crate) fn decode(input: &[u8]) -> Option<Vec<u8>> {
    let n = decoded_len(input.len())?;
    // The engine wants room for its estimate (whole 3-byte groups).
    let mut out = vec![0u8; n.div_ceil(3) * 3];
    let written = decode_into(input, &mut out)?;
    out.truncate(written);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_base64_crate_on_every_length_and_rejects_what_it_rejects() {
        for len in 0..70usize {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + len) as u8).collect();
            let enc = URL_SAFE_NO_PAD.encode(&data);
            assert_eq!(
                decode(enc.as_bytes()).as_deref(),
                Some(&data[..]),
                "len {len}"
            );
        }
        for bad in [
            "A", "AB=", "AB==", "A+", "A/", "AB\n", "AQ", "AAB", "ÿÿ", "AA.A",
        ] {
            assert_eq!(
                decode(bad.as_bytes()).is_some(),
                URL_SAFE_NO_PAD.decode(bad).is_ok(),
                "{bad:?}"
            );
        }
    }
}

//! Strict, table-driven base64url decoding (RFC 4648 §5, no padding) for the validation hot
//! path: one lookup per input byte, output written straight into the caller's buffer.

/// Marks bytes outside the base64url alphabet.
const INVALID: u8 = 0xff;

const TABLE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// The number of bytes `len` base64url characters decode to, or `None` for an impossible length.
pub(crate) fn decoded_len(len: usize) -> Option<usize> {
    match len % 4 {
        1 => None,
        r => Some(len / 4 * 3 + r.saturating_sub(1)),
    }
}

/// Decodes `input` into `out` (which must be exactly [`decoded_len`] long). Refuses characters
/// outside the alphabet (padding included) and non-zero trailing bits, so every byte string has
/// exactly one accepted encoding.
pub(crate) fn decode_into(input: &[u8], out: &mut [u8]) -> bool {
    if decoded_len(input.len()) != Some(out.len()) {
        return false;
    }
    let mut chunks = input.chunks_exact(4);
    let mut o = 0;
    let mut bad = 0u8;
    for c in &mut chunks {
        let (a, b, cc, d) = (
            TABLE[c[0] as usize],
            TABLE[c[1] as usize],
            TABLE[c[2] as usize],
            TABLE[c[3] as usize],
        );
        bad |= (a | b | cc | d) & 0x80;
        let n = (u32::from(a) << 18) | (u32::from(b) << 12) | (u32::from(cc) << 6) | u32::from(d);
        out[o] = (n >> 16) as u8;
        out[o + 1] = (n >> 8) as u8;
        out[o + 2] = n as u8;
        o += 3;
    }
    let rest = chunks.remainder();
    match rest.len() {
        0 => {}
        2 => {
            let (a, b) = (TABLE[rest[0] as usize], TABLE[rest[1] as usize]);
            bad |= (a | b) & 0x80;
            // 12 bits carry 8: the low 4 bits must be zero.
            bad |= b & 0x0f;
            out[o] = (a << 2) | (b >> 4);
        }
        3 => {
            let (a, b, c) = (
                TABLE[rest[0] as usize],
                TABLE[rest[1] as usize],
                TABLE[rest[2] as usize],
            );
            bad |= (a | b | c) & 0x80;
            // 18 bits carry 16: the low 2 bits must be zero.
            bad |= c & 0x03;
            out[o] = (a << 2) | (b >> 4);
            out[o + 1] = (b << 4) | (c >> 2);
        }
        _ => return false,
    }
    bad == 0
}

/// Decodes into a new vector.
pub(crate) fn decode(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0u8; decoded_len(input.len())?];
    decode_into(input, &mut out).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

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

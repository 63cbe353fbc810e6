//! `oidckit verify`: validate a JWT (ID token) with `oidckit::Validator` and print it.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use clap::Args;
use serde_json::{Value, json};

use oidckit::jose::{CompactJws, b64url_decode};
use oidckit::{
    Alg, Checks, ClientConfig, IdToken, Jwks, ProviderMetadata, Validator, VerifyingKey,
};

use crate::output;
use crate::settings;

/// Flags of `oidckit verify`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// The JWT; read from stdin when absent or `-`.
    pub token: Option<String>,

    /// The expected issuer; also where keys are discovered when no --jwks/--key/--secret is given.
    /// [default: the token's own `iss`, with a warning]
    #[arg(long, env = "OIDC_ISSUER", value_name = "URL")]
    pub issuer: Option<String>,

    /// The expected audience (client id). [default: the token's first `aud`, with a warning]
    #[arg(long, env = "OIDC_CLIENT_ID", value_name = "CLIENT_ID")]
    pub audience: Option<String>,

    /// Verify with this JSON Web Key Set (a file, or an http(s) URL).
    #[arg(long, value_name = "FILE|URL")]
    pub jwks: Option<String>,

    /// Verify with this key file: PEM certificate, PEM public key, or one JWK.
    #[arg(long, value_name = "FILE", conflicts_with = "jwks")]
    pub key: Option<PathBuf>,

    /// The client secret, for HMAC (HS256/384/512) tokens.
    #[arg(
        long,
        env = "OIDC_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    pub secret: Option<String>,

    /// The nonce the token must carry.
    #[arg(long)]
    pub nonce: Option<String>,

    /// Accepted algorithms (repeatable or comma separated). [default: every supported one; HMAC
    /// only with --secret; never none]
    #[arg(long = "alg", value_name = "ALG", value_delimiter = ',')]
    pub algs: Vec<String>,

    /// Validate as of this time: unix seconds or RFC 3339 (2024-05-01T12:00:00Z).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: Option<SystemTime>,

    /// Tolerated clock skew in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub leeway: u64,

    /// Deadline in seconds for fetching keys. [default: 60]
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,

    /// DANGEROUS: allow plain-http issuer or JWKS URLs on non-loopback hosts.
    #[arg(long)]
    pub insecure_allow_http: bool,
}

/// Runs `oidckit verify`.
pub async fn run(args: VerifyArgs, json: bool) -> anyhow::Result<()> {
    let token = match args.token.as_deref() {
        Some(t) if t != "-" => t.trim().to_string(),
        _ => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
            s.trim().to_string()
        }
    };
    let jws = CompactJws::parse(&token)?;
    let header = decode_segment(&token, 0)?;
    let unverified = decode_segment(&token, 1).unwrap_or(Value::Null);
    let issuer = match &args.issuer {
        Some(i) => i.clone(),
        None => {
            let iss = unverified
                .get("iss")
                .and_then(Value::as_str)
                .context("give --issuer: the token has no iss")?;
            eprintln!("warning: no --issuer given; accepting the token's own iss {iss:?}");
            iss.to_string()
        }
    };
    let audience = match &args.audience {
        Some(a) => a.clone(),
        None => {
            let aud = match unverified.get("aud") {
                Some(Value::String(a)) => Some(a.clone()),
                Some(Value::Array(a)) => a.first().and_then(Value::as_str).map(str::to_string),
                _ => None,
            }
            .context("give --audience: the token has no aud")?;
            eprintln!("warning: no --audience given; accepting the token's own aud {aud:?}");
            aud
        }
    };
    let algs: Vec<Alg> = if args.algs.is_empty() {
        Alg::SUPPORTED.to_vec()
    } else {
        args.algs.iter().map(|a| Alg::from(a.trim())).collect()
    };
    let mut checks = Checks::default();
    checks.nonce = args.nonce.as_deref();
    checks.now = args.at;
    let leeway = Duration::from_secs(args.leeway);

    let verified: IdToken = match (&args.jwks, &args.key) {
        (Some(url), None) if url.starts_with("http://") || url.starts_with("https://") => {
            let mut metadata = ProviderMetadata::new(issuer.clone());
            metadata.jwks_uri = Some(url.clone());
            let client = oidckit::Client::new(
                client_config(&args, &issuer, &audience, &algs, leeway),
                metadata,
            )?;
            client.validate_id_token(&token, &checks).await?
        }
        (Some(path), None) => {
            let text = std::fs::read(path).with_context(|| format!("cannot read {path}"))?;
            validator(&args, &issuer, &audience, &algs, leeway).validate(
                &token,
                &Jwks::from_json(&text)?,
                &checks,
            )?
        }
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let key = VerifyingKey::from_text(&text)?;
            validator(&args, &issuer, &audience, &algs, leeway).validate(
                &token,
                &Jwks::from_keys(vec![key]),
                &checks,
            )?
        }
        (None, None) if args.secret.is_some() && jws.header.alg.is_hmac() => validator(
            &args, &issuer, &audience, &algs, leeway,
        )
        .validate(&token, &Jwks::default(), &checks)?,
        (None, None) => {
            let client =
                settings::discover(client_config(&args, &issuer, &audience, &algs, leeway)).await?;
            client.validate_id_token(&token, &checks).await?
        }
        (Some(_), Some(_)) => bail!("give either --jwks or --key"),
    };
    let claims = Value::Object(verified.claims().as_map().clone());
    if json {
        return output::print_json(&json!({ "valid": true, "header": header, "claims": claims }));
    }
    output::print_line(&format!(
        "Signature and claims verified (alg {}, issuer {issuer}, audience {audience}).\n\nHeader:\n{}\n\nClaims:\n{}",
        jws.header.alg.as_str(),
        serde_json::to_string_pretty(&header)?,
        serde_json::to_string_pretty(&claims)?
    ))
}

fn client_config(
    args: &VerifyArgs,
    issuer: &str,
    audience: &str,
    algs: &[Alg],
    leeway: Duration,
) -> ClientConfig {
    let mut config = ClientConfig::new(issuer, audience);
    config.allowed_algs = Some(algs.to_vec());
    config.client_secret = args.secret.clone();
    config.leeway = leeway;
    if let Some(t) = args.timeout {
        config.http.timeout = Duration::from_secs(t.max(1));
    }
    if args.insecure_allow_http {
        config.dangerous().allow_http = true;
    }
    config
}

fn validator(
    args: &VerifyArgs,
    issuer: &str,
    audience: &str,
    algs: &[Alg],
    leeway: Duration,
) -> Validator {
    let mut v = Validator::new(issuer, audience)
        .with_allowed_algs(algs.to_vec())
        .with_leeway(leeway);
    if let Some(secret) = &args.secret {
        v = v.with_client_secret(secret);
    }
    v
}

/// Decodes segment `index` of a compact JWS as JSON (unverified; for display only).
fn decode_segment(token: &str, index: usize) -> anyhow::Result<Value> {
    let segment = token.split('.').nth(index).context("not a compact JWS")?;
    let bytes = b64url_decode(segment).context("a segment is not base64url")?;
    Ok(serde_json::from_slice(&bytes)?)
}

/// Parses unix seconds or an RFC 3339 date-time.
pub fn parse_time(s: &str) -> Result<SystemTime, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(UNIX_EPOCH + Duration::from_secs(secs));
    }
    let bad =
        || format!("{s:?} is neither unix seconds nor an RFC 3339 time like 2024-05-01T12:00:00Z");
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(bad());
    }
    let num =
        |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<i64>().ok()).ok_or_else(bad);
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(bad());
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6
            && (rest.starts_with('+') || rest.starts_with('-'))
            && &rest[3..4] == ":" =>
        {
            let h: i64 = rest[1..3].parse().map_err(|_| bad())?;
            let m: i64 = rest[4..6].parse().map_err(|_| bad())?;
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
        _ => return Err(bad()),
    };
    let secs =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    let secs = u64::try_from(secs).map_err(|_| format!("{s:?} is before 1970"))?;
    Ok(UNIX_EPOCH + Duration::from_secs(secs))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_unix_seconds_and_rfc3339() {
        let at = |s: &str| {
            parse_time(s)
                .expect(s)
                .duration_since(UNIX_EPOCH)
                .expect("after epoch")
                .as_secs()
        };
        assert_eq!(at("1700000000"), 1_700_000_000);
        assert_eq!(at("2023-11-14T22:13:20Z"), 1_700_000_000);
        assert_eq!(at("2023-11-14T23:13:20.5+01:00"), 1_700_000_000);
        assert_eq!(at("1970-01-01T00:00:00Z"), 0);
        assert!(parse_time("yesterday").is_err());
        assert!(parse_time("2023-13-14T22:13:20Z").is_err());
    }
}

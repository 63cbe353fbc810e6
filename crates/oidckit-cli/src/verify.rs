//! `oidckit verify`: validate a JWT (ID token) with `oidckit::Validator` and print it.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use clap::Args;
use serde_json::{Value, json};

use oidckit::jose::{CompactJws, b64url_decode};
use oidckit::{
    Alg, Checks, ClientConfig, IdToken, Jwks, ProviderMetadata, TokenProfile, Validator,
    VerifyingKey,
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

    /// What the token is: an OpenID Connect ID token, an RFC 9068 JWT access token, or any
    /// signed JWT (signature, `iss`, `aud` when --audience is given, `exp`/`nbf` when present).
    #[arg(long, value_enum, default_value_t = Profile::IdToken)]
    pub profile: Profile,

    /// The expected `aud` (only `aud`): the client id of an ID token, the resource of an
    /// access token. [default: the client id for ID tokens, else the token's first `aud` with
    /// a warning; `--profile jwt`: not checked]
    #[arg(long, value_name = "AUD")]
    pub audience: Option<String>,

    /// The client the token was issued to: an ID token's `azp` (and `aud` when no --audience),
    /// an access token's or JWT's `client_id` (or `azp`). Not checked when absent, except for
    /// ID tokens.
    #[arg(long, env = "OIDC_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,

    /// Access tokens: require the header `typ` `at+jwt` (or `application/at+jwt`) and the
    /// `jti` and `client_id` claims (RFC 9068).
    #[arg(long)]
    pub strict: bool,

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
        _ => settings::read_stdin("token")?.trim().to_string(),
    };
    let mut args = args;
    if let Some(s) = &args.secret {
        args.secret = Some(settings::secret_arg(s, "secret")?);
    }
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
            output::note(&format!(
                "warning: no --issuer given; accepting the token's own iss {iss:?}"
            ));
            iss.to_string()
        }
    };
    let id_token = args.profile == Profile::IdToken;
    let audience = match (&args.audience, &args.client_id) {
        (Some(a), _) => a.clone(),
        (None, Some(c)) if id_token => c.clone(),
        (None, _) if args.profile == Profile::Jwt => String::new(),
        (None, _) => {
            let aud = match unverified.get("aud") {
                Some(Value::String(a)) => Some(a.clone()),
                Some(Value::Array(a)) => a.first().and_then(Value::as_str).map(str::to_string),
                _ => None,
            }
            .context("give --audience: the token has no aud")?;
            output::note(&format!(
                "warning: no --audience given; accepting the token's own aud {aud:?}"
            ));
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

    // An ID token's aud and azp are both checked against the library's client id, so an
    // --audience that differs from --client-id is an extra check on aud.
    let client_id = match (&args.client_id, id_token) {
        (Some(c), true) => c.clone(),
        _ => audience.clone(),
    };
    let rules = validator(&args, &issuer, &client_id, &algs, leeway);
    let verified: IdToken = match (&args.jwks, &args.key) {
        (Some(url), None) if url.starts_with("http://") || url.starts_with("https://") => {
            let mut metadata = ProviderMetadata::new(issuer.clone());
            metadata.jwks_uri = Some(url.clone());
            let client = oidckit::Client::new(
                client_config(&args, &issuer, &client_id, &algs, leeway),
                metadata,
            )?;
            client.validate_with(&rules, &token, &checks).await?
        }
        (Some(path), None) => {
            let text = std::fs::read(path).with_context(|| format!("cannot read {path}"))?;
            rules.validate(&token, &Jwks::from_json(&text)?, &checks)?
        }
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let key = VerifyingKey::from_text(&text)?;
            rules.validate(&token, &Jwks::from_keys(vec![key]), &checks)?
        }
        (None, None) if args.secret.is_some() && jws.header.alg.is_hmac() => {
            rules.validate(&token, &Jwks::default(), &checks)?
        }
        (None, None) => {
            let client =
                settings::discover(client_config(&args, &issuer, &client_id, &algs, leeway))
                    .await?;
            client.validate_with(&rules, &token, &checks).await?
        }
        (Some(_), Some(_)) => bail!("give either --jwks or --key"),
    };
    if id_token
        && client_id != audience
        && !verified.claims().audience().contains(&audience.as_str())
    {
        return Err(oidckit::Error::IdTokenClaim {
            claim: "aud",
            check: oidckit::ClaimCheck::Mismatch,
            expected: Some(format!("{audience:?}")),
            found: Some(verified.claims().audience().join(" ")),
        }
        .into());
    }
    let claims = Value::Object(verified.claims().as_map().clone());
    if json {
        return output::print_json(&json!({ "valid": true, "header": header, "claims": claims }));
    }
    output::print_line(&format!(
        "Signature and claims verified ({} profile; alg {}, issuer {}, audience {}).\n\nHeader:\n{}\n\nClaims:\n{}",
        args.profile.name(),
        output::escape(jws.header.alg.as_str()),
        output::escape(&issuer),
        if audience.is_empty() {
            "not checked".into()
        } else {
            output::escape(&audience)
        },
        output::json_text(&header),
        output::json_text(&claims)
    ))
}

fn client_config(
    args: &VerifyArgs,
    issuer: &str,
    audience: &str,
    algs: &[Alg],
    leeway: Duration,
) -> ClientConfig {
    // The client only fetches keys; `--profile jwt` without --audience has no client id.
    let client_id = if audience.is_empty() {
        "oidckit-verify"
    } else {
        audience
    };
    let mut config = ClientConfig::new(issuer, client_id);
    config.allowed_algs = Some(algs.to_vec());
    config.client_secret = args.secret.clone();
    config.leeway = leeway;
    if let Some(t) = args.timeout {
        config.http.timeout = Duration::from_secs(t.max(1));
    }
    if args.insecure_allow_http {
        config.dangerous().allow_http = true;
    }
    if let Err(e) = crate::network::apply(&mut config.http) {
        output::note(&format!("warning: {e:#}"));
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
        .with_leeway(leeway)
        .with_profile(args.profile.token_profile())
        .with_strict_typ(args.strict);
    if let Some(secret) = &args.secret {
        v = v.with_client_secret(secret);
    }
    if let (Some(c), false) = (&args.client_id, args.profile == Profile::IdToken) {
        v = v.with_authorized_party(c.clone());
    }
    v
}

/// What kind of token `oidckit verify` checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    /// An OpenID Connect ID token (Core §3.1.3.7).
    IdToken,
    /// An RFC 9068 JWT access token (aud = the resource; no nonce or at_hash rules).
    AccessToken,
    /// Any signed JWT: signature, iss, aud when given, exp/nbf when present; no sub needed.
    Jwt,
}

impl Profile {
    fn name(self) -> &'static str {
        match self {
            Profile::IdToken => "ID token",
            Profile::AccessToken => "access token",
            Profile::Jwt => "JWT",
        }
    }

    fn token_profile(self) -> TokenProfile {
        match self {
            Profile::IdToken => TokenProfile::IdToken,
            Profile::AccessToken => TokenProfile::AccessToken,
            Profile::Jwt => TokenProfile::Jwt,
        }
    }
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

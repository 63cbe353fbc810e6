//! Printing results and errors: human text by default, one JSON object with `--json`.

use std::io::Write;

use serde_json::{Map, Value, json};

use oidckit::TokenSet;

/// The code printed for failures that are not `oidckit` errors (bad input files and the like).
pub const GENERIC_ERROR_CODE: u16 = 1;

/// The `oidckit` error code of `err`, if an `oidckit::Error` is in its chain.
pub fn error_code(err: &anyhow::Error) -> u16 {
    err.chain()
        .find_map(|e| e.downcast_ref::<oidckit::Error>())
        .map(oidckit::Error::code)
        .unwrap_or(GENERIC_ERROR_CODE)
}

/// Prints a failure: `{"error":{…}}` on stdout with `--json`, `error[CODE]: …` on stderr otherwise.
pub fn print_error(err: &anyhow::Error, json: bool) {
    let code = error_code(err);
    let message = format!("{err:#}");
    if json {
        let _ = print_json(&json!({ "error": { "code": code, "message": message } }));
    } else {
        eprintln!("error[{code}]: {message}");
    }
}

/// Whether the failure is a closed standard output (`oidckit … | head`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Prints one JSON value on its own line on stdout.
pub fn print_json(value: &Value) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// Prints a line on stdout, reporting a broken pipe as an error (so `main` can exit 0).
pub fn print_line(line: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    Ok(())
}

/// The JSON form of a sign-in result: tokens, the verified ID token claims and the UserInfo claims.
pub fn tokens_json(tokens: &TokenSet, userinfo: Option<&Map<String, Value>>) -> Value {
    let mut obj = Map::new();
    obj.insert(
        "access_token".into(),
        tokens
            .access_token
            .clone()
            .map_or(Value::Null, Value::String),
    );
    obj.insert(
        "token_type".into(),
        tokens.token_type.clone().map_or(Value::Null, Value::String),
    );
    if let Some(e) = tokens.expires_in {
        obj.insert("expires_in".into(), e.into());
    }
    if let Some(r) = &tokens.refresh_token {
        obj.insert("refresh_token".into(), r.clone().into());
    }
    let id = tokens.id_token.as_ref();
    obj.insert(
        "id_token".into(),
        id.map_or(Value::Null, |t| t.raw().into()),
    );
    if let Some(s) = &tokens.scope {
        obj.insert("scope".into(), s.clone().into());
    }
    obj.insert(
        "claims".into(),
        id.map_or(Value::Null, |t| Value::Object(t.claims().as_map().clone())),
    );
    obj.insert(
        "userinfo".into(),
        userinfo.map_or(Value::Null, |m| Value::Object(m.clone())),
    );
    Value::Object(obj)
}

/// Prints a sign-in result for people: who signed in, the claims, and token sizes (not the tokens).
pub fn print_tokens_human(
    tokens: &TokenSet,
    userinfo: Option<&Map<String, Value>>,
) -> anyhow::Result<()> {
    let claims = tokens.id_token.as_ref().map(|t| t.claims());
    let sub = claims.and_then(|c| c.subject()).unwrap_or("(unknown)");
    let who = userinfo
        .and_then(|u| u.get("email").and_then(Value::as_str))
        .or_else(|| claims.and_then(|c| c.get_str("email")));
    let mut text = match who {
        Some(email) => format!("Signed in as {sub} ({email})\n"),
        None => format!("Signed in as {sub}\n"),
    };
    if let Some(c) = claims {
        text.push_str(&format!(
            "\nVerified ID token claims:\n{}\n",
            serde_json::to_string_pretty(c.as_map())?
        ));
    }
    if let Some(u) = userinfo {
        text.push_str(&format!(
            "\nUserInfo:\n{}\n",
            serde_json::to_string_pretty(u)?
        ));
    }
    let describe = |name: &str, t: Option<&str>| match t {
        Some(t) => format!("{name}: {} characters\n", t.len()),
        None => format!("{name}: none\n"),
    };
    text.push('\n');
    text.push_str(&describe("access token", tokens.access_token.as_deref()));
    text.push_str(&describe("refresh token", tokens.refresh_token.as_deref()));
    if let Some(e) = tokens.expires_in {
        text.push_str(&format!("expires in: {e} s\n"));
    }
    text.push_str("(use --json to print the tokens themselves)");
    print_line(&text)
}

//! Misbehaviors that rewrite a JSON response body as raw text: a member set to any JSON
//! (hostile numbers such as `18446744073709551615` or `1e400` stay exactly as written), a
//! member repeated, a UTF-8 byte-order mark in front.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{Map, Value};

use super::state::Shared;
use crate::Misbehavior;

/// Applies the `Json*` misbehaviors whose path is the request's to a successful JSON response.
pub(super) async fn rewrite_json(
    State(s): State<Arc<Shared>>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let rules: Vec<Misbehavior> = s
        .lock()
        .misbehaviors
        .iter()
        .filter(|m| match m {
            Misbehavior::JsonMember { path: p, .. }
            | Misbehavior::JsonRepeatedMember { path: p, .. }
            | Misbehavior::JsonByteOrderMark { path: p } => *p == path,
            _ => false,
        })
        .cloned()
        .collect();
    let resp = next.run(req).await;
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if rules.is_empty() || !is_json || !resp.status().is_success() {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = to_bytes(body, 16 * 1024 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    for rule in &rules {
        text = match rule {
            Misbehavior::JsonMember { member, json, .. } => set_member(&text, member, json),
            Misbehavior::JsonRepeatedMember { member, .. } => repeat_member(&text, member),
            Misbehavior::JsonByteOrderMark { .. } => format!("\u{feff}{text}"),
            _ => text,
        };
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(text))
}

/// The object without `member`, then `"member":json` appended as raw text.
fn set_member(text: &str, member: &str, json: &str) -> String {
    let Ok(mut obj) =
        serde_json::from_str::<Map<String, Value>>(text.trim_start_matches('\u{feff}'))
    else {
        return text.to_string();
    };
    obj.remove(member);
    append(&Value::Object(obj).to_string(), member, json)
}

/// The object with a second copy of `member` (same value) appended.
fn repeat_member(text: &str, member: &str) -> String {
    let Ok(obj) = serde_json::from_str::<Map<String, Value>>(text.trim_start_matches('\u{feff}'))
    else {
        return text.to_string();
    };
    let value = obj.get(member).cloned().unwrap_or(Value::Null).to_string();
    append(&Value::Object(obj).to_string(), member, &value)
}

fn append(object: &str, member: &str, json: &str) -> String {
    let body = object.trim_end().trim_end_matches('}');
    let comma = if body.trim_end().ends_with('{') {
        ""
    } else {
        ","
    };
    format!("{body}{comma}{}:{json}}}", Value::from(member))
}

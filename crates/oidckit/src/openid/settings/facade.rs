//! The rows of [`TABLE`](super::TABLE) that act on the facade or read what it holds: the last
//! response, the tokens, the authorization transaction and the JSON documents (`XPath`).

use super::{Key, no_document, normalize};
use crate::config::ResponseType;
use crate::openid::OpenId;
use crate::{Error, Result};

/// `IDToken`: the raw ID token of the last sign-in.
pub(super) fn id_token(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.p
        .id_token
        .as_ref()
        .map(|t| t.raw().to_string())
        .unwrap_or_default())
}

/// `LogoutURL`: the discovered `end_session_endpoint`.
pub(super) fn logout_url(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.p
        .discovery
        .as_ref()
        .and_then(|d| d.end_session_endpoint.clone())
        .unwrap_or_default())
}

/// `RawJSON`: the last JSON document as received.
pub(super) fn raw_json(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.p
        .raw_json
        .as_ref()
        .map(|d| d.text.clone())
        .unwrap_or_default())
}

/// `JWTPayload`: the payload of a JWT access token.
pub(super) fn jwt_payload(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.p
        .jwt_payload
        .as_ref()
        .map(|d| d.text.clone())
        .unwrap_or_default())
}

/// `ResponseType=…`: parsed once (error 902 for an unknown combination); empty clears it.
pub(super) fn set_response_type(o: &mut OpenId, _: Key, value: &str) -> Result<()> {
    let v = value.trim();
    o.p.set.response_type = if v.is_empty() {
        None
    } else {
        Some(ResponseType::parse(v)?)
    };
    Ok(())
}

/// `ResponseType`: the one set, else the grant type's default.
pub(super) fn response_type(o: &OpenId, _: Key) -> Result<String> {
    let rt =
        o.p.set
            .response_type
            .unwrap_or_else(|| o.p.grant_type.default_response_type());
    Ok(rt.as_str().to_string())
}

/// `AuthorizationTokenType`: the `token_type` of the last token response.
pub(super) fn authorization_token_type(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.p.token_type.clone().unwrap_or_default())
}

/// `PKCEVerifier=…`: replaces the verifier of the pending transaction.
pub(super) fn set_pkce_verifier(o: &mut OpenId, _: Key, value: &str) -> Result<()> {
    let tx = o.p.transaction.as_mut().ok_or(Error::Missing {
        what: "authorization transaction",
        hint: "PKCEVerifier can be set once get_authorization_url has run (or set_transaction restored it)",
    })?;
    tx.code_verifier = super::super::opt(value);
    Ok(())
}

/// `PKCEVerifier`: the verifier of the pending transaction.
pub(super) fn pkce_verifier(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.p
        .transaction
        .as_ref()
        .and_then(|t| t.code_verifier.clone())
        .unwrap_or_default())
}

/// `Microsoft365AdminConsentError`: the response's `error`.
pub(super) fn admin_consent_error(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.get_param("error"))
}

/// `Microsoft365AdminConsentErrorDesc`: the response's `error_description`.
pub(super) fn admin_consent_error_desc(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.get_param("error_description"))
}

/// `Microsoft365AdminConsentTenant`: the response's `tenant`.
pub(super) fn admin_consent_tenant(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.get_param("tenant"))
}

/// `TokenInfoFieldCount`.
pub(super) fn token_info_field_count(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.p.token_info.len().to_string())
}

/// `TokenInfoFieldName[i]`.
pub(super) fn token_info_field_name(o: &OpenId, k: Key) -> Result<String> {
    Ok(o.p
        .token_info
        .get(k.index.unwrap_or(0))
        .map(|(n, _)| n.clone())
        .unwrap_or_default())
}

/// `TokenInfoFieldValue[i]`.
pub(super) fn token_info_field_value(o: &OpenId, k: Key) -> Result<String> {
    Ok(o.p
        .token_info
        .get(k.index.unwrap_or(0))
        .map(|(_, v)| v.clone())
        .unwrap_or_default())
}

/// `ValidateToken=<token>`: asks the token info service (see `OpenId::validate_token`).
pub(super) fn validate_token(o: &mut OpenId, _: Key, value: &str) -> Result<()> {
    o.validate_token(value)
}

/// `ValidateToken`: the last verdict.
pub(super) fn validate_token_verdict(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.p.token_verdict.clone())
}

/// `DeviceUserCode`: the user code of the last device authorization.
pub(super) fn device_user_code(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.p.device_user_code.clone())
}

/// `StatusCode` of the last response.
pub(super) fn status_code(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.last(|r| r.status.to_string(), "0"))
}

/// `StatusLine` of the last response.
pub(super) fn status_line(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.last(|r| r.status_line.clone(), ""))
}

/// `TransferredData`: the body of the last response.
pub(super) fn transferred_data(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.transferred_data())
}

/// `TransferredHeaders`: the headers of the last response.
pub(super) fn transferred_headers(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.transferred_headers())
}

/// `SentHeaders`: the headers of the last request.
pub(super) fn sent_headers(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.last(|r| r.request_headers.clone(), ""))
}

/// A write that is checked and has no effect (`TransferredRequest` reads back the last
/// request, whatever was written).
pub(super) fn accept(_: &mut OpenId, k: Key, value: &str) -> Result<()> {
    normalize(k.setting, value).map(drop)
}

/// `TransferredRequest`: the last request.
pub(super) fn transferred_request(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.last(|r| r.request.clone(), ""))
}

/// `BytesTransferred`: the size of the last response body.
pub(super) fn bytes_transferred(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.last(|r| r.body.len().to_string(), "0"))
}

/// `NegotiatedHTTPVersion` of the last response.
pub(super) fn negotiated_http_version(o: &OpenId, _: Key) -> Result<String> {
    Ok(o.last(
        |r| {
            r.status_line
                .split(' ')
                .next()
                .unwrap_or_default()
                .trim_start_matches("HTTP/")
                .to_string()
        },
        "",
    ))
}

/// `BuildInfo`.
pub(super) fn build_info(_: &OpenId, _: Key) -> Result<String> {
    Ok(concat!("oidckit ", env!("CARGO_PKG_VERSION")).to_string())
}

/// `XPath=…` (`JWTXPath=…` when `JWT`): moves the position in the document.
pub(super) fn select_xpath<const JWT: bool>(o: &mut OpenId, k: Key, value: &str) -> Result<()> {
    let doc = if JWT {
        o.p.jwt_payload.as_mut()
    } else {
        o.p.raw_json.as_mut()
    };
    let doc = doc.ok_or_else(|| no_document(k.setting.name))?;
    doc.doc.select(value, k.setting.name)
}

/// `XPath`: the position, or the default before any document.
pub(super) fn xpath<const JWT: bool>(o: &OpenId, k: Key) -> Result<String> {
    Ok(match o.doc(JWT, k.setting.name) {
        Ok(d) => d.path(),
        Err(_) => k.setting.default.to_string(),
    })
}

/// `XElement`.
pub(super) fn x_element<const JWT: bool>(o: &OpenId, k: Key) -> Result<String> {
    Ok(o.doc(JWT, k.setting.name)?.element())
}

/// `XText`.
pub(super) fn x_text<const JWT: bool>(o: &OpenId, k: Key) -> Result<String> {
    Ok(o.doc(JWT, k.setting.name)?.text())
}

/// `XParent`.
pub(super) fn x_parent<const JWT: bool>(o: &OpenId, k: Key) -> Result<String> {
    Ok(o.doc(JWT, k.setting.name)?.parent())
}

/// `XSubTree`.
pub(super) fn x_sub_tree<const JWT: bool>(o: &OpenId, k: Key) -> Result<String> {
    Ok(o.doc(JWT, k.setting.name)?.sub_tree())
}

/// `XChildCount`.
pub(super) fn x_child_count<const JWT: bool>(o: &OpenId, k: Key) -> Result<String> {
    Ok(o.doc(JWT, k.setting.name)?.child_count().to_string())
}

/// `XChildName[i]`.
pub(super) fn x_child_name<const JWT: bool>(o: &OpenId, k: Key) -> Result<String> {
    o.doc(JWT, k.setting.name)?
        .child_name(k.index.unwrap_or(0), k.setting.name)
}

/// `XChildXText[i]`.
pub(super) fn x_child_text<const JWT: bool>(o: &OpenId, k: Key) -> Result<String> {
    o.doc(JWT, k.setting.name)?
        .child_text(k.index.unwrap_or(0), k.setting.name)
}

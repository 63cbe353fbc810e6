//! `oidckit.testing.MockProvider`: the embeddable mock OpenID Provider (`oidckit-mock`), started
//! from Python on 127.0.0.1 with a free port, and the stand-in browser that signs in at it.

use std::sync::{Mutex, PoisonError};

use oidckit_mock::{Endpoint, Misbehavior, MockClient, MockConfig, SigningAlg};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::convert;

/// A running mock provider. Use it as a context manager (`with MockProvider() as op:`); it
/// stops on `stop()`, on leaving the block, or when collected.
#[pyclass(frozen, module = "oidckit._native", name = "MockProvider")]
pub struct PyMockProvider {
    inner: Mutex<Option<oidckit_mock::MockProvider>>,
    client_id: String,
    client_secret: String,
}

fn alg(name: &str) -> PyResult<SigningAlg> {
    SigningAlg::parse(name)
        .ok_or_else(|| PyValueError::new_err(format!("unknown algorithm {name}")))
}

fn endpoint(name: &str) -> PyResult<Endpoint> {
    Ok(match name {
        "discovery" => Endpoint::Discovery,
        "jwks" => Endpoint::Jwks,
        "authorize" => Endpoint::Authorize,
        "token" => Endpoint::Token,
        "userinfo" => Endpoint::UserInfo,
        _ => {
            return Err(PyValueError::new_err(format!(
                "unknown endpoint {name} (discovery, jwks, authorize, token, userinfo)"
            )));
        }
    })
}

/// A misbehaviour by its snake_case name; `hang`, `huge_response` take an endpoint,
/// `auth_response_error` an OAuth error code and `device_slow_down` a poll number.
fn misbehavior(name: &str, arg: Option<&str>) -> PyResult<Misbehavior> {
    let need = |what: &str| {
        arg.ok_or_else(|| PyValueError::new_err(format!("misbehaviour {name} needs {what}")))
    };
    Ok(match name {
        "id_token_bad_signature" => Misbehavior::IdTokenBadSignature,
        "id_token_alg_none" => Misbehavior::IdTokenAlgNone,
        "id_token_hs256_with_rsa_public_key" => Misbehavior::IdTokenHs256WithRsaPublicKey,
        "id_token_wrong_issuer" => Misbehavior::IdTokenWrongIssuer,
        "id_token_wrong_audience" => Misbehavior::IdTokenWrongAudience,
        "id_token_wrong_azp" => Misbehavior::IdTokenWrongAzp,
        "id_token_multiple_aud_no_azp" => Misbehavior::IdTokenMultipleAudNoAzp,
        "id_token_wrong_nonce" => Misbehavior::IdTokenWrongNonce,
        "id_token_missing_nonce" => Misbehavior::IdTokenMissingNonce,
        "id_token_expired" => Misbehavior::IdTokenExpired,
        "id_token_missing_iat" => Misbehavior::IdTokenMissingIat,
        "id_token_iat_in_future" => Misbehavior::IdTokenIatInFuture,
        "id_token_missing_sub" => Misbehavior::IdTokenMissingSub,
        "id_token_bad_at_hash" => Misbehavior::IdTokenBadAtHash,
        "id_token_bad_c_hash" => Misbehavior::IdTokenBadCHash,
        "id_token_no_kid" => Misbehavior::IdTokenNoKid,
        "id_token_unknown_crit" => Misbehavior::IdTokenUnknownCrit,
        "id_token_auth_time_old" => Misbehavior::IdTokenAuthTimeOld,
        "discovery_issuer_mismatch" => Misbehavior::DiscoveryIssuerMismatch,
        "discovery_malformed_json" => Misbehavior::DiscoveryMalformedJson,
        "auth_response_wrong_iss" => Misbehavior::AuthResponseWrongIss,
        "auth_response_wrong_state" => Misbehavior::AuthResponseWrongState,
        "auth_response_error" => {
            Misbehavior::AuthResponseError(need("an OAuth error code")?.into())
        }
        "userinfo_wrong_sub" => Misbehavior::UserinfoWrongSub,
        "token_invalid_grant" => Misbehavior::TokenInvalidGrant,
        "token_malformed_json" => Misbehavior::TokenMalformedJson,
        "jwks_malformed_json" => Misbehavior::JwksMalformedJson,
        "hang" => Misbehavior::Hang(endpoint(need("an endpoint")?)?),
        "huge_response" => Misbehavior::HugeResponse(endpoint(need("an endpoint")?)?),
        "device_slow_down" => Misbehavior::DeviceSlowDown(
            need("a poll number")?
                .parse()
                .map_err(|_| PyValueError::new_err("device_slow_down takes a poll number"))?,
        ),
        _ => {
            return Err(PyValueError::new_err(format!(
                "unknown misbehaviour {name}"
            )));
        }
    })
}

impl PyMockProvider {
    fn with<R>(&self, f: impl FnOnce(&oidckit_mock::MockProvider) -> R) -> PyResult<R> {
        let guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        match guard.as_ref() {
            Some(p) => Ok(f(p)),
            None => Err(PyRuntimeError::new_err("the mock provider was stopped")),
        }
    }
}

#[pymethods]
impl PyMockProvider {
    /// Starts a provider with one confidential client (`client_id`, `client_secret`) and the
    /// public client `public-client`. `device_interval` is the polling interval it asks device
    /// clients for; `auto_approve=False` makes device codes wait for `approve_device`.
    #[new]
    #[pyo3(signature = (*, client_id = "test-client".to_string(), client_secret = "test-secret".to_string(),
        redirect_uris = None, id_token_alg = "RS256", device_interval = 1, token_ttl = 3600,
        refresh_tokens = true, userinfo_signed = false, user_password = "password".to_string(), port = 0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        client_id: String,
        client_secret: String,
        redirect_uris: Option<Vec<String>>,
        id_token_alg: &str,
        device_interval: u64,
        token_ttl: u64,
        refresh_tokens: bool,
        userinfo_signed: bool,
        user_password: String,
        port: u16,
    ) -> PyResult<PyMockProvider> {
        let mut client = MockClient::confidential(client_id.clone(), client_secret.clone());
        if let Some(uris) = redirect_uris {
            client.redirect_uris = uris;
        }
        let config = MockConfig {
            clients: vec![client, MockClient::public("public-client")],
            id_token_alg: alg(id_token_alg)?,
            device_interval_secs: device_interval,
            token_ttl_secs: token_ttl,
            refresh_tokens,
            userinfo_signed,
            user_password,
            ..MockConfig::default()
        };
        let provider = py
            .detach(|| oidckit_mock::MockProvider::start_on(config, port))
            .map_err(|e| PyOSError::new_err(format!("the mock provider did not start: {e}")))?;
        Ok(PyMockProvider {
            inner: Mutex::new(Some(provider)),
            client_id,
            client_secret,
        })
    }

    /// The issuer URL, `http://127.0.0.1:<port>`.
    #[getter]
    fn issuer(&self) -> PyResult<String> {
        self.with(|p| p.issuer())
    }

    /// The discovery document's URL.
    #[getter]
    fn discovery_url(&self) -> PyResult<String> {
        self.with(|p| p.discovery_url())
    }

    /// The port it listens on.
    #[getter]
    fn port(&self) -> PyResult<u16> {
        self.with(|p| p.port())
    }

    /// The confidential client's id.
    #[getter]
    fn client_id(&self) -> String {
        self.client_id.clone()
    }

    /// The confidential client's secret.
    #[getter]
    fn client_secret(&self) -> String {
        self.client_secret.clone()
    }

    /// The kid of the key that signs RS256 tokens now.
    #[getter]
    fn active_kid(&self) -> PyResult<String> {
        self.with(|p| p.active_kid())
    }

    /// Makes the provider misbehave one more way (see the package docs for the names).
    #[pyo3(signature = (name, arg = None))]
    fn set_misbehavior(&self, name: &str, arg: Option<&str>) -> PyResult<()> {
        let m = misbehavior(name, arg)?;
        self.with(|p| p.set_misbehavior(m))
    }

    /// Makes it behave again.
    fn clear_misbehaviors(&self) -> PyResult<()> {
        self.with(|p| p.clear_misbehaviors())
    }

    /// Replaces every signing key with a new one (new kids): key rotation.
    fn rotate_keys(&self) -> PyResult<()> {
        self.with(|p| p.rotate_keys())
    }

    /// Adds another key for `alg` to the JWKS (tokens signed with `alg` use it from then on
    /// when it is the first of its algorithm).
    fn add_key(&self, alg_name: &str) -> PyResult<()> {
        let a = alg(alg_name)?;
        self.with(|p| p.add_key(a))
    }

    /// The JWKS it serves.
    fn jwks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with(|p| p.jwks())?;
        convert::to_py(py, &v)
    }

    /// A JWT with these claims signed with its key for `alg` (HS*: the client secret), with
    /// `header` merged into the JOSE header.
    #[pyo3(signature = (claims, alg_name = "RS256", header = None))]
    fn sign_jwt(
        &self,
        claims: &Bound<'_, PyAny>,
        alg_name: &str,
        header: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let claims = convert::from_py(claims)?;
        let header = header
            .map(convert::from_py)
            .transpose()?
            .unwrap_or_default();
        let a = alg(alg_name)?;
        self.with(|p| p.sign_jwt_with_header(&claims, a, &header))
    }

    /// Registers a public key (SPKI PEM or JWK) for `client_id`: JWT assertions from that
    /// client (or a service account with that e-mail) must verify with it.
    fn register_client_key(&self, client_id: &str, public_key: &str) -> PyResult<()> {
        self.with(|p| p.register_client_key(client_id, public_key))?
            .map_err(PyValueError::new_err)
    }

    /// Approves a pending device code as the user would; False when there is no such code.
    fn approve_device(&self, user_code: &str) -> PyResult<bool> {
        self.with(|p| p.approve_device(user_code))
    }

    /// Denies a pending device code; False when there is no such code.
    fn deny_device(&self, user_code: &str) -> PyResult<bool> {
        self.with(|p| p.deny_device(user_code))
    }

    /// How many token polls arrived for this user code.
    fn device_poll_count(&self, user_code: &str) -> PyResult<usize> {
        self.with(|p| p.device_poll_times(user_code).len())
    }

    /// The requests received so far, oldest first: dicts with `method`, `path`, `headers`
    /// (list of name/value pairs, names lower-case) and `params` (query then form).
    fn requests<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let reqs = self.with(|p| p.requests())?;
        let list = PyList::empty(py);
        for r in reqs {
            let d = PyDict::new(py);
            d.set_item("method", r.method)?;
            d.set_item("path", r.path)?;
            d.set_item("headers", r.headers)?;
            d.set_item("params", r.params)?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// Forgets the recorded requests.
    fn clear_requests(&self) -> PyResult<()> {
        self.with(|p| p.clear_requests())
    }

    /// Shuts the server down (idempotent).
    fn stop(&self, py: Python<'_>) {
        let p = self
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(p) = p {
            py.detach(|| p.stop());
        }
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.stop(py);
        false
    }
}

/// The stand-in browser's first step: follows an authorization URL at the mock provider (the
/// user is always signed in) and returns the redirect to the client's return URL.
#[pyfunction]
pub fn mock_authorize(py: Python<'_>, url: String) -> PyResult<String> {
    py.detach(|| oidckit_mock::browser::authorize(&url))
        .map(|o| o.callback_url())
        .map_err(|e| PyOSError::new_err(format!("the provider did not answer: {e}")))
}

/// A plain GET (the stand-in browser's second step, delivering the redirect); returns the
/// status code.
#[pyfunction]
pub fn mock_http_get(py: Python<'_>, url: String) -> PyResult<u16> {
    py.detach(|| oidckit_mock::browser::http_get(&url))
        .map(|(status, _, _)| status)
        .map_err(|e| PyOSError::new_err(format!("GET {url} failed: {e}")))
}

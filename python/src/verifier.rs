//! `oidckit.Verifier`: verifies ID tokens and other JWTs of one issuer for one audience, for
//! web back-ends that see many tokens from many threads.
//!
//! All of the work is the core's: [`oidckit::Client::validate_id_token_now`] when the keys are
//! cached (the dict built in the core's own pass over the claims), else
//! [`oidckit::Client::validate_id_token`]: discovery once, at construction; the JWKS fetched on
//! first use and cached; fetched again at most once per cooldown when a token names an unknown
//! key (rotation), with concurrent misses waiting for the one fetch in flight; the cached keys
//! kept when a fetch fails. This file converts types and releases the GIL whenever the
//! verification has to wait for the network.

use std::time::Duration;

use oidckit::{Alg, Checks, Client, ClientConfig};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::convert;
use crate::errors::check;

/// A thread-safe JWT verifier for one issuer and audience. `verify(token)` returns the
/// verified claims as a dict or raises `IDTokenError` (code 901/903) — never a partly checked
/// result.
#[pyclass(frozen, module = "oidckit._native", name = "Verifier")]
pub struct Verifier {
    client: Client,
    runtime: tokio::runtime::Runtime,
    /// The issuer and the audience as Python strings: every verified token carries the one
    /// and usually the other, so its dict shares these instead of making new ones.
    known: Vec<(String, Py<PyString>)>,
}

#[pymethods]
impl Verifier {
    /// Fetches `issuer`'s discovery document now (raising `DiscoveryError` or `HTTPError`).
    /// `audience` is the client id tokens must be issued to. `algorithms` limits the accepted
    /// algorithms (default: what the provider advertises; never `none`); HS256/384/512 tokens
    /// need `client_secret`. `leeway` is the tolerated clock skew in seconds;
    /// `jwks_refresh_cooldown` the least time between two fetches forced by unknown keys.
    #[new]
    #[pyo3(signature = (issuer, audience, *, client_secret = None, algorithms = None,
        leeway = 60.0, jwks_refresh_cooldown = 60.0, timeout = 30.0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        issuer: String,
        audience: String,
        client_secret: Option<String>,
        algorithms: Option<Vec<String>>,
        leeway: f64,
        jwks_refresh_cooldown: f64,
        timeout: f64,
    ) -> PyResult<Verifier> {
        let seconds = |s: f64| Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::MAX);
        let mut config = ClientConfig::new(issuer, audience);
        config.client_secret = client_secret;
        config.allowed_algs = algorithms.map(|a| a.iter().map(|n| Alg::from(n.as_str())).collect());
        config.leeway = seconds(leeway);
        config.jwks_refresh_cooldown = seconds(jwks_refresh_cooldown);
        config.http.timeout = seconds(timeout);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("oidckit-verifier")
            .enable_all()
            .build()
            .map_err(|e| PyRuntimeError::new_err(format!("could not start the I/O thread: {e}")))?;
        let client = check(py.detach(|| runtime.block_on(Client::discover(config))))?;
        let known = [&client.metadata().issuer, &client.config().client_id]
            .into_iter()
            .map(|s| (s.clone(), PyString::new(py, s).unbind()))
            .collect();
        Ok(Verifier {
            client,
            runtime,
            known,
        })
    }

    /// Verifies `token` (signature, `iss`, `aud`/`azp`, `exp`, `iat`, and `nonce` /
    /// `max_age` when given) and returns its claims.
    #[pyo3(signature = (token, *, nonce = None, max_age = None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        token: &str,
        nonce: Option<&str>,
        max_age: Option<u64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut checks = Checks::default();
        checks.nonce = nonce;
        checks.max_age = max_age.map(Duration::from_secs);
        // With the keys cached (always for HMAC tokens) nothing waits: the token is verified
        // here, with the GIL held, and its dict built in the same pass over the claims that
        // reads them for the checks. That is a few microseconds of CPU work (tens for
        // RSA/ECDSA) that cannot block, where releasing and re-taking the GIL would cost as much.
        let sink = convert::DictSink::new(py, &self.known);
        if let Some(done) = self.client.validate_id_token_now(token, &checks, sink) {
            return Ok(check(done)?.into_dict());
        }
        // A key set to fetch (first use, or an unknown kid): the GIL is released while the
        // runtime fetches, concurrent misses waiting for the one fetch in flight.
        let client = &self.client;
        let verified = check(py.detach(|| {
            self.runtime
                .block_on(client.validate_id_token(token, &checks))
        }))?;
        Ok(convert::json_to_py(py, verified.payload(), &self.known)?.cast_into::<PyDict>()?)
    }

    /// The issuer tokens must come from.
    #[getter]
    fn issuer(&self) -> String {
        self.client.metadata().issuer.clone()
    }

    /// The audience tokens must be issued to.
    #[getter]
    fn audience(&self) -> String {
        self.client.config().client_id.clone()
    }
}

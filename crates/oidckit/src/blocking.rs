//! A blocking API over the async core, for programs without an async runtime.
//!
//! [`Client`] mirrors every method of [`crate::Client`] with the same name (the test
//! `tests/blocking.rs` calls each). Each blocking value owns one
//! current-thread tokio runtime on a named thread (`oidckit-blocking`); calls are forwarded to it
//! over a channel and the caller waits for the answer. Dropping the value stops and joins the
//! thread. There is no protocol logic here: every method runs the async one.
//!
//! **Do not call these from async code** (inside a tokio runtime): the calling thread blocks
//! until the call finishes, which stalls the runtime's other tasks. Use [`crate::Client`] there.
//!
//! ```
//! # fn main() -> oidckit::Result<()> {
//! use oidckit::{AuthorizationRequest, CallbackParams, ClientConfig};
//! # let provider = oidckit_mock::MockProvider::start(Default::default()).unwrap();
//! let config = ClientConfig::new(provider.issuer(), "test-client")
//!     .with_secret("test-secret")
//!     .with_redirect_uri("http://127.0.0.1:8080/callback");
//! let client = oidckit::blocking::Client::discover(config)?;
//! let (url, tx) = client.authorization_url(&AuthorizationRequest::default())?;
//! # let callback = oidckit_mock::follow_authorization(&url).unwrap();
//! let tokens = client.handle_callback(&tx, &CallbackParams::from_url(&callback))?;
//! let me = client.userinfo(&tokens)?;
//! assert_eq!(me.sub.as_deref(), Some("248289761001"));
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::authorize::{AuthTransaction, AuthorizationRequest, CallbackParams};
use crate::config::{ClientConfig, ResponseType};
use crate::device::DeviceAuthorization;
use crate::discovery::ProviderMetadata;
use crate::http::LastResponse;
use crate::id_token::{Checks, IdToken, Validator};
use crate::introspection::Introspection;
use crate::jwt_bearer::JwtAssertion;
use crate::logout::EndSessionRequest;
use crate::token::TokenSet;
use crate::userinfo::UserDetails;
use crate::{Error, Result};

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// One current-thread runtime on a named thread, running the futures sent to it one at a time.
pub(crate) struct Worker {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for Worker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker").finish_non_exhaustive()
    }
}

impl Worker {
    /// Starts the thread and its runtime. Code 1120 when either cannot be created.
    pub(crate) fn start() -> Result<Worker> {
        let (jobs, rx) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = mpsc::channel::<std::io::Result<()>>();
        let thread = std::thread::Builder::new()
            .name("oidckit-blocking".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => {
                        let _ = ready_tx.send(Ok(()));
                        rt
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                while let Ok(job) = rx.recv() {
                    rt.block_on(job);
                }
            })
            .map_err(worker_error)?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Worker {
                jobs: Some(jobs),
                thread: Some(thread),
            }),
            Ok(Err(e)) => Err(worker_error(e)),
            Err(_) => Err(Error::Connection {
                url: String::new(),
                reason: "the blocking runtime thread ended at start".into(),
                source: None,
            }),
        }
    }

    /// Runs `fut` on the worker and waits for its result.
    pub(crate) fn run<T: Send + 'static>(
        &self,
        fut: impl Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        let (tx, rx) = mpsc::sync_channel(1);
        let job: Job = Box::pin(async move {
            let _ = tx.send(fut.await);
        });
        let gone = || Error::Connection {
            url: String::new(),
            reason: "the blocking runtime thread has stopped (a callback panicked?)".into(),
            source: None,
        };
        self.jobs
            .as_ref()
            .ok_or_else(gone)?
            .send(job)
            .map_err(|_| gone())?;
        rx.recv().map_err(|_| gone())?
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop once the running job (if any) is done.
        drop(self.jobs.take());
        if let Some(t) = self.thread.take()
            && t.thread().id() != std::thread::current().id()
        {
            let _ = t.join();
        }
    }
}

fn worker_error(e: std::io::Error) -> Error {
    Error::Connection {
        url: String::new(),
        reason: format!("cannot start the blocking runtime thread: {e}"),
        source: Some(Box::new(e)),
    }
}

/// The blocking twin of [`crate::Client`]: same method names, each waits for the result.
/// Cheap to clone (the clones share the worker thread). See the [module docs](self) for why
/// it must not be used from async code.
#[derive(Debug, Clone)]
pub struct Client {
    inner: crate::Client,
    worker: Arc<Worker>,
}

impl Client {
    /// [`crate::Client::discover`], blocking.
    pub fn discover(config: ClientConfig) -> Result<Client> {
        let worker = Worker::start()?;
        let inner = worker.run(crate::Client::discover(config))?;
        Ok(Client {
            inner,
            worker: Arc::new(worker),
        })
    }

    /// [`crate::Client::for_resource`], blocking: the client of the protected resource's
    /// authorization server, the resource's metadata, and the registration made (if any).
    pub fn for_resource(
        resource_url: &str,
        options: crate::ResourceOptions,
    ) -> Result<(
        Client,
        crate::resource::ResourceMetadata,
        Option<crate::registration::RegisteredClient>,
    )> {
        let worker = Worker::start()?;
        let url = resource_url.to_string();
        let found = worker.run(async move { crate::Client::for_resource(&url, options).await })?;
        let client = Client {
            inner: found.client,
            worker: Arc::new(worker),
        };
        Ok((client, found.resource, found.registration))
    }

    /// [`crate::Client::new`]: metadata set by hand, no request.
    pub fn new(config: ClientConfig, metadata: ProviderMetadata) -> Result<Client> {
        Ok(Client {
            inner: crate::Client::new(config, metadata)?,
            worker: Arc::new(Worker::start()?),
        })
    }

    /// The async client inside (for use from async code).
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// Runs any async operation on the client, blocking, e.g. several calls as one job:
    /// `client.run(|c| async move { c.refresh("rt", None).await })`. Every method of
    /// [`crate::Client`] also has its own blocking twin here.
    pub fn run<T, F, Fut>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(crate::Client) -> Fut,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        self.worker.run(f(self.inner.clone()))
    }

    /// [`crate::Client::metadata`].
    pub fn metadata(&self) -> &ProviderMetadata {
        self.inner.metadata()
    }

    /// [`crate::Client::config`].
    pub fn config(&self) -> &ClientConfig {
        self.inner.config()
    }

    /// [`crate::Client::response_type`].
    pub fn response_type(&self) -> ResponseType {
        self.inner.response_type()
    }

    /// [`crate::Client::authorization_url`] (makes no request).
    pub fn authorization_url(
        &self,
        req: &AuthorizationRequest,
    ) -> Result<(String, AuthTransaction)> {
        self.inner.authorization_url(req)
    }

    /// [`crate::Client::start_authorization`], blocking (pushes the request when PAR is on).
    pub fn start_authorization(
        &self,
        req: &AuthorizationRequest,
    ) -> Result<(String, AuthTransaction)> {
        let req = req.clone();
        self.run(|c| async move { c.start_authorization(&req).await })
    }

    /// [`crate::Client::push_authorization_request`], blocking.
    pub fn push_authorization_request(
        &self,
        req: &AuthorizationRequest,
    ) -> Result<(String, AuthTransaction)> {
        let req = req.clone();
        self.run(|c| async move { c.push_authorization_request(&req).await })
    }

    /// [`crate::Client::handle_callback`], blocking.
    pub fn handle_callback(
        &self,
        tx: &AuthTransaction,
        params: &CallbackParams,
    ) -> Result<TokenSet> {
        let (tx, params) = (tx.clone(), params.clone());
        self.run(|c| async move { c.handle_callback(&tx, &params).await })
    }

    /// [`crate::Client::exchange_code`], blocking.
    pub fn exchange_code(&self, code: &str, tx: &AuthTransaction) -> Result<TokenSet> {
        let (code, tx) = (code.to_string(), tx.clone());
        self.run(|c| async move { c.exchange_code(&code, &tx).await })
    }

    /// [`crate::Client::refresh`], blocking.
    pub fn refresh(&self, refresh_token: &str, previous: Option<&IdToken>) -> Result<TokenSet> {
        let (rt, prev) = (refresh_token.to_string(), previous.cloned());
        self.run(|c| async move { c.refresh(&rt, prev.as_ref()).await })
    }

    /// [`crate::Client::userinfo`], blocking.
    pub fn userinfo(&self, tokens: &TokenSet) -> Result<UserDetails> {
        let tokens = tokens.clone();
        self.run(|c| async move { c.userinfo(&tokens).await })
    }

    /// [`crate::Client::userinfo_with`], blocking.
    pub fn userinfo_with(
        &self,
        access_token: &str,
        expected_sub: Option<&str>,
    ) -> Result<UserDetails> {
        let (at, sub) = (access_token.to_string(), expected_sub.map(str::to_string));
        self.run(|c| async move { c.userinfo_with(&at, sub.as_deref()).await })
    }

    /// [`crate::Client::last_response`].
    pub fn last_response(&self) -> Option<LastResponse> {
        self.inner.last_response()
    }

    /// [`crate::Client::validator`].
    pub fn validator(&self) -> &Validator {
        self.inner.validator()
    }

    /// [`crate::Client::validate_id_token`], blocking (fetches the JWKS when needed).
    pub fn validate_id_token(&self, token: &str, checks: &Checks<'_>) -> Result<IdToken> {
        let token = token.to_string();
        let owned = OwnedChecks::from(checks);
        self.run(|c| async move { c.validate_id_token(&token, &owned.borrow()).await })
    }

    /// [`crate::Client::validate_with`], blocking: any JWT of this provider, checked by
    /// `validator` (e.g. an RFC 9068 access token).
    pub fn validate_with(
        &self,
        validator: &Validator,
        token: &str,
        checks: &Checks<'_>,
    ) -> Result<IdToken> {
        let (validator, token) = (validator.clone(), token.to_string());
        let owned = OwnedChecks::from(checks);
        self.run(|c| async move { c.validate_with(&validator, &token, &owned.borrow()).await })
    }

    /// [`crate::Client::client_credentials`], blocking.
    pub fn client_credentials(&self, scope: Option<&str>) -> Result<TokenSet> {
        let scope = scope.map(str::to_string);
        self.run(|c| async move { c.client_credentials(scope.as_deref()).await })
    }

    /// [`crate::Client::password`], blocking.
    pub fn password(
        &self,
        username: &str,
        password: &str,
        scope: Option<&str>,
    ) -> Result<TokenSet> {
        let (user, pass) = (username.to_string(), password.to_string());
        let scope = scope.map(str::to_string);
        self.run(|c| async move { c.password(&user, &pass, scope.as_deref()).await })
    }

    /// [`crate::Client::jwt_bearer`], blocking.
    pub fn jwt_bearer(&self, assertion: &JwtAssertion) -> Result<TokenSet> {
        let assertion = assertion.clone();
        self.run(|c| async move { c.jwt_bearer(&assertion).await })
    }

    /// [`crate::Client::device_authorization`], blocking.
    pub fn device_authorization(&self, scope: Option<&str>) -> Result<DeviceAuthorization> {
        let scope = scope.map(str::to_string);
        self.run(|c| async move { c.device_authorization(scope.as_deref()).await })
    }

    /// [`crate::Client::poll_device_token`], blocking until the user approves, the code
    /// expires or `timeout` passes.
    pub fn poll_device_token(
        &self,
        da: &DeviceAuthorization,
        timeout: Option<Duration>,
    ) -> Result<TokenSet> {
        let da = da.clone();
        self.run(|c| async move { c.poll_device_token(&da, timeout).await })
    }

    /// [`crate::Client::introspect`], blocking.
    pub fn introspect(&self, token: &str, token_type_hint: Option<&str>) -> Result<Introspection> {
        let (token, hint) = (token.to_string(), token_type_hint.map(str::to_string));
        self.run(|c| async move { c.introspect(&token, hint.as_deref()).await })
    }

    /// [`crate::Client::token_info`], blocking.
    pub fn token_info(&self, token_info_url: &str, token: &str) -> Result<Introspection> {
        let (url, token) = (token_info_url.to_string(), token.to_string());
        self.run(|c| async move { c.token_info(&url, &token).await })
    }

    /// [`crate::Client::revoke`], blocking.
    pub fn revoke(&self, token: &str, token_type_hint: Option<&str>) -> Result<()> {
        let (token, hint) = (token.to_string(), token_type_hint.map(str::to_string));
        self.run(|c| async move { c.revoke(&token, hint.as_deref()).await })
    }

    /// [`crate::Client::end_session_url`] (makes no request).
    pub fn end_session_url(&self, req: &EndSessionRequest) -> Result<String> {
        self.inner.end_session_url(req)
    }
}

/// [`Checks`] with owned strings, so it can cross to the worker thread.
struct OwnedChecks {
    nonce: Option<String>,
    max_age: Option<Duration>,
    access_token: Option<String>,
    require_at_hash: bool,
    code: Option<String>,
    require_c_hash: bool,
    now: Option<std::time::SystemTime>,
}

impl OwnedChecks {
    fn borrow(&self) -> Checks<'_> {
        Checks {
            nonce: self.nonce.as_deref(),
            max_age: self.max_age,
            access_token: self.access_token.as_deref(),
            require_at_hash: self.require_at_hash,
            code: self.code.as_deref(),
            require_c_hash: self.require_c_hash,
            now: self.now,
        }
    }
}

impl From<&Checks<'_>> for OwnedChecks {
    fn from(c: &Checks<'_>) -> OwnedChecks {
        // A struct pattern without `..`: a new field of `Checks` must be carried here too.
        let Checks {
            nonce,
            max_age,
            access_token,
            require_at_hash,
            code,
            require_c_hash,
            now,
        } = *c;
        OwnedChecks {
            nonce: nonce.map(str::to_string),
            max_age,
            access_token: access_token.map(str::to_string),
            require_at_hash,
            code: code.map(str::to_string),
            require_c_hash,
            now,
        }
    }
}

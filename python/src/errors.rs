//! The exceptions of the package and the one place where an [`oidckit::Error`] becomes one.
//!
//! Every exception is an [`OIDCKitError`] with `.code` (the seed's number, as
//! [`oidckit::Error::code`]) and `.message`; a few subclasses name the families callers catch.

use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyType;

pyo3::create_exception!(
    oidckit,
    OIDCKitError,
    PyException,
    "Any failure of the library. `code` is the numeric error code, `message` says what was wrong."
);
pyo3::create_exception!(
    oidckit,
    DiscoveryError,
    OIDCKitError,
    "The discovery document could not be used (code 900)."
);
pyo3::create_exception!(
    oidckit,
    IDTokenError,
    OIDCKitError,
    "An ID token or JWT did not verify: malformed (901), wrong response type (902) or a failed check (903)."
);
pyo3::create_exception!(
    oidckit,
    HTTPError,
    OIDCKitError,
    "The server could not be reached or answered with an error (151, 118, 909, 1120, 10061, 11001)."
);
pyo3::create_exception!(
    oidckit,
    CallTimeoutError,
    OIDCKitError,
    "The call took longer than `timeout` allows (code 201)."
);

/// The exception class for a code: the family's subclass, else [`OIDCKitError`].
pub fn class_for_code(py: Python<'_>, code: u16) -> Bound<'_, PyType> {
    match code {
        900 => py.get_type::<DiscoveryError>(),
        901..=903 => py.get_type::<IDTokenError>(),
        151 | 118 | 909 | 1120 | 10061 | 11001 => py.get_type::<HTTPError>(),
        201 => py.get_type::<CallTimeoutError>(),
        _ => py.get_type::<OIDCKitError>(),
    }
}

/// THE mapping from [`oidckit::Error`] to a Python exception: the class by code, with
/// `code`, `message` and, for provider answers, `error` (the OAuth error) set.
pub fn to_py(err: oidckit::Error) -> PyErr {
    Python::attach(|py| {
        let code = err.code();
        let message = err.to_string();
        let cls = class_for_code(py, code);
        let exc = match cls.call1((message.clone(),)) {
            Ok(e) => e,
            Err(e) => return e,
        };
        let set = || -> PyResult<()> {
            exc.setattr("code", i64::from(code))?;
            exc.setattr("message", &message)?;
            exc.setattr("error", err.oauth_error())?;
            Ok(())
        };
        match set() {
            Ok(()) => PyErr::from_value(exc),
            Err(e) => e,
        }
    })
}

/// Converts a facade result.
pub fn check<T>(r: oidckit::Result<T>) -> PyResult<T> {
    r.map_err(to_py)
}

/// Registers the exception classes on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("OIDCKitError", py.get_type::<OIDCKitError>())?;
    m.add("DiscoveryError", py.get_type::<DiscoveryError>())?;
    m.add("IDTokenError", py.get_type::<IDTokenError>())?;
    m.add("HTTPError", py.get_type::<HTTPError>())?;
    m.add("CallTimeoutError", py.get_type::<CallTimeoutError>())?;
    Ok(())
}

/// `exception_for_code(code)`: the class an error with that code is raised as.
#[pyfunction]
pub fn exception_for_code(py: Python<'_>, code: u16) -> Bound<'_, PyType> {
    class_for_code(py, code)
}

//! The native module `oidckit._native` of the Python package `oidckit`: the seed's `OpenID`
//! class over [`oidckit::openid::OpenId`], a thread-safe JWT `Verifier`, and the mock provider
//! for tests.
//!
//! It is a binding, nothing more: it converts types, maps [`oidckit::Error`] to exceptions (in
//! one function, `errors::to_py`) and releases the GIL around every call that may block. It
//! implements no protocol step itself; the flows are the Rust library's.

mod convert;
mod errors;
mod events;
mod mock;
mod openid;
mod verifier;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    events::add_classes(m)?;
    m.add_class::<openid::OpenID>()?;
    m.add_class::<verifier::Verifier>()?;
    m.add_class::<mock::PyMockProvider>()?;
    m.add_function(wrap_pyfunction!(errors::exception_for_code, m)?)?;
    m.add_function(wrap_pyfunction!(mock::mock_authorize, m)?)?;
    m.add_function(wrap_pyfunction!(mock::mock_http_get, m)?)?;
    let table: Vec<(&str, &str, bool)> = openid::PROPERTY_TABLE.to_vec();
    m.add("PROPERTY_TABLE", table)?;
    m.add("EVENT_NAMES", events::EVENT_NAMES.to_vec())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

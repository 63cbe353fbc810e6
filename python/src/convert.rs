//! JSON values to Python objects and back (claims, JWKS, recorded requests).

use std::fmt;

use pyo3::IntoPyObjectExt;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A JSON document (e.g. a verified token's payload) straight to Python objects, with no
/// `serde_json::Value` in between: the same values as [`to_py`] of the parsed document, in
/// document order, and the same rules (a repeated name keeps its last value, integers beyond
/// 64 bits become floats, nesting is limited). String values equal to one of `known` (e.g.
/// the issuer) share its Python string; well-known claim names are interned.
pub fn json_to_py<'py>(
    py: Python<'py>,
    json: &[u8],
    known: &[(String, Py<PyString>)],
) -> PyResult<Bound<'py, PyAny>> {
    let text = std::str::from_utf8(json).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = PySeed { py, known }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| PyValueError::new_err(format!("not JSON: {e}")))
}

/// Builds the claims dict of a token while the core validates it ([`oidckit::ClaimSink`]):
/// the same dict as [`json_to_py`] of the payload, from the core's own pass over it.
pub struct DictSink<'a, 'py> {
    seed: PySeed<'a, 'py>,
    dict: Bound<'py, PyDict>,
}

impl<'a, 'py> DictSink<'a, 'py> {
    /// An empty dict; strings equal to one of `known` share its Python string.
    pub fn new(py: Python<'py>, known: &'a [(String, Py<PyString>)]) -> DictSink<'a, 'py> {
        DictSink {
            seed: PySeed { py, known },
            dict: PyDict::new(py),
        }
    }

    /// The dict built.
    pub fn into_dict(self) -> Bound<'py, PyDict> {
        self.dict
    }
}

impl<'de> oidckit::ClaimSink<'de> for DictSink<'_, '_> {
    fn member<D: Deserializer<'de>>(&mut self, name: &str, value: D) -> Result<(), D::Error> {
        let value = self.seed.deserialize(value)?;
        self.dict
            .set_item(claim_name(self.seed.py, name), value)
            .map_err(D::Error::custom)
    }
}

/// Builds the Python object of one JSON value.
#[derive(Clone, Copy)]
struct PySeed<'a, 'py> {
    py: Python<'py>,
    known: &'a [(String, Py<PyString>)],
}

impl<'de, 'py> DeserializeSeed<'de> for PySeed<'_, 'py> {
    type Value = Bound<'py, PyAny>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, 'py> Visitor<'de> for PySeed<'_, 'py> {
    type Value = Bound<'py, PyAny>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.py.None().into_bound(self.py))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(PyBool::new(self.py, v).to_owned().into_any())
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        v.into_bound_py_any(self.py).map_err(E::custom)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        v.into_bound_py_any(self.py).map_err(E::custom)
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(PyFloat::new(self.py, v).into_any())
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if let Some((_, s)) = self.known.iter().find(|(k, _)| k == v) {
            return Ok(s.bind(self.py).clone().into_any());
        }
        Ok(PyString::new(self.py, v).into_any())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let list = PyList::empty(self.py);
        while let Some(item) = seq.next_element_seed(self)? {
            list.append(item).map_err(A::Error::custom)?;
        }
        Ok(list.into_any())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let dict = PyDict::new(self.py);
        while let Some(key) = map.next_key_seed(KeySeed(self.py))? {
            let value = map.next_value_seed(self)?;
            dict.set_item(key, value).map_err(A::Error::custom)?;
        }
        Ok(dict.into_any())
    }
}

/// Builds an object key: the interned string of a registered or standard claim name (no
/// allocation, hash already known), a new string otherwise.
#[derive(Clone, Copy)]
struct KeySeed<'py>(Python<'py>);

impl<'de, 'py> DeserializeSeed<'de> for KeySeed<'py> {
    type Value = Bound<'py, PyString>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, 'py> Visitor<'de> for KeySeed<'py> {
    type Value = Bound<'py, PyString>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object key")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(claim_name(self.0, v))
    }
}

/// A claim name as a Python string: the interned string of a registered or standard claim
/// name (no allocation, hash already known), a new string otherwise.
fn claim_name<'py>(py: Python<'py>, name: &str) -> Bound<'py, PyString> {
    macro_rules! interned {
        ($($name:literal)*) => {
            match name {
                $($name => pyo3::intern!(py, $name).clone(),)*
                _ => PyString::new(py, name),
            }
        };
    }
    // RFC 7519 §4.1, OIDC Core §2 and §5.1, RFC 9068 / RFC 8693 and common provider claims.
    interned!(
        "iss" "sub" "aud" "exp" "nbf" "iat" "jti" "azp" "nonce" "auth_time" "at_hash"
        "c_hash" "acr" "amr" "sid" "name" "given_name" "family_name" "middle_name"
        "nickname" "preferred_username" "profile" "picture" "website" "email"
        "email_verified" "gender" "birthdate" "zoneinfo" "locale" "phone_number"
        "phone_number_verified" "address" "updated_at" "scope" "client_id" "tid" "oid"
        "roles" "groups" "cnf" "act"
    )
}

/// A JSON value as the matching Python object (dict, list, str, int, float, bool, None).
pub fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_bound_py_any(py)?,
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_bound_py_any(py)?,
            (None, Some(u)) => u.into_bound_py_any(py)?,
            _ => n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)?,
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => object_to_py(py, map)?.into_any(),
    })
}

/// A JSON object as a dict.
pub fn object_to_py<'py>(
    py: Python<'py>,
    map: &Map<String, Value>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(k, to_py(py, v)?)?;
    }
    Ok(dict)
}

/// A Python object made of dicts, lists, tuples, str, int, float, bool and None, as JSON.
pub fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if obj.is_none() {
        Ok(Value::Null)
    } else if let Ok(b) = obj.cast::<PyBool>() {
        Ok(Value::Bool(b.is_true()))
    } else if obj.is_instance_of::<PyInt>() {
        match obj.extract::<i64>() {
            Ok(i) => Ok(Value::from(i)),
            Err(_) => Ok(Value::from(obj.extract::<u64>()?)),
        }
    } else if let Ok(f) = obj.cast::<PyFloat>() {
        Ok(serde_json::Number::from_f64(f.value()).map_or(Value::Null, Value::Number))
    } else if let Ok(s) = obj.cast::<PyString>() {
        Ok(Value::String(s.extract::<String>()?))
    } else if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key: String = k
                .extract()
                .map_err(|_| PyTypeError::new_err("JSON object keys must be str"))?;
            map.insert(key, from_py(&v)?);
        }
        Ok(Value::Object(map))
    } else if let Ok(l) = obj.cast::<PyList>() {
        l.iter()
            .map(|i| from_py(&i))
            .collect::<PyResult<_>>()
            .map(Value::Array)
    } else if let Ok(t) = obj.cast::<PyTuple>() {
        t.iter()
            .map(|i| from_py(&i))
            .collect::<PyResult<_>>()
            .map(Value::Array)
    } else {
        Err(PyTypeError::new_err(format!(
            "cannot turn a {} into JSON",
            obj.get_type().name()?
        )))
    }
}

//! The seed's XPath over a JSON document: `XPath`, `XElement`, `XText`, `XParent`, `XSubTree`,
//! `XChildCount`, `XChildName[i]`, `XChildXText[i]` (and the same with the `JWT` prefix over the
//! payload of a JWT access token).
//!
//! Syntax (the seed's): a path is accessors separated by `/`. An absolute path starts with
//! `/json` (the document root; `/` alone is the root too); a relative path starts from the
//! current element. Accessors:
//!
//! | Accessor | Meaning |
//! |---|---|
//! | `name` | the member `name` of the current object; `*` is its first member |
//! | `[i]` | the i-th child, **1-based** (the seed's `/json/firstlevel/two/[2]` is the second item) |
//! | `name[i]` | the i-th item of the array `name` (`name[1]` is `name` itself when it is no array) |
//! | `[last()]`, `[last()-i]` | the last child, the child i before the last |
//! | `.`, `..` | the current element, its parent |
//!
//! The children of an object are its members in document order (when the document came as
//! text); the children of an array are its items, which carry the array's name. `XChildName[i]`
//! and `XChildXText[i]` are **0-based**, like every other indexed setting.
//!
//! A path that names nothing is error 921 naming the missing step and the children that exist.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

use crate::{Error, Result};

/// A JSON value that keeps object members in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, members in document order.
    Object(Vec<(String, Node)>),
}

impl Node {
    /// Parses JSON text, keeping member order. Error 921 (naming `setting`) when it is not JSON.
    pub fn parse(text: &str, setting: &str) -> Result<Node> {
        serde_json::from_str(text).map_err(|e| Error::InvalidSetting {
            name: setting.to_string(),
            reason: format!("the document is not JSON: {e}"),
        })
    }

    /// Converts a parsed value (members in the order the map holds them).
    pub fn from_value(v: &Value) -> Node {
        match v {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone()),
            Value::String(s) => Node::String(s.clone()),
            Value::Array(a) => Node::Array(a.iter().map(Node::from_value).collect()),
            Value::Object(m) => Node::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), Node::from_value(v)))
                    .collect(),
            ),
        }
    }

    /// Compact JSON text of this node, members in order.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        let quote = |s: &str| Value::String(s.to_string()).to_string();
        match self {
            Node::Null => out.push_str("null"),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Number(n) => out.push_str(&n.to_string()),
            Node::String(s) => out.push_str(&quote(s)),
            Node::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Node::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&quote(k));
                    out.push(':');
                    v.write_json(out);
                }
                out.push('}');
            }
        }
    }

    /// The seed's text of an element: a string's value, a number's or boolean's JSON text,
    /// `null` for null, and empty for objects and arrays (use `XSubTree` for those).
    pub fn text(&self) -> String {
        match self {
            Node::Null => "null".into(),
            Node::Bool(b) => b.to_string(),
            Node::Number(n) => n.to_string(),
            Node::String(s) => s.clone(),
            Node::Array(_) | Node::Object(_) => String::new(),
        }
    }

    fn child_count(&self) -> usize {
        match self {
            Node::Array(a) => a.len(),
            Node::Object(m) => m.len(),
            _ => 0,
        }
    }

    fn child(&self, i: usize) -> Option<&Node> {
        match self {
            Node::Array(a) => a.get(i),
            Node::Object(m) => m.get(i).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Node, E> {
        Ok(Number::from_f64(v).map_or(Node::Null, Node::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Node, E> {
        Ok(Node::String(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Node, E> {
        Ok(Node::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Node, A::Error> {
        let mut members = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Node>()? {
            members.push((k, v));
        }
        Ok(Node::Object(members))
    }
}

/// One resolved step from the root: the position of a child.
type Steps = Vec<usize>;

/// A JSON document with a current element, as the seed's `XPath` setting moves it.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonDoc {
    root: Node,
    at: Steps,
}

impl JsonDoc {
    /// A document positioned at its root (`/json`).
    pub fn new(root: Node) -> JsonDoc {
        JsonDoc {
            root,
            at: Vec::new(),
        }
    }

    /// The whole document.
    pub fn root(&self) -> &Node {
        &self.root
    }

    fn node_at(&self, steps: &[usize]) -> &Node {
        let mut node = &self.root;
        for &i in steps {
            // Steps are only ever built by `select`, which checked each one.
            node = node.child(i).unwrap_or(&Node::Null);
        }
        node
    }

    fn name_at(&self, steps: &[usize]) -> String {
        let Some((&last, parent)) = steps.split_last() else {
            return "json".into();
        };
        match self.node_at(parent) {
            Node::Object(m) => m.get(last).map(|(k, _)| k.clone()).unwrap_or_default(),
            _ => self.name_at(parent),
        }
    }

    /// The current element's path in canonical form, e.g. `/json/a/[2]`.
    pub fn path(&self) -> String {
        self.path_of(&self.at)
    }

    /// Moves the current element (setting `XPath`). On error the position is unchanged.
    pub fn select(&mut self, path: &str, setting: &str) -> Result<()> {
        let err = |reason: String| Error::InvalidSetting {
            name: setting.to_string(),
            reason,
        };
        let path = path.trim();
        let (mut steps, rest) = match path.strip_prefix('/') {
            Some(rest) => {
                let mut parts = rest.splitn(2, '/');
                let first = parts.next().unwrap_or("");
                if !first.is_empty() && first != "json" {
                    return Err(err(format!(
                        "an absolute JSON path starts with /json, not /{first}"
                    )));
                }
                (Vec::new(), parts.next().unwrap_or(""))
            }
            None => (self.at.clone(), path),
        };
        for seg in rest.split('/').filter(|s| !s.is_empty()) {
            match seg {
                "." => {}
                ".." => {
                    if steps.pop().is_none() {
                        return Err(err("`..` at the document root has no parent".into()));
                    }
                }
                _ => {
                    let (name, index) = split_index(seg).map_err(&err)?;
                    let here = self.path_of(&steps);
                    let node = self.node_at(&steps);
                    if let Some(name) = name {
                        let Node::Object(members) = node else {
                            return Err(err(format!(
                                "{here} is not an object, it has no member `{name}`"
                            )));
                        };
                        let pos = if name == "*" {
                            (!members.is_empty()).then_some(0)
                        } else {
                            members.iter().position(|(k, _)| k == name)
                        };
                        let Some(pos) = pos else {
                            let names: Vec<&str> =
                                members.iter().map(|(k, _)| k.as_str()).collect();
                            return Err(err(format!(
                                "{here} has no element `{name}` (its children: {})",
                                if names.is_empty() {
                                    "none".to_string()
                                } else {
                                    names.join(", ")
                                }
                            )));
                        };
                        steps.push(pos);
                        match (index, &members[pos].1) {
                            (None, _) => {}
                            (Some(ix), Node::Array(items)) => {
                                let i = resolve_index(ix, items.len()).ok_or_else(|| {
                                    err(format!(
                                        "{here}/{name} has {} items, there is no [{}]",
                                        items.len(),
                                        ix.describe()
                                    ))
                                })?;
                                steps.push(i);
                            }
                            (Some(ix), _) => {
                                if resolve_index(ix, 1) != Some(0) {
                                    return Err(err(format!(
                                        "{here}/{name} is not an array; only [1] selects it"
                                    )));
                                }
                            }
                        }
                    } else if let Some(ix) = index {
                        let n = node.child_count();
                        let i = resolve_index(ix, n).ok_or_else(|| {
                            err(format!(
                                "{here} has {n} children, there is no [{}]",
                                ix.describe()
                            ))
                        })?;
                        steps.push(i);
                    }
                }
            }
        }
        self.at = steps;
        Ok(())
    }

    fn path_of(&self, steps: &[usize]) -> String {
        let mut out = String::from("/json");
        for depth in 0..steps.len() {
            match self.node_at(&steps[..depth]) {
                Node::Object(_) => {
                    out.push('/');
                    out.push_str(&self.name_at(&steps[..=depth]));
                }
                _ => out.push_str(&format!("/[{}]", steps[depth] + 1)),
            }
        }
        out
    }

    /// The current element.
    pub fn current(&self) -> &Node {
        self.node_at(&self.at)
    }

    /// `XElement`: the current element's name (`json` at the root; array items carry the
    /// array's name).
    pub fn element(&self) -> String {
        self.name_at(&self.at)
    }

    /// `XText`.
    pub fn text(&self) -> String {
        self.current().text()
    }

    /// `XParent`: the parent element's name (empty at the root).
    pub fn parent(&self) -> String {
        match self.at.split_last() {
            Some((_, parent)) => self.name_at(parent),
            None => String::new(),
        }
    }

    /// `XSubTree`: the current element as compact JSON.
    pub fn sub_tree(&self) -> String {
        self.current().to_json()
    }

    /// `XChildCount`.
    pub fn child_count(&self) -> usize {
        self.current().child_count()
    }

    fn child_steps(&self, i: usize, setting: &str) -> Result<Steps> {
        let n = self.child_count();
        if i >= n {
            return Err(Error::InvalidSetting {
                name: setting.to_string(),
                reason: format!(
                    "index {i} is out of range: {} has {n} children (indices 0..{n})",
                    self.path()
                ),
            });
        }
        let mut steps = self.at.clone();
        steps.push(i);
        Ok(steps)
    }

    /// `XChildName[i]` (0-based).
    pub fn child_name(&self, i: usize, setting: &str) -> Result<String> {
        let steps = self.child_steps(i, setting)?;
        Ok(self.name_at(&steps))
    }

    /// `XChildXText[i]` (0-based).
    pub fn child_text(&self, i: usize, setting: &str) -> Result<String> {
        let steps = self.child_steps(i, setting)?;
        Ok(self.node_at(&steps).text())
    }
}

#[derive(Debug, Clone, Copy)]
enum Index {
    /// 1-based position.
    Nth(usize),
    /// `last()-k`.
    FromLast(usize),
}

impl Index {
    fn describe(self) -> String {
        match self {
            Index::Nth(n) => n.to_string(),
            Index::FromLast(0) => "last()".into(),
            Index::FromLast(k) => format!("last()-{k}"),
        }
    }
}

fn resolve_index(ix: Index, len: usize) -> Option<usize> {
    match ix {
        Index::Nth(n) if n >= 1 && n <= len => Some(n - 1),
        Index::Nth(_) => None,
        Index::FromLast(k) => len.checked_sub(1)?.checked_sub(k),
    }
}

/// Splits `name[expr]`, `[expr]` or `name`.
fn split_index(seg: &str) -> std::result::Result<(Option<&str>, Option<Index>), String> {
    let Some(open) = seg.rfind('[').filter(|_| seg.ends_with(']')) else {
        return Ok((Some(seg), None));
    };
    let name = &seg[..open];
    let expr = seg[open + 1..seg.len() - 1].trim();
    let index = if let Some(rest) = expr.strip_prefix("last()") {
        let rest = rest.trim();
        if rest.is_empty() {
            Index::FromLast(0)
        } else {
            let k = rest
                .strip_prefix('-')
                .and_then(|k| k.trim().parse::<usize>().ok())
                .ok_or_else(|| {
                    format!("`[{expr}]` is not an index; use [i], [last()] or [last()-i]")
                })?;
            Index::FromLast(k)
        }
    } else if expr.starts_with('@') {
        return Err(format!(
            "`[{expr}]`: attribute tests are for XML documents only"
        ));
    } else {
        let n = expr.parse::<usize>().map_err(|_| {
            format!("`[{expr}]` is not an index; use [i] (1-based), [last()] or [last()-i]")
        })?;
        if n == 0 {
            return Err("XPath indices start at 1: [0] selects nothing".into());
        }
        Index::Nth(n)
    };
    Ok(((!name.is_empty()).then_some(name), Some(index)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> JsonDoc {
        JsonDoc::new(Node::parse(text, "XPath").expect("json"))
    }

    #[test]
    fn the_seeds_examples_work() {
        let mut d = doc(
            r#"{ "firstlevel": { "one": "value", "two": ["first", "second"], "three": "value three" } }"#,
        );
        d.select("/json", "XPath").expect("root");
        assert_eq!(d.element(), "json");
        d.select("/json/firstlevel/one", "XPath").expect("one");
        assert_eq!(d.text(), "value");
        assert_eq!(d.parent(), "firstlevel");
        d.select("/json/firstlevel/two/[2]", "XPath").expect("[2]");
        assert_eq!(d.text(), "second");
        assert_eq!(d.element(), "two");
        assert_eq!(d.path(), "/json/firstlevel/two/[2]");
        d.select("..", "XPath").expect("..");
        assert_eq!(d.child_count(), 2);
        d.select("/json/firstlevel/[last()]", "XPath")
            .expect("last");
        assert_eq!(d.text(), "value three");
        d.select("/json/firstlevel", "XPath").expect("fl");
        assert_eq!(d.child_name(1, "XChildName").expect("name"), "two");
        assert_eq!(d.child_text(2, "XChildXText").expect("t"), "value three");
    }
}

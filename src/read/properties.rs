//! A feature's properties: its members in input order, names shared between
//! the features of a layer.

use serde_json::{Map, Value};
use std::sync::Arc;

/// The properties of one feature, in input order (a repeated name keeps its
/// first place and its last value, as `serde_json::Map` does). Names are
/// shared (`Arc<str>`) between the features of a layer: a million wards with
/// the same nine properties hold nine names, not nine million.
///
/// ```
/// use notional::read::Properties;
/// use serde_json::json;
/// let map = json!({"code": "E05000026", "lab": 1659}).as_object().unwrap().clone();
/// let p = Properties::from(map);
/// assert_eq!(p.get("lab"), Some(&json!(1659)));
/// assert_eq!(p["code"], json!("E05000026"));
/// assert_eq!(p["missing"], json!(null));
/// assert_eq!(p.keys().collect::<Vec<_>>(), ["code", "lab"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Properties(Vec<(Arc<str>, Value)>);

impl Properties {
    /// No properties.
    pub fn new() -> Self {
        Properties(Vec::new())
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| &**k == key).map(|(_, v)| v)
    }

    /// Names and values, in input order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (&**k, v))
    }

    /// Names, in input order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| &**k)
    }

    /// Number of properties.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds `key` (a name shared by the caller, see [`Names`]), or replaces
    /// its value where an earlier member has the same name.
    pub(crate) fn insert(&mut self, key: Arc<str>, value: Value) {
        match self.0.iter_mut().find(|(k, _)| Arc::ptr_eq(k, &key) || **k == *key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// With room for `n` members.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Properties(Vec::with_capacity(n))
    }
}

impl std::ops::Index<&str> for Properties {
    type Output = Value;

    /// The value of `key`, or `null` when absent (as indexing a
    /// `serde_json::Value` gives).
    fn index(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.get(key).unwrap_or(&NULL)
    }
}

impl From<Map<String, Value>> for Properties {
    fn from(map: Map<String, Value>) -> Self {
        let mut names = Names::default();
        let mut p = Properties::with_capacity(map.len());
        for (k, v) in map {
            p.insert(names.get(&k), v);
        }
        p
    }
}

/// Shares property names: the same name gets the same `Arc<str>`. Names
/// mostly come in the same order feature after feature, so the one after the
/// last found is tried first.
#[derive(Debug, Default)]
pub(crate) struct Names {
    names: Vec<Arc<str>>,
    index: std::collections::HashMap<Arc<str>, usize>,
    next: usize,
}

impl Names {
    /// The shared copy of `name`.
    pub(crate) fn get(&mut self, name: &str) -> Arc<str> {
        let i = match self.names.get(self.next) {
            Some(n) if &**n == name => self.next,
            _ => match self.index.get(name) {
                Some(&i) => i,
                None => {
                    let shared: Arc<str> = Arc::from(name);
                    self.index.insert(shared.clone(), self.names.len());
                    self.names.push(shared);
                    self.names.len() - 1
                }
            },
        };
        self.next = i + 1;
        self.names[i].clone()
    }
}

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

    /// Names (shared, see [`Names`]) and values, in input order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&Arc<str>, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Names, in input order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| &**k)
    }

    /// Whether `other` has the same names in the same order: compared by
    /// address first, as names are shared ([`Names`]) within a range of
    /// features read together.
    pub(crate) fn same_names(&self, other: &Properties) -> bool {
        self.0.len() == other.0.len() && self.0.iter().zip(&other.0).all(|((a, _), (b, _))| Arc::ptr_eq(a, b) || a == b)
    }

    /// Number of properties.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds `key`, or replaces its value where an earlier member has the same
    /// name. Every key of one `Properties` must come from the same [`Names`],
    /// so that equal names are the same `Arc`.
    pub(crate) fn insert(&mut self, key: Arc<str>, value: Value) {
        match self.0.iter_mut().find(|(k, _)| Arc::ptr_eq(k, &key)) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// Adds `key`, known not to be among the members yet (the caller has
    /// checked, e.g. by the name's index in its [`Names`]).
    pub(crate) fn push_new(&mut self, key: Arc<str>, value: Value) {
        debug_assert!(!self.0.iter().any(|(k, _)| Arc::ptr_eq(k, &key)), "{key} is already a member");
        self.0.push((key, value));
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
        Properties::from_map(map, &mut Names::default())
    }
}

impl Properties {
    /// A parsed JSON object's members, names shared through `names`.
    pub(crate) fn from_map(map: Map<String, Value>, names: &mut Names) -> Self {
        let mut p = Properties::with_capacity(map.len());
        for (k, v) in map {
            p.insert(names.get(&k), v);
        }
        p
    }
}

/// Shares property names: the same name gets the same `Arc<str>`. Names
/// mostly come in the same order feature after feature, so the one after the
/// last found is tried first (after the last name, the first).
#[derive(Debug, Default)]
pub(crate) struct Names {
    names: Vec<Arc<str>>,
    index: std::collections::HashMap<Arc<str>, usize>,
    next: usize,
    /// How many names the last feature had: the next one's capacity.
    count: usize,
}

impl Names {
    /// How many properties the next feature probably has.
    pub(crate) fn typical_count(&self) -> usize {
        if self.count == 0 { 8 } else { self.count }
    }

    /// Records how many properties a feature had.
    pub(crate) fn saw_count(&mut self, n: usize) {
        self.count = n;
    }

    /// The shared copy of `name`.
    pub(crate) fn get(&mut self, name: &str) -> Arc<str> {
        self.get_indexed(name).1
    }

    /// The shared copy of `name` and its index: the order in which the names
    /// were first seen, so equal names and only they have equal indices.
    pub(crate) fn get_indexed(&mut self, name: &str) -> (usize, Arc<str>) {
        let guess = if self.next < self.names.len() { self.next } else { 0 };
        let i = match self.names.get(guess) {
            Some(n) if &**n == name => guess,
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
        (i, self.names[i].clone())
    }
}

/// Finds property names among a list of column names, remembering each shared
/// name it has looked up (by address), so that a million features with the
/// same names cost a million pointer comparisons, not string searches.
pub(crate) struct Columns<'a> {
    names: &'a [&'a str],
    seen: Vec<(usize, Option<usize>)>,
    next: usize,
}

impl<'a> Columns<'a> {
    pub(crate) fn new(names: &'a [&'a str]) -> Self {
        Columns { names, seen: Vec::new(), next: 0 }
    }

    /// The index of `name` in the column names, if it is one.
    #[inline]
    pub(crate) fn of(&mut self, name: &Arc<str>) -> Option<usize> {
        let ptr = name.as_ptr() as usize;
        let at = match self.seen.get(self.next) {
            Some(&(p, _)) if p == ptr => self.next,
            _ => match self.seen.iter().position(|&(p, _)| p == ptr) {
                Some(i) => i,
                None => {
                    self.seen.push((ptr, self.names.iter().position(|n| **n == **name)));
                    self.seen.len() - 1
                }
            },
        };
        self.next = at + 1;
        self.seen[at].1
    }
}

//! The fast path of [`read_layer`](super::read_layer): a GeoJSON
//! FeatureCollection parsed straight into geo types, its features in parallel.
//!
//! - **No intermediate tree.** Each feature is deserialised (serde_json)
//!   into its properties and its rings as `Vec<Coord>`, which become the
//!   geometry's `LineString`s without another copy; the generic
//!   `serde_json::Value` and `geojson` trees are never built.
//! - **In parallel.** The `features` array is cut into byte ranges at
//!   guessed feature boundaries (a `{` after `},`); each range is parsed on
//!   its own thread. A guess is proved right when the range before it, parsed
//!   feature by feature from a known start, ends exactly there; if any range
//!   does not, the array is parsed again in one piece. A wrong guess (say,
//!   `},{` inside a string) therefore costs time, never a wrong result.
//!
//! Anything this path does not accept (malformed JSON, a bare Feature, a
//! Point, a position of one number, an empty ring array, an id missing…)
//! makes it return `None`, and the caller re-reads the text with the
//! reference reader (the `geojson` crate), whose messages name what is
//! wrong. The two give identical layers on what both accept (tested).

use super::geojson::{feature_id, LayerBuilder};
use super::properties::{Names, Properties};
use crate::error::Result;
use geo::Coord;
use rayon::prelude::*;
use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

/// Bytes below which the features are parsed in one piece.
const MIN_CHUNK: usize = 1 << 18;

/// One feature as parsed, before its geometry is built.
pub(crate) struct RawFeature {
    pub(crate) properties: Properties,
    /// `None` for a `null` (or absent) geometry; else polygons of rings.
    pub(crate) rings: Option<Vec<Vec<Vec<Coord<f64>>>>>,
    /// The feature's id, checked as [`feature_id`] does (uniqueness is the
    /// builder's).
    pub(crate) id: String,
}

/// A FeatureCollection as parsed: the `crs` member's name and the features.
pub(crate) struct Collection {
    pub(crate) crs_member: Option<String>,
    pub(crate) features: Vec<RawFeature>,
}

/// Parses `text` as a FeatureCollection of Polygon/MultiPolygon features;
/// `None` when it is anything else or anything is wrong (see the module docs).
pub(crate) fn parse(text: &str, builder: &LayerBuilder<'_>) -> Option<Collection> {
    let mut c = Cursor { text, pos: 0 };
    if !c.eat(b'{') {
        return None;
    }
    let (mut kind, mut crs_member, mut features) = (None, None, None);
    if !c.eat(b'}') {
        loop {
            let key: String = c.value()?;
            if !c.eat(b':') {
                return None;
            }
            match key.as_str() {
                "type" if kind.is_none() => kind = Some(c.value::<String>()?),
                "features" if features.is_none() => features = Some(c.features(builder)?),
                "crs" if crs_member.is_none() => crs_member = Some(super::geojson::crs_name(&c.value::<Value>()?)),
                "type" | "features" | "crs" => return None,
                _ => {
                    c.value::<IgnoredAny>()?;
                }
            }
            if c.eat(b'}') {
                break;
            }
            if !c.eat(b',') {
                return None;
            }
        }
    }
    c.skip_ws();
    if c.pos != text.len() || kind.as_deref() != Some("FeatureCollection") {
        return None;
    }
    Some(Collection { crs_member: crs_member.flatten(), features: features? })
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn skip_ws(&mut self) {
        self.pos = skip_ws(self.text.as_bytes(), self.pos);
    }

    /// Skips whitespace, then `b` if it is next.
    fn eat(&mut self, b: u8) -> bool {
        self.skip_ws();
        let hit = self.text.as_bytes().get(self.pos) == Some(&b);
        self.pos += usize::from(hit);
        hit
    }

    /// One JSON value at the cursor.
    fn value<T: DeserializeOwned>(&mut self) -> Option<T> {
        let (v, end) = value_at(self.text, self.pos)?;
        self.pos = end;
        Some(v)
    }

    /// The `features` array: in parallel ranges where the guessed boundaries
    /// hold, else in one piece.
    fn features(&mut self, builder: &LayerBuilder<'_>) -> Option<Vec<RawFeature>> {
        if !self.eat(b'[') {
            return None;
        }
        self.skip_ws();
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let pieces = (bytes.len() - start) / MIN_CHUNK;
        let wanted = pieces.clamp(1, 4 * rayon::current_num_threads());
        let mut bounds = vec![start];
        for k in 1..wanted {
            let guess = start + (bytes.len() - start) * k / wanted;
            match next_feature_start(bytes, guess.max(bounds[k - 1] + 1)) {
                Some(b) if b > *bounds.last()? => bounds.push(b),
                _ => break,
            }
        }
        if bounds.len() > 1 {
            let ranges: Vec<(usize, Option<usize>)> =
                bounds.iter().enumerate().map(|(k, &b)| (b, bounds.get(k + 1).copied())).collect();
            let parsed: Option<Vec<(Vec<RawFeature>, usize)>> =
                ranges.into_par_iter().map(|(from, to)| features_from(self.text, from, to, builder)).collect();
            if let Some(parsed) = parsed {
                let end = parsed.last()?.1;
                self.pos = end;
                return Some(parsed.into_iter().flat_map(|(f, _)| f).collect());
            }
        }
        let (features, end) = features_from(self.text, start, None, builder)?;
        self.pos = end;
        Some(features)
    }
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && matches!(bytes[pos], b' ' | b'\n' | b'\r' | b'\t') {
        pos += 1;
    }
    pos
}

/// One JSON value starting at byte `pos` (after whitespace), and the byte
/// after it.
fn value_at<'a, T: Deserialize<'a>>(text: &'a str, pos: usize) -> Option<(T, usize)> {
    let mut stream = serde_json::Deserializer::from_str(text.get(pos..)?).into_iter::<T>();
    let value = stream.next()?.ok()?;
    Some((value, pos + stream.byte_offset()))
}

/// The first `{` at or after `from` that follows `}` and `,` (with any
/// whitespace between): where a feature would start after the one before.
fn next_feature_start(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        let open = i + bytes.get(i..)?.iter().position(|&b| b == b'{')?;
        let before = |mut j: usize| {
            while j > 0 && matches!(bytes[j - 1], b' ' | b'\n' | b'\r' | b'\t') {
                j -= 1;
            }
            j.checked_sub(1).map(|k| (k, bytes[k]))
        };
        if let Some((comma, b',')) = before(open) {
            if let Some((_, b'}')) = before(comma) {
                return Some(open);
            }
        }
        i = open + 1;
    }
    None
}

/// Features from byte `from` (the start of one) up to `to`, the start of the
/// next range (`None`: to the end of the array). Returns them and the byte
/// after the last: the next range's start, or after the closing `]`. `None`
/// if the range does not end exactly at `to`, or on any error.
fn features_from(text: &str, from: usize, to: Option<usize>, builder: &LayerBuilder<'_>) -> Option<(Vec<RawFeature>, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut names = Names::default();
    let mut pos = from;
    loop {
        let (feature, end): (Feature<'_>, usize) = value_at(text, pos)?;
        out.push(feature.into_raw(builder, &mut names)?);
        pos = skip_ws(bytes, end);
        match bytes.get(pos) {
            Some(b',') => pos = skip_ws(bytes, pos + 1),
            Some(b']') if to.is_none() => return Some((out, pos + 1)),
            _ => return None,
        }
        match to {
            Some(to) if pos == to => return Some((out, pos)),
            Some(to) if pos > to => return None,
            _ => {}
        }
    }
}

/// A feature as deserialised: property names borrowed from the text
/// where they have no escapes.
struct Feature<'a> {
    properties: Vec<(Name<'a>, Value)>,
    geometry: Option<Geometry>,
}

impl Feature<'_> {
    fn into_raw(self, builder: &LayerBuilder<'_>, names: &mut Names) -> Option<RawFeature> {
        let mut properties = Properties::with_capacity(self.properties.len());
        for (k, v) in self.properties {
            properties.insert(names.get(&k.0), v);
        }
        let id = feature_id(builder, 0, &properties).ok()?;
        Some(RawFeature { id, properties, rings: self.geometry.map(|g| g.0) })
    }
}

/// A member name, borrowed from the text unless it holds escapes.
struct Name<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> std::result::Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

/// A `properties` object (or `null`) as a list of members.
struct Members<'a>(Vec<(Name<'a>, Value)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a properties object or null")
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<Members<'de>, E> {
                Ok(Members(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Members<'de>, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(k) = map.next_key::<Name<'de>>()? {
                    out.push((k, map.next_value::<Value>()?));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A Polygon's or MultiPolygon's rings, as polygons of rings.
struct Geometry(Vec<Vec<Vec<Coord<f64>>>>);

/// The member names this reader looks at.
enum Key {
    Type,
    Properties,
    Geometry,
    Coordinates,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<Key, E> {
                Ok(match s {
                    "type" => Key::Type,
                    "properties" => Key::Properties,
                    "geometry" => Key::Geometry,
                    "coordinates" => Key::Coordinates,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// Requires a `type` member equal to `want`.
fn type_is<'de, A: MapAccess<'de>>(map: &mut A, want: &str, seen: &mut bool) -> std::result::Result<(), A::Error> {
    let t: std::borrow::Cow<'_, str> = map.next_value()?;
    if *seen || t != want {
        return Err(de::Error::custom("unexpected type"));
    }
    *seen = true;
    Ok(())
}

impl<'de> Deserialize<'de> for Feature<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Feature<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a GeoJSON Feature")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Feature<'de>, A::Error> {
                let (mut typed, mut properties, mut geometry) = (false, None, None);
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Type => type_is(&mut map, "Feature", &mut typed)?,
                        Key::Properties if properties.is_none() => {
                            properties = Some(map.next_value::<Members<'de>>()?.0)
                        }
                        Key::Geometry if geometry.is_none() => geometry = Some(map.next_value::<Option<Geometry>>()?),
                        Key::Properties | Key::Geometry => return Err(de::Error::custom("repeated member")),
                        Key::Coordinates | Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                if !typed {
                    return Err(de::Error::custom("no type"));
                }
                // A Feature without a geometry member is refused by the reference reader.
                let geometry = geometry.ok_or_else(|| de::Error::custom("no geometry member"))?;
                Ok(Feature { properties: properties.unwrap_or_default(), geometry })
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for Geometry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Geometry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a GeoJSON Polygon or MultiPolygon")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Geometry, A::Error> {
                let (mut kind, mut coordinates) = (None::<String>, None);
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Type if kind.is_none() => kind = Some(map.next_value()?),
                        Key::Coordinates if coordinates.is_none() => coordinates = Some(map.next_value::<Node>()?),
                        Key::Type | Key::Coordinates => return Err(de::Error::custom("repeated member")),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                match (kind.as_deref(), coordinates) {
                    (Some("Polygon"), Some(Node::Polygon(rings))) => Ok(Geometry(vec![rings])),
                    (Some("MultiPolygon"), Some(Node::Multi(polygons))) => Ok(Geometry(polygons)),
                    _ => Err(de::Error::custom("not a Polygon or MultiPolygon")),
                }
            }
        }
        d.deserialize_map(V)
    }
}

/// A value inside `coordinates`: a number, or an array of numbers
/// (a position), of positions (a ring), of rings (a polygon) or of polygons.
/// Empty arrays and mixed levels are refused (the reference reader decides).
enum Node {
    Number(f64),
    Position(Coord<f64>),
    Ring(Vec<Coord<f64>>),
    Polygon(Vec<Vec<Coord<f64>>>),
    Multi(Vec<Vec<Vec<Coord<f64>>>>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

/// The rest of an array whose first element was `first`, all of one kind.
fn rest<'de, A: SeqAccess<'de>, T>(
    seq: &mut A,
    first: T,
    unwrap: fn(Node) -> Option<T>,
) -> std::result::Result<Vec<T>, A::Error> {
    let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(4).max(4));
    out.push(first);
    while let Some(n) = seq.next_element::<Node>()? {
        out.push(unwrap(n).ok_or_else(|| de::Error::custom("mixed levels"))?);
    }
    Ok(out)
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("GeoJSON coordinates")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Node, E> {
        Ok(Node::Number(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Node, E> {
        Ok(Node::Number(v as f64))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Node, E> {
        Ok(Node::Number(v as f64))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Node, A::Error> {
        let Some(first) = seq.next_element::<Node>()? else { return Err(de::Error::custom("empty array")) };
        Ok(match first {
            Node::Number(x) => {
                let Some(Node::Number(y)) = seq.next_element::<Node>()? else {
                    return Err(de::Error::custom("a position needs two numbers"));
                };
                // Further numbers (altitude) are allowed and dropped.
                while let Some(n) = seq.next_element::<Node>()? {
                    if !matches!(n, Node::Number(_)) {
                        return Err(de::Error::custom("mixed levels"));
                    }
                }
                Node::Position(Coord { x, y })
            }
            Node::Position(c) => Node::Ring(rest(&mut seq, c, |n| if let Node::Position(c) = n { Some(c) } else { None })?),
            Node::Ring(r) => Node::Polygon(rest(&mut seq, r, |n| if let Node::Ring(r) = n { Some(r) } else { None })?),
            Node::Polygon(p) => Node::Multi(rest(&mut seq, p, |n| if let Node::Polygon(p) = n { Some(p) } else { None })?),
            Node::Multi(_) => return Err(de::Error::custom("too deep")),
        })
    }
}

/// Turns the parsed collection into the builder's layer: geometries built in
/// parallel (repeated points, collapsed rings, orientation), then ids checked
/// for uniqueness in feature order.
pub(crate) fn build(collection: Collection, mut builder: LayerBuilder<'_>) -> Result<super::Layer> {
    let src = builder.src();
    let built: Vec<(RawFeature, Option<geo::MultiPolygon<f64>>, Vec<String>)> = collection
        .features
        .into_par_iter()
        .enumerate()
        .map(|(index, mut f)| {
            let mut warnings = Vec::new();
            let geometry = match f.rings.take() {
                None => None,
                Some(rings) => {
                    let place = Place { index, id: &f.id };
                    Some(super::geojson::build_multipolygon(src, &place, rings, true, &mut warnings)?)
                }
            };
            Ok((f, geometry, warnings))
        })
        .collect::<Result<_>>()?;
    if let Some((index, first)) = first_repeat(built.iter().map(|(f, _, _)| f.id.as_str())) {
        return Err(builder.duplicate(index, first, &built[index].0.id));
    }
    for (index, (f, geometry, warnings)) in built.into_iter().enumerate() {
        builder.warnings.extend(warnings);
        builder.push(index, f.id, f.properties, geometry);
    }
    builder.finish(collection.crs_member)
}

/// `feature 12 (id E05000026)`, written only when a message needs it.
struct Place<'a> {
    index: usize,
    id: &'a str,
}

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "feature {} (id {})", self.index, self.id)
    }
}

/// The first item (in order) equal to an earlier one, and that earlier one's
/// position.
fn first_repeat<'a>(items: impl Iterator<Item = &'a str>) -> Option<(usize, usize)> {
    let mut seen = std::collections::HashMap::new();
    items.enumerate().find_map(|(i, id)| seen.insert(id, i).map(|first| (i, first)))
}

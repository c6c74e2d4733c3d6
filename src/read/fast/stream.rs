//! The fast path of [`read_layer`](super::read_layer): a GeoJSON
//! FeatureCollection parsed straight into geo types, its features in parallel.
//!
//! - **No intermediate tree.** Each feature is scanned ([`super::scan`])
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

use crate::read::layer::{build_multipolygon, crs_name, feature_id, Layer, LayerBuilder, ReadWarning};
use crate::read::properties::Properties;
use crate::error::Result;
use rayon::prelude::*;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;

/// Bytes below which the features are parsed in one piece.
const MIN_CHUNK: usize = 1 << 18;

/// One feature as parsed, before its geometry is built.
pub(crate) struct RawFeature {
    pub(crate) properties: Properties,
    /// `None` for a `null` (or absent) geometry; else polygons of rings.
    pub(crate) rings: Option<crate::read::layer::Polygons>,
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
                "crs" if crs_member.is_none() => crs_member = Some(crs_name(&c.value::<Value>()?)),
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
fn value_at<T: DeserializeOwned>(text: &str, pos: usize) -> Option<(T, usize)> {
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
    let mut scratch = super::scan::Scratch::default();
    let mut pos = from;
    loop {
        let (feature, end) = super::scan::feature(text, pos, &mut scratch)?;
        let id = feature_id(builder, 0, &feature.properties).ok()?;
        out.push(RawFeature { id, properties: feature.properties, rings: feature.rings });
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

/// Turns the parsed collection into the builder's layer: geometries built in
/// parallel (repeated points, collapsed rings, orientation), then ids checked
/// for uniqueness in feature order.
pub(crate) fn build(collection: Collection, mut builder: LayerBuilder<'_>) -> Result<Layer> {
    let src = builder.src();
    let built: Vec<(RawFeature, Option<geo::MultiPolygon<f64>>, Vec<ReadWarning>)> = collection
        .features
        .into_par_iter()
        .enumerate()
        .map(|(index, mut f)| {
            let mut warnings = Vec::new();
            let geometry = match f.rings.take() {
                None => None,
                Some(rings) => {
                    Some(build_multipolygon(src, (index, &f.id), rings, true, &mut warnings)?)
                }
            };
            Ok((f, geometry, warnings))
        })
        .collect::<Result<_>>()?;
    let ids: Vec<&str> = built.par_iter().map(|(f, _, _)| f.id.as_str()).collect();
    if let Some((index, first)) = first_repeat(&ids) {
        return Err(builder.duplicate(index, first, &built[index].0.id));
    }
    builder.reserve(built.len());
    for (index, (f, geometry, warnings)) in built.into_iter().enumerate() {
        builder.warnings.extend(warnings);
        builder.push(index, f.id, f.properties, geometry);
    }
    builder.finish(collection.crs_member)
}

/// The first item (in order) equal to an earlier one, and that earlier one's
/// position. In parallel: the items hashed, the (hash, position) pairs
/// sorted, and only items of equal hash compared; the first repeat is the
/// second of its run of equals, and the earliest such is the answer. (A
/// hash map filled in order does the same on one thread: 20–26 ms of
/// synthetic 100k's 220–270 ms read+parse.)
fn first_repeat(items: &[&str]) -> Option<(usize, usize)> {
    use std::hash::BuildHasher;
    let state = std::hash::RandomState::new();
    let mut keyed: Vec<(u64, usize)> = items.par_iter().enumerate().map(|(i, item)| (state.hash_one(item), i)).collect();
    keyed.par_sort_unstable();
    keyed
        .par_chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
        .filter_map(|run| {
            // Positions ascend within a run: the first that equals an earlier
            // one, with the first it equals.
            run.iter().enumerate().find_map(|(k, &(_, j))| run[..k].iter().find(|&&(_, i)| items[i] == items[j]).map(|&(_, i)| (j, i)))
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::first_repeat;

    /// The first repeat in order, with the first item it repeats; across
    /// many items and several repeated values, the same as a hash map filled
    /// in order.
    #[test]
    fn first_repeat_is_the_earliest_second_occurrence() {
        assert_eq!(first_repeat(&["a", "b", "c", "b", "a"]), Some((3, 1)));
        assert_eq!(first_repeat(&["a", "a", "a"]), Some((1, 0)));
        assert_eq!(first_repeat(&["a", "b"]), None);
        assert_eq!(first_repeat(&[]), None);
        let ids: Vec<String> = (0..20_000u64).map(|i| format!("W{}", (i * 7919) % 15_013)).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut seen = std::collections::HashMap::new();
        let expected = refs.iter().enumerate().find_map(|(i, id)| seen.insert(*id, i).map(|first| (i, first)));
        assert!(expected.is_some());
        assert_eq!(first_repeat(&refs), expected);
        assert_eq!(first_repeat(&refs[..15_013]), None);
    }
}

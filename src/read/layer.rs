//! A layer as read, whatever the file format ([`Layer`]), and how readers
//! assemble one ([`LayerBuilder`]): ids checked, names read, rings cleaned
//! and oriented ([`build_multipolygon`]). The GeoJSON, TopoJSON and fast
//! readers all build through here; this module uses none of them.

use super::properties::{Names, Properties};
use crate::error::{Error, Result};
use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Something a reader dropped or noticed in a feature: its place (the
/// input, the feature's index and id) and what, in numbers. `Display` says
/// it in words.
///
/// ```
/// use notional::read::ReadWarning;
/// let w = ReadWarning::CollapsedRing { source: "w.geojson".into(), feature: 3, id: "A".into(), polygon: 0, hole: true, points: 2, on_one_line: false };
/// assert_eq!(w.to_string(), "w.geojson: feature 3 (id A): polygon 0: collapsed hole with 2 distinct point(s) dropped");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadWarning {
    /// The feature has no geometry (`null`, or no polygons): its votes
    /// cannot be placed.
    NoGeometry {
        /// The input.
        source: String,
        /// The feature's index.
        feature: usize,
        /// Its id.
        id: String,
    },
    /// A ring with fewer than three distinct points, or all on one line, was
    /// dropped (an exterior takes its polygon with it).
    CollapsedRing {
        /// The input.
        source: String,
        /// The feature's index.
        feature: usize,
        /// Its id.
        id: String,
        /// The polygon, within the feature.
        polygon: usize,
        /// A hole, rather than the exterior.
        hole: bool,
        /// Its distinct points.
        points: usize,
        /// Three or more points, all on one line.
        on_one_line: bool,
    },
    /// Every ring of the feature collapsed: it has no area.
    NoArea {
        /// The input.
        source: String,
        /// The feature's index.
        feature: usize,
        /// Its id.
        id: String,
    },
    /// A Shapefile record marked deleted in its .dbf: left out, as GIS
    /// tools leave it out.
    DeletedRecord {
        /// The input.
        source: String,
        /// The record's index (its shape's, in the .shp).
        feature: usize,
    },
}

impl std::fmt::Display for ReadWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadWarning::NoGeometry { source, feature, id } => write!(f, "{source}: feature {feature} (id {id}) has no geometry"),
            ReadWarning::CollapsedRing { source, feature, id, polygon, hole, points, on_one_line } => {
                let what = if *hole { "hole" } else { "exterior ring (polygon dropped)" };
                let how = if *on_one_line { "points all on one line (no area)" } else { "distinct point(s)" };
                write!(f, "{source}: feature {feature} (id {id}): polygon {polygon}: collapsed {what} with {points} {how} dropped")
            }
            ReadWarning::NoArea { source, feature, id } => {
                write!(f, "{source}: feature {feature} (id {id}): every ring collapsed; the feature has no area")
            }
            ReadWarning::DeletedRecord { source, feature } => {
                write!(f, "{source}: feature {feature} is marked deleted in the attribute table (.dbf) and is left out")
            }
        }
    }
}

/// Polygons of rings of coordinates, as GeoJSON nests them.
pub(crate) type Polygons = Vec<Vec<Vec<Coord<f64>>>>;

/// One feature of a [`Layer`].
#[derive(Debug, Clone)]
pub struct LayerFeature {
    /// Position in the input's `features` array (0-based).
    pub index: usize,
    /// The value of the id property, as text.
    pub id: String,
    /// The value of the name property, if asked for and present.
    pub name: Option<String>,
    /// The geometry as read (source coordinates); empty if the feature had none.
    pub geometry: MultiPolygon<f64>,
    /// All properties, in input order.
    pub properties: Properties,
}

/// A FeatureCollection as read: features, the `crs` member if any, and warnings
/// about what was dropped while reading.
#[derive(Debug, Clone)]
pub struct Layer {
    /// The input's name, for messages.
    pub source_name: String,
    /// The `crs` member's name (older GeoJSON), e.g. `urn:ogc:def:crs:EPSG::27700`.
    pub crs_member: Option<String>,
    /// The features, in input order.
    pub features: Vec<LayerFeature>,
    /// Things a user should know: collapsed rings dropped, features without geometry.
    pub warnings: Vec<ReadWarning>,
    /// For a layer read from several files ([`Layer::concat`]): each file's
    /// name and the index in `features` of its first feature. Empty for one file.
    pub sources: Vec<(String, usize)>,
}

impl Layer {
    /// A layer from data in memory: one id, optional name and geometry per
    /// feature, with the checks a file gets: ids present and unique, names
    /// one per feature, coordinates finite, rings cleaned and oriented as
    /// read from a file (collapsed rings dropped, with a warning). `crs` names
    /// the coordinate system as a `crs` member would (`EPSG:4326`,
    /// `EPSG:27700`: see `Crs::epsg`); `None` leaves it to be detected from
    /// the coordinates. The features have no other properties.
    ///
    /// ```
    /// use geo::{polygon, MultiPolygon};
    /// use notional::read::Layer;
    /// let sq = MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 0., y: 1.), (x: 1., y: 1.), (x: 1., y: 0.)]]);
    /// let layer = Layer::from_parts("wards", vec!["A".into()], None, vec![sq], Some("EPSG:27700")).unwrap();
    /// assert_eq!(layer.features[0].id, "A");
    /// let nan = MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: f64::NAN, y: 1.), (x: 1., y: 0.)]]);
    /// let err = Layer::from_parts("wards", vec!["A".into()], None, vec![nan], None).unwrap_err();
    /// assert!(err.to_string().starts_with("wards: feature 0 (id A), field `geometry`: polygon 0, ring 0, vertex 1 is not finite"));
    /// assert!(Layer::from_parts("w", vec!["A".into(), "A".into()], None, vec![MultiPolygon::new(vec![]); 2], None).is_err());
    /// ```
    pub fn from_parts(
        source_name: impl Into<String>,
        ids: Vec<String>,
        names: Option<Vec<String>>,
        geometries: Vec<MultiPolygon<f64>>,
        crs: Option<&str>,
    ) -> Result<Layer> {
        let src: String = source_name.into();
        let count = |what: &str, n: usize| {
            Error::Mismatch(format!("{src}: {} ids but {n} {what}; give one per feature", ids.len()))
        };
        if geometries.len() != ids.len() {
            return Err(count("geometries", geometries.len()));
        }
        if let Some(names) = names.as_ref().filter(|n| n.len() != ids.len()) {
            return Err(count("names", names.len()));
        }
        let mut builder = LayerBuilder::new(&src, "id", None);
        let mut names = names.map(Vec::into_iter);
        for (index, (id, geometry)) in ids.into_iter().zip(geometries).enumerate() {
            if id.trim().is_empty() {
                return Err(Error::field(&src, format!("feature {index}"), "id", "is blank"));
            }
            builder.check_unique(index, &id)?;
            let rings: Polygons = geometry
                .0
                .into_iter()
                .map(|p| {
                    let (exterior, holes) = p.into_inner();
                    std::iter::once(exterior).chain(holes).map(|r| r.0).collect()
                })
                .collect();
            let geometry = match rings.is_empty() {
                true => None,
                false => Some(build_multipolygon(&src, (index, &id), rings, true, &mut builder.warnings)?),
            };
            let name = names.as_mut().and_then(Iterator::next);
            builder.push_named(index, id, name, Properties::new(), geometry);
        }
        builder.finish(crs.map(str::to_string))
    }

    /// Human-readable place of feature `i`, used in messages: its index in
    /// its file, and the file where the layer has several.
    pub fn place(&self, i: usize) -> String {
        let f = &self.features[i];
        match self.sources.iter().rev().find(|(_, first)| *first <= i) {
            Some((file, _)) => format!("{file}, feature {} (id {})", f.index, f.id),
            None => format!("feature {} (id {})", f.index, f.id),
        }
    }

    /// One layer from several (a council's wards per file, say), read as one:
    /// features in the order given, ids unique across all of them, one
    /// coordinate system. `name` stands for the whole in messages (a folder,
    /// say); [`Layer::place`] names each feature's own file.
    ///
    /// ```
    /// use geo::{polygon, MultiPolygon};
    /// use notional::read::Layer;
    /// let sq = || MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 0., y: 1.), (x: 1., y: 1.), (x: 1., y: 0.)]]);
    /// let a = Layer::from_parts("a.geojson", vec!["A".into()], None, vec![sq()], None).unwrap();
    /// let b = Layer::from_parts("b.geojson", vec!["B".into()], None, vec![sq()], None).unwrap();
    /// let both = Layer::concat("wards/", vec![a.clone(), b]).unwrap();
    /// assert_eq!(both.features.len(), 2);
    /// assert_eq!(both.place(1), "b.geojson, feature 0 (id B)");
    /// let err = Layer::concat("wards/", vec![a.clone(), a]).unwrap_err();
    /// assert!(err.to_string().contains("duplicate id `A` (also a.geojson, feature 0)"), "{err}");
    /// ```
    pub fn concat(name: impl Into<String>, layers: Vec<Layer>) -> Result<Layer> {
        let name = name.into();
        if layers.is_empty() {
            return Err(Error::format(&name, "has no layers to read"));
        }
        let crs: Vec<&Option<String>> = layers.iter().map(|l| &l.crs_member).collect();
        if let Some(i) = crs.iter().position(|c| c != &crs[0]) {
            return Err(Error::Mismatch(format!(
                "{name}: {} states crs {} but {} states {}; give layers in one coordinate system",
                layers[i].source_name,
                crs[i].as_deref().unwrap_or("none"),
                layers[0].source_name,
                crs[0].as_deref().unwrap_or("none"),
            )));
        }
        let crs_member = layers[0].crs_member.clone();
        let total = layers.iter().map(|l| l.features.len()).sum();
        let mut seen: HashMap<String, (usize, usize)> = HashMap::with_capacity(total);
        let (mut features, mut warnings, mut sources) = (Vec::with_capacity(total), Vec::new(), Vec::with_capacity(layers.len()));
        for (l, layer) in layers.into_iter().enumerate() {
            sources.push((layer.source_name.clone(), features.len()));
            for f in &layer.features {
                if let Some((first_layer, first)) = seen.insert(f.id.clone(), (l, f.index)) {
                    let first_file = &sources[first_layer].0;
                    return Err(Error::field(
                        &name,
                        format!("{}, feature {}", layer.source_name, f.index),
                        "id",
                        format!("duplicate id `{}` (also {first_file}, feature {first}); ids must be unique", f.id),
                    ));
                }
            }
            features.extend(layer.features);
            warnings.extend(layer.warnings);
        }
        Ok(Layer { source_name: name, crs_member, features, warnings, sources })
    }
}

/// Assembles a [`Layer`] feature by feature, whatever the file format:
/// checks ids (present, unique), reads names, notes missing geometry.
pub(crate) struct LayerBuilder<'a> {
    src: &'a str,
    id_field: &'a str,
    name_field: Option<&'a str>,
    seen: HashMap<String, usize>,
    names: Names,
    features: Vec<LayerFeature>,
    pub(crate) warnings: Vec<ReadWarning>,
}

impl<'a> LayerBuilder<'a> {
    pub(crate) fn new(src: &'a str, id_field: &'a str, name_field: Option<&'a str>) -> Self {
        LayerBuilder { src, id_field, name_field, seen: HashMap::new(), names: Names::default(), features: Vec::new(), warnings: Vec::new() }
    }

    pub(crate) fn src(&self) -> &'a str {
        self.src
    }

    /// The id of feature `index`: its id property, which must be a non-empty
    /// string or a number and unique in the layer.
    pub(crate) fn id(&mut self, index: usize, properties: &Properties) -> Result<String> {
        let id = feature_id(self, index, properties)?;
        self.check_unique(index, &id)?;
        Ok(id)
    }

    /// Records `id` as feature `index`'s; an error if an earlier feature has it.
    pub(crate) fn check_unique(&mut self, index: usize, id: &str) -> Result<()> {
        match self.seen.insert(id.to_string(), index) {
            Some(first) => Err(self.duplicate(index, first, id)),
            None => Ok(()),
        }
    }

    /// The error for feature `index` repeating the id of feature `first`.
    pub(crate) fn duplicate(&self, index: usize, first: usize, id: &str) -> Error {
        Error::field(
            self.src,
            format!("feature {index}"),
            self.id_field,
            format!("duplicate id `{id}` (also feature {first}); ids must be unique"),
        )
    }

    /// Properties from a parsed JSON object, names shared with the layer's
    /// other features.
    pub(crate) fn properties(&mut self, map: Map<String, Value>) -> Properties {
        Properties::from_map(map, &mut self.names)
    }

    /// Room for `n` more features.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.features.reserve(n);
    }

    /// Adds a feature; `geometry` is `None` when the feature has none.
    pub(crate) fn push(&mut self, index: usize, id: String, properties: Properties, geometry: Option<MultiPolygon<f64>>) {
        let name = self.name_field.and_then(|f| match properties.get(f) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        });
        self.push_named(index, id, name, properties, geometry);
    }

    /// As [`LayerBuilder::push`], with the name given rather than read
    /// from the properties.
    fn push_named(&mut self, index: usize, id: String, name: Option<String>, properties: Properties, geometry: Option<MultiPolygon<f64>>) {
        let geometry = geometry.unwrap_or_else(|| {
            self.warnings.push(ReadWarning::NoGeometry { source: self.src.to_string(), feature: index, id: id.clone() });
            MultiPolygon::new(vec![])
        });
        self.features.push(LayerFeature { index, id, name, geometry, properties });
    }

    pub(crate) fn finish(self, crs_member: Option<String>) -> Result<Layer> {
        if self.features.is_empty() {
            return Err(Error::format(self.src, "has no features"));
        }
        Ok(Layer { source_name: self.src.to_string(), crs_member, features: self.features, warnings: self.warnings, sources: Vec::new() })
    }
}

/// The id of feature `index` from its properties: the id property, a
/// non-empty string (trimmed) or a number (uniqueness is
/// [`LayerBuilder::check_unique`]'s).
pub(crate) fn feature_id(builder: &LayerBuilder<'_>, index: usize, properties: &Properties) -> Result<String> {
    let (src, id_field) = (builder.src, builder.id_field);
    match properties.get(id_field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(other) => Err(Error::field(
            src,
            format!("feature {index}"),
            id_field,
            format!("id must be a non-empty string or a number, found {other}"),
        )),
        None => {
            let names: Vec<&str> = properties.keys().collect();
            Err(Error::field(
                src,
                format!("feature {index}"),
                id_field,
                format!(
                    "missing id property (this feature has: {}); choose the layer's id property",
                    if names.is_empty() { "no properties".to_string() } else { names.join(", ") }
                ),
            ))
        }
    }
}

/// The name of a layer's `crs` member: `properties.name` (`EPSG:27700`,
/// `urn:ogc:def:crs:EPSG::27700`), or `EPSG:code` for the older
/// `{"type":"EPSG","properties":{"code":27700}}`; any other member is given
/// whole, as text, so that CRS detection refuses it by name rather than
/// ignoring it. `null` is no member.
pub(crate) fn crs_name(crs: &Value) -> Option<String> {
    if crs.is_null() {
        return None;
    }
    if let Some(name) = crs.pointer("/properties/name").and_then(Value::as_str) {
        return Some(name.to_string());
    }
    let code = crs.pointer("/properties/code");
    match (crs.get("type").and_then(Value::as_str), code) {
        (Some(t), Some(Value::Number(n))) if t.eq_ignore_ascii_case("EPSG") => Some(format!("EPSG:{n}")),
        (Some(t), Some(Value::String(n))) if t.eq_ignore_ascii_case("EPSG") => Some(format!("EPSG:{n}")),
        _ => Some(crs.to_string()),
    }
}

/// Builds a MultiPolygon from rings of coordinates (each polygon's first ring
/// is its exterior): refuses non-finite coordinates, drops repeated points and
/// rings that collapse below three distinct points (with a warning), and
/// normalises orientation (files mix ESRI clockwise and RFC 7946
/// counter-clockwise; winding-number tests need exteriors CCW, holes CW).
pub(crate) fn build_multipolygon(
    src: &str,
    (feature, id): (usize, &str),
    polygons: Polygons,
    expect_area: bool,
    warnings: &mut Vec<ReadWarning>,
) -> Result<MultiPolygon<f64>> {
    let place = || format!("feature {feature} (id {id})");
    let mut out = Vec::with_capacity(polygons.len());
    for (p, rings) in polygons.into_iter().enumerate() {
        let mut converted = Vec::with_capacity(rings.len());
        for (r, mut coords) in rings.into_iter().enumerate() {
            // One pass: refuse a non-finite vertex, drop repeated ones (as
            // `Vec::dedup`), and find the lowest-leftmost vertex (the first,
            // as geo's `least_index`), where the orientation is decided.
            let (mut kept, mut least) = (0, 0);
            let mut low = Coord { x: f64::INFINITY, y: f64::INFINITY };
            let mut last = Coord { x: f64::NAN, y: f64::NAN }; // equal to no vertex
            for v in 0..coords.len() {
                let c = coords[v];
                if !(c.x.is_finite() && c.y.is_finite()) {
                    return Err(Error::field(
                        src,
                        place(),
                        "geometry",
                        format!("polygon {p}, ring {r}, vertex {v} is not finite ({}, {})", c.x, c.y),
                    ));
                }
                if c == last {
                    continue;
                }
                if c.x < low.x || (c.x == low.x && c.y < low.y) {
                    (least, low) = (kept, c);
                }
                coords[kept] = c;
                (kept, last) = (kept + 1, c);
            }
            coords.truncate(kept);
            if coords.len() > 1 && coords.first() == coords.last() {
                coords.pop();
            }
            let flat = coords.len() >= 3 && all_on_one_line(&coords, least);
            if coords.len() < 3 || flat {
                warnings.push(ReadWarning::CollapsedRing {
                    source: src.to_string(),
                    feature,
                    id: id.to_string(),
                    polygon: p,
                    hole: r > 0,
                    points: coords.len(),
                    on_one_line: flat,
                });
                if r == 0 {
                    break;
                }
                continue;
            }
            orient(&mut coords, least, r == 0);
            converted.push(LineString::new(coords));
        }
        if converted.is_empty() {
            continue;
        }
        let exterior = converted.remove(0);
        let polygon = Polygon::new(exterior, converted);
        out.push(polygon);
    }
    if out.is_empty() && expect_area {
        warnings.push(ReadWarning::NoArea { source: src.to_string(), feature, id: id.to_string() });
    }
    Ok(MultiPolygon::new(out))
}

/// Turns an open ring (distinct neighbours, the last unlike the first) to run
/// counter-clockwise (`exterior`) or clockwise, as geo's
/// `make_ccw_winding` / `make_cw_winding` would turn the closed ring: the
/// turn at `least`, the lowest-leftmost vertex, decides (robust orientation;
/// collinear: left as it is), and reversing keeps the first vertex first.
/// Whether every vertex of a ring lies on one line (a ring with no area).
/// Cheap for real rings: at the lowest-leftmost vertex `least`, a ring with
/// area turns (its neighbours are not in line with it), so the whole ring is
/// walked only when they are.
fn all_on_one_line(coords: &[Coord<f64>], least: usize) -> bool {
    let n = coords.len();
    let (prev, here, next) = (coords[(least + n - 1) % n], coords[least], coords[(least + 1) % n]);
    RobustKernel::orient2d(prev, here, next) == Orientation::Collinear
        && coords.iter().all(|&c| RobustKernel::orient2d(here, next, c) == Orientation::Collinear)
}

fn orient(coords: &mut [Coord<f64>], least: usize, exterior: bool) {
    let n = coords.len();
    let (prev, here, next) = (coords[(least + n - 1) % n], coords[least], coords[(least + 1) % n]);
    let wrong = match RobustKernel::orient2d(prev, here, next) {
        Orientation::CounterClockwise => !exterior,
        Orientation::Clockwise => exterior,
        Orientation::Collinear => false,
    };
    if wrong {
        coords[1..].reverse();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Winding;
    use proptest::prelude::*;

    /// The plain way: `dedup`, drop the closing vertex and rings with no area,
    /// then geo's own `make_ccw_winding` / `make_cw_winding` on the closed rings.
    fn reference(polygons: &Polygons) -> MultiPolygon<f64> {
        let mut out = Vec::new();
        for rings in polygons {
            let mut kept = Vec::new();
            for (r, ring) in rings.iter().enumerate() {
                let mut coords = ring.clone();
                coords.dedup();
                if coords.len() > 1 && coords.first() == coords.last() {
                    coords.pop();
                }
                // No area: fewer than three points, or all on one line (the
                // plain way: the cross product from the first point to every
                // pair of others is zero; the grid's integers make it exact).
                let a = coords.first().copied();
                let flat = a.is_some_and(|a| {
                    coords.iter().all(|b| coords.iter().all(|c| (b.x - a.x) * (c.y - a.y) == (b.y - a.y) * (c.x - a.x)))
                });
                if coords.len() < 3 || flat {
                    if r == 0 {
                        break;
                    }
                    continue;
                }
                kept.push(LineString::new(coords));
            }
            if kept.is_empty() {
                continue;
            }
            let mut polygon = Polygon::new(kept.remove(0), kept);
            polygon.exterior_mut(|ring| ring.make_ccw_winding());
            polygon.interiors_mut(|holes| holes.iter_mut().for_each(|ring| ring.make_cw_winding()));
            out.push(polygon);
        }
        MultiPolygon::new(out)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Rings on a small grid (repeated, collinear and crossing vertices,
        /// closed or not, either way round) come out as the plain way makes them.
        #[test]
        fn rings_are_cleaned_and_oriented_as_geo_does(
            polygons in prop::collection::vec(prop::collection::vec(prop::collection::vec((0i8..5, 0i8..5), 0..9), 1..4), 1..3),
            close in any::<bool>(),
        ) {
            let polygons: Polygons = polygons
                .into_iter()
                .map(|rings| rings.into_iter().map(|ring| {
                    let mut c: Vec<Coord<f64>> = ring.into_iter().map(|(x, y)| Coord { x: f64::from(x), y: f64::from(y) }).collect();
                    if close && !c.is_empty() { c.push(c[0]); }
                    c
                }).collect())
                .collect();
            let want = reference(&polygons);
            let got = build_multipolygon("t", (0, "A"), polygons, true, &mut Vec::new()).unwrap();
            prop_assert_eq!(got, want);
        }
    }
}

//! Reading GeoJSON FeatureCollections of (Multi)Polygons: the fast path
//! ([`super::fast`]) where it applies, else the reference reader through the
//! `geojson` crate, which also hands TopoJSON to [`super::topojson`].

use super::layer::{build_multipolygon, crs_name, Layer, LayerBuilder, Polygons, ReadWarning};
use super::{Format, Input};
use crate::error::{Error, Result};
use geo::{Coord, MultiPolygon};
use geojson::{GeoJson, GeometryValue, PolygonType};

/// Reads a layer of Polygon or MultiPolygon features: a GeoJSON
/// FeatureCollection, TopoJSON, a Shapefile (the input's `.shp`, with its
/// `.dbf`, `.prj` and `.cpg` beside it; or a zip archive of these parts) or a
/// GeoPackage feature table, told apart by the input's first bytes
/// ([`Format`]). A zip of several shapefiles or a GeoPackage of several
/// feature tables needs its layer chosen ([`Input::with_layer`]).
///
/// Shapefile and GeoPackage columns become properties (numbers as numbers,
/// whole ones as integers; a dBase NULL or blank number is `null`; a
/// GeoPackage BLOB column is `null`); the coordinate system comes from the
/// `.prj` or `gpkg_spatial_ref_sys` (`EPSG:4326` or `EPSG:27700`, as a
/// `crs` member would name it), or, with no `.prj`, from the coordinates.
/// A null shape or empty geometry is a feature without geometry (with a
/// warning); a record marked deleted in a `.dbf` is left out (with a
/// warning); any other geometry type is an error.
///
/// `id_field` names the property that identifies each feature (string or
/// integer); ids must be unique. `name_field`, if given, is read when present.
/// Holes are kept; ring orientation is normalised (exteriors counter-clockwise,
/// holes clockwise). Rings that collapse (fewer than three distinct points) are
/// dropped with a warning; a feature with `null` geometry is kept with an empty
/// geometry and a warning. Coordinates must be finite.
///
/// A FeatureCollection of Polygon and MultiPolygon features is parsed straight
/// into geo types, its features in parallel (see `stream.rs`); anything else,
/// including every malformed input, goes to [`read_layer_reference`], whose
/// messages say what is wrong.
///
/// ```
/// use notional::read::{read_layer, Input};
/// let text = r#"{"type":"FeatureCollection","features":[
///   {"type":"Feature","properties":{"code":"A","name":"Alpha","lab":10},
///    "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}"#;
/// let layer = read_layer(&Input::from_text("a.geojson", text), "code", Some("name")).unwrap();
/// assert_eq!(layer.features[0].id, "A");
/// assert_eq!(layer.features[0].name.as_deref(), Some("Alpha"));
/// ```
pub fn read_layer(input: &Input, id_field: &str, name_field: Option<&str>) -> Result<Layer> {
    match input.format() {
        Some(Format::Shapefile) => return super::shapefile::read_shp(input, id_field, name_field),
        Some(Format::Zip) => return super::shapefile::read_zip(input, id_field, name_field),
        Some(Format::GeoPackage) => return super::gpkg::read_gpkg(input, id_field, name_field),
        None => {}
    }
    if let Some(layer) = input.layer() {
        return Err(Error::format(
            input.name(),
            format!("is text (GeoJSON or TopoJSON), which holds one layer; a layer (`{layer}`) is chosen only in a GeoPackage or a zip archive"),
        ));
    }
    read_layer_streaming(input, id_field, name_field)
        .unwrap_or_else(|| read_layer_reference(input, id_field, name_field))
}

/// A layer to be read from a file, or one already held in memory (built
/// with [`Layer::from_parts`], say, from a GeoDataFrame): what the
/// pipelines take, so that data need not be written out as text to get in.
///
/// ```
/// use notional::read::{Input, Layer, LayerSource};
/// let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A","name":"Abbey"},
///   "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#;
/// let from_file: LayerSource = Input::from_text("a.geojson", text).into();
/// let layer = from_file.read("code", Some("name")).unwrap();
/// let held: LayerSource = layer.clone().into();
/// assert_eq!(held.read("ignored", None).unwrap().features[0].name.as_deref(), Some("Abbey"));
/// assert_eq!(held.name(), "a.geojson");
/// ```
#[derive(Debug, Clone)]
pub enum LayerSource {
    /// A file (GeoJSON or TopoJSON), read with the id and name fields given.
    Input(Input),
    /// A layer in memory, with its ids and names already set.
    Layer(Layer),
}

impl LayerSource {
    /// The layer: read from the file with `id_field` and `name_field`, or
    /// the layer held (a copy; the fields are already applied).
    pub fn read(&self, id_field: &str, name_field: Option<&str>) -> Result<Layer> {
        match self {
            LayerSource::Input(input) => read_layer(input, id_field, name_field),
            LayerSource::Layer(layer) => Ok(layer.clone()),
        }
    }

    /// The name used in messages.
    pub fn name(&self) -> &str {
        match self {
            LayerSource::Input(input) => input.name(),
            LayerSource::Layer(layer) => &layer.source_name,
        }
    }
}

impl From<Input> for LayerSource {
    fn from(input: Input) -> Self {
        LayerSource::Input(input)
    }
}

impl From<Layer> for LayerSource {
    fn from(layer: Layer) -> Self {
        LayerSource::Layer(layer)
    }
}

/// Several sources read as one layer ([`Layer::concat`]), in the order
/// given, files read in parallel; `name` stands for the whole in messages.
/// One source is read as [`LayerSource::read`] reads it.
///
/// ```
/// use notional::read::{read_sources, Input, LayerSource};
/// let file = |id: &str| -> LayerSource { Input::from_text(format!("{id}.geojson"), format!(r#"{{"type":"FeatureCollection","features":[{{"type":"Feature",
///   "properties":{{"code":"{id}"}},"geometry":{{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}}}]}}"#)).into() };
/// let layer = read_sources("wards/", &[file("A"), file("B")], "code", None).unwrap();
/// assert_eq!(layer.features.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), ["A", "B"]);
/// ```
pub fn read_sources(name: &str, sources: &[LayerSource], id_field: &str, name_field: Option<&str>) -> Result<Layer> {
    use rayon::prelude::*;
    if let [one] = sources {
        return one.read(id_field, name_field);
    }
    let layers = sources.par_iter().map(|s| s.read(id_field, name_field)).collect::<Result<Vec<_>>>()?;
    Layer::concat(name, layers)
}

/// The fast path of [`read_layer`] alone: `None` where it does not apply
/// (not a FeatureCollection of Polygons and MultiPolygons, or anything wrong
/// in it), else what `read_layer` returns.
///
/// ```
/// use notional::read::{read_layer_streaming, Input};
/// let good = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A"},
///   "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#;
/// assert!(read_layer_streaming(&Input::from_text("a.geojson", good), "code", None).is_some());
/// let point = good.replace(r#""Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]"#, r#""Point","coordinates":[0,0]"#);
/// assert!(read_layer_streaming(&Input::from_text("a.geojson", point), "code", None).is_none());
/// ```
pub fn read_layer_streaming(input: &Input, id_field: &str, name_field: Option<&str>) -> Option<Result<Layer>> {
    let builder = LayerBuilder::new(input.name(), id_field, name_field);
    let collection = super::fast::stream::parse(input.text(), &builder)?;
    Some(super::fast::stream::build(collection, builder))
}

/// As [`read_layer`], always through the `geojson` crate (and the TopoJSON
/// decoder): the reference the fast path is tested against, and what reads
/// everything the fast path does not.
///
/// ```
/// use notional::read::{read_layer, read_layer_reference, Input};
/// let text = r#"{"type":"FeatureCollection","features":[
///   {"type":"Feature","properties":{"code":"A"},
///    "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#;
/// let input = Input::from_text("a.geojson", text);
/// let (fast, reference) = (read_layer(&input, "code", None).unwrap(), read_layer_reference(&input, "code", None).unwrap());
/// assert_eq!(fast.features[0].geometry, reference.features[0].geometry);
/// ```
pub fn read_layer_reference(input: &Input, id_field: &str, name_field: Option<&str>) -> Result<Layer> {
    read_with_reference(input, LayerBuilder::new(input.name(), id_field, name_field))
}

fn read_with_reference(input: &Input, builder: LayerBuilder<'_>) -> Result<Layer> {
    let src = input.name();
    let geojson: GeoJson = match serde_json::from_str(input.text()) {
        Ok(g) => g,
        // TopoJSON (ONS boundaries are often published so) is read too.
        Err(_) if super::topojson::is_topology(input.text()) => {
            return super::topojson::read_topology(input, builder)
        }
        Err(e) if input.text().trim().is_empty() || input.text().trim_start().starts_with(['{', '[']) => {
            return Err(Error::format(src, format!("is not valid GeoJSON: {e}")))
        }
        Err(_) => return Err(not_a_layer(input)),
    };
    let collection = match geojson {
        GeoJson::FeatureCollection(fc) => {
            if let Some((index, name)) = super::duplicate_keys::first_repeated_property(input.text()) {
                return Err(Error::field(
                    src,
                    format!("feature {index}"),
                    &name,
                    "appears twice in the feature's properties; which value is meant cannot be told: keep one",
                ));
            }
            fc
        }
        GeoJson::Feature(_) => {
            return Err(Error::format(src, "is a single Feature; expected a FeatureCollection"))
        }
        GeoJson::Geometry(_) => {
            return Err(Error::format(src, "is a bare Geometry; expected a FeatureCollection"))
        }
    };
    let crs_member = collection
        .foreign_members
        .as_ref()
        .and_then(|m| m.get("crs"))
        .and_then(crs_name);
    let mut builder = builder;
    for (index, feature) in collection.features.into_iter().enumerate() {
        let properties = builder.properties(feature.properties.unwrap_or_default());
        let id = builder.id(index, &properties)?;
        let geometry = match feature.geometry {
            None => None,
            Some(g) => Some(convert_geometry(src, (index, &id), &g.value, &mut builder.warnings)?),
        };
        builder.push(index, id, properties, geometry);
    }
    builder.finish(crs_member)
}

/// The error for a text that is not JSON at all (a CSV given as a layer,
/// say): what it begins with, and what a layer file is.
fn not_a_layer(input: &Input) -> Error {
    let first = input.text().lines().next().unwrap_or("");
    let mut shown: String = first.chars().take(60).collect();
    if shown.len() < first.len() {
        shown.push('…');
    }
    Error::format(
        input.name(),
        format!("is not a layer file (it begins `{shown}`): expected GeoJSON or TopoJSON, a Shapefile (.shp, or zipped) or a GeoPackage"),
    )
}

fn convert_geometry(
    src: &str,
    (index, id): (usize, &str),
    value: &GeometryValue,
    warnings: &mut Vec<ReadWarning>,
) -> Result<MultiPolygon<f64>> {
    let place = format!("feature {index} (id {id})");
    let polygons: Vec<&PolygonType> = match value {
        GeometryValue::Polygon { coordinates } => vec![coordinates],
        GeometryValue::MultiPolygon { coordinates } => coordinates.iter().collect(),
        other => {
            return Err(Error::field(
                src,
                place,
                "geometry",
                format!("is a {}; only Polygon and MultiPolygon are supported", other.type_name()),
            ))
        }
    };
    let mut raw: Polygons = Vec::with_capacity(polygons.len());
    for (p, rings) in polygons.into_iter().enumerate() {
        let mut poly = Vec::with_capacity(rings.len());
        for (r, ring) in rings.iter().enumerate() {
            let mut coords: Vec<Coord<f64>> = Vec::with_capacity(ring.len());
            for (v, pos) in ring.iter().enumerate() {
                let s = pos.as_slice();
                if s.len() < 2 {
                    return Err(Error::field(
                        src,
                        place,
                        "geometry",
                        format!("polygon {p}, ring {r}, vertex {v} has fewer than two numbers"),
                    ));
                }
                coords.push(Coord { x: s[0], y: s[1] });
            }
            poly.push(coords);
        }
        raw.push(poly);
    }
    let empty_input = polygons_empty(value);
    build_multipolygon(src, (index, id), raw, !empty_input, warnings)
}

fn polygons_empty(value: &GeometryValue) -> bool {
    match value {
        GeometryValue::Polygon { coordinates } => coordinates.is_empty(),
        GeometryValue::MultiPolygon { coordinates } => coordinates.is_empty(),
        _ => true,
    }
}

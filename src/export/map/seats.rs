//! What a map shows: the seats of a results file with their results,
//! composition and geometry (in the plane the run measures in: British
//! National Grid in Britain; simplified edge by edge), the old seats'
//! outlines, and the hex layout.

use super::hex::HexLayout;
use super::simplify::SimplifyShared;
use crate::error::{Error, Result};
use crate::geometry::bbox::{geometry_bounds, union};
use crate::geometry::prepare::Prepared;
use crate::geometry::project::{Plane, Projector};
use crate::read::{read_layer, Input, Layer};
use crate::recipe::MapPart;
use std::path::PathBuf;
use crate::recompute::MIN_SEAT_COVERAGE;
use geo::{InteriorPoint, MultiPolygon};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Majorities under this (points) are drawn lighter.
pub const MARGINAL: f64 = 5.0;

/// A seat as the map shows it.
#[derive(Debug, Clone)]
pub struct MapSeat {
    /// Its id.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The winning party's label, if any votes.
    pub winner: Option<String>,
    /// The majority, in points of the vote.
    pub majority_pct: f64,
    /// Less than half covered by the run's units: its totals are partial.
    pub partial: bool,
    /// Every column of its row in `results.geojson` (votes by party, total,
    /// turnout, call, later result…).
    pub properties: Map<String, Value>,
    /// The old seats it is made of: code, name and share of the new seat
    /// (percent), largest first.
    pub composition: Vec<(String, String, f64)>,
    /// Its geometry in the map's plane (metres), simplified.
    pub geometry: MultiPolygon<f64>,
}

/// An old seat's outline.
#[derive(Debug, Clone)]
pub struct OldOutline {
    /// Its id.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its geometry in BNG metres, simplified.
    pub geometry: MultiPolygon<f64>,
}

/// How the map is labelled and laid out.
#[derive(Debug, Clone, Default)]
pub struct MapOptions {
    /// The title: what data, what method.
    pub title: String,
    /// The boundaries' attribution line.
    pub attribution: String,
    /// A HexJSON layout for the hex cartogram.
    pub hex: Option<HexLayout>,
    /// Write no maps (`--no-map`): for runs whose maps nobody looks at.
    pub skip: bool,
}

/// The attribution ONS boundaries require: the maps' default.
pub const ONS_ATTRIBUTION: &str =
    "Boundaries: Office for National Statistics, Open Government Licence v3.0. Contains OS data © Crown copyright and database right.";

impl MapOptions {
    /// The options a user gave (flags, arguments) over a recipe's `[map]`:
    /// what is given wins; the layout is read; `title` where neither names
    /// one, [`ONS_ATTRIBUTION`] where neither gives an attribution.
    ///
    /// ```
    /// use notional::export::map::{MapOptions, ONS_ATTRIBUTION};
    /// use notional::recipe::MapPart;
    /// let recipe = MapPart { hexjson: None, title: Some("From the recipe".into()), attribution: None };
    /// let o = MapOptions::resolve(None, None, None, Some(&recipe), || "default".into()).unwrap();
    /// assert_eq!((o.title.as_str(), o.attribution.as_str()), ("From the recipe", ONS_ATTRIBUTION));
    /// let o = MapOptions::resolve(None, Some("Given".into()), None, Some(&recipe), || "default".into()).unwrap();
    /// assert_eq!(o.title, "Given");
    /// ```
    pub fn resolve(
        hexjson: Option<PathBuf>,
        title: Option<String>,
        attribution: Option<String>,
        recipe: Option<&MapPart>,
        default_title: impl FnOnce() -> String,
    ) -> Result<MapOptions> {
        let hex = match hexjson.or_else(|| recipe.and_then(|r| r.hexjson.clone())) {
            Some(p) => Some(HexLayout::read(&Input::from_path(&p)?)?),
            None => None,
        };
        Ok(MapOptions {
            title: title.or_else(|| recipe.and_then(|r| r.title.clone())).unwrap_or_else(default_title),
            attribution: attribution.or_else(|| recipe.and_then(|r| r.attribution.clone())).unwrap_or_else(|| ONS_ATTRIBUTION.to_string()),
            hex,
            skip: false,
        })
    }
}

/// Everything a map draws, built once for `map.svg` and `map.html`.
#[derive(Debug, Clone)]
pub struct SeatMap {
    /// Title and attribution.
    pub options: MapOptions,
    /// The party columns, in the results' order.
    pub parties: Vec<String>,
    /// The seats.
    pub seats: Vec<MapSeat>,
    /// The old seats' outlines (empty without old seats).
    pub old: Vec<OldOutline>,
    /// Seats not in the hex layout (not drawn there).
    pub missing_from_layout: Vec<String>,
    /// The grid every vertex lies on (metres); simplification is to four times this.
    pub grid: f64,
}

/// Simplification tolerance as a fraction of the map's larger side: about
/// a pixel on a 4,000-pixel-wide map.
const TOLERANCE_OF_EXTENT: f64 = 1.0 / 4000.0;

impl SeatMap {
    /// The map of a results file as `apportion` and `recompute` write it
    /// (`results.geojson`: `code`, `name`, the party columns, then `total`,
    /// `winner`, `majority_pct`…), with `composition.csv` (`new_code`,
    /// `old_code`, `old_name`, `share_of_new`) where there is one, and the
    /// old seats' outlines where given.
    ///
    /// ```
    /// use notional::export::map::{MapOptions, SeatMap};
    /// use notional::read::Input;
    /// let results = Input::from_text("results.geojson", r#"{"type":"FeatureCollection","features":[
    ///   {"type":"Feature","properties":{"code":"A","name":"Abbey","Lab":60,"Con":40,"total":100,"winner":"Lab","majority_pct":20.0},
    ///    "geometry":{"type":"Polygon","coordinates":[[[-0.2,51.5],[-0.1,51.5],[-0.1,51.6],[-0.2,51.5]]]}}]}"#);
    /// let map = SeatMap::from_results(&results, None, vec![], MapOptions::default()).unwrap();
    /// assert_eq!(map.parties, ["Lab", "Con"]);
    /// assert_eq!(map.seats[0].winner.as_deref(), Some("Lab"));
    /// ```
    pub fn from_results(
        results: &Input,
        composition: Option<&Input>,
        old: Vec<(String, String, MultiPolygon<f64>)>,
        options: MapOptions,
    ) -> Result<SeatMap> {
        let layer = read_layer(results, "code", Some("name"))?;
        let (prepared, projector) = Prepared::suited(&layer)?;
        let old = match projector.plane() {
            Plane::Bng => old,
            // Old outlines given in BNG do not belong on a map elsewhere.
            _ => Vec::new(),
        };
        SeatMap::new(&layer, prepared.geometries, composition, old, options)
    }

    /// A layer's codes, names and geometries in BNG, as [`SeatMap::new`]
    /// takes the old seats.
    pub fn outlines(layer: &Layer) -> Result<Vec<(String, String, MultiPolygon<f64>)>> {
        let bng = Prepared::new(layer, None, &Projector::new())?.geometries;
        Ok(layer.features.iter().zip(bng).map(|(f, g)| (f.id.clone(), f.name.clone().unwrap_or_default(), g)).collect())
    }

    /// As [`SeatMap::from_results`], from a results layer already read and its
    /// geometries in BNG, and the old seats' codes, names and geometries (BNG).
    pub fn new(
        results: &Layer,
        bng: Vec<MultiPolygon<f64>>,
        composition: Option<&Input>,
        old: Vec<(String, String, MultiPolygon<f64>)>,
        options: MapOptions,
    ) -> Result<SeatMap> {
        let src = &results.source_name;
        let parties = match results.features.first() {
            None => Vec::new(),
            Some(f) => {
                let keys: Vec<&str> = f.properties.keys().collect();
                let start = keys.iter().position(|k| *k == "name").map_or(0, |i| i + 1);
                let end = keys.iter().position(|k| *k == "total").ok_or_else(|| {
                    Error::field(src, results.place(0), "total", "is missing: not a results file written by apportion or recompute")
                })?;
                keys[start.min(end)..end].iter().map(|k| k.to_string()).collect()
            }
        };
        let mut comp = match composition {
            Some(input) => read_composition(input)?,
            None => HashMap::new(),
        };
        let bounds = bng.iter().filter_map(geometry_bounds).reduce(union);
        let extent = bounds.map_or(1.0, |b| b.width().max(b.height()));
        let tolerance = (extent * TOLERANCE_OF_EXTENT).max(1.0);
        let simple = bng.simplify_shared(tolerance);
        let seats: Vec<MapSeat> = results
            .features
            .iter()
            .zip(simple)
            .map(|(f, geometry)| {
                let properties: Map<String, Value> = f
                    .properties
                    .iter()
                    .filter(|(k, _)| !matches!(*k, "fill" | "fill-opacity" | "stroke" | "stroke-width"))
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect();
                MapSeat {
                    code: f.id.clone(),
                    name: f.name.clone().unwrap_or_default(),
                    winner: f.properties.get("winner").and_then(Value::as_str).filter(|w| !w.is_empty()).map(str::to_string),
                    majority_pct: f.properties.get("majority_pct").and_then(Value::as_f64).unwrap_or(100.0),
                    partial: coverage(&properties).is_some_and(|c| c < MIN_SEAT_COVERAGE * 100.0),
                    properties,
                    composition: comp.remove(&f.id).unwrap_or_default(),
                    geometry,
                }
            })
            .collect();
        // Only the old seats that reach the map.
        let (ids, geometries): (Vec<(String, String)>, Vec<MultiPolygon<f64>>) = old
            .into_iter()
            .filter(|(_, _, g)| match (bounds, geometry_bounds(g)) {
                (Some(b), Some(o)) => o.min().x < b.max().x && o.max().x > b.min().x && o.min().y < b.max().y && o.max().y > b.min().y,
                _ => false,
            })
            .map(|(c, n, g)| ((c, n), g))
            .unzip();
        let old = ids
            .into_iter()
            .zip(geometries.simplify_shared(tolerance))
            .map(|((code, name), geometry)| OldOutline { code, name, geometry })
            .collect();
        let missing_from_layout = options.hex.as_ref().map_or_else(Vec::new, |h| h.missing(seats.iter().map(|s| s.code.as_str())));
        Ok(SeatMap { options, parties, seats, old, missing_from_layout, grid: tolerance / 4.0 })
    }

    /// A point inside each seat (BNG), where its label or a pointer goes.
    pub fn inside(seat: &MapSeat) -> Option<(f64, f64)> {
        seat.geometry.interior_point().map(|p| (p.x(), p.y()))
    }
}

/// A seat's `coverage` column (percent), where the run wrote one.
fn coverage(properties: &Map<String, Value>) -> Option<f64> {
    match properties.get("coverage")? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// `composition.csv`'s rows by new seat.
fn read_composition(input: &Input) -> Result<HashMap<String, Vec<(String, String, f64)>>> {
    let src = input.name();
    let mut r = csv::ReaderBuilder::new().from_reader(input.text().as_bytes());
    let header = r.headers().map_err(|e| Error::format(src, e.to_string()))?.clone();
    let col = |name: &str| header.iter().position(|h| h == name).ok_or_else(|| Error::field(src, "the header", name, "is missing"));
    let (new, code, name, share) = (col("new_code")?, col("old_code")?, col("old_name")?, col("share_of_new")?);
    let mut out: HashMap<String, Vec<(String, String, f64)>> = HashMap::new();
    for (i, row) in r.records().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| Error::format(src, format!("line {line}: {e}")))?;
        let s: f64 = row[share].parse().map_err(|_| Error::field(src, format!("line {line}"), "share_of_new", format!("`{}` is not a number", &row[share])))?;
        out.entry(row[new].to_string()).or_default().push((row[code].to_string(), row[name].to_string(), s));
    }
    Ok(out)
}

//! Helpers shared by the test modules.

use geo::{polygon, LineString, MultiPolygon, Polygon};
use notional::apportion::{apportion, Options, Outcome};
use notional::progress::Silent;
use notional::read::Input;
use serde_json::{json, Value};

/// An axis-aligned rectangle as a MultiPolygon.
pub fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
    MultiPolygon::new(vec![polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)]])
}

/// A rectangle with a rectangular hole.
pub fn rect_with_hole(outer: [f64; 4], hole: [f64; 4]) -> MultiPolygon<f64> {
    let ring = |[x0, y0, x1, y1]: [f64; 4]| LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]);
    MultiPolygon::new(vec![Polygon::new(ring(outer), vec![ring(hole)])])
}

/// GeoJSON coordinates of a MultiPolygon.
pub fn coords(mp: &MultiPolygon<f64>) -> Value {
    let ring = |ls: &LineString<f64>| -> Value { ls.0.iter().map(|c| json!([c.x, c.y])).collect() };
    mp.0.iter()
        .map(|p| std::iter::once(p.exterior()).chain(p.interiors()).map(ring).collect::<Value>())
        .collect()
}

/// A FeatureCollection of MultiPolygons with the given properties; `crs`
/// adds an old-style crs member (e.g. `EPSG:27700`).
pub fn collection(features: &[(Value, &MultiPolygon<f64>)], crs: Option<&str>) -> String {
    let features: Vec<Value> = features
        .iter()
        .map(|(props, g)| json!({"type": "Feature", "properties": props, "geometry": {"type": "MultiPolygon", "coordinates": coords(g)}}))
        .collect();
    let mut fc = json!({"type": "FeatureCollection", "features": features});
    if let Some(name) = crs {
        fc["crs"] = json!({"type": "name", "properties": {"name": name}});
    }
    fc.to_string()
}

/// Targets named `S0`, `S1`, … (BNG).
pub fn targets(geoms: &[MultiPolygon<f64>]) -> String {
    let feats: Vec<(Value, &MultiPolygon<f64>)> =
        geoms.iter().enumerate().map(|(i, g)| (json!({"code": format!("S{i}"), "name": format!("Seat {i}")}), g)).collect();
    collection(&feats, Some("urn:ogc:def:crs:EPSG::27700"))
}

/// Units named `W0`, `W1`, … with `lab` votes (BNG).
pub fn units(geoms: &[MultiPolygon<f64>], lab: &[u64]) -> String {
    let feats: Vec<(Value, &MultiPolygon<f64>)> =
        geoms.iter().zip(lab).enumerate().map(|(i, (g, v))| (json!({"code": format!("W{i}"), "lab": v}), g)).collect();
    collection(&feats, Some("urn:ogc:def:crs:EPSG::27700"))
}

/// Runs the library on two GeoJSON texts with default options.
pub fn run(units: &str, targets: &str) -> Outcome {
    apportion(&Input::from_text("units.geojson", units), &Input::from_text("targets.geojson", targets), None, &Options::default(), &Silent)
        .expect("apportion")
}

/// The crosswalk weights of unit `u` by target id.
pub fn weights(outcome: &Outcome, u: usize) -> Vec<(String, f64)> {
    let ids = outcome.target_ids();
    outcome.crosswalk.units[u].weights.iter().map(|&(t, w)| (ids[t].to_string(), w)).collect()
}

/// Path to the shared real data, if it is there.
pub fn shared_data() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

/// The same collection without its `crs` member.
pub fn without_crs(text: &str) -> String {
    let mut v: Value = serde_json::from_str(text).unwrap();
    v.as_object_mut().unwrap().remove("crs");
    v.to_string()
}

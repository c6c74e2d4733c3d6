//! TopoJSON topologies built from the fuzzer's bytes (arcs, an optional
//! quantising transform, objects whose geometries index arcs in and out of
//! range, any key order and spacing): read, detect CRS, project, repair.
#![no_main]
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use notional::geometry::project::Projector;
use notional::read::{read_layer, Input};
use notional::geometry::prepare::Prepared;
use serde_json::{json, Value};

fn topology(u: &mut Unstructured) -> Result<Value> {
    let quantised = u.arbitrary::<bool>()?;
    let arcs: Vec<Value> = (0..u.int_in_range(0..=6)?)
        .map(|_| {
            let points = (0..u.int_in_range(0..=6)?)
                .map(|_| {
                    let (x, y) = (u.int_in_range(-50..=50)?, u.int_in_range(-50..=50)?);
                    Ok(if quantised { json!([x, y]) } else { json!([-0.2 + x as f64 * 1e-3, 51.5 + y as f64 * 1e-3]) })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Value::Array(points))
        })
        .collect::<Result<_>>()?;
    let index = |u: &mut Unstructured| -> Result<Value> { Ok(json!(u.int_in_range(-8..=8)?)) };
    let ring = |u: &mut Unstructured| -> Result<Value> { (0..u.int_in_range(0..=3)?).map(|_| index(u)).collect() };
    let polygon = |u: &mut Unstructured| -> Result<Value> { (0..u.int_in_range(0..=2)?).map(|_| ring(u)).collect() };
    let geometries: Vec<Value> = (0..u.int_in_range(0..=4)?)
        .map(|i| {
            let kind = *u.choose(&["Polygon", "MultiPolygon", "Point", "GeometryCollection"])?;
            let arcs = if kind == "MultiPolygon" { (0..u.int_in_range(0..=2)?).map(|_| polygon(u)).collect::<Result<Value>>()? } else { polygon(u)? };
            let code = if u.arbitrary::<bool>()? { json!(format!("T{i}")) } else { json!(i % 2) };
            Ok(json!({"type": kind, "arcs": arcs, "properties": {"code": code, "lab": u.int_in_range(0..=100)?}}))
        })
        .collect::<Result<_>>()?;
    let mut topo = json!({"arcs": arcs, "objects": {"wards": {"type": "GeometryCollection", "geometries": geometries}}, "type": "Topology"});
    if quantised {
        topo["transform"] = json!({"scale": [1e-3, 1e-3], "translate": [-0.25, 51.45]});
    }
    if u.arbitrary::<bool>()? {
        topo["objects"]["extra"] = json!({"type": "GeometryCollection", "geometries": []});
    }
    Ok(topo)
}

fuzz_target!(|data: &[u8]| {
    let Ok(topo) = topology(&mut Unstructured::new(data)) else { return };
    // Pretty or compact: detection must not depend on spacing or member order.
    let text = if data.first().is_some_and(|b| b & 1 == 1) { serde_json::to_string_pretty(&topo) } else { serde_json::to_string(&topo) };
    let input = Input::from_text("fuzz.topojson", text.expect("serialisable"));
    if let Ok(layer) = read_layer(&input, "code", None) {
        let _ = Prepared::new(&layer, None, &Projector::new());
    }
});

//! TopoJSON topologies (as the ONS and many atlases publish boundaries).
//!
//! Decoded here rather than with the `topojson` crate, which depends on an
//! older `geojson` (0.23) and converts through it: the format is small.
//! Arcs are delta-encoded and quantised when the topology has a `transform`;
//! a ring is its arcs joined end to start (an arc index `i < 0` means arc `!i`
//! reversed). Rings that collapse under quantisation are dropped with a
//! warning, as in GeoJSON.

use super::layer::{build_multipolygon, Layer, LayerBuilder};
use super::Input;
use crate::error::{Error, Result};
use geo::Coord;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Whether a text is a JSON object whose top-level `type` member is
/// `Topology`, wherever the member sits and however the text is spaced (the
/// other members are skipped unread).
pub(crate) fn is_topology(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Head {
        #[serde(rename = "type")]
        kind: Option<String>,
    }
    // (Derived structs also accept arrays: `["Topology"]` is not one.)
    text.trim_start().starts_with('{') && serde_json::from_str::<Head>(text).is_ok_and(|h| h.kind.as_deref() == Some("Topology"))
}

#[derive(Deserialize)]
struct Topology {
    #[serde(rename = "type")]
    kind: String,
    transform: Option<Transform>,
    objects: Map<String, Value>,
    arcs: Vec<Vec<Vec<f64>>>,
}

#[derive(Deserialize)]
struct Transform {
    scale: [f64; 2],
    translate: [f64; 2],
}

#[derive(Deserialize)]
struct Object {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    geometries: Vec<GeometryObject>,
}

#[derive(Deserialize)]
struct GeometryObject {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    arcs: Value,
    #[serde(default)]
    properties: Map<String, Value>,
}

/// Reads the topology's one object (a GeometryCollection of Polygons and
/// MultiPolygons) as a layer.
pub(crate) fn read_topology(input: &Input, mut builder: LayerBuilder<'_>) -> Result<Layer> {
    let src = builder.src();
    let topo: Topology =
        serde_json::from_str(input.text()).map_err(|e| Error::format(src, format!("is not valid TopoJSON: {e}")))?;
    if topo.kind != "Topology" {
        return Err(Error::format(src, format!("has type `{}`; expected a FeatureCollection or a Topology", topo.kind)));
    }
    let arcs = decode_arcs(src, &topo)?;
    let (name, object) = match topo.objects.len() {
        1 => topo.objects.into_iter().next().expect("one object"),
        n => {
            let names: Vec<&String> = topo.objects.keys().collect();
            return Err(Error::format(src, format!("has {n} objects ({names:?}); notional reads topologies with exactly one")));
        }
    };
    let object: Object = serde_json::from_value(object)
        .map_err(|e| Error::format(src, format!("object `{name}` is not a TopoJSON object: {e}")))?;
    if object.kind != "GeometryCollection" {
        return Err(Error::format(src, format!("object `{name}` is a {}; expected a GeometryCollection", object.kind)));
    }
    for (index, g) in object.geometries.into_iter().enumerate() {
        let properties = builder.properties(g.properties);
        let id = builder.id(index, &properties)?;
        let place = format!("feature {index} (id {id})");
        let polygons: Option<Vec<&Value>> = match g.kind.as_deref() {
            None | Some("null") => None,
            Some("Polygon") => Some(vec![&g.arcs]),
            Some("MultiPolygon") => match g.arcs.as_array() {
                Some(polygons) => Some(polygons.iter().collect()),
                None => return Err(Error::field(src, &place, "arcs", format!("is `{}`; a MultiPolygon's arcs are an array of polygons", g.arcs))),
            },
            Some(other) => {
                return Err(Error::field(src, &place, "geometry", format!("is a {other}; only Polygon and MultiPolygon are supported")))
            }
        };
        let geometry = match polygons {
            None => None,
            Some(polys) => {
                let raw = polys
                    .into_iter()
                    .map(|rings| polygon_rings(src, &place, rings, &arcs))
                    .collect::<Result<Vec<_>>>()?;
                Some(build_multipolygon(src, (index, &id), raw, true, &mut builder.warnings)?)
            }
        };
        builder.push(index, id, properties, geometry);
    }
    builder.finish(None)
}

fn decode_arcs(src: &str, topo: &Topology) -> Result<Vec<Vec<Coord<f64>>>> {
    if let Some(t) = &topo.transform {
        if !t.scale.iter().chain(&t.translate).all(|v| v.is_finite()) || t.scale.contains(&0.0) {
            return Err(Error::format(
                src,
                format!("has a transform with scale {:?} and translate {:?}; the scale must be non-zero and both finite", t.scale, t.translate),
            ));
        }
    }
    topo.arcs
        .iter()
        .enumerate()
        .map(|(a, arc)| {
            let (mut x, mut y) = (0.0, 0.0);
            arc.iter()
                .enumerate()
                .map(|(v, p)| {
                    if p.len() < 2 {
                        return Err(Error::format(src, format!("arc {a}, position {v} has fewer than two numbers")));
                    }
                    Ok(match &topo.transform {
                        Some(t) => {
                            x += p[0];
                            y += p[1];
                            Coord { x: x * t.scale[0] + t.translate[0], y: y * t.scale[1] + t.translate[1] }
                        }
                        None => Coord { x: p[0], y: p[1] },
                    })
                })
                .collect()
        })
        .collect()
}

/// The rings of one polygon (`[[arc, …], …]`), joined from their arcs.
fn polygon_rings(src: &str, place: &str, rings: &Value, arcs: &[Vec<Coord<f64>>]) -> Result<Vec<Vec<Coord<f64>>>> {
    let bad = |m: String| Error::field(src, place, "arcs", m);
    let rings = rings.as_array().ok_or_else(|| bad("polygon arcs must be an array of rings".into()))?;
    rings
        .iter()
        .map(|ring| {
            let ids = ring.as_array().ok_or_else(|| bad("a ring must be an array of arc indices".into()))?;
            let mut coords: Vec<Coord<f64>> = Vec::new();
            for id in ids {
                let i = id.as_i64().ok_or_else(|| bad(format!("arc index {id} is not an integer")))?;
                let (k, reversed) = if i < 0 { (!i as usize, true) } else { (i as usize, false) };
                let arc = arcs.get(k).ok_or_else(|| bad(format!("arc index {i} is beyond the {} arcs", arcs.len())))?;
                let points: Box<dyn Iterator<Item = &Coord<f64>>> =
                    if reversed { Box::new(arc.iter().rev()) } else { Box::new(arc.iter()) };
                // Consecutive arcs share their joining point.
                coords.extend(points.skip(usize::from(!coords.is_empty())));
            }
            Ok(coords)
        })
        .collect()
}

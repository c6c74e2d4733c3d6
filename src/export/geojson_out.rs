use super::csv_out::Extra;
use super::palette::party_colour;
use crate::results::Results;
use geo::orient::{Direction, Orient};
use geo::{MultiPolygon, Polygon};
use geojson::{Feature, FeatureCollection, Geometry, GeometryValue, Position};
use serde_json::{json, Map, Value};
use std::io::{self, Write};

/// Writes the results as an RFC 7946 FeatureCollection: WGS84 lon/lat with six
/// decimals, exterior rings counter-clockwise and holes clockwise, the
/// `results.csv` properties (with any `extra` columns) plus simplestyle
/// `fill`/`stroke` by winner.
/// `geometries_wgs84` is indexed by target.
///
/// ```
/// use notional::export::results_geojson;
/// use notional::results::{Results, SeatResult};
/// use geo::{polygon, MultiPolygon};
/// let results = Results { parties: vec!["con".into(), "lab".into()], has_electorate: false,
///     seats: vec![SeatResult::new(0, "S1", "North", &[40, 60], None)] };
/// // A clockwise square: written counter-clockwise.
/// let sq = MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 0., y: 1.), (x: 1., y: 1.), (x: 1., y: 0.)]]);
/// let mut out = Vec::new();
/// results_geojson(&results, &[sq], &[], &mut out).unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.contains(r#""winner":"lab""#) && text.contains(r##""fill":"#E4003B""##));
/// assert!(text.contains("[[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,1.0],[0.0,0.0]]]"));
/// ```
pub fn results_geojson(results: &Results, geometries_wgs84: &[MultiPolygon<f64>], extra: &[Extra], mut out: impl Write) -> io::Result<()> {
    let features = results
        .seats
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut p = Map::new();
            p.insert("code".into(), json!(s.code));
            p.insert("name".into(), json!(s.name));
            for (party, v) in results.parties.iter().zip(&s.votes) {
                p.insert(party.clone(), json!(v));
            }
            p.insert("total".into(), json!(s.total));
            p.insert("winner".into(), json!(results.party(s.winner)));
            p.insert("second".into(), json!(results.party(s.second)));
            p.insert("majority".into(), json!(s.majority));
            p.insert("majority_pct".into(), json!(round(s.majority_pct, 100.0)));
            if results.has_electorate {
                p.insert("electorate".into(), s.electorate.map_or(Value::Null, |e| json!(e)));
                p.insert("turnout".into(), s.turnout.map_or(Value::Null, |t| json!(round(t, 100.0))));
            }
            for (name, values) in extra {
                p.insert(name.clone(), json!(values[i]));
            }
            let colour = s.winner.map_or("#B0B0B0", |w| party_colour(&results.parties[w]));
            p.insert("fill".into(), json!(colour));
            p.insert("fill-opacity".into(), json!(0.7));
            p.insert("stroke".into(), json!("#555555"));
            p.insert("stroke-width".into(), json!(1));
            Feature {
                bbox: None,
                geometry: Some(Geometry::new(geometry_value(&geometries_wgs84[s.target]))),
                id: None,
                properties: Some(p),
                foreign_members: None,
            }
        })
        .collect();
    let fc = FeatureCollection { bbox: None, features, foreign_members: None };
    serde_json::to_writer(&mut out, &fc)?;
    out.write_all(b"\n")
}

fn round(x: f64, scale: f64) -> f64 {
    (x * scale).round() / scale
}

pub(crate) fn geometry_value(mp: &MultiPolygon<f64>) -> GeometryValue {
    let oriented = mp.orient(Direction::Default);
    let ring = |ls: &geo::LineString<f64>| -> Vec<Position> {
        ls.0.iter().map(|c| Position::from([round(c.x, 1e6), round(c.y, 1e6)])).collect()
    };
    let polygon = |p: &Polygon<f64>| -> Vec<Vec<Position>> {
        std::iter::once(p.exterior()).chain(p.interiors()).map(ring).collect()
    };
    match oriented.0.as_slice() {
        [one] => GeometryValue::Polygon { coordinates: polygon(one) },
        many => GeometryValue::MultiPolygon { coordinates: many.iter().map(polygon).collect() },
    }
}

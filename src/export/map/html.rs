//! `map.html`: one self-contained page (script, style and data inlined; no
//! tiles, no network) drawing a [`SeatMap`] with Leaflet 1.9.4, vendored in
//! `assets/vendor/leaflet-1.9.4` (BSD-2-Clause).

use super::seats::{SeatMap, MARGINAL};
use super::svg::escape;
use crate::recompute::MIN_SEAT_COVERAGE;
use crate::export::party_colour;
use geo::MultiPolygon;
use rayon::prelude::*;
use serde_json::{json, Value};

const TEMPLATE: &str = include_str!("../../../assets/map/map.html");
const MAP_JS: &str = include_str!("../../../assets/map/map.js");
const MAP_CSS: &str = include_str!("../../../assets/map/map.css");
const LEAFLET_JS: &str = include_str!("../../../assets/vendor/leaflet-1.9.4/leaflet.js");
const LEAFLET_CSS: &str = include_str!("../../../assets/vendor/leaflet-1.9.4/leaflet.css");

/// The page. Geometries go in as integers on the map's grid, each ring
/// delta-encoded (`[x0, y0, dx1, dy1, …]`), which keeps a national map small.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use notional::export::map::{html, MapOptions, MapSeat, SeatMap};
/// let sq = MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 0., y: 10.), (x: 10., y: 10.), (x: 10., y: 0.)]]);
/// let seat = MapSeat { code: "A".into(), name: "Abbey </script>".into(), winner: Some("Lab".into()), majority_pct: 20.0, partial: false,
///                      properties: Default::default(), composition: vec![], geometry: sq };
/// let map = SeatMap { options: MapOptions { title: "Title".into(), attribution: "Contains OS data".into(), hex: None, skip: false },
///                     parties: vec!["Lab".into()], seats: vec![seat], old: vec![], missing_from_layout: vec![], grid: 1.0 };
/// let page = html(&map);
/// assert!(page.starts_with("<!DOCTYPE html>") && page.contains("Leaflet 1.9.4") && page.contains("<title>Title</title>"));
/// // A name cannot end the data's script element.
/// assert!(page.contains(r#""name":"Abbey <\/script>""#));
/// ```
pub fn html(map: &SeatMap) -> String {
    let grid = map.grid;
    let seats: Vec<Value> = map
        .seats
        .par_iter()
        .map(|s| {
            let inside = SeatMap::inside(s).map(|(x, y)| json!([(x / grid).round() as i64, (y / grid).round() as i64]));
            let hex = map.options.hex.as_ref().and_then(|h| h.hexes.get(&s.code).map(|&(q, r)| h.centre(q, r))).map(|(x, y)| json!([x, y]));
            json!({
                "code": s.code,
                "name": s.name,
                "p": s.properties,
                "comp": s.composition.iter().map(|(c, n, share)| json!([c, n, share])).collect::<Vec<_>>(),
                "g": encode(&s.geometry, grid),
                "c": inside,
                "h": hex,
            })
        })
        .collect();
    let in_run: std::collections::HashSet<&str> = map.seats.iter().map(|s| s.code.as_str()).collect();
    let hex_only: Vec<Value> = match &map.options.hex {
        Some(h) => h
            .hexes
            .iter()
            .filter(|(c, _)| !in_run.contains(c.as_str()))
            .map(|(c, &(q, r))| {
                let (x, y) = h.centre(q, r);
                json!([c, x, y])
            })
            .collect(),
        None => Vec::new(),
    };
    let data = json!({
        "title": map.options.title,
        "attribution": map.options.attribution,
        "parties": map.parties,
        "colours": map.parties.iter().map(|p| party_colour(p)).collect::<Vec<_>>(),
        "marginal": MARGINAL,
        "minCoverage": MIN_SEAT_COVERAGE * 100.0,
        "unit": grid,
        "hasHex": map.options.hex.is_some(),
        "seats": seats,
        "hexOnly": hex_only,
        "missing": map.missing_from_layout,
        "old": map.old.iter().map(|o| json!({"code": o.code, "name": o.name, "g": encode(&o.geometry, grid)})).collect::<Vec<_>>(),
    });
    // Inside <script>, `</` would end the element: JSON allows `<\/`.
    let data = serde_json::to_string(&data).expect("JSON values serialise").replace("</", "<\\/");
    let title = escape(&map.options.title);
    let mut out = String::with_capacity(TEMPLATE.len() + LEAFLET_JS.len() + data.len() + 4096);
    let mut rest = TEMPLATE;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("}}").map_or(rest.len(), |j| i + j + 2);
        out.push_str(match &rest[i..end] {
            "{{TITLE}}" => &title,
            "{{DATA}}" => &data,
            "{{LEAFLET_JS}}" => LEAFLET_JS,
            "{{LEAFLET_CSS}}" => LEAFLET_CSS,
            "{{MAP_JS}}" => MAP_JS,
            "{{MAP_CSS}}" => MAP_CSS,
            other => other,
        });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Polygons → rings of grid integers, delta-encoded.
fn encode(mp: &MultiPolygon<f64>, grid: f64) -> Vec<Vec<Vec<i64>>> {
    mp.0.iter()
        .map(|p| {
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|r| {
                    let (mut px, mut py) = (0i64, 0i64);
                    let mut out = Vec::with_capacity(r.0.len() * 2);
                    for c in &r.0 {
                        let (x, y) = ((c.x / grid).round() as i64, (c.y / grid).round() as i64);
                        out.push(x - px);
                        out.push(y - py);
                        (px, py) = (x, y);
                    }
                    out
                })
                .collect()
        })
        .collect()
}

//! `map.svg`: a static, print-ready map of a run's results, the new seats
//! coloured by winner (lighter where the majority is under 5%), drawn twice:
//! geographically (British National Grid) and, given a HexJSON layout, as a
//! hex cartogram where every seat has the same size. With a title, a legend
//! and the boundaries' attribution. Shared edges stay shared: every vertex
//! is rounded to the same grid, so neighbours keep meeting exactly.

use crate::error::{Error, Result};
use crate::geometry::bbox::{geometry_bounds, union};
use super::palette::party_colour;
use crate::read::{Input, Layer};
use geo::MultiPolygon;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

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
    /// Its geometry in BNG metres.
    pub geometry: MultiPolygon<f64>,
}

/// A HexJSON layout: each seat's column and row, odd rows shifted right
/// (`odd-r`) or left (`even-r`).
#[derive(Debug, Clone)]
pub struct HexLayout {
    /// `odd-r` or `even-r` (the row layouts; column layouts are refused).
    pub layout: String,
    /// Seat id → (q, r).
    pub hexes: BTreeMap<String, (i64, i64)>,
}

impl HexLayout {
    /// Reads a HexJSON file: `{"layout": "odd-r", "hexes": {"ID": {"q": 1, "r": 2, ...}}}`.
    ///
    /// ```
    /// use notional::export::svg_map::HexLayout;
    /// use notional::read::Input;
    /// let h = HexLayout::read(&Input::from_text("h.hexjson", r#"{"layout":"odd-r","hexes":{"A":{"q":0,"r":1}}}"#)).unwrap();
    /// assert_eq!(h.hexes["A"], (0, 1));
    /// assert!(HexLayout::read(&Input::from_text("h.hexjson", r#"{"layout":"odd-q","hexes":{}}"#)).is_err());
    /// ```
    pub fn read(input: &Input) -> Result<HexLayout> {
        let src = input.name();
        let v: Value = serde_json::from_str(input.text()).map_err(|e| Error::format(src, format!("is not valid JSON: {e}")))?;
        let layout = v.get("layout").and_then(Value::as_str).unwrap_or("").to_string();
        if layout != "odd-r" && layout != "even-r" {
            return Err(Error::field(src, "the file", "layout", format!("`{layout}` is not a row layout (odd-r or even-r)")));
        }
        let hexes = v.get("hexes").and_then(Value::as_object).ok_or_else(|| Error::field(src, "the file", "hexes", "is missing or not an object"))?;
        let mut out = BTreeMap::new();
        for (id, h) in hexes {
            let coord = |k: &str| h.get(k).and_then(Value::as_i64).ok_or_else(|| Error::field(src, format!("hex {id}"), k, "is not an integer"));
            out.insert(id.clone(), (coord("q")?, coord("r")?));
        }
        Ok(HexLayout { layout, hexes: out })
    }
}

/// Majorities under this (points) are drawn lighter.
pub const MARGINAL: f64 = 5.0;

const WIDTH: f64 = 1200.0;
const HEIGHT: f64 = 900.0;
const TOP: f64 = 70.0;
const BOTTOM: f64 = 70.0;

/// The seats of a results layer (`results.geojson` as written, with
/// `winner` and `majority_pct`), their geometries given in BNG by feature.
pub fn seats_from_results(layer: &Layer, bng: Vec<MultiPolygon<f64>>) -> Vec<MapSeat> {
    layer
        .features
        .iter()
        .zip(bng)
        .map(|(f, geometry)| MapSeat {
            code: f.id.clone(),
            name: f.name.clone().unwrap_or_default(),
            winner: f.properties.get("winner").and_then(Value::as_str).filter(|w| !w.is_empty()).map(str::to_string),
            majority_pct: f.properties.get("majority_pct").and_then(Value::as_f64).unwrap_or(100.0),
            geometry,
        })
        .collect()
}

/// The map, with `title` and `attribution`; with `hex`, the cartogram
/// beside the geographic map. Returns the SVG and the seats missing from
/// the layout (not drawn in the cartogram, to be reported).
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use notional::export::svg_map::{svg, MapSeat};
/// let sq = MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 0., y: 10.), (x: 10., y: 10.), (x: 10., y: 0.)]]);
/// let seat = MapSeat { code: "A".into(), name: "Abbey".into(), winner: Some("Lab".into()), majority_pct: 20.0, geometry: sq };
/// let (map, missing) = svg(&[seat], None, "Title", "Contains OS data");
/// assert!(map.starts_with("<svg") && map.contains("#E4003B") && map.contains("<title>Abbey: Lab, majority 20.0%</title>"));
/// assert!(missing.is_empty());
/// ```
pub fn svg(seats: &[MapSeat], hex: Option<&HexLayout>, title: &str, attribution: &str) -> (String, Vec<String>) {
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="Helvetica, Arial, sans-serif">"##
    );
    let _ = write!(out, r##"<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>"##);
    let _ = write!(out, r##"<text x="20" y="40" font-size="22" font-weight="bold">{}</text>"##, escape(title));
    let panel_w = if hex.is_some() { WIDTH / 2.0 } else { WIDTH };
    geographic(&mut out, seats, 0.0, panel_w);
    let mut missing = Vec::new();
    if let Some(h) = hex {
        missing = hexes(&mut out, seats, h, panel_w, WIDTH - panel_w);
    }
    legend(&mut out, seats);
    let _ = write!(out, r##"<text x="20" y="{}" font-size="11" fill="#555">{}</text>"##, HEIGHT - 15.0, escape(attribution));
    out.push_str("</svg>\n");
    (out, missing)
}

/// The fill of a seat: its winner's colour, lighter when marginal.
fn fill(seat: &MapSeat) -> (String, f64) {
    match &seat.winner {
        Some(w) => (party_colour(w).to_string(), if seat.majority_pct < MARGINAL { 0.5 } else { 1.0 }),
        None => ("#eeeeee".to_string(), 1.0),
    }
}

fn tooltip(seat: &MapSeat) -> String {
    match &seat.winner {
        Some(w) => format!("{}: {w}, majority {:.1}%", seat.name, seat.majority_pct),
        None => format!("{}: no votes", seat.name),
    }
}

/// The geographic panel: BNG scaled to fit, north up; every vertex rounded
/// to a tenth of a pixel (shared edges stay shared), repeats dropped.
fn geographic(out: &mut String, seats: &[MapSeat], x0: f64, w: f64) {
    let Some(b) = seats.iter().filter_map(|s| geometry_bounds(&s.geometry)).reduce(union) else { return };
    let (gw, gh) = (b.width().max(1.0), b.height().max(1.0));
    let h = HEIGHT - TOP - BOTTOM;
    let scale = ((w - 40.0) / gw).min((h - 20.0) / gh);
    let (ox, oy) = (x0 + (w - gw * scale) / 2.0, TOP + (h - gh * scale) / 2.0);
    out.push_str(r##"<g stroke="#ffffff" stroke-width="0.3">"##);
    for s in seats {
        let mut d = String::new();
        for poly in &s.geometry.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                let mut last = None;
                let mut first = true;
                for c in ring.0.iter() {
                    let p = (((ox + (c.x - b.min().x) * scale) * 10.0).round() as i64, ((oy + (b.max().y - c.y) * scale) * 10.0).round() as i64);
                    if last == Some(p) {
                        continue;
                    }
                    let _ = write!(d, "{}{} {}", if first { "M" } else { "L" }, p.0 as f64 / 10.0, p.1 as f64 / 10.0);
                    first = false;
                    last = Some(p);
                }
                d.push('Z');
            }
        }
        let (f, o) = fill(s);
        let _ = write!(out, r##"<path d="{d}" fill="{f}" fill-opacity="{o}" fill-rule="evenodd"><title>{}</title></path>"##, escape(&tooltip(s)));
    }
    out.push_str("</g>");
}

/// The hex panel; returns the seats not in the layout.
fn hexes(out: &mut String, seats: &[MapSeat], layout: &HexLayout, x0: f64, w: f64) -> Vec<String> {
    let by_code: HashMap<&str, &MapSeat> = seats.iter().map(|s| (s.code.as_str(), s)).collect();
    let missing: Vec<String> = seats.iter().filter(|s| !layout.hexes.contains_key(&s.code)).map(|s| s.code.clone()).collect();
    let (qs, rs): (Vec<i64>, Vec<i64>) = layout.hexes.values().copied().unzip();
    let (Some(&q0), Some(&q1), Some(&r0), Some(&r1)) = (qs.iter().min(), qs.iter().max(), rs.iter().min(), rs.iter().max()) else { return missing };
    let shift = |r: i64| -> f64 {
        let odd = r.rem_euclid(2) == 1;
        if (layout.layout == "odd-r") == odd { 0.5 } else { 0.0 }
    };
    // Pointy-top hexes of width 1, rows 0.75 apart (in hex units), south down.
    let (cols, rows) = ((q1 - q0) as f64 + 1.5, (r1 - r0) as f64 * 0.866 + 1.2);
    let h = HEIGHT - TOP - BOTTOM;
    let size = ((w - 40.0) / cols).min((h - 20.0) / rows);
    let (ox, oy) = (x0 + (w - cols * size) / 2.0 + size / 2.0, TOP + (h - rows * size) / 2.0 + size / 2.0);
    let rad = size / 3f64.sqrt();
    out.push_str(r##"<g stroke="#ffffff" stroke-width="0.5">"##);
    for (code, &(q, r)) in &layout.hexes {
        let cx = ox + ((q - q0) as f64 + shift(r)) * size;
        let cy = oy + (r1 - r) as f64 * size * 0.866;
        let mut d = String::new();
        for k in 0..6 {
            let a = std::f64::consts::PI / 180.0 * (60.0 * k as f64 - 30.0);
            let _ = write!(d, "{}{:.1} {:.1}", if k == 0 { "M" } else { "L" }, cx + rad * a.cos(), cy + rad * a.sin());
        }
        d.push('Z');
        let (f, o, t) = match by_code.get(code.as_str()) {
            Some(s) => {
                let (f, o) = fill(s);
                (f, o, tooltip(s))
            }
            None => ("#eeeeee".to_string(), 1.0, format!("{code}: not in this run")),
        };
        let _ = write!(out, r##"<path d="{d}" fill="{f}" fill-opacity="{o}"><title>{}</title></path>"##, escape(&t));
    }
    out.push_str("</g>");
    missing
}

/// The parties that won a seat, with their colours and counts, and the
/// marginal shade.
fn legend(out: &mut String, seats: &[MapSeat]) {
    let mut won: BTreeMap<String, usize> = BTreeMap::new();
    for s in seats {
        if let Some(w) = &s.winner {
            *won.entry(w.clone()).or_default() += 1;
        }
    }
    let mut order: Vec<(String, usize)> = won.into_iter().collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let y = HEIGHT - 45.0;
    let mut x = 20.0;
    for (party, n) in &order {
        let _ = write!(out, r##"<rect x="{x}" y="{}" width="14" height="14" fill="{}"/>"##, y - 11.0, party_colour(party));
        let label = format!("{party} {n}");
        let _ = write!(out, r##"<text x="{}" y="{y}" font-size="13">{}</text>"##, x + 18.0, escape(&label));
        x += 30.0 + 8.0 * label.len() as f64;
    }
    let _ = write!(out, r##"<text x="{x}" y="{y}" font-size="12" fill="#555">lighter: majority under {MARGINAL}%</text>"##);
}

/// Text for SVG.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

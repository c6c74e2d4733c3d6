//! `map.svg`: a static, print-ready map of a run's results, the new seats
//! coloured by winner (lighter where the majority is under 5%), drawn twice:
//! geographically (British National Grid) and, given a HexJSON layout, as a
//! hex cartogram where every seat has the same size. With a title, a legend
//! and the boundaries' attribution. Shared edges stay shared: every vertex
//! is rounded to the same grid, so neighbours keep meeting exactly.

use super::hex::HexLayout;
use super::seats::{MapSeat, SeatMap, MARGINAL};
use crate::export::party_colour;
use crate::geometry::bbox::{geometry_bounds, union};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

const WIDTH: f64 = 1200.0;
const HEIGHT: f64 = 900.0;
const TOP: f64 = 70.0;
const BOTTOM: f64 = 70.0;

/// `map.svg`: the geographic map and, with a hex layout, the cartogram
/// beside it, with the title, a legend and the attribution.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use notional::export::map::{svg, MapOptions, MapSeat, SeatMap};
/// let sq = MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 0., y: 10.), (x: 10., y: 10.), (x: 10., y: 0.)]]);
/// let seat = MapSeat { code: "A".into(), name: "Abbey".into(), winner: Some("Lab".into()), majority_pct: 20.0, partial: false,
///                      properties: Default::default(), composition: vec![], geometry: sq };
/// let map = SeatMap { options: MapOptions { title: "Title".into(), attribution: "Contains OS data".into(), hex: None, skip: false },
///                     parties: vec!["Lab".into()], seats: vec![seat], old: vec![], missing_from_layout: vec![], grid: 1.0 };
/// let out = svg(&map);
/// assert!(out.starts_with("<svg") && out.contains("#E4003B") && out.contains("<title>Abbey: Lab, majority 20.0%</title>"));
/// ```
pub fn svg(map: &SeatMap) -> String {
    let (seats, hex) = (&map.seats, map.options.hex.as_ref());
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="Helvetica, Arial, sans-serif">"##
    );
    let _ = write!(out, r##"<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>"##);
    let _ = write!(out, r##"<text x="20" y="40" font-size="22" font-weight="bold">{}</text>"##, escape(&map.options.title));
    let panel_w = if hex.is_some() { WIDTH / 2.0 } else { WIDTH };
    geographic(&mut out, seats, 0.0, panel_w);
    if let Some(h) = hex {
        hexes(&mut out, seats, h, panel_w, WIDTH - panel_w);
    }
    legend(&mut out, seats);
    let _ = write!(out, r##"<text x="20" y="{}" font-size="11" fill="#555">{}</text>"##, HEIGHT - 15.0, escape(&map.options.attribution));
    out.push_str("</svg>\n");
    out
}

/// Seats under half covered by the run.
const PARTIAL: &str = "#e4e4e4";

/// The fill of a seat: its winner's colour, lighter when marginal.
fn fill(seat: &MapSeat) -> (String, f64) {
    if seat.partial {
        return (PARTIAL.to_string(), 1.0);
    }
    match &seat.winner {
        Some(w) => (party_colour(w).to_string(), if seat.majority_pct < MARGINAL { 0.5 } else { 1.0 }),
        None => ("#eeeeee".to_string(), 1.0),
    }
}

fn tooltip(seat: &MapSeat) -> String {
    if seat.partial {
        return format!("{}: partial (under half covered by this run)", seat.name);
    }
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

/// The hex panel (layout hexes with no seat in the run in grey).
fn hexes(out: &mut String, seats: &[MapSeat], layout: &HexLayout, x0: f64, w: f64) {
    let by_code: HashMap<&str, &MapSeat> = seats.iter().map(|s| (s.code.as_str(), s)).collect();
    let centres: Vec<(&String, (f64, f64))> = layout.hexes.iter().map(|(c, &(q, r))| (c, layout.centre(q, r))).collect();
    let (mut x_min, mut x_max, mut y_min, mut y_max) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (_, (x, y)) in &centres {
        (x_min, x_max, y_min, y_max) = (x_min.min(*x), x_max.max(*x), y_min.min(*y), y_max.max(*y));
    }
    if centres.is_empty() {
        return;
    }
    let (cols, rows) = (x_max - x_min + 1.0, y_max - y_min + 1.2);
    let h = HEIGHT - TOP - BOTTOM;
    let size = ((w - 40.0) / cols).min((h - 20.0) / rows);
    let (ox, oy) = (x0 + (w - cols * size) / 2.0 + size / 2.0, TOP + (h - rows * size) / 2.0 + size / 2.0);
    out.push_str(r##"<g stroke="#ffffff" stroke-width="0.5">"##);
    for (code, c) in centres {
        let mut d = String::new();
        for (k, (x, y)) in HexLayout::corners(c).into_iter().enumerate() {
            let _ = write!(d, "{}{:.1} {:.1}", if k == 0 { "M" } else { "L" }, ox + (x - x_min) * size, oy + (y_max - y) * size);
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
}

/// The parties that won a seat, with their colours and counts, and the
/// marginal shade.
fn legend(out: &mut String, seats: &[MapSeat]) {
    let mut won: BTreeMap<String, usize> = BTreeMap::new();
    for s in seats.iter().filter(|s| !s.partial) {
        if let Some(w) = &s.winner {
            *won.entry(w.clone()).or_default() += 1;
        }
    }
    let partial = seats.iter().filter(|s| s.partial).count();
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
    if partial > 0 {
        let _ = write!(
            out,
            r##"<rect x="{x}" y="{}" width="14" height="14" fill="{PARTIAL}"/><text x="{}" y="{}" font-size="12" fill="#555">{partial} partial: under half covered by this run</text>"##,
            y + 4.0,
            x + 18.0,
            y + 15.0
        );
    }
}

/// Text for SVG and HTML.
pub(super) fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

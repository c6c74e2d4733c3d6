//! Between **project** and **index**: validate every geometry by the OGC rules
//! (geo `Validation`) and repair the invalid ones (geo `MakeValid`, constrained
//! Delaunay triangulation). Real boundary files have self-intersections from
//! generalisation; an overlay of an invalid polygon can give wrong areas.
//! A geometry that cannot be repaired is rejected (emptied) and reported.

use crate::error::Result;
use crate::project::{detect, layer_to_bng, Detected, Projector};
use crate::read::Layer;
use geo::line_intersection::line_intersection;
use geo::{Area, BoundingRect, Contains, Coord, Line, LineString, MakeValid, MultiPolygon, Polygon, Validation};
use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};
use serde::Serialize;

/// What happened to one invalid feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repair {
    /// Index of the feature in its layer.
    pub feature: usize,
    /// What was wrong (the first few problems, in words).
    pub problems: Vec<String>,
    /// `true` when repaired; `false` when rejected.
    pub repaired: bool,
    /// Area in m² before (as drawn) and after repair.
    pub area_before: f64,
    /// Area in m² after repair (0 when rejected).
    pub area_after: f64,
}

/// Validates every geometry (BNG metres) and repairs the invalid ones in place.
/// Returns what was found, in feature order.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use notional::repair::repair_all;
/// // A bow-tie: its ring crosses itself.
/// let mut geoms = vec![MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 10., y: 10.), (x: 10., y: 0.), (x: 0., y: 10.)]])];
/// let repairs = repair_all(&mut geoms);
/// assert_eq!(repairs.len(), 1);
/// assert!(repairs[0].repaired && repairs[0].problems[0].contains("self-intersection"));
/// assert!((repairs[0].area_after - 50.0).abs() < 1e-9); // two triangles of 25 m²
/// ```
pub fn repair_all(geometries: &mut [MultiPolygon<f64>]) -> Vec<Repair> {
    geometries
        .par_iter_mut()
        .enumerate()
        .filter_map(|(feature, g)| {
            if g.0.is_empty() || looks_valid(g) || g.is_valid() {
                return None;
            }
            let problems: Vec<String> = g.validation_errors().iter().take(3).map(|e| e.to_string()).collect();
            let area_before = g.unsigned_area();
            match g.make_valid() {
                Ok(fixed) if !fixed.0.is_empty() => {
                    *g = fixed;
                    Some(Repair { feature, problems, repaired: true, area_before, area_after: g.unsigned_area() })
                }
                _ => {
                    *g = MultiPolygon::new(vec![]);
                    Some(Repair { feature, problems, repaired: false, area_before, area_after: 0.0 })
                }
            }
        })
        .collect()
}

/// A fast test, O(n log n), that a geometry is free of what makes areas and
/// overlays wrong: no two segments cross or overlap (meeting at a shared
/// vertex is fine), every hole starts inside its exterior, and no part starts
/// inside another. When it says `false`, geo's exact (quadratic) validation
/// decides whether to repair.
fn looks_valid(g: &MultiPolygon<f64>) -> bool {
    let rings = || g.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()));
    if rings().any(|r| r.0.len() < 4 || r.0.iter().any(|c| !(c.x.is_finite() && c.y.is_finite()))) {
        return false;
    }
    let segments: Vec<GeomWithData<Line<f64>, ()>> = rings().flat_map(LineString::lines).map(|l| GeomWithData::new(l, ())).collect();
    let tree = RTree::bulk_load(segments);
    for s in tree.iter() {
        let l = *s.geom();
        let env = AABB::from_corners(geo::Point(coord_min(l)), geo::Point(coord_max(l)));
        for o in tree.locate_in_envelope_intersecting(&env) {
            let m = *o.geom();
            if m == l || l.start == m.end || l.end == m.start {
                continue;
            }
            match line_intersection(l, m) {
                None => {}
                // Rings touching at a shared vertex (parts or holes meeting at a
                // point) leave areas and overlays right: not a crossing.
                Some(geo::LineIntersection::SinglePoint { intersection: p, is_proper: false })
                    if (p == l.start || p == l.end) && (p == m.start || p == m.end) => {}
                Some(_) => return false,
            }
        }
    }
    let holes_inside = g.iter().all(|p| p.interiors().iter().all(|h| exterior_contains(p, h.0[0])));
    let parts_apart = g.0.iter().enumerate().all(|(i, a)| {
        g.0.iter().enumerate().all(|(j, b)| {
            i == j || a.bounding_rect().zip(b.bounding_rect()).is_none_or(|(ra, rb)| !rects_meet(ra, rb)) || !b.contains(&a.exterior().0[0])
        })
    });
    holes_inside && parts_apart
}

fn exterior_contains(p: &Polygon<f64>, c: Coord<f64>) -> bool {
    Polygon::new(p.exterior().clone(), vec![]).contains(&c)
}

fn coord_min(l: Line<f64>) -> Coord<f64> {
    Coord { x: l.start.x.min(l.end.x), y: l.start.y.min(l.end.y) }
}

fn coord_max(l: Line<f64>) -> Coord<f64> {
    Coord { x: l.start.x.max(l.end.x), y: l.start.y.max(l.end.y) }
}

fn rects_meet(a: geo::Rect<f64>, b: geo::Rect<f64>) -> bool {
    a.min().x <= b.max().x && b.min().x <= a.max().x && a.min().y <= b.max().y && b.min().y <= a.max().y
}

/// A layer ready for geometry work: its CRS, its geometries in BNG metres
/// (repaired where invalid) and what was repaired or rejected.
pub struct Prepared {
    /// The detected CRS.
    pub crs: Detected,
    /// Geometries in BNG, by feature.
    pub geometries: Vec<MultiPolygon<f64>>,
    /// Invalid features found, repaired or rejected.
    pub repairs: Vec<Repair>,
}

impl Prepared {
    /// Detects, projects and repairs a layer.
    pub fn new(layer: &Layer, projector: &Projector) -> Result<Self> {
        let crs = detect(layer)?;
        let mut geometries = layer_to_bng(layer, crs.crs, projector)?;
        let repairs = repair_all(&mut geometries);
        Ok(Prepared { crs, geometries, repairs })
    }

    /// Indices of rejected features.
    pub fn rejected(&self) -> impl Iterator<Item = usize> + '_ {
        self.repairs.iter().filter(|r| !r.repaired).map(|r| r.feature)
    }

    /// One line for the summary, e.g. `3 invalid features repaired, 1 rejected`.
    pub fn describe(&self, layer: &Layer) -> Option<String> {
        if self.repairs.is_empty() {
            return None;
        }
        let rejected: Vec<String> = self.rejected().map(|f| layer.place(f)).collect();
        let mut s = format!("{}: {} invalid feature(s) repaired", layer.source_name, self.repairs.len() - rejected.len());
        if !rejected.is_empty() {
            s.push_str(&format!(", {} rejected ({})", rejected.len(), rejected.join(", ")));
        }
        Some(s)
    }
}

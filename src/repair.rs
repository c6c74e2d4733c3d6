//! Between **project** and **index**: check every geometry for what makes
//! areas and overlays wrong (crossing or overlapping segments, holes outside
//! their exterior, nested parts), in O(n log n), and repair what is found
//! with geo `MakeValid` (constrained Delaunay triangulation). Real boundary files have self-intersections from
//! generalisation; an overlay of an invalid polygon can give wrong areas.
//! A geometry that cannot be repaired is rejected (emptied) and reported.

use crate::error::Result;
use crate::project::{detect_stated, layer_to_bng, Crs, Detected, Projector};
use crate::read::Layer;
use geo::line_intersection::line_intersection;
use geo::{Area, BoundingRect, Contains, Coord, Intersects, Line, MakeValid, MultiPolygon, Polygon};
use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::{RTree, RTreeObject};
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
/// assert!(repairs[0].repaired && repairs[0].problems[0].contains("crosses itself"), "{:?}", repairs[0].problems);
/// assert!((repairs[0].area_after - 50.0).abs() < 1e-9); // two triangles of 25 m²
/// ```
pub fn repair_all(geometries: &mut [MultiPolygon<f64>]) -> Vec<Repair> {
    geometries
        .par_iter_mut()
        .enumerate()
        .filter_map(|(feature, g)| {
            let problem = first_problem(g)?;
            let problems = vec![problem];
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

/// The first thing found that makes areas and overlays wrong, in O(n log n):
/// two segments that cross or overlap (meeting at a shared vertex is fine),
/// a hole outside its exterior, a part inside another, a ring under four
/// points. `None` when there is nothing (geo's exact OGC validation, which
/// is quadratic in the ring size, is not needed for that).
fn first_problem(g: &MultiPolygon<f64>) -> Option<String> {
    if g.0.is_empty() {
        return None;
    }
    for (p, poly) in g.iter().enumerate() {
        for (r, ring) in std::iter::once(poly.exterior()).chain(poly.interiors()).enumerate() {
            if ring.0.len() < 4 {
                return Some(format!("polygon {p}, ring {r} has fewer than 3 distinct points"));
            }
        }
    }
    let segments: Vec<GeomWithData<Line<f64>, (usize, usize)>> = g
        .iter()
        .enumerate()
        .flat_map(|(p, poly)| {
            std::iter::once(poly.exterior()).chain(poly.interiors()).enumerate().flat_map(move |(r, ring)| ring.lines().map(move |l| GeomWithData::new(l, (p, r))))
        })
        .collect();
    let tree = RTree::bulk_load(segments);
    for s in tree.iter() {
        let l = *s.geom();
        for o in tree.locate_in_envelope_intersecting(&l.envelope()) {
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
                Some(i) => {
                    let at = match i {
                        geo::LineIntersection::SinglePoint { intersection, .. } => intersection,
                        geo::LineIntersection::Collinear { intersection } => intersection.start,
                    };
                    let ((p1, r1), (p2, r2)) = (s.data, o.data);
                    let what = if (p1, r1) == (p2, r2) { format!("polygon {p1}, ring {r1} crosses itself") } else { format!("polygon {p1} ring {r1} and polygon {p2} ring {r2} cross") };
                    return Some(format!("{what} at ({:.1}, {:.1})", at.x, at.y));
                }
            }
        }
    }
    for (p, poly) in g.iter().enumerate() {
        if let Some(h) = poly.interiors().iter().position(|h| !exterior_contains(poly, h.0[0])) {
            return Some(format!("polygon {p}, hole {h} lies outside its exterior"));
        }
    }
    for (i, a) in g.0.iter().enumerate() {
        for (j, b) in g.0.iter().enumerate() {
            let near = a.bounding_rect().zip(b.bounding_rect()).is_some_and(|(ra, rb)| ra.intersects(&rb));
            if i != j && near && b.contains(&a.exterior().0[0]) {
                return Some(format!("polygon {i} lies inside polygon {j}"));
            }
        }
    }
    None
}

fn exterior_contains(p: &Polygon<f64>, c: Coord<f64>) -> bool {
    Polygon::new(p.exterior().clone(), vec![]).contains(&c)
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
        Self::with_crs(layer, None, projector)
    }

    /// As [`Prepared::new`], with a CRS stated by the user (see [`detect_stated`]).
    pub fn with_crs(layer: &Layer, stated: Option<Crs>, projector: &Projector) -> Result<Self> {
        let crs = detect_stated(layer, stated)?;
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

//! Between **project** and **index**: check every geometry for what makes
//! areas and overlays wrong (crossing or overlapping segments, holes outside
//! their exterior, nested parts), in O(n log n) by a sweep over monotone
//! chains, and repair what is found
//! with geo `MakeValid` (constrained Delaunay triangulation). Real boundary files have self-intersections from
//! generalisation; an overlay of an invalid polygon can give wrong areas.
//! A geometry that cannot be repaired is rejected (emptied) and reported.

use crate::error::Result;
use crate::project::{detect_stated, layer_to_bng, Crs, Detected, Projector};
use crate::read::Layer;
use geo::line_intersection::{line_intersection, LineIntersection};
use geo::coordinate_position::CoordPos;
use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{Area, BoundingRect, Coord, Intersects, Line, MakeValid, MultiPolygon, Rect};
use rayon::prelude::*;
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
    let found: Vec<Option<Repair>> = geometries
        .par_iter_mut()
        .enumerate()
        .map_init(Vec::new, |chains, (feature, g)| {
            let problem = first_problem(g, chains)?;
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
        .collect();
    found.into_iter().flatten().collect()
}

/// The first thing found that makes areas and overlays wrong, in
/// O(n log n): two segments that cross or overlap (meeting at a shared vertex
/// is fine), a hole outside its exterior, a part inside another, a ring under
/// four points. `None` when there is nothing (geo's exact OGC validation,
/// which is quadratic in the ring size, is not needed for that).
fn first_problem(g: &MultiPolygon<f64>, chains: &mut Vec<MonotoneChain>) -> Option<String> {
    if g.0.is_empty() {
        return None;
    }
    let mut rings: Vec<(&[Coord<f64>], (usize, usize))> = Vec::new();
    for (p, poly) in g.iter().enumerate() {
        for (r, ring) in std::iter::once(poly.exterior()).chain(poly.interiors()).enumerate() {
            if ring.0.len() < 4 {
                return Some(format!("polygon {p}, ring {r} has fewer than 3 distinct points"));
            }
            rings.push((&ring.0, (p, r)));
        }
    }
    if let Some((at, a, b)) = first_crossing(&rings, chains) {
        let what = if a == b {
            format!("polygon {}, ring {} crosses itself", a.0, a.1)
        } else {
            format!("polygon {} ring {} and polygon {} ring {} cross", a.0, a.1, b.0, b.1)
        };
        return Some(format!("{what} at ({:.1}, {:.1})", at.x, at.y));
    }
    for (p, poly) in g.iter().enumerate() {
        let firsts: Vec<Coord<f64>> = poly.interiors().iter().map(|h| h.0[0]).collect();
        if let Some(h) = ring_positions(&poly.exterior().0, &firsts).iter().position(|&at| at != CoordPos::Inside) {
            return Some(format!("polygon {p}, hole {h} lies outside its exterior"));
        }
    }
    if let Some((i, j)) = first_nested(g) {
        return Some(format!("polygon {i} lies inside polygon {j}"));
    }
    None
}

/// The first pair `(i, j)` (in order of `i`, then `j`) of distinct parts such
/// that part `i`'s first vertex lies inside part `j` (inside its exterior and
/// outside, not on, each of its holes) where their boxes meet.
fn first_nested(g: &MultiPolygon<f64>) -> Option<(usize, usize)> {
    if g.0.len() < 2 {
        return None;
    }
    let boxes: Vec<Option<Rect<f64>>> = g.0.iter().map(|p| p.exterior().bounding_rect()).collect();
    let mut found: Option<(usize, usize)> = None;
    for (j, b) in g.0.iter().enumerate() {
        let Some(bj) = boxes[j] else { continue };
        let near: Vec<usize> = (0..g.0.len()).filter(|&i| i != j && boxes[i].is_some_and(|bi| bi.intersects(&bj))).collect();
        if near.is_empty() {
            continue;
        }
        let points: Vec<Coord<f64>> = near.iter().map(|&i| g.0[i].exterior().0[0]).collect();
        let mut inside: Vec<bool> = ring_positions(&b.exterior().0, &points).iter().map(|&at| at == CoordPos::Inside).collect();
        for hole in b.interiors() {
            for (flag, at) in inside.iter_mut().zip(ring_positions(&hole.0, &points)) {
                *flag &= at == CoordPos::Outside;
            }
        }
        if let Some(i) = near.iter().zip(&inside).find(|(_, &x)| x).map(|(&i, _)| i) {
            found = Some(found.map_or((i, j), |f| f.min((i, j))));
        }
    }
    found
}

/// Where each of `points` lies against the closed ring `ring`: inside (a
/// non-zero winding number), on it, or outside. One pass over the ring's
/// edges, each visiting only the points (sorted by y) within its y-range;
/// robust orientation tests, and the half-open rule of
/// [`crate::index::winding_number`] so a ray through a vertex counts once.
fn ring_positions(ring: &[Coord<f64>], points: &[Coord<f64>]) -> Vec<CoordPos> {
    if points.is_empty() {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_unstable_by(|&a, &b| points[a].y.total_cmp(&points[b].y));
    let ys: Vec<f64> = order.iter().map(|&i| points[i].y).collect();
    let mut winding = vec![0i32; points.len()];
    let mut on = vec![false; points.len()];
    for e in ring.windows(2) {
        let (a, b) = (e[0], e[1]);
        let (lo, hi) = if a.y <= b.y { (a.y, b.y) } else { (b.y, a.y) };
        let first = ys.partition_point(|&y| y < lo);
        let last = ys.partition_point(|&y| y <= hi);
        for &i in &order[first..last] {
            let c = points[i];
            let o = RobustKernel::orient2d(a, b, c);
            if o == Orientation::Collinear {
                if c.x >= a.x.min(b.x) && c.x <= a.x.max(b.x) {
                    on[i] = true;
                }
            } else if a.y <= c.y {
                if b.y > c.y && o == Orientation::CounterClockwise {
                    winding[i] += 1;
                }
            } else if b.y <= c.y && o == Orientation::Clockwise {
                winding[i] -= 1;
            }
        }
    }
    (0..points.len())
        .map(|i| if on[i] { CoordPos::OnBoundary } else if winding[i] != 0 { CoordPos::Inside } else { CoordPos::Outside })
        .collect()
}

/// A run of consecutive edges of one ring that all head into the same
/// quadrant (x and y each non-decreasing, or each non-increasing), under one
/// box: edges `start..end` of ring `ring`.
///
/// Along such a chain both coordinates are monotone, so two of its edges that
/// are not neighbours can meet only where the chain repeats a vertex, which
/// the crossing test allows: only edges of *different* chains need testing.
#[derive(Debug, Clone, Copy)]
struct MonotoneChain {
    min: Coord<f64>,
    max: Coord<f64>,
    ring: u32,
    start: u32,
    end: u32,
}

/// Appends the monotone chains of one closed ring to `out`.
fn monotone_chains(ring: &[Coord<f64>], number: u32, out: &mut Vec<MonotoneChain>) {
    let edges = ring.len().saturating_sub(1);
    let mut start = 0;
    while start < edges {
        // The chain's direction in x and y: -1, +1, or 0 while not yet known.
        let (mut sx, mut sy) = (0.0f64, 0.0f64);
        let mut end = start;
        while end < edges {
            let (a, b) = (ring[end], ring[end + 1]);
            let (dx, dy) = (sign(b.x - a.x), sign(b.y - a.y));
            if (dx != 0.0 && sx != 0.0 && dx != sx) || (dy != 0.0 && sy != 0.0 && dy != sy) {
                break;
            }
            if sx == 0.0 {
                sx = dx;
            }
            if sy == 0.0 {
                sy = dy;
            }
            end += 1;
        }
        let (a, b) = (ring[start], ring[end]);
        out.push(MonotoneChain {
            min: Coord { x: a.x.min(b.x), y: a.y.min(b.y) },
            max: Coord { x: a.x.max(b.x), y: a.y.max(b.y) },
            ring: number,
            start: start as u32,
            end: end as u32,
        });
        start = end;
    }
}

fn sign(d: f64) -> f64 {
    if d > 0.0 {
        1.0
    } else if d < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// The first crossing or overlap of two edges of `rings` (each closed, with a
/// label), found by a sweep over monotone chains in order of their west end:
/// only chains whose boxes meet are compared, and within them only the edges
/// inside the common box.
fn first_crossing<L: Copy>(rings: &[(&[Coord<f64>], L)], chains: &mut Vec<MonotoneChain>) -> Option<(Coord<f64>, L, L)> {
    chains.clear();
    for (i, (ring, _)) in rings.iter().enumerate() {
        monotone_chains(ring, i as u32, chains);
    }
    chains.sort_unstable_by(|a, b| a.min.x.total_cmp(&b.min.x));
    let mut active: Vec<MonotoneChain> = Vec::new();
    for &c in chains.iter() {
        active.retain(|a| a.max.x >= c.min.x);
        for a in &active {
            if a.max.y < c.min.y || a.min.y > c.max.y {
                continue;
            }
            if let Some(at) = chains_cross(rings[a.ring as usize].0, a, rings[c.ring as usize].0, &c) {
                return Some((at, rings[a.ring as usize].1, rings[c.ring as usize].1));
            }
        }
        active.push(c);
    }
    None
}

/// The edges of `chain` (of `ring`) whose boxes meet the box `lo..hi`: a
/// contiguous range, since the chain is monotone in both coordinates.
fn edges_in(ring: &[Coord<f64>], chain: &MonotoneChain, lo: Coord<f64>, hi: Coord<f64>) -> std::ops::Range<usize> {
    let (s, e) = (chain.start as usize, chain.end as usize);
    let v = &ring[s..=e];
    let n = e - s;
    if n <= 8 {
        // Short chains (most of a generalised boundary): a scan beats the searches.
        let meets = |k: usize| {
            let (p, q) = (v[k], v[k + 1]);
            p.x.min(q.x) <= hi.x && p.x.max(q.x) >= lo.x && p.y.min(q.y) <= hi.y && p.y.max(q.y) >= lo.y
        };
        let Some(a) = (0..n).find(|&k| meets(k)) else { return s..s };
        let b = (a..n).rfind(|&k| meets(k)).map_or(a, |k| k + 1);
        return s + a..s + b;
    }
    // Edge k joins vertices k and k + 1. Along a rising coordinate it meets
    // [lo, hi] when its end has reached lo and its start has not passed hi;
    // along a falling one, the other way round. Each is a suffix or a prefix.
    let range = |rising: bool, get: fn(&Coord<f64>) -> f64, lo: f64, hi: f64| -> (usize, usize) {
        if rising {
            (v[1..].partition_point(|c| get(c) < lo), v[..n].partition_point(|c| get(c) <= hi))
        } else {
            (v[1..].partition_point(|c| get(c) > hi), v[..n].partition_point(|c| get(c) >= lo))
        }
    };
    let (ax, bx) = range(v[0].x <= v[n].x, |c| c.x, lo.x, hi.x);
    let (ay, by) = range(v[0].y <= v[n].y, |c| c.y, lo.y, hi.y);
    let (a, b) = (ax.max(ay), bx.min(by));
    if a < b {
        s + a..s + b
    } else {
        s..s
    }
}

/// Where an edge of chain `a` (of ring `ra`) first crosses one of chain `b`
/// (of ring `rb`).
fn chains_cross(ra: &[Coord<f64>], a: &MonotoneChain, rb: &[Coord<f64>], b: &MonotoneChain) -> Option<Coord<f64>> {
    let lo = Coord { x: a.min.x.max(b.min.x), y: a.min.y.max(b.min.y) };
    let hi = Coord { x: a.max.x.min(b.max.x), y: a.max.y.min(b.max.y) };
    let theirs = edges_in(rb, b, lo, hi);
    edges_in(ra, a, lo, hi).find_map(|i| theirs.clone().find_map(|j| segments_cross(Line::new(ra[i], ra[i + 1]), Line::new(rb[j], rb[j + 1]))))
}

/// Where two segments cross or overlap, unless they are the same segment,
/// follow each other (one's end is the other's start), or touch only at a
/// vertex of both: rings meeting at a shared vertex (parts or holes meeting
/// at a point) leave areas and overlays right.
fn segments_cross(l: Line<f64>, m: Line<f64>) -> Option<Coord<f64>> {
    if m == l || l.start == m.end || l.end == m.start {
        return None;
    }
    match line_intersection(l, m)? {
        LineIntersection::SinglePoint { intersection: p, is_proper: false }
            if (p == l.start || p == l.end) && (p == m.start || p == m.end) =>
        {
            None
        }
        LineIntersection::SinglePoint { intersection, .. } => Some(intersection),
        LineIntersection::Collinear { intersection } => Some(intersection.start),
    }
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

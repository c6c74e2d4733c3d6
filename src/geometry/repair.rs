//! Between **project** and **index**: check every geometry for what makes
//! areas and overlays wrong (crossing or overlapping segments, holes outside
//! their exterior, nested parts), in about linear time (a sweep over
//! x-monotone runs of edges, points tested against rings in one pass), and repair what
//! is found with geo `MakeValid` (constrained Delaunay triangulation). Real
//! boundary files have self-intersections from generalisation; an overlay of
//! an invalid polygon can give wrong areas.
//! A geometry that cannot be repaired is rejected (emptied) and reported.

use super::bbox::{greater, lesser};
use geo::line_intersection::{line_intersection, LineIntersection};
use geo::coordinate_position::CoordPos;
use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{Area, Coord, Line, MakeValid, MultiPolygon, Rect};
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
/// use notional::geometry::repair::repair_all;
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
        .map_init(Buffers::default, |buffers, (feature, g)| {
            let problem = first_problem(g, buffers)?;
            let problems = vec![problem];
            let area_before = g.unsigned_area();
            // A part drawn twice is dropped (MakeValid cannot triangulate
            // it); if that was all, the geometry is mended.
            let mut repeats = false;
            while let Some((i, _)) = first_repeated_part(g) {
                g.0.remove(i);
                repeats = true;
            }
            if repeats && first_problem(g, buffers).is_none() {
                return Some(Repair { feature, problems, repaired: true, area_before, area_after: g.unsigned_area() });
            }
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

/// A ring's place in its geometry: (polygon, ring within it).
type Place = (usize, usize);

/// The first thing found that makes areas and overlays wrong, in about
/// linear time: two segments that cross or overlap (meeting at a shared vertex
/// is fine), a hole outside its exterior, a part inside another, a ring under
/// four points. `None` when there is nothing (geo's exact OGC validation,
/// which is quadratic in the ring size, is not needed for that).
fn first_problem(g: &MultiPolygon<f64>, buffers: &mut Buffers) -> Option<String> {
    if g.0.is_empty() {
        return None;
    }
    // Each ring with its (polygon, ring) numbers.
    let mut rings: Vec<(&[Coord<f64>], Place)> = Vec::new();
    for (p, poly) in g.iter().enumerate() {
        for (r, ring) in std::iter::once(poly.exterior()).chain(poly.interiors()).enumerate() {
            if ring.0.len() < 4 {
                return Some(format!("polygon {p}, ring {r} has fewer than 3 distinct points"));
            }
            rings.push((&ring.0, (p, r)));
        }
    }
    if let Some((at, a, b)) = first_crossing(&rings, buffers) {
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
    if let Some((i, j)) = first_repeated_part(g) {
        return Some(format!("polygon {i} repeats polygon {j}"));
    }
    if let Some((i, j)) = first_nested(g) {
        return Some(format!("polygon {i} lies (at least partly) inside polygon {j}"));
    }
    None
}

/// The first part `i` whose exterior is that of an earlier part `j` (the
/// same vertices, from any starting one): the nesting test below cannot see
/// it, as every vertex of one lies on the other's boundary, not inside.
/// Parts are compared only when their boxes are the same to the bit.
fn first_repeated_part(g: &MultiPolygon<f64>) -> Option<(usize, usize)> {
    if g.0.len() < 2 {
        return None;
    }
    let mut seen: std::collections::HashMap<[u64; 4], Vec<usize>> = std::collections::HashMap::new();
    for (i, p) in g.0.iter().enumerate() {
        let Some(b) = super::bbox::bounds(&p.exterior().0) else { continue };
        let key = [b.min().x.to_bits(), b.min().y.to_bits(), b.max().x.to_bits(), b.max().y.to_bits()];
        let earlier = seen.entry(key).or_default();
        if let Some(&j) = earlier.iter().find(|&&j| same_ring(&g.0[j].exterior().0, &p.exterior().0)) {
            return Some((i, j));
        }
        earlier.push(i);
    }
    None
}

/// Whether two closed rings have the same vertices in the same order, from
/// any starting vertex.
fn same_ring(a: &[Coord<f64>], b: &[Coord<f64>]) -> bool {
    let (a, b) = (&a[..a.len().saturating_sub(1)], &b[..b.len().saturating_sub(1)]);
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    b.iter().enumerate().filter(|(_, c)| **c == a[0]).any(|(k, _)| (0..a.len()).all(|i| a[i] == b[(k + i) % b.len()]))
}

/// The first pair `(i, j)` (in order of `i`, then `j`) of distinct parts such
/// that part `i`'s first vertex lies inside part `j` (inside its exterior and
/// outside, not on, each of its holes).
fn first_nested(g: &MultiPolygon<f64>) -> Option<(usize, usize)> {
    if g.0.len() < 2 {
        return None;
    }
    // Candidates for part j: the parts whose first vertex lies in j's box,
    // found among the parts sorted by that vertex's x. (Rings do not cross,
    // that was checked first; where they only touch at vertices, a part can
    // still reach into another through the shared vertex, so its box need
    // not lie in the other's: the vertex is what is tested.)
    let boxes: Vec<Option<Rect<f64>>> = g.0.iter().map(|p| crate::geometry::bbox::bounds(&p.exterior().0)).collect();
    let firsts: Vec<Option<Coord<f64>>> = g.0.iter().map(|p| p.exterior().0.first().copied()).collect();
    let mut by_west: Vec<(f64, usize)> = firsts.iter().enumerate().filter_map(|(i, c)| c.map(|c| (c.x, i))).collect();
    by_west.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut found: Option<(usize, usize)> = None;
    for (j, b) in g.0.iter().enumerate() {
        let Some(bj) = boxes[j] else { continue };
        let from = by_west.partition_point(|&(x, _)| x < bj.min().x);
        let to = by_west.partition_point(|&(x, _)| x <= bj.max().x);
        let mut near: Vec<usize> = by_west[from..to]
            .iter()
            .map(|&(_, i)| i)
            .filter(|&i| i != j && firsts[i].is_some_and(|c| c.y >= bj.min().y && c.y <= bj.max().y))
            .collect();
        if near.is_empty() {
            continue;
        }
        near.sort_unstable();
        let points: Vec<Coord<f64>> = near.iter().filter_map(|&i| firsts[i]).collect();
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
/// [`crate::geometry::ring::winding_number`] so a ray through a vertex counts once.
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

/// Reusable buffers of the crossing test (one set per thread).
#[derive(Default)]
struct Buffers {
    /// Every vertex of every ring, ring after ring; edge `k` joins vertices
    /// `k` and `k + 1` (and is one only when both are of the same ring).
    points: Vec<Coord<f64>>,
    /// Where each ring's vertices start in `points`, and one past the last.
    ring_starts: Vec<u32>,
    /// The rings' edges in x-monotone runs, sorted by west edge.
    runs: Vec<Run>,
    /// The runs' west edges as ordered integers, with the runs' indices: what is sorted.
    order: Vec<(i64, u32)>,
    /// Runs the sweep line still meets.
    active: Vec<Run>,
}

/// Consecutive edges `first..=last` of one ring that all run east, or all
/// west (so no two of them that do not follow each other can meet), or one
/// edge of no width (vertical, or without length).
#[derive(Debug, Clone, Copy)]
struct Run {
    first: u32,
    last: u32,
    ring: u32,
    /// Whether x grows along the run.
    east: bool,
    /// Whether it and the run after it in the ring can only meet at the
    /// vertex they share: but for that vertex, one lies wholly below it and
    /// the other wholly above.
    apart_from_next: bool,
    /// The box around its vertices.
    bbox: Rect<f64>,
}

impl Run {
    fn len(&self) -> u32 {
        self.last - self.first + 1
    }

    /// The run's `t`-th edge from the west.
    #[inline]
    fn edge(&self, t: u32) -> u32 {
        if self.east { self.first + t } else { self.last - t }
    }
}

/// Appends the x-monotone runs of the ring whose vertices are
/// `points[start..end]` (closed) to `out`.
fn runs_of(points: &[Coord<f64>], (start, end): (u32, u32), ring: u32, out: &mut Vec<Run>) {
    let (start, end) = (start as usize, end as usize);
    let span = |y: f64| (y, y);
    let widen = |(lo, hi): (f64, f64), y: f64| (lesser(lo, y), greater(hi, y));
    // The y-range of the previous run's vertices but its last.
    let mut before: Option<(f64, f64)> = None;
    let mut k = start;
    while k + 1 < end {
        let (p, q) = (points[k], points[k + 1]);
        let east = q.x > p.x;
        // The y-ranges of the run's vertices but its last, and but its first.
        let (mut head, mut tail) = (span(p.y), span(q.y));
        let mut last = k;
        // An edge of no width is a run of its own; else the run goes on
        // while the edges keep going the same way (x-monotone, so its x-range
        // is that of its ends).
        if q.x != p.x {
            while last + 2 < end {
                let (a, b) = (points[last + 1], points[last + 2]);
                if b.x == a.x || (b.x > a.x) != east {
                    break;
                }
                (head, tail) = (widen(head, a.y), widen(tail, b.y));
                last += 1;
            }
        }
        if let (Some((lo, hi)), Some(prev)) = (before, out.last_mut()) {
            let y = p.y; // the vertex the two runs share
            prev.apart_from_next = (hi < y && tail.0 > y) || (tail.1 < y && lo > y);
        }
        let far = points[last + 1].x;
        let (low, high) = (lesser(head.0, tail.0), greater(head.1, tail.1));
        let bbox = Rect::new(Coord { x: p.x, y: low }, Coord { x: far, y: high });
        out.push(Run { first: k as u32, last: last as u32, ring, east, apart_from_next: false, bbox });
        before = Some(head);
        k = last + 1;
    }
}

/// The first crossing or overlap of two edges of `rings` (each closed, with
/// a label), by a sweep over x-monotone runs of edges (as GEOS's monotone
/// chains): within a run, edges that do not follow each other lie in
/// disjoint x-ranges; runs are taken from west to east, each tested against
/// the runs still open whose boxes it meets, and two runs are tested by
/// walking both from the west in step, so that every pair of edges whose
/// boxes meet is tried, and only about those.
fn first_crossing<L: Copy>(rings: &[(&[Coord<f64>], L)], b: &mut Buffers) -> Option<(Coord<f64>, L, L)> {
    b.points.clear();
    b.ring_starts.clear();
    for (ring, _) in rings {
        b.ring_starts.push(b.points.len() as u32);
        b.points.extend_from_slice(ring);
    }
    b.ring_starts.push(b.points.len() as u32);
    b.runs.clear();
    for (r, w) in b.ring_starts.windows(2).enumerate() {
        runs_of(&b.points, (w[0], w[1]), r as u32, &mut b.runs);
    }
    // Sorted by west edge through compact integer keys (`f64::total_cmp`'s
    // order), not by moving the runs themselves.
    b.order.clear();
    b.order.extend(b.runs.iter().enumerate().map(|(i, r)| {
        let bits = r.bbox.min().x.to_bits() as i64;
        (bits ^ (((bits >> 63) as u64) >> 1) as i64, i as u32)
    }));
    b.order.sort_unstable();
    let (points, runs) = (&b.points, &b.runs);
    b.active.clear();
    for c in b.order.iter().map(|&(_, i)| &runs[i as usize]) {
        b.active.retain(|a| a.bbox.max().x >= c.bbox.min().x);
        for a in &b.active {
            if a.bbox.max().y < c.bbox.min().y || c.bbox.max().y < a.bbox.min().y {
                continue;
            }
            // Runs that follow each other and part at their shared vertex.
            let joint = |r: &Run, s: &Run| r.ring == s.ring && r.last + 1 == s.first && r.apart_from_next;
            if joint(a, c) || joint(c, a) {
                continue;
            }
            if let Some(at) = runs_cross(points, a, c) {
                return Some((at, rings[a.ring as usize].1, rings[c.ring as usize].1));
            }
        }
        b.active.push(*c);
    }
    None
}

/// The first crossing or overlap of an edge of run `a` with one of run `c`
/// ([`segments_cross`]), trying only the pairs whose boxes meet: both runs
/// are walked from the west, each edge of `a` against the edges of `c` that
/// share its x-range.
fn runs_cross(points: &[Coord<f64>], a: &Run, c: &Run) -> Option<Coord<f64>> {
    let line = |k: u32| Line::new(points[k as usize], points[k as usize + 1]);
    let range = |a: f64, b: f64| if a < b { (a, b) } else { (b, a) };
    let span = |l: Line<f64>| range(l.start.x, l.end.x);
    let (west, east) = (greater(a.bbox.min().x, c.bbox.min().x), lesser(a.bbox.max().x, c.bbox.max().x));
    let mut from = 0;
    for t in 0..a.len() {
        let e = a.edge(t);
        let l = line(e);
        let (lo, hi) = span(l);
        if hi < west {
            continue;
        }
        if lo > east {
            break;
        }
        // c's edges, west to east, have growing x-ranges: skip those ending
        // before this edge starts (for this edge and every later one).
        while from < c.len() && span(line(c.edge(from))).1 < lo {
            from += 1;
        }
        for u in from..c.len() {
            let f = c.edge(u);
            let m = line(f);
            if span(m).0 > hi {
                break;
            }
            // Edges that follow each other share a vertex: no crossing.
            if f == e + 1 || e == f + 1 {
                continue;
            }
            let ((l0, l1), (m0, m1)) = (range(l.start.y, l.end.y), range(m.start.y, m.end.y));
            if l1 < m0 || m1 < l0 {
                continue;
            }
            if let Some(at) = segments_cross(l, m) {
                return Some(at);
            }
        }
    }
    None
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


//! Between **project** and **index**: check every geometry for what makes
//! areas and overlays wrong (crossing or overlapping segments, holes outside
//! their exterior, nested parts), in about linear time (edges filed on a
//! uniform grid, points tested against rings in one pass), and repair what
//! is found with geo `MakeValid` (constrained Delaunay triangulation). Real
//! boundary files have self-intersections from generalisation; an overlay of
//! an invalid polygon can give wrong areas.
//! A geometry that cannot be repaired is rejected (emptied) and reported.

use crate::error::Result;
use crate::project::{detect_stated, layer_to_bng, Crs, Detected, Projector};
use crate::read::Layer;
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
        .map_init(Buffers::default, |buffers, (feature, g)| {
            let problem = first_problem(g, buffers)?;
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
    // Rings do not cross (that was checked first), so a part with a vertex
    // inside part j lies wholly in it, box and all: only parts whose boxes
    // lie in j's box are candidates, found among the parts sorted by west edge.
    let boxes: Vec<Option<Rect<f64>>> = g.0.iter().map(|p| crate::index::bounds(&p.exterior().0)).collect();
    let mut by_west: Vec<(f64, usize)> = boxes.iter().enumerate().filter_map(|(i, b)| b.map(|b| (b.min().x, i))).collect();
    by_west.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut found: Option<(usize, usize)> = None;
    for (j, b) in g.0.iter().enumerate() {
        let Some(bj) = boxes[j] else { continue };
        let from = by_west.partition_point(|&(x, _)| x < bj.min().x);
        let to = by_west.partition_point(|&(x, _)| x <= bj.max().x);
        let mut near: Vec<usize> = by_west[from..to]
            .iter()
            .map(|&(_, i)| i)
            .filter(|&i| i != j && boxes[i].is_some_and(|bi| within(bi, bj)))
            .collect();
        if near.is_empty() {
            continue;
        }
        near.sort_unstable();
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

/// Whether box `a` lies in box `b`, edges included.
fn within(a: Rect<f64>, b: Rect<f64>) -> bool {
    a.min().x >= b.min().x && a.min().y >= b.min().y && a.max().x <= b.max().x && a.max().y <= b.max().y
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

/// Reusable buffers of the crossing test (one set per thread).
#[derive(Default)]
struct Buffers {
    /// Every vertex of every ring, ring after ring; edge `k` joins vertices
    /// `k` and `k + 1` (and is one only when both are of the same ring).
    points: Vec<Coord<f64>>,
    /// Where each ring's vertices start in `points`, and one past the last.
    ring_starts: Vec<u32>,
    /// Each vertex's cell (column, row).
    cells: Vec<[u32; 2]>,
    /// Each edge's box (west, south, east, north), by its first vertex.
    boxes: Vec<[f64; 4]>,
    /// The edges filed under each cell: cell `c`'s are
    /// `filed[starts[c]..starts[c + 1]]`.
    starts: Vec<u32>,
    filed: Vec<u32>,
    next: Vec<u32>,
    lengths: Vec<f64>,
}

/// The cells an edge's box meets, from its two ends' cells: (columns, rows).
#[inline]
fn span(a: [u32; 2], b: [u32; 2]) -> ([u32; 2], [u32; 2]) {
    ([a[0].min(b[0]), a[0].max(b[0])], [a[1].min(b[1]), a[1].max(b[1])])
}

/// Calls `visit(edge, cell)` for every cell (numbered row by row, `nx` a
/// row) that each edge's box meets.
#[inline]
fn each_edge(ring_starts: &[u32], cells: &[[u32; 2]], nx: usize, mut visit: impl FnMut(u32, usize)) {
    for r in ring_starts.windows(2) {
        for k in r[0] as usize..r[1] as usize - 1 {
            let ([i0, i1], [j0, j1]) = span(cells[k], cells[k + 1]);
            for j in j0 as usize..=j1 as usize {
                for i in i0 as usize..=i1 as usize {
                    visit(k as u32, j * nx + i);
                }
            }
        }
    }
}

/// The first crossing or overlap of two edges of `rings` (each closed, with
/// a label), found on a uniform grid: cells twice the median edge length
/// wide (from a sample; fewer where the extent would need more than two per edge), each
/// edge filed under every cell its box meets (a counting sort), and the edges
/// filed under one cell tested pairwise. Two edges whose boxes meet share a
/// cell (the map to cells is monotone, and an edge's box spans the cells of
/// its two ends), so every pair a brute-force test would try is tried; a cell
/// holds only a few edges, so the test is linear in practice.
fn first_crossing<L: Copy>(rings: &[(&[Coord<f64>], L)], b: &mut Buffers) -> Option<(Coord<f64>, L, L)> {
    b.points.clear();
    b.ring_starts.clear();
    for (ring, _) in rings {
        b.ring_starts.push(b.points.len() as u32);
        b.points.extend_from_slice(ring);
    }
    b.ring_starts.push(b.points.len() as u32);
    let edges = b.points.len() - rings.len();
    let extent = crate::index::bounds(&b.points).filter(|_| edges > 0)?;
    let (lo, hi) = (extent.min(), extent.max());
    // The median edge length, from a sample of at most 257 edges (one that
    // would join two rings is skipped).
    let step = (b.points.len() / 256).max(1);
    b.lengths.clear();
    let (points, ring_starts) = (&b.points, &b.ring_starts);
    let is_edge = |k: usize| ring_starts.binary_search(&(k as u32 + 1)).is_err();
    b.lengths.extend((0..points.len() - 1).step_by(step).filter(|&k| is_edge(k)).map(|k| {
        let (p, q) = (points[k], points[k + 1]);
        (q.x - p.x).abs().max((q.y - p.y).abs())
    }));
    if b.lengths.is_empty() {
        b.lengths.push(0.0);
    }
    let mid = b.lengths.len() / 2;
    let median = *b.lengths.select_nth_unstable_by(mid, f64::total_cmp).1;
    // No more cells than twice the edges: wider where the extent needs it.
    let area = (hi.x - lo.x) * (hi.y - lo.y);
    let size = (2.0 * median).max((area / (2.0 * edges as f64)).sqrt()).max((hi.x - lo.x).max(hi.y - lo.y) / 1e6);
    #[allow(clippy::neg_cmp_op_on_partial_ord)] // NaN too
    if !(size > 0.0) {
        return None; // every vertex the same point: nothing can cross
    }
    // (Multiplying by the inverse keeps the map monotone, as dividing does;
    // at most 1e6 cells a side, so the numbers fit an i32.)
    let inv = 1.0 / size;
    let cell = |x: f64, o: f64| ((x - o) * inv) as i32 as u32;
    let (nx, ny) = (cell(hi.x, lo.x) as usize + 1, cell(hi.y, lo.y) as usize + 1);
    b.cells.clear();
    b.cells.extend(points.iter().map(|p| [cell(p.x, lo.x), cell(p.y, lo.y)]));
    // Each edge filed under the cells its box meets, by a counting sort.
    let cells = &b.cells;
    b.starts.clear();
    b.starts.resize(nx * ny + 1, 0);
    let starts = &mut b.starts;
    each_edge(ring_starts, cells, nx, |_, c| starts[c + 1] += 1);
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    b.filed.clear();
    b.filed.resize(starts[nx * ny] as usize, 0);
    b.next.clear();
    b.next.extend_from_slice(&starts[..nx * ny]);
    let (filed, next) = (&mut b.filed, &mut b.next);
    each_edge(ring_starts, cells, nx, |k, c| {
        filed[next[c] as usize] = k;
        next[c] += 1;
    });
    // Each edge's box (coordinates are finite: plain comparisons serve).
    let least = |a: f64, b: f64| if a < b { a } else { b };
    let most = |a: f64, b: f64| if a < b { b } else { a };
    b.boxes.clear();
    b.boxes.extend(points.windows(2).map(|w| [least(w[0].x, w[1].x), least(w[0].y, w[1].y), most(w[0].x, w[1].x), most(w[0].y, w[1].y)]));
    let boxes = &b.boxes;
    let line = |k: u32| Line::new(points[k as usize], points[k as usize + 1]);
    let ring_of = |k: u32| ring_starts.partition_point(|&s| s <= k) - 1;
    for c in 0..nx * ny {
        let run = &filed[b.starts[c] as usize..b.starts[c + 1] as usize];
        for (n, &e) in run.iter().enumerate() {
            let [w, s, east, north] = boxes[e as usize];
            for &f in &run[n + 1..] {
                // Edges that follow each other share a vertex: no crossing.
                if f == e + 1 || e == f + 1 {
                    continue;
                }
                let [w2, s2, e2, n2] = boxes[f as usize];
                if east < w2 || e2 < w || north < s2 || n2 < s {
                    continue;
                }
                if let Some(at) = segments_cross(line(e), line(f)) {
                    return Some((at, rings[ring_of(e)].1, rings[ring_of(f)].1));
                }
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

//! The area of one unit (ward) inside one target (seat), by integrating along
//! the two boundaries instead of building the overlay polygon.
//!
//! By Green's theorem the area of `U ∩ T` is `½∮ x dy − y dx` around its
//! boundary, and that boundary is made of the parts of `∂U` inside `T` and the
//! parts of `∂T` inside `U`. So it is enough to:
//! 1. find where the unit's edges meet the target's edges — only the target's
//!    edges near the unit are looked at (the target's chain R-tree, queried
//!    with the unit's bounding box), so a seat of thousands of vertices costs
//!    no more than the few dozen edges that pass by the ward;
//! 2. cut the edges at those points and decide, for each piece, whether it is
//!    inside the other polygon (one point-in-polygon test per piece that was
//!    cut; uncut edges inherit the answer of the piece before them);
//! 3. add up the shoelace terms of the pieces that bound `U ∩ T`.
//!
//! Where edges overlap (shared boundary lines, as between a tessellation's
//! cells) the shared piece counts once when both interiors lie on the same
//! side and not at all when they lie on opposite sides.
//!
//! The result is checked: the pieces kept must close into loops (their
//! displacements sum to zero) and the area must lie between 0 and the smaller
//! of the two areas. When either check fails — a near-degenerate touch that
//! floating point cannot classify — [`area_within`] returns
//! [`Overlap::Unresolved`] and the caller falls back to an exact overlay
//! (geo `BooleanOps`).
//!
//! The cost per ward–seat pair is that of the boundary crossings test that a
//! containment check needs anyway, plus a few point-in-polygon tests; an
//! overlay with the whole seat was 20–100× more.

use super::bbox::{geometry_bounds, greater, lesser};
use super::index::PreparedTarget;
use super::ring::{chains_of, winding_number, Chain, CHAIN};
use geo::line_intersection::{line_intersection, LineIntersection};
use geo::{Area, BoundingRect, Coord, Intersects, Line, MultiPolygon, Rect};

/// How one unit lies against one target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Overlap {
    /// Wholly inside (no target boundary near the unit).
    Inside,
    /// No area in common.
    Disjoint,
    /// This much area (m²) in common.
    Area(f64),
    /// Floating point could not classify a near-degenerate touch: use an overlay.
    Unresolved,
}

/// A unit prepared for [`area_within`] against several targets.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use notional::geometry::index::PreparedTarget;
/// use notional::geometry::overlap::{area_within, Overlap, Scratch, Unit};
/// let sq = |x0: f64, y0: f64, s: f64| MultiPolygon::new(vec![polygon![
///     (x: x0, y: y0), (x: x0 + s, y: y0), (x: x0 + s, y: y0 + s), (x: x0, y: y0 + s)]]);
/// let seat = PreparedTarget::new(sq(0., 0., 10.));
/// let ward = sq(5., 5., 10.);
/// let unit = Unit::new(&ward).unwrap();
/// assert_eq!(area_within(&unit, &seat, &mut Scratch::default()), Overlap::Area(25.0));
/// // Wholly inside: `Inside` when no chain of the seat's boundary comes near
/// // the ward's box, else measured (here one chain boxes the whole square).
/// let inner = sq(1., 1., 2.);
/// let got = area_within(&Unit::new(&inner).unwrap(), &seat, &mut Scratch::default());
/// assert!(got == Overlap::Inside || got == Overlap::Area(4.0), "{got:?}");
/// ```
pub struct Unit<'a> {
    /// The geometry.
    pub geometry: &'a MultiPolygon<f64>,
    /// Its bounding box.
    pub bbox: Rect<f64>,
    /// Its area.
    pub area: f64,
    rings: Vec<&'a [Coord<f64>]>,
    chains: Vec<Chain>,
}

impl<'a> Unit<'a> {
    /// Prepares a unit; `None` if it has no rings. Exteriors must run
    /// counter-clockwise and holes clockwise ([`is_oriented`]).
    pub fn new(geometry: &'a MultiPolygon<f64>) -> Option<Self> {
        Self::with_bbox(geometry, geometry_bounds(geometry)?)
    }

    /// As [`Unit::new`], given the geometry's bounding box.
    pub fn with_bbox(geometry: &'a MultiPolygon<f64>, bbox: Rect<f64>) -> Option<Self> {
        let rings: Vec<&[Coord<f64>]> =
            geometry.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).map(|r| r.0.as_slice()).collect();
        if rings.is_empty() {
            return None;
        }
        // Room for chains of a full CHAIN edges and a few cut short per ring
        // (`chains_of`), so that they seldom grow.
        let edges: usize = rings.iter().map(|r| r.len()).sum();
        let mut chains = Vec::with_capacity(edges / CHAIN + 4 * rings.len());
        for (r, ring) in rings.iter().enumerate() {
            chains_of(ring, r as u32, &mut chains);
        }
        Some(Unit { geometry, bbox, area: geometry.unsigned_area(), rings, chains })
    }

    /// Whether `c` is inside the unit (non-zero winding number).
    pub fn contains(&self, c: Coord<f64>) -> bool {
        self.bbox.intersects(&c) && winding_number(self.chains.iter(), |r| self.rings[r], c) != 0
    }

    /// A point of the unit's boundary (its first vertex).
    pub fn first_vertex(&self) -> Coord<f64> {
        self.rings[0][0]
    }
}

/// Reusable buffers (one per thread).
#[derive(Default)]
pub struct Scratch {
    /// Candidate targets of the unit at hand.
    pub(crate) candidates: Vec<usize>,
    /// Those whose boundary comes near it.
    pub(crate) bordering: Vec<usize>,
    near: Vec<Chain>,
    /// Edges of a unit chain and of a target chain inside their common box.
    unit_edges: Vec<(u32, Line<f64>, Rect<f64>)>,
    target_edges: Vec<(u32, Line<f64>, Rect<f64>)>,
    /// Cut points on unit edges: (ring, edge, parameter, point).
    unit_cuts: Vec<Cut>,
    /// Cut points on target edges as found, each with its chain's number in `near`.
    target_found: Vec<(u32, Cut)>,
    /// Cut points on target edges, sorted by ring, edge and parameter.
    target_cuts: Vec<Cut>,
    /// Where each chain's cuts begin, while they are placed.
    target_starts: Vec<u32>,
    /// Overlapping stretches on unit edges: (ring, edge, t0, t1, same direction).
    unit_shared: Vec<Shared>,
    target_shared: Vec<Shared>,
    points: Vec<(f64, Coord<f64>, bool)>,
    /// Edges of targets near a unit, as bits, and their counts, for [`shared_borders`].
    border: Vec<[u64; 4]>,
    border_table: Vec<([u64; 4], i32)>,
}

impl Scratch {
    /// Whether the unit's boundary properly crossed the target's (each
    /// through the other's interior) in the last [`area_within`].
    pub fn crossed(&self) -> bool {
        self.unit_cuts.iter().any(|c| c.proper)
    }
}

#[derive(Debug, Clone, Copy)]
struct Cut {
    ring: u32,
    edge: u32,
    t: f64,
    at: Coord<f64>,
    /// A crossing in the interior of both edges: the side flips there.
    proper: bool,
}

#[derive(Debug, Clone, Copy)]
struct Shared {
    ring: u32,
    edge: u32,
    t0: f64,
    t1: f64,
    same: bool,
}

/// Position of `p` along `l` (0 at its start, 1 at its end).
fn param(l: Line<f64>, p: Coord<f64>) -> f64 {
    let d = l.delta();
    let len2 = d.x * d.x + d.y * d.y;
    if len2 == 0.0 {
        0.0
    } else {
        ((p.x - l.start.x) * d.x + (p.y - l.start.y) * d.y) / len2
    }
}

fn edge(ring: &[Coord<f64>], i: u32) -> Line<f64> {
    Line::new(ring[i as usize], ring[i as usize + 1])
}

/// The running shoelace sum of the pieces kept, and the check that they close.
struct Tally {
    origin: Coord<f64>,
    twice_area: f64,
    closure: Coord<f64>,
    length: f64,
}

impl Tally {
    fn add(&mut self, p: Coord<f64>, q: Coord<f64>) {
        let (a, b) = (p - self.origin, q - self.origin);
        self.twice_area += a.x * b.y - b.x * a.y;
        let d = q - p;
        self.closure = self.closure + d;
        self.length += d.x.abs() + d.y.abs();
    }

    /// Adds the edges `from..to` of `ring`, in order.
    fn add_edges(&mut self, ring: &[Coord<f64>], from: u32, to: u32) {
        for w in ring[from as usize..=to as usize].windows(2) {
            self.add(w[0], w[1]);
        }
    }
}

/// Whether a piece of an edge is inside the other polygon.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Side {
    In,
    Out,
    /// Along the other boundary, interiors on the same side.
    SharedSame,
    /// Along the other boundary, interiors on opposite sides.
    SharedOpposite,
}

/// The area of `unit` inside `target` (both in the same planar coordinates,
/// e.g. BNG metres). See the module documentation for the method.
pub fn area_within(unit: &Unit, target: &PreparedTarget, s: &mut Scratch) -> Overlap {
    s.near.clear();
    // In ring order (`ChainTree::query`), as `target_pieces` walks them.
    s.near.extend(target.chains.query(unit.bbox).copied());
    if s.near.is_empty() {
        // No target boundary within the unit's box: wholly in or wholly out.
        s.unit_cuts.clear();
        return if target.contains(unit.first_vertex()) { Overlap::Inside } else { Overlap::Disjoint };
    }
    find_cuts(unit, target, s);
    let mut tally = Tally { origin: unit.bbox.min(), twice_area: 0.0, closure: Coord::zero(), length: 0.0 };
    unit_pieces(unit, target, s, &mut tally);
    target_pieces(unit, target, s, &mut tally);
    let area = tally.twice_area / 2.0;
    let tol = 1e-9 * (tally.length + unit.bbox.width() + unit.bbox.height());
    let closed = tally.closure.x.abs() <= tol && tally.closure.y.abs() <= tol;
    let limit = unit.area.min(target.area) * (1.0 + 1e-9) + tol * tol;
    if !closed || !(-tol * tol..=limit).contains(&area) {
        return Overlap::Unresolved;
    }
    if area <= 0.0 {
        Overlap::Disjoint
    } else {
        Overlap::Area(area)
    }
}

/// Whether, within `rect`, the boundaries of the targets `which` (indices
/// into `targets`) are only borders between them, as seats of one
/// tessellation share theirs: some edge meets `rect`, and every edge of one
/// of them that meets it is, reversed, an edge of another (interiors on
/// opposite sides), to the bit. Returns the one with the most such edges.
///
/// Then no other boundary of theirs comes into `rect`, and each part of
/// `rect` that the borders leave lies wholly in one of them, the one on the
/// side of the border it touches. So a unit inside `rect` that the borders
/// cross (enter its box: [`Scratch::crossed`] after measuring it against one
/// of them), and that no other target's boundary comes near, lies in their
/// union, a part in each: its area in one is its area less its areas in the
/// others, which saves one boundary integration (see [`crate::crosswalk`]).
/// (The targets must be valid, as checked ones are: an edge that a ring
/// runs back along would cancel within one target.)
///
/// ```
/// use geo::{coord, polygon, MultiPolygon, Rect};
/// use notional::geometry::index::PreparedTarget;
/// use notional::geometry::overlap::{shared_borders, Scratch};
/// let sq = |x0: f64, x1: f64| PreparedTarget::new(MultiPolygon::new(vec![polygon![(x: x0, y: 0.), (x: x1, y: 0.), (x: x1, y: 10.), (x: x0, y: 10.)]]));
/// let seats = [sq(0., 10.), sq(10., 20.), sq(20., 25.)];
/// let area = |x0: f64, x1: f64, y1: f64| Rect::new(coord! {x: x0, y: 2.}, coord! {x: x1, y: y1});
/// let mut s = Scratch::default();
/// assert!(shared_borders(&seats, &[0, 1], area(8., 12., 8.), &mut s).is_some());
/// assert!(shared_borders(&seats, &[0, 1, 2], area(8., 22., 8.), &mut s).is_some());
/// assert_eq!(shared_borders(&seats, &[0, 1], area(8., 12., 11.), &mut s), None); // the outer edge at y = 10
/// assert_eq!(shared_borders(&seats, &[0, 1], area(8., 22., 8.), &mut s), None); // the border with seat 2
/// assert_eq!(shared_borders(&seats, &[0, 1], area(2., 4., 8.), &mut s), None); // no edge near
/// ```
pub fn shared_borders(targets: &[PreparedTarget], which: &[usize], rect: Rect<f64>, s: &mut Scratch) -> Option<usize> {
    // Each edge counted in a small hash table under the lesser of its two
    // directions, +1 as it runs that way and -1 as it runs back: the borders
    // are shared exactly when every count comes back to zero. (That is the
    // count of an edge less the count of its reverse, tallied once per edge.)
    let keys = &mut s.border;
    keys.clear();
    let (mut most, mut chosen) = (0, None);
    for &t in which {
        let target = &targets[t];
        let before = keys.len();
        for c in target.chains.query(rect) {
            for_edges_meeting(target.ring(c.ring as usize), c, rect, |_, e, _| {
                keys.push([e.start.x.to_bits(), e.start.y.to_bits(), e.end.x.to_bits(), e.end.y.to_bits()]);
            });
        }
        if keys.len() - before > most {
            (most, chosen) = (keys.len() - before, Some(t));
        }
    }
    let slots = (2 * keys.len()).next_power_of_two().max(8);
    let table = &mut s.border_table;
    table.clear();
    table.resize(slots, ([0; 4], 0));
    let mut tally = |k: [u64; 4], by: i32| {
        let h = (k[0] ^ k[1].rotate_left(16) ^ k[2].rotate_left(32) ^ k[3].rotate_left(48)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut at = (h >> 40) as usize & (slots - 1);
        loop {
            let (key, count) = &mut table[at];
            if *count == 0 && *key == [0; 4] {
                (*key, *count) = (k, by);
                return;
            }
            if *key == k {
                *count += by;
                return;
            }
            at = (at + 1) & (slots - 1);
        }
    };
    for k in keys.iter() {
        let back = [k[2], k[3], k[0], k[1]];
        if *k < back {
            tally(*k, 1);
        } else {
            tally(back, -1);
        }
    }
    (table.iter().all(|e| e.1 == 0)).then_some(chosen).flatten()
}

/// The edges of `chain` (of `ring`) with length whose boxes meet `rect`, in
/// order, with their boxes, into `out`.
fn edges_meeting(ring: &[Coord<f64>], chain: &Chain, rect: Rect<f64>, out: &mut Vec<(u32, Line<f64>, Rect<f64>)>) {
    out.clear();
    for_edges_meeting(ring, chain, rect, |i, e, r| out.push((i, e, r)));
}

/// Calls `f` with each edge of `chain` (of `ring`) that has length and whose
/// box meets `rect`, in order: `(edge, line, box)`.
#[inline(always)]
fn for_edges_meeting(ring: &[Coord<f64>], chain: &Chain, rect: Rect<f64>, mut f: impl FnMut(u32, Line<f64>, Rect<f64>)) {
    for i in chain.start..chain.end {
        let e = edge(ring, i);
        let r = e.bounding_rect();
        if e.start != e.end && r.intersects(&rect) {
            f(i, e, r);
        }
    }
}

/// The sign of the orientation of `c` against the line `a`→`b` (+1 left,
/// −1 right) where floating point is sure of it, else 0: the determinant
/// against Shewchuk's first error bound, the test robust predicates begin with.
#[inline]
fn quick_orientation(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> i8 {
    const BOUND: f64 = (3.0 + 16.0 * (f64::EPSILON / 2.0)) * (f64::EPSILON / 2.0);
    let left = (a.x - c.x) * (b.y - c.y);
    let right = (a.y - c.y) * (b.x - c.x);
    let det = left - right;
    let bound = BOUND * (left.abs() + right.abs());
    if det > bound {
        1
    } else if -det > bound {
        -1
    } else {
        0
    }
}

/// How two segments whose boxes meet lie, as far as the quick orientation
/// tests are sure of it.
enum Meeting {
    /// One segment lies wholly on one side of the other's line: no point in common.
    Apart,
    /// Each segment's ends lie strictly on both sides of the other's line: a
    /// proper crossing, here.
    Crossing(Coord<f64>),
    /// Touching, collinear or too close to call: geo's `line_intersection` decides.
    Unsure,
}

/// Classifies two segments by the signs of [`quick_orientation`]. Where the
/// signs prove a proper crossing, the point is computed as geo's
/// `line_intersection` computes it (its `proper_intersection`: the lines'
/// intersection taken about the middle of the boxes' overlap, and kept only
/// if it lies in both boxes), so the result is the same as geo's, without its
/// four robust orientation tests, which would only confirm these signs.
#[inline]
fn meeting(a: Line<f64>, b: Line<f64>) -> Meeting {
    let (b0, b1) = (quick_orientation(a.start, a.end, b.start), quick_orientation(a.start, a.end, b.end));
    if b0 != 0 && b0 == b1 {
        return Meeting::Apart;
    }
    let (a0, a1) = (quick_orientation(b.start, b.end, a.start), quick_orientation(b.start, b.end, a.end));
    if a0 != 0 && a0 == a1 {
        return Meeting::Apart;
    }
    if b0 == 0 || b1 == 0 || a0 == 0 || a1 == 0 {
        return Meeting::Unsure;
    }
    match lines_meet(a, b) {
        Some(p) if a.bounding_rect().intersects(&p) && b.bounding_rect().intersects(&p) => Meeting::Crossing(p),
        _ => Meeting::Unsure,
    }
}

/// Where the lines through `p` and `q` meet, in coordinates centred on the
/// middle of their boxes' overlap for precision: geo 0.33's
/// `raw_line_intersection`, term for term (see [`meeting`]).
#[inline]
fn lines_meet(p: Line<f64>, q: Line<f64>) -> Option<Coord<f64>> {
    let mid_x = (p.start.x.min(p.end.x).max(q.start.x.min(q.end.x)) + p.start.x.max(p.end.x).min(q.start.x.max(q.end.x))) / 2.0;
    let mid_y = (p.start.y.min(p.end.y).max(q.start.y.min(q.end.y)) + p.start.y.max(p.end.y).min(q.start.y.max(q.end.y))) / 2.0;
    let (p1x, p1y, p2x, p2y) = (p.start.x - mid_x, p.start.y - mid_y, p.end.x - mid_x, p.end.y - mid_y);
    let (q1x, q1y, q2x, q2y) = (q.start.x - mid_x, q.start.y - mid_y, q.end.x - mid_x, q.end.y - mid_y);
    let (px, py, pw) = (p1y - p2y, p2x - p1x, p1x * p2y - p2x * p1y);
    let (qx, qy, qw) = (q1y - q2y, q2x - q1x, q1x * q2y - q2x * q1y);
    let (xw, yw, w) = (py * qw - qy * pw, qx * pw - px * qw, px * qy - qx * py);
    let (x, y) = (xw / w, yw / w);
    (x.is_finite() && y.is_finite()).then_some(Coord { x: x + mid_x, y: y + mid_y })
}

/// Every point where a unit edge meets a target edge, recorded on both.
fn find_cuts(unit: &Unit, target: &PreparedTarget, s: &mut Scratch) {
    s.unit_cuts.clear();
    s.target_found.clear();
    s.unit_shared.clear();
    s.target_shared.clear();
    let (mut ours, mut theirs) = (std::mem::take(&mut s.unit_edges), std::mem::take(&mut s.target_edges));
    let by_place = |a: &Cut, b: &Cut| (a.ring, a.edge).cmp(&(b.ring, b.edge)).then(a.t.total_cmp(&b.t));
    for uc in &unit.chains {
        let uring = unit.rings[uc.ring as usize];
        let chain_cuts = s.unit_cuts.len();
        for (j, tc) in s.near.iter().enumerate() {
            let j = j as u32;
            if !uc.rect.intersects(&tc.rect) {
                continue;
            }
            // Only edges inside the two chains' common box can meet.
            let common = Rect::new(
                Coord { x: greater(uc.rect.min().x, tc.rect.min().x), y: greater(uc.rect.min().y, tc.rect.min().y) },
                Coord { x: lesser(uc.rect.max().x, tc.rect.max().x), y: lesser(uc.rect.max().y, tc.rect.max().y) },
            );
            // (A repeated vertex makes an edge without length: it bounds nothing.)
            edges_meeting(uring, uc, common, &mut ours);
            if ours.is_empty() {
                continue;
            }
            edges_meeting(target.ring(tc.ring as usize), tc, common, &mut theirs);
            for &(i, a, arect) in &ours {
                for &(k, b, brect) in &theirs {
                    if !arect.intersects(&brect) {
                        continue;
                    }
                    let found = match meeting(a, b) {
                        Meeting::Apart => continue,
                        Meeting::Crossing(p) => Some(LineIntersection::SinglePoint { intersection: p, is_proper: true }),
                        Meeting::Unsure => line_intersection(a, b),
                    };
                    match found {
                        None => {}
                        Some(LineIntersection::SinglePoint { intersection: p, is_proper: proper }) => {
                            s.unit_cuts.push(Cut { ring: uc.ring, edge: i, t: param(a, p), at: p, proper });
                            s.target_found.push((j, Cut { ring: tc.ring, edge: k, t: param(b, p), at: p, proper }));
                        }
                        Some(LineIntersection::Collinear { intersection: l }) => {
                            let same = a.delta().x * b.delta().x + a.delta().y * b.delta().y > 0.0;
                            for p in [l.start, l.end] {
                                s.unit_cuts.push(Cut { ring: uc.ring, edge: i, t: param(a, p), at: p, proper: false });
                                s.target_found.push((j, Cut { ring: tc.ring, edge: k, t: param(b, p), at: p, proper: false }));
                            }
                            let (ua, ub) = (param(a, l.start), param(a, l.end));
                            let (ta, tb) = (param(b, l.start), param(b, l.end));
                            s.unit_shared.push(Shared { ring: uc.ring, edge: i, t0: ua.min(ub), t1: ua.max(ub), same });
                            s.target_shared.push(Shared { ring: tc.ring, edge: k, t0: ta.min(tb), t1: ta.max(tb), same });
                        }
                    }
                }
            }
        }
        // The unit's chains run in ring and edge order: sorting each chain's
        // few cuts sorts them all.
        s.unit_cuts[chain_cuts..].sort_unstable_by(by_place);
    }
    (s.unit_edges, s.target_edges) = (ours, theirs);
    debug_assert!(s.unit_cuts.is_sorted_by(|a, b| by_place(a, b).is_le()));
    place_target_cuts(s, by_place);
}

/// Up to this many target cuts are sorted at once (the standard library
/// sorts so few by insertion); more are placed chain by chain first.
const FEW_CUTS: usize = 20;

/// Puts the target's cuts, found in the unit's order, in the target's: by
/// ring, edge and parameter. Many are first placed chain by chain (a
/// counting sort over `near`, which is in ring order), so that only each
/// chain's few need sorting.
fn place_target_cuts(s: &mut Scratch, by_place: impl Fn(&Cut, &Cut) -> std::cmp::Ordering + Copy) {
    let cuts = &mut s.target_cuts;
    cuts.clear();
    if s.target_found.len() <= FEW_CUTS {
        cuts.extend(s.target_found.iter().map(|f| f.1));
        cuts.sort_unstable_by(by_place);
        return;
    }
    // `starts[j + 1]` is where chain `j`'s cuts begin; placing them moves it
    // on to where they end, which is where chain `j + 1`'s begin.
    let starts = &mut s.target_starts;
    starts.clear();
    starts.resize(s.near.len() + 2, 0);
    for &(j, _) in &s.target_found {
        starts[j as usize + 2] += 1;
    }
    for j in 2..starts.len() {
        starts[j] += starts[j - 1];
    }
    cuts.resize(s.target_found.len(), Cut { ring: 0, edge: 0, t: 0.0, at: Coord::zero(), proper: false });
    for &(j, cut) in &s.target_found {
        let at = &mut starts[j as usize + 1];
        cuts[*at as usize] = cut;
        *at += 1;
    }
    for w in starts[..=s.near.len()].windows(2) {
        if w[1] - w[0] > 1 {
            cuts[w[0] as usize..w[1] as usize].sort_unstable_by(by_place);
        }
    }
}

/// Pieces of one edge between its cut points, each with its side, passed to
/// `emit`. `cuts` are this edge's cuts (sorted by parameter) and `shared` the
/// overlaps recorded on its ring; `before` is the side just before the edge's
/// start, if known. A piece's side is inherited across a proper crossing
/// (flipped) and otherwise found by `side_of` at its midpoint. Returns the
/// side at the edge's end, if known.
#[allow(clippy::too_many_arguments)]
fn pieces(
    line: Line<f64>,
    (ring, edge): (u32, u32),
    cuts: &[Cut],
    shared: &[Shared],
    before: Option<Side>,
    points: &mut Vec<(f64, Coord<f64>, bool)>,
    mut side_of: impl FnMut(Coord<f64>) -> Side,
    mut emit: impl FnMut(Coord<f64>, Coord<f64>, Side),
) -> Option<Side> {
    // The common case, a single proper crossing inside the edge: two pieces,
    // the second on the other side (what the general walk below decides).
    // One cut means no shared stretch: an overlap cuts its edge at both ends.
    if let [c] = cuts {
        if c.proper && c.t > 0.0 && c.t < 1.0 && c.at != line.start && c.at != line.end {
            let first = match before {
                Some(known @ (Side::In | Side::Out)) => known,
                _ => side_of(Coord { x: (line.start.x + c.at.x) / 2.0, y: (line.start.y + c.at.y) / 2.0 }),
            };
            let second = if first == Side::In { Side::Out } else { Side::In };
            emit(line.start, c.at, first);
            emit(c.at, line.end, second);
            return Some(second);
        }
    }
    points.clear();
    points.push((0.0, line.start, false));
    for c in cuts.iter().filter(|c| c.t > 0.0 && c.t < 1.0) {
        match points.last_mut() {
            // Two cuts at one point: not a simple crossing.
            Some(last) if last.1 == c.at => last.2 = false,
            _ => points.push((c.t, c.at, c.proper)),
        }
    }
    match points.last_mut() {
        Some(last) if last.1 == line.end => last.2 = false,
        _ => points.push((1.0, line.end, false)),
    }
    // A cut at the start vertex: the boundary passes through it.
    let mut side = if cuts.iter().any(|c| c.t <= 0.0 || c.at == line.start) { None } else { before };
    let mut last = None;
    for w in points.windows(2) {
        let ((t0, p, _), (t1, q, proper)) = (w[0], w[1]);
        let mid = (t0 + t1) / 2.0;
        let here = match shared.iter().find(|o| o.ring == ring && o.edge == edge && o.t0 <= mid && mid <= o.t1) {
            Some(o) if o.same => Side::SharedSame,
            Some(_) => Side::SharedOpposite,
            None => match side {
                Some(known @ (Side::In | Side::Out)) => known,
                _ => side_of(Coord { x: (p.x + q.x) / 2.0, y: (p.y + q.y) / 2.0 }),
            },
        };
        emit(p, q, here);
        side = match here {
            Side::In if proper => Some(Side::Out),
            Side::Out if proper => Some(Side::In),
            _ => None,
        };
        last = Some(here);
    }
    // The end vertex: the side carries over unless a cut touches it.
    if cuts.iter().any(|c| c.t >= 1.0 || c.at == line.end) {
        None
    } else {
        last.filter(|s| matches!(s, Side::In | Side::Out))
    }
}

/// Adds the unit's boundary pieces inside the target (and shared ones with
/// the interiors on the same side).
fn unit_pieces(unit: &Unit, target: &PreparedTarget, s: &mut Scratch, tally: &mut Tally) {
    let target_side = |c: Coord<f64>| if target.contains(c) { Side::In } else { Side::Out };
    let mut cut_at = 0;
    for (r, ring) in unit.rings.iter().enumerate() {
        let r = r as u32;
        let start = cut_at;
        while cut_at < s.unit_cuts.len() && s.unit_cuts[cut_at].ring == r {
            cut_at += 1;
        }
        let cuts = &s.unit_cuts[start..cut_at];
        let edges = ring.len() as u32 - 1;
        if cuts.is_empty() {
            if target.contains(ring[0]) {
                tally.add_edges(ring, 0, edges);
            }
            continue;
        }
        // Walk the ring from its first cut edge, so every uncut edge follows a
        // known piece. The cuts are sorted by edge, all at or after `first`:
        // between cut edges, and from the last of them round to `first`, the
        // uncut edges run in stretches that take the side of the piece before
        // (added in a tight loop when inside, skipped when outside).
        let first = cuts[0].edge;
        let mut side = None;
        let mut next = 0;
        let mut i = first;
        let stretch = |from: u32, to: u32, side: Option<Side>, tally: &mut Tally| {
            let known = match side {
                Some(known @ (Side::In | Side::Out)) => known,
                _ => {
                    let line = edge(ring, from);
                    target_side(line.start + (line.end - line.start) / 2.0)
                }
            };
            if known == Side::In {
                tally.add_edges(ring, from, to);
            }
            known
        };
        while i < edges {
            let lo = next;
            while next < cuts.len() && cuts[next].edge == i {
                next += 1;
            }
            let hi = next;
            if lo == hi {
                let to = cuts.get(next).map_or(edges, |c| c.edge);
                side = Some(stretch(i, to, side, tally));
                i = to;
                continue;
            }
            side = pieces(edge(ring, i), (r, i), &cuts[lo..hi], &s.unit_shared, side, &mut s.points, target_side, |p, q, side| {
                if matches!(side, Side::In | Side::SharedSame) {
                    tally.add(p, q);
                }
            });
            i += 1;
        }
        if first > 0 {
            stretch(0, first, side, tally);
        }
    }
}

/// Adds the target's boundary pieces inside the unit. Only the target's edges
/// in chains near the unit can be inside it.
fn target_pieces(unit: &Unit, target: &PreparedTarget, s: &mut Scratch, tally: &mut Tally) {
    let unit_side = |c: Coord<f64>| if unit.contains(c) { Side::In } else { Side::Out };
    debug_assert!(s.near.is_sorted_by_key(|c| (c.ring, c.start)));
    let mut side: Option<Side> = None;
    let mut prev: Option<Chain> = None;
    // The cuts are in the order of the chains and their edges: one cursor
    // goes through them.
    let mut next = 0;
    for c in &s.near {
        if prev.is_none_or(|p| p.ring != c.ring || p.end != c.start) {
            side = None; // a new run of consecutive edges: its status is unknown
        }
        prev = Some(*c);
        let ring = target.ring(c.ring as usize);
        let mut k = c.start;
        while k < c.end {
            let a = next;
            while next < s.target_cuts.len() && s.target_cuts[next].edge == k && s.target_cuts[next].ring == c.ring {
                next += 1;
            }
            let b = next;
            if a == b {
                // Uncut edges up to the chain's next cut edge take one side.
                let to = match s.target_cuts.get(next) {
                    Some(x) if x.ring == c.ring && x.edge < c.end => x.edge,
                    _ => c.end,
                };
                let known = match side {
                    Some(known @ (Side::In | Side::Out)) => known,
                    _ => {
                        let line = edge(ring, k);
                        if !line.bounding_rect().intersects(&unit.bbox) {
                            Side::Out
                        } else {
                            unit_side(line.start + (line.end - line.start) / 2.0)
                        }
                    }
                };
                side = Some(known);
                if known == Side::In {
                    tally.add_edges(ring, k, to);
                }
                k = to;
                continue;
            }
            side = pieces(edge(ring, k), (c.ring, k), &s.target_cuts[a..b], &s.target_shared, side, &mut s.points, unit_side, |p, q, side| {
                // Shared pieces were counted from the unit's side.
                if side == Side::In {
                    tally.add(p, q);
                }
            });
            k += 1;
        }
    }
    debug_assert_eq!(next, s.target_cuts.len(), "every target cut lies on a chain near the unit");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(c: [f64; 4]) -> Line<f64> {
        Line::new(Coord { x: c[0], y: c[1] }, Coord { x: c[2], y: c[3] })
    }

    /// Wherever [`meeting`] answers, it gives geo's answer: grid points make
    /// touches and collinear overlaps common, the offsets near-misses.
    fn agrees(a: Line<f64>, b: Line<f64>) -> Result<(), TestCaseError> {
        let geo = line_intersection(a, b);
        match meeting(a, b) {
            Meeting::Apart => prop_assert_eq!(geo, None),
            Meeting::Crossing(p) => prop_assert_eq!(geo, Some(LineIntersection::SinglePoint { intersection: p, is_proper: true })),
            Meeting::Unsure => {}
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn meeting_agrees_with_geo_on_grid_points(a in proptest::array::uniform4(0i8..6), b in proptest::array::uniform4(0i8..6)) {
            agrees(line(a.map(f64::from)), line(b.map(f64::from)))?;
        }

        #[test]
        fn meeting_agrees_with_geo_near_misses(
            a in proptest::array::uniform4(-1e3f64..1e3),
            k in 0usize..4,
            tiny in -1e-9f64..1e-9,
            far in proptest::array::uniform2(-1e3f64..1e3),
        ) {
            let l = line(a);
            // b starts on, or a hair from, a point of `l`, or at a vertex of it.
            let t = [0.0, 1.0, 0.5, 0.25][k];
            let on = Coord { x: l.start.x + t * l.dx() + tiny, y: l.start.y + t * l.dy() };
            agrees(l, Line::new(on, Coord { x: far[0], y: far[1] }))?;
            agrees(Line::new(Coord { x: far[0], y: far[1] }, on), l)?;
        }
    }
}

//! Step 3 of the pipeline: **index** the targets (new seats) so that each unit
//! meets only the targets near it.
//!
//! [`TargetIndex`] holds an R-tree (rstar) of target bounding boxes and, per
//! target, its boundary in [`Chain`]s (runs of up to [`CHAIN`] consecutive
//! edges under one box) under a [`ChainTree`] of boxes in ring order. One
//! structure serves both questions a unit asks: which target edges pass near
//! it (a box query), and whether a point is inside (a winding number over the
//! chains that a ray from the point crosses). Together they decide most
//! unit–target pairs (wholly inside / wholly outside) without an overlay, and
//! let [`crate::overlap`] measure the rest from the few edges near the unit.
//! For many small units, [`Cells`] adds a raster that places most nested
//! units without a query.

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{Area, Coord, CoordsIter, MultiPolygon, Rect};
use geo::orient::{Direction, Orient};
use crate::overlap::{is_oriented, ring_twice_area};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

pub use crate::cells::Cells;
pub use crate::chain_tree::ChainTree;

/// A bounding box in the R-tree, carrying the target's index.
pub type TargetBox = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Edges per [`Chain`]: few enough that a chain's box hugs the boundary,
/// many enough that the R-tree stays small (a seat of 800 edges has 50).
pub const CHAIN: usize = 16;

/// A run of consecutive edges of one ring (edges `start..end`, edge `i`
/// joining vertices `i` and `i + 1`) under one bounding box.
///
/// ```
/// use geo::coord;
/// use notional::index::chains_of;
/// // 40 short edges along the bottom of a tall ring, then two long ones back.
/// let mut ring: Vec<_> = (0..=40).map(|i| coord! {x: i as f64, y: (i % 2) as f64}).collect();
/// ring.extend([coord! {x: 0., y: 100.}, coord! {x: 0., y: 0.}]);
/// let mut chains = Vec::new();
/// chains_of(&ring, 7, &mut chains);
/// let runs: Vec<_> = chains.iter().map(|c| (c.start, c.end)).collect();
/// assert_eq!(runs, vec![(0, 16), (16, 32), (32, 40), (40, 41), (41, 42)]);
/// assert!(chains.iter().all(|c| c.ring == 7));
/// assert_eq!(chains[2].rect.min().x, 32.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chain {
    /// The box around the chain's vertices.
    pub rect: Rect<f64>,
    /// The ring's number in its geometry (exteriors and holes in order).
    pub ring: u32,
    /// First edge.
    pub start: u32,
    /// One past the last edge.
    pub end: u32,
}

/// Appends the chains of one closed ring (first vertex repeated last) to `out`.
/// A chain ends after [`CHAIN`] edges, or sooner when its box would grow past
/// an eighth of the ring's box (width plus height): a seat drawn with a few
/// long edges gets a chain per edge, so a ward in its middle meets none.
pub fn chains_of(ring: &[Coord<f64>], number: u32, out: &mut Vec<Chain>) {
    let edges = ring.len().saturating_sub(1);
    let Some(whole) = bounds(ring) else { return };
    let limit = (whole.width() + whole.height()) / 8.0;
    let mut start = 0;
    while start < edges {
        let (mut lo, mut hi) = (ring[start], ring[start]);
        let mut end = start;
        while end < edges && end - start < CHAIN {
            let c = ring[end + 1];
            let (l, h) = (Coord { x: lesser(lo.x, c.x), y: lesser(lo.y, c.y) }, Coord { x: greater(hi.x, c.x), y: greater(hi.y, c.y) });
            if end > start && (h.x - l.x) + (h.y - l.y) > limit {
                break;
            }
            (lo, hi) = (l, h);
            end += 1;
        }
        out.push(Chain { rect: Rect::new(lo, hi), ring: number, start: start as u32, end: end as u32 });
        start = end;
    }
}

/// The box around `coords` (`None` when there are none).
///
/// ```
/// use geo::coord;
/// let b = notional::index::bounds(&[coord! {x: 1., y: 5.}, coord! {x: -2., y: 3.}]).unwrap();
/// assert_eq!((b.min(), b.max()), (coord! {x: -2., y: 3.}, coord! {x: 1., y: 5.}));
/// ```
pub fn bounds(coords: &[Coord<f64>]) -> Option<Rect<f64>> {
    let first = *coords.first()?;
    let (lo, hi) = coords.iter().fold((first, first), |(lo, hi), c| {
        (Coord { x: lesser(lo.x, c.x), y: lesser(lo.y, c.y) }, Coord { x: greater(hi.x, c.x), y: greater(hi.y, c.y) })
    });
    Some(Rect::new(lo, hi))
}

/// The lesser of two finite values, by one comparison (`minsd`): `f64::min`
/// also handles NaN, at several instructions a call. Box arithmetic only
/// meets finite coordinates (the readers refuse the others).
#[inline]
pub(crate) fn lesser(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// The greater of two finite values (see [`lesser`]).
#[inline]
pub(crate) fn greater(a: f64, b: f64) -> f64 {
    if b > a { b } else { a }
}

/// `q.floor().max(0.0) as usize`, a cell index, without a call to libm's
/// `floor` (x86-64's baseline has no instruction for it): the cast truncates,
/// which is the floor of a value not negative, and saturates, taking
/// negative values and NaN to 0. Through i64, one instruction (a cast to
/// u64 takes about a dozen on that baseline); values from 2^63 on give
/// 2^63 − 1, which callers clamp to their grid like any index past its end.
#[inline]
pub(crate) fn floor_index(q: f64) -> usize {
    (q as i64).max(0) as usize
}

/// The box around every ring of `geometry` (`None` when it has none): geo's
/// `bounding_rect`, ring by ring through [`bounds`].
///
/// ```
/// use geo::{polygon, BoundingRect, MultiPolygon};
/// let g = MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 4., y: 1.), (x: 2., y: 3.)], polygon![(x: -1., y: 5.), (x: 0., y: 6.), (x: -2., y: 7.)]]);
/// assert_eq!(notional::index::geometry_bounds(&g), g.bounding_rect());
/// assert_eq!(notional::index::geometry_bounds(&MultiPolygon::new(vec![])), None);
/// ```
pub fn geometry_bounds(geometry: &MultiPolygon<f64>) -> Option<Rect<f64>> {
    geometry.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).filter_map(|r| bounds(&r.0)).reduce(union)
}

/// The box around both `a` and `b`.
///
/// ```
/// use geo::{coord, Rect};
/// let u = notional::index::union(Rect::new(coord! {x: 0., y: 0.}, coord! {x: 1., y: 1.}), Rect::new(coord! {x: 2., y: -1.}, coord! {x: 3., y: 0.}));
/// assert_eq!((u.min(), u.max()), (coord! {x: 0., y: -1.}, coord! {x: 3., y: 1.}));
/// ```
pub fn union(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        Coord { x: lesser(a.min().x, b.min().x), y: lesser(a.min().y, b.min().y) },
        Coord { x: greater(a.max().x, b.max().x), y: greater(a.max().y, b.max().y) },
    )
}

/// The box around both, where either may be missing.
///
/// ```
/// use geo::{coord, Rect};
/// use notional::index::union_of;
/// let r = Rect::new(coord! {x: 0., y: 0.}, coord! {x: 1., y: 1.});
/// assert_eq!(union_of(None, Some(r)), Some(r));
/// assert_eq!(union_of(None, None), None);
/// ```
pub fn union_of(a: Option<Rect<f64>>, b: Option<Rect<f64>>) -> Option<Rect<f64>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(union(a, b)),
        (a, b) => a.or(b),
    }
}

/// The winding number of the rings around `c`, from the chains that the ray
/// from `c` to the east may cross (others may be passed too: they add
/// nothing). Robust orientation tests (geo's `RobustKernel`), counting an
/// edge from its lower end inclusive to its upper end exclusive, so a ray
/// through a vertex counts once.
///
/// ```
/// use geo::coord;
/// use notional::index::{chains_of, winding_number};
/// let ring = vec![coord! {x: 0., y: 0.}, coord! {x: 4., y: 0.}, coord! {x: 4., y: 4.}, coord! {x: 0., y: 4.}, coord! {x: 0., y: 0.}];
/// let mut chains = Vec::new();
/// chains_of(&ring, 0, &mut chains);
/// assert_eq!(winding_number(chains.iter(), |_| ring.as_slice(), coord! {x: 1., y: 2.}), 1);
/// assert_eq!(winding_number(chains.iter(), |_| ring.as_slice(), coord! {x: 5., y: 2.}), 0);
/// ```
pub fn winding_number<'a, 'r>(
    chains: impl Iterator<Item = &'a Chain>,
    ring: impl Fn(usize) -> &'r [Coord<f64>],
    c: Coord<f64>,
) -> i32 {
    let mut w = 0;
    for chain in chains {
        if chain.rect.max().x < c.x || chain.rect.min().y > c.y || chain.rect.max().y < c.y {
            continue;
        }
        let coords = ring(chain.ring as usize);
        for e in coords[chain.start as usize..=chain.end as usize].windows(2) {
            let (a, b) = (e[0], e[1]);
            if a.y <= c.y {
                if b.y > c.y && RobustKernel::orient2d(a, b, c) == Orientation::CounterClockwise {
                    w += 1;
                }
            } else if b.y <= c.y && RobustKernel::orient2d(a, b, c) == Orientation::Clockwise {
                w -= 1;
            }
        }
    }
    w
}

/// One target, prepared for repeated tests against many units.
pub struct PreparedTarget {
    /// The geometry in BNG metres.
    pub geometry: MultiPolygon<f64>,
    /// Its bounding box (`None` if it has no area).
    pub bbox: Option<Rect<f64>>,
    /// Its area in m².
    pub area: f64,
    /// The boundary, in chains of consecutive edges.
    pub chains: ChainTree,
    /// Ring number → (polygon, ring within the polygon: 0 exterior, then holes).
    rings: Vec<(u32, u32)>,
    /// Signed area of each ring (exteriors counter-clockwise positive).
    ring_areas: Vec<f64>,
}

impl PreparedTarget {
    /// Prepares one geometry (BNG metres).
    ///
    /// ```
    /// use geo::{polygon, MultiPolygon};
    /// use notional::index::PreparedTarget;
    /// let t = PreparedTarget::new(MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)]]));
    /// assert_eq!(t.area, 16.0);
    /// assert_eq!(t.ring_area(0), 16.0);
    /// assert!(t.contains(geo::coord! {x: 1., y: 1.}));
    /// ```
    pub fn new(geometry: MultiPolygon<f64>) -> Self {
        // Boundary integration needs interiors on the left of every ring.
        let geometry = if is_oriented(&geometry) {
            geometry
        } else {
            geometry.orient(Direction::Default)
        };
        // At least one chain per CHAIN edges of each ring.
        let mut chains = Vec::with_capacity(geometry.coords_count() / CHAIN + 1);
        let mut rings = Vec::new();
        let mut ring_areas = Vec::new();
        for (p, poly) in geometry.iter().enumerate() {
            for (r, ring) in std::iter::once(poly.exterior()).chain(poly.interiors()).enumerate() {
                chains_of(&ring.0, rings.len() as u32, &mut chains);
                rings.push((p as u32, r as u32));
                ring_areas.push(ring_twice_area(&ring.0) / 2.0);
            }
        }
        PreparedTarget {
            bbox: geometry_bounds(&geometry),
            area: geometry.unsigned_area(),
            chains: ChainTree::new(chains),
            rings,
            ring_areas,
            geometry,
        }
    }

    /// Whether `c` is inside the target (non-zero winding number; a point on
    /// the boundary may go either way). Only the chains crossed by the ray
    /// from `c` to the east are visited.
    pub fn contains(&self, c: Coord<f64>) -> bool {
        let far = self.bbox.map_or(c.x, |b| b.max().x).max(c.x);
        let ray = Rect::new(c, Coord { x: far, y: c.y });
        winding_number(self.chains.query(ray), |r| self.ring(r), c) != 0
    }

    /// Whether no edge of the target comes into `rect` (no chain's box meets
    /// it): then whatever lies in `rect` is wholly inside or wholly outside.
    pub fn clear_of(&self, rect: Rect<f64>) -> bool {
        self.chains.query(rect).next().is_none()
    }

    /// The closed coordinates of ring `r` (numbered as in [`Chain::ring`]).
    pub fn ring(&self, r: usize) -> &[Coord<f64>] {
        let (p, k) = self.rings[r];
        let poly = &self.geometry.0[p as usize];
        if k == 0 {
            &poly.exterior().0
        } else {
            &poly.interiors()[k as usize - 1].0
        }
    }

    /// Signed area of ring `r`: positive counter-clockwise.
    pub fn ring_area(&self, r: usize) -> f64 {
        self.ring_areas[r]
    }
}

/// The targets, indexed.
///
/// ```
/// use notional::index::TargetIndex;
/// use geo::{polygon, MultiPolygon, Rect, coord};
/// let a = MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)]]);
/// let b = MultiPolygon::new(vec![polygon![(x: 10., y: 0.), (x: 20., y: 0.), (x: 20., y: 10.), (x: 10., y: 10.)]]);
/// let index = TargetIndex::new(vec![a, b]);
/// let near = index.candidates(Rect::new(coord! {x: 12., y: 1.}, coord! {x: 13., y: 2.}));
/// assert_eq!(near, vec![1]);
/// ```
pub struct TargetIndex {
    tree: RTree<TargetBox>,
    targets: Vec<PreparedTarget>,
    /// The box around every target, also those left out ([`TargetIndex::with_extent`]).
    extent: Option<Rect<f64>>,
}

impl TargetIndex {
    /// Prepares and indexes the targets (in parallel). Index `i` is target `i`.
    pub fn new(geometries: Vec<MultiPolygon<f64>>) -> Self {
        let targets: Vec<PreparedTarget> = geometries.into_par_iter().map(PreparedTarget::new).collect();
        let boxes = targets
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.bbox.map(|b| GeomWithData::new(rect_to_rectangle(b), i)))
            .collect();
        let tree = RTree::bulk_load(boxes);
        let extent = envelope(&tree);
        TargetIndex { tree, targets, extent }
    }

    /// Widens the targets' overall extent to `extent`: the box around every
    /// target, including those left out of the index with empty geometry
    /// because no unit can reach them ([`crate::reach`]), so that a unit in
    /// none of the targets is still told apart as in a gap (within the
    /// extent) or outside it.
    ///
    /// ```
    /// use geo::{coord, polygon, MultiPolygon, Rect};
    /// use notional::index::TargetIndex;
    /// let seat = MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)]]);
    /// let left_out = MultiPolygon::new(Vec::new());
    /// let far = Rect::new(coord! {x: 100., y: 0.}, coord! {x: 110., y: 10.});
    /// let index = TargetIndex::new(vec![seat, left_out]).with_extent(Some(far));
    /// assert!(index.within_extent(Rect::new(coord! {x: 50., y: 5.}, coord! {x: 51., y: 6.})));
    /// assert!(index.candidates(far).is_empty());
    /// ```
    pub fn with_extent(mut self, extent: Option<Rect<f64>>) -> Self {
        self.extent = union_of(self.extent, extent);
        self
    }

    /// The prepared targets, by index.
    pub fn targets(&self) -> &[PreparedTarget] {
        &self.targets
    }

    /// Number of targets.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// True when there are no targets.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The box around every target (`None` when none has an area), also
    /// those left out of the index ([`TargetIndex::with_extent`]).
    pub fn extent(&self) -> Option<Rect<f64>> {
        self.extent
    }

    /// The box around the targets in the index.
    pub(crate) fn indexed_extent(&self) -> Option<Rect<f64>> {
        envelope(&self.tree)
    }

    /// The targets holding `c` (more than one where targets overlap; a point
    /// on a boundary may count either way).
    pub fn locate(&self, c: Coord<f64>) -> Vec<usize> {
        self.candidates(Rect::new(c, c)).into_iter().filter(|&t| self.targets[t].contains(c)).collect()
    }

    /// Whether `bbox` meets the targets' overall extent (the box around them all).
    pub fn within_extent(&self, bbox: Rect<f64>) -> bool {
        use geo::Intersects;
        self.extent().is_some_and(|e| e.intersects(&bbox))
    }

    /// Targets whose bounding boxes meet `bbox`, in ascending index order.
    pub fn candidates(&self, bbox: Rect<f64>) -> Vec<usize> {
        let mut out = Vec::new();
        self.candidates_into(bbox, &mut out);
        out
    }

    /// As [`candidates`](Self::candidates), into a buffer (cleared first).
    pub fn candidates_into(&self, bbox: Rect<f64>, out: &mut Vec<usize>) {
        let env = AABB::from_corners([bbox.min().x, bbox.min().y], [bbox.max().x, bbox.max().y]);
        out.clear();
        out.extend(self.tree.locate_in_envelope_intersecting(&env).map(|b| b.data));
        out.sort_unstable();
    }
}

/// The box around everything in `tree` (`None` when it is empty).
fn envelope(tree: &RTree<TargetBox>) -> Option<Rect<f64>> {
    (tree.size() > 0).then(|| {
        let e = tree.root().envelope();
        Rect::new(Coord { x: e.lower()[0], y: e.lower()[1] }, Coord { x: e.upper()[0], y: e.upper()[1] })
    })
}

/// An rstar rectangle from a geo rect.
pub fn rect_to_rectangle(r: Rect<f64>) -> Rectangle<[f64; 2]> {
    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y])
}

#[cfg(test)]
mod tests {
    use super::floor_index;

    #[test]
    fn cell_indices_are_floors_not_below_zero() {
        assert_eq!(floor_index(3.99), 3);
        assert_eq!(floor_index(0.0), 0);
        assert_eq!(floor_index(-0.5), 0);
        assert_eq!(floor_index(-1e300), 0);
        assert_eq!(floor_index(f64::NAN), 0);
        assert_eq!(floor_index(4_503_599_627_370_495.0), 4_503_599_627_370_495);
        // Past i64: the largest index, which callers clamp to their grid.
        assert_eq!(floor_index(1e300), i64::MAX as usize);
        assert_eq!(floor_index(f64::INFINITY), i64::MAX as usize);
    }
}

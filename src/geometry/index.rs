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
//! let [`crate::geometry::overlap`] measure the rest from the few edges near the unit.
//! For many small units, [`Cells`] adds a raster that places most nested
//! units without a query.

use geo::{Area, Coord, CoordsIter, MultiPolygon, Rect};
use geo::orient::{Direction, Orient};
use super::bbox::{geometry_bounds, rect_to_rectangle, union_of};
use super::chain_tree::ChainTree;
use super::ring::{chains_of, is_oriented, ring_twice_area, winding_number, CHAIN};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

/// A bounding box in the R-tree, carrying the target's index.
pub type TargetBox = GeomWithData<Rectangle<[f64; 2]>, usize>;

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
    /// use notional::geometry::index::PreparedTarget;
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
/// use notional::geometry::index::TargetIndex;
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
    /// because no unit can reach them ([`crate::geometry::reach`]), so that a unit in
    /// none of the targets is still told apart as in a gap (within the
    /// extent) or outside it.
    ///
    /// ```
    /// use geo::{coord, polygon, MultiPolygon, Rect};
    /// use notional::geometry::index::TargetIndex;
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

    /// The targets' geometries, by index, the index given up.
    ///
    /// ```
    /// use geo::{polygon, MultiPolygon};
    /// use notional::geometry::index::TargetIndex;
    /// let a = MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.)]]);
    /// assert_eq!(TargetIndex::new(vec![a.clone()]).into_geometries(), vec![a]);
    /// ```
    pub fn into_geometries(self) -> Vec<MultiPolygon<f64>> {
        self.targets.into_iter().map(|t| t.geometry).collect()
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

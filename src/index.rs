//! Step 3 of the pipeline: **index** the targets (new seats) so that each unit
//! meets only the targets near it.
//!
//! [`TargetIndex`] holds an R-tree of target bounding boxes and, per target, a
//! prepared form: its area, an interval tree for point-in-polygon tests and an
//! R-tree of its boundary segments, which together decide most unit–target
//! pairs (wholly inside / wholly outside) without an overlay.

use geo::{Area, BoundingRect, Contains, Coord, Line, MultiPolygon, Rect};
use geo::indexed::IntervalTreeMultiPolygon;
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

/// A bounding box in the R-tree, carrying the target's index.
pub type TargetBox = GeomWithData<Rectangle<[f64; 2]>, usize>;
/// A boundary segment in a target's segment tree, carrying its ring number.
pub type Segment = GeomWithData<Line<f64>, u32>;

/// One target, prepared for repeated tests against many units.
pub struct PreparedTarget {
    /// The geometry in BNG metres.
    pub geometry: MultiPolygon<f64>,
    /// Its bounding box (`None` if it has no area).
    pub bbox: Option<Rect<f64>>,
    /// Its area in m².
    pub area: f64,
    /// Point-in-polygon index.
    pub pip: IntervalTreeMultiPolygon<f64>,
    /// Boundary segments, tagged with the ring they belong to.
    pub segments: RTree<Segment>,
    /// One vertex of each ring, by ring number.
    pub ring_starts: Vec<Coord<f64>>,
}

impl PreparedTarget {
    /// Prepares one geometry (BNG metres).
    pub fn new(geometry: MultiPolygon<f64>) -> Self {
        let mut segments = Vec::new();
        let mut ring_starts = Vec::new();
        for poly in &geometry {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                let r = ring_starts.len() as u32;
                ring_starts.push(ring.0[0]);
                segments.extend(ring.lines().map(|l| GeomWithData::new(l, r)));
            }
        }
        PreparedTarget {
            bbox: geometry.bounding_rect(),
            area: geometry.unsigned_area(),
            pip: IntervalTreeMultiPolygon::new(&geometry),
            segments: RTree::bulk_load(segments),
            ring_starts,
            geometry,
        }
    }

    /// Whether `c` is strictly inside the target.
    pub fn contains(&self, c: Coord<f64>) -> bool {
        self.pip.contains(&c)
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
        TargetIndex { tree: RTree::bulk_load(boxes), targets }
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

    /// Whether `bbox` meets the targets' overall extent (the box around them all).
    pub fn within_extent(&self, bbox: Rect<f64>) -> bool {
        use rstar::Envelope;
        let env = AABB::from_corners([bbox.min().x, bbox.min().y], [bbox.max().x, bbox.max().y]);
        self.tree.size() > 0 && self.tree.root().envelope().intersects(&env)
    }

    /// Targets whose bounding boxes meet `bbox`, in ascending index order.
    pub fn candidates(&self, bbox: Rect<f64>) -> Vec<usize> {
        let env = AABB::from_corners([bbox.min().x, bbox.min().y], [bbox.max().x, bbox.max().y]);
        let mut out: Vec<usize> = self.tree.locate_in_envelope_intersecting(&env).map(|b| b.data).collect();
        out.sort_unstable();
        out
    }
}

/// An rstar rectangle from a geo rect.
pub fn rect_to_rectangle(r: Rect<f64>) -> Rectangle<[f64; 2]> {
    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y])
}

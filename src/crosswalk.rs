//! Step 4 of the pipeline: the **crosswalk**: for each unit (ward), its weights
//! over the targets (new seats), summing to 1.
//!
//! With [`Method::Area`]:
//! - a unit wholly inside one target goes whole, found by a containment test
//!   (no boundary of the target crosses the unit, and the unit's rings lie
//!   inside it), with no overlay;
//! - a unit that a target boundary crosses is apportioned by exact intersection
//!   area (geo `BooleanOps`, one unit against one target, in BNG metres);
//! - a unit partly outside every target has its weights renormalised over the
//!   covered part, and its covered fraction is kept so it can be reported;
//! - a unit wholly outside every target gets no weights: its votes stay
//!   unallocated and are reported.
//!
//! With [`Method::Centroid`], each unit goes whole to the target holding its
//! interior point (a point guaranteed to lie inside the unit).

use crate::index::{PreparedTarget, TargetIndex};
use crate::progress::Progress;
use geo::{
    Area, BooleanOps, BoundingRect, Contains, CoordinatePosition, InteriorPoint, Intersects, Line, MultiPolygon,
    Point, Rect,
};
use geo::coordinate_position::CoordPos;
use geo::line_intersection::line_intersection;
use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::{RTree, RTreeObject, AABB};

/// How units are shared between targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// By exact intersection area (split units are apportioned).
    #[default]
    Area,
    /// Whole units, to the target holding each unit's interior point.
    Centroid,
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Method::Area => "area",
            Method::Centroid => "centroid",
        })
    }
}

/// One unit's row of the crosswalk.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitWeights {
    /// `(target index, weight)`, ascending by target; weights sum to 1.
    /// Empty when the unit lies wholly outside every target.
    pub weights: Vec<(usize, f64)>,
    /// The fraction of the unit's area that lies in some target (1 for a
    /// unit placed whole). Below 1: part of the unit is outside every target
    /// and the weights were renormalised. Above 1: targets overlap there.
    pub covered: f64,
    /// Why the unit could not be placed (`None` when it was).
    pub unplaced: Option<Unplaced>,
}

/// Why a unit's votes could not be placed in any target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unplaced {
    /// The unit has no usable geometry (null, or every ring collapsed).
    NoGeometry,
    /// The unit lies within the targets' overall extent but in none of them:
    /// a gap in their coverage, or beyond a coastline drawn differently.
    Gap,
    /// The unit lies beyond the targets' overall extent (the wrong layer, or
    /// the wrong coordinate system?).
    Outside,
    /// The weights given for the unit are all zero (or it has none).
    ZeroWeight,
    /// The unit's geometry was invalid and could not be repaired.
    Rejected,
}

impl Unplaced {
    /// The ledger's word for the cause.
    pub fn as_str(self) -> &'static str {
        match self {
            Unplaced::NoGeometry => "no geometry",
            Unplaced::Gap => "gap",
            Unplaced::Outside => "outside",
            Unplaced::ZeroWeight => "zero weight",
            Unplaced::Rejected => "rejected geometry",
        }
    }
}

impl UnitWeights {
    /// A placed unit: `weights` (ascending by target, summing to 1) and the
    /// covered fraction of its area.
    ///
    /// ```
    /// use notional::crosswalk::UnitWeights;
    /// let w = UnitWeights::placed(vec![(0, 0.25), (1, 0.75)], 1.0);
    /// assert!(w.is_split() && !w.is_outside());
    /// ```
    pub fn placed(weights: Vec<(usize, f64)>, covered: f64) -> Self {
        UnitWeights { weights, covered, unplaced: None }
    }

    /// A unit that could not be placed, and why.
    ///
    /// ```
    /// use notional::crosswalk::{UnitWeights, Unplaced};
    /// assert!(UnitWeights::unplaced(Unplaced::Gap).is_outside());
    /// ```
    pub fn unplaced(cause: Unplaced) -> Self {
        UnitWeights { weights: Vec::new(), covered: 0.0, unplaced: Some(cause) }
    }

    fn whole(target: usize) -> Self {
        Self::placed(vec![(target, 1.0)], 1.0)
    }

    /// True when the unit is shared between two or more targets.
    pub fn is_split(&self) -> bool {
        self.weights.len() > 1
    }

    /// True when the unit lies wholly outside every target.
    pub fn is_outside(&self) -> bool {
        self.weights.is_empty()
    }
}

/// Every unit's weights over the targets.
///
/// ```
/// use notional::crosswalk::{Crosswalk, Method};
/// use notional::index::TargetIndex;
/// use notional::progress::Silent;
/// use geo::{polygon, MultiPolygon};
/// let sq = |x0: f64, x1: f64| MultiPolygon::new(vec![polygon![
///     (x: x0, y: 0.), (x: x1, y: 0.), (x: x1, y: 10.), (x: x0, y: 10.)]]);
/// let targets = TargetIndex::new(vec![sq(0., 10.), sq(10., 20.)]);
/// let units = vec![sq(1., 3.), sq(5., 15.)];
/// let cw = Crosswalk::build(&units, &targets, Method::Area, &Silent);
/// assert_eq!(cw.units[0].weights, vec![(0, 1.0)]);          // nested: goes whole
/// let w = &cw.units[1].weights;                             // split 50/50
/// assert_eq!((w[0].0, w[1].0), (0, 1));
/// assert!((w[0].1 - 0.5).abs() < 1e-12 && (w[1].1 - 0.5).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Crosswalk {
    /// The method used.
    pub method: Method,
    /// One entry per unit, in unit order.
    pub units: Vec<UnitWeights>,
}

impl Crosswalk {
    /// Computes the crosswalk (in parallel over units; the result does not
    /// depend on the thread count). Geometries must be in BNG metres.
    pub fn build(units: &[MultiPolygon<f64>], index: &TargetIndex, method: Method, progress: &dyn Progress) -> Self {
        progress.start("crosswalk", units.len() as u64);
        let rows = units
            .par_iter()
            .map(|u| {
                let row = match method {
                    Method::Area => by_area(u, index),
                    Method::Centroid => by_interior_point(u, index),
                };
                progress.inc(1);
                row
            })
            .collect();
        progress.finish();
        Crosswalk { method, units: rows }
    }

    /// Number of units shared between two or more targets.
    pub fn split_count(&self) -> usize {
        self.units.iter().filter(|u| u.is_split()).count()
    }

    /// Number of units with more than `share` of their weight outside their
    /// main target: splits that matter, as opposed to boundary slivers.
    pub fn split_count_beyond(&self, share: f64) -> usize {
        self.units
            .iter()
            .filter(|u| u.weights.iter().map(|w| w.1).fold(0.0, f64::max) < 1.0 - share && !u.is_outside())
            .count()
    }

    /// Indices of units wholly outside every target.
    pub fn outside(&self) -> Vec<usize> {
        (0..self.units.len()).filter(|&i| self.units[i].is_outside()).collect()
    }

    /// Units placed but partly outside every target by more than `tolerance`
    /// (a fraction of the unit's area), with their uncovered fraction, worst first.
    pub fn partly_outside(&self, tolerance: f64) -> Vec<(usize, f64)> {
        let mut out: Vec<(usize, f64)> = self
            .units
            .iter()
            .enumerate()
            .filter(|(_, u)| !u.is_outside() && 1.0 - u.covered > tolerance)
            .map(|(i, u)| (i, 1.0 - u.covered))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

/// How a unit stands against one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Inside,
    Disjoint,
    /// Boundaries meet: an overlay is needed.
    Overlap,
}

fn by_area(unit: &MultiPolygon<f64>, index: &TargetIndex) -> UnitWeights {
    let Some(bbox) = unit.bounding_rect() else { return UnitWeights::unplaced(Unplaced::NoGeometry) };
    let area = unit.unsigned_area();
    if area <= 0.0 {
        // A unit without area cannot be shared by area: place it by a point.
        return by_interior_point(unit, index);
    }
    let edges: Vec<Line<f64>> = unit.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).flat_map(|r| r.lines()).collect();
    let mut pieces: Vec<(usize, f64)> = Vec::new();
    for t in index.candidates(bbox) {
        let target = &index.targets()[t];
        match relate(unit, bbox, &edges, target) {
            Relation::Inside => return UnitWeights::whole(t),
            Relation::Disjoint => {}
            Relation::Overlap => {
                let a = unit.intersection(&target.geometry).unsigned_area();
                if a > 0.0 {
                    pieces.push((t, a));
                }
            }
        }
    }
    let covered: f64 = pieces.iter().map(|p| p.1).sum();
    if covered <= 0.0 {
        return UnitWeights::unplaced(if index.within_extent(bbox) { Unplaced::Gap } else { Unplaced::Outside });
    }
    UnitWeights::placed(pieces.into_iter().map(|(t, a)| (t, a / covered)).collect(), covered / area)
}

/// Decides inside / disjoint without an overlay when no boundary of the target
/// comes near the unit's boundary.
fn relate(unit: &MultiPolygon<f64>, bbox: Rect<f64>, edges: &[Line<f64>], target: &PreparedTarget) -> Relation {
    let env = AABB::from_corners(Point(bbox.min()), Point(bbox.max()));
    let near: Vec<&GeomWithData<Line<f64>, u32>> = target.segments.locate_in_envelope_intersecting(&env).collect();
    if !near.is_empty() {
        if boundaries_meet(edges, &near) {
            return Relation::Overlap;
        }
        // No crossing: a target ring near the unit is wholly inside or outside it.
        let mut rings: Vec<u32> = near.iter().map(|s| s.data).collect();
        rings.sort_unstable();
        rings.dedup();
        if rings.iter().any(|&r| unit.contains(&target.ring_starts[r as usize])) {
            return Relation::Overlap;
        }
    }
    // No crossing: each unit ring is wholly inside or wholly outside the target.
    let mut inside = 0;
    let mut total = 0;
    for poly in unit {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            total += 1;
            if target.contains(ring.0[0]) {
                inside += 1;
            }
        }
    }
    match inside {
        0 => Relation::Disjoint,
        n if n == total => Relation::Inside,
        _ => Relation::Overlap,
    }
}

/// Whether any unit edge touches or crosses any of the target segments.
fn boundaries_meet(edges: &[Line<f64>], near: &[&GeomWithData<Line<f64>, u32>]) -> bool {
    let hit = |a: &Line<f64>, b: &Line<f64>| line_intersection(*a, *b).is_some();
    if edges.len() * near.len() <= 4096 {
        return near.iter().any(|s| {
            let sb = s.geom().bounding_rect();
            edges.iter().any(|e| sb.intersects(&e.bounding_rect()) && hit(e, s.geom()))
        });
    }
    let tree = RTree::bulk_load(edges.to_vec());
    near.iter().any(|s| tree.locate_in_envelope_intersecting(&s.geom().envelope()).any(|e| hit(e, s.geom())))
}

fn by_interior_point(unit: &MultiPolygon<f64>, index: &TargetIndex) -> UnitWeights {
    let Some(point) = unit.interior_point() else { return UnitWeights::unplaced(Unplaced::NoGeometry) };
    let c = point.0;
    let cands = index.candidates(Rect::new(c, c));
    let cause = if index.within_extent(Rect::new(c, c)) { Unplaced::Gap } else { Unplaced::Outside };
    if let Some(&t) = cands.iter().find(|&&t| index.targets()[t].contains(c)) {
        return UnitWeights::whole(t);
    }
    // On a shared boundary: the first target (by index) whose boundary holds it.
    cands
        .into_iter()
        .find(|&t| index.targets()[t].geometry.coordinate_position(&c) == CoordPos::OnBoundary)
        .map_or(UnitWeights::unplaced(cause), UnitWeights::whole)
}

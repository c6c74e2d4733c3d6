//! Step 4 of the pipeline: the **crosswalk**: for each unit (ward), its weights
//! over the targets (new seats), summing to 1.
//!
//! With [`Method::Area`]:
//! - a unit wholly inside one target goes whole, found by a containment test
//!   (no boundary of the target crosses the unit, and the unit's rings lie
//!   inside it), with no overlay;
//! - a unit that a target boundary crosses is apportioned by exact intersection
//!   area in BNG metres, measured along the two boundaries ([`crate::geometry::overlap`]),
//!   falling back to an exact overlay (geo `BooleanOps`, one unit against one
//!   target) where floating point cannot classify a near-degenerate touch;
//! - where the only target boundaries near a unit are borders between those
//!   targets (each edge shared, reversed, by two of them, as seats of one
//!   tessellation share theirs) and they cross the unit, the unit lies in
//!   their union: it is measured against all but one of them, and that one
//!   gets the rest of its area ([`crate::geometry::overlap::shared_borders`]): 4,717
//!   of England's 7,681 wards qualify, and 16,049 boundary integrations
//!   become 11,506;
//! - a unit partly outside every target has its weights renormalised over the
//!   covered part, and its covered fraction is kept so it can be reported;
//! - a unit wholly outside every target gets no weights: its votes stay
//!   unallocated and are reported.
//!
//! With [`Method::Centroid`], each unit goes whole to the target holding its
//! interior point (a point guaranteed to lie inside the unit).

use crate::geometry::bbox::geometry_bounds;
use crate::geometry::cells::Cells;
use crate::geometry::index::{PreparedTarget, TargetIndex};
use crate::progress::Progress;
use crate::geometry::overlap::{area_within, shared_borders, Overlap, Scratch, Unit};
use crate::geometry::prepare::Prepared;
use crate::geometry::ring::is_oriented;
use geo::coordinate_position::CoordPos;
use geo::orient::{Direction, Orient};
use geo::{Area, BooleanOps, CoordinatePosition, InteriorPoint, MultiPolygon, Rect};
use rayon::prelude::*;
use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};

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

    /// Why the unit's votes stay unallocated, or `None` when it was placed:
    /// the one cause the ledger, the summary and `check` all give. A unit
    /// left without weights for no stated reason has weights all zero.
    ///
    /// ```
    /// use notional::crosswalk::{UnitWeights, Unplaced};
    /// assert_eq!(UnitWeights::unplaced(Unplaced::NoGeometry).cause(), Some(Unplaced::NoGeometry));
    /// assert_eq!(UnitWeights::placed(vec![], 0.0).cause(), Some(Unplaced::ZeroWeight));
    /// assert_eq!(UnitWeights::placed(vec![(0, 1.0)], 1.0).cause(), None);
    /// ```
    pub fn cause(&self) -> Option<Unplaced> {
        self.unplaced.or(self.weights.is_empty().then_some(Unplaced::ZeroWeight))
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
/// use notional::geometry::index::TargetIndex;
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
        Self::build_counting(units, index, method, progress).0
    }

    /// As [`Crosswalk::build`], also returning how many unit–target pairs
    /// needed an exact overlay because boundary integration could not classify
    /// a near-degenerate touch (see [`crate::geometry::overlap`]).
    ///
    /// ```
    /// use notional::crosswalk::{Crosswalk, Method};
    /// use notional::geometry::index::TargetIndex;
    /// use notional::progress::Silent;
    /// let cells = notional::synthetic::tessellation(400, 1);
    /// let seats = TargetIndex::new(notional::synthetic::tessellation(9, 2));
    /// let (cw, overlays) = Crosswalk::build_counting(&cells, &seats, Method::Area, &Silent);
    /// assert_eq!(cw.units.len(), 400);
    /// assert!(overlays < 4);
    /// ```
    pub fn build_counting(
        units: &[MultiPolygon<f64>],
        index: &TargetIndex,
        method: Method,
        progress: &dyn Progress,
    ) -> (Self, usize) {
        Self::build_known(units, &[], index, method, progress)
    }

    /// As [`Crosswalk::build_counting`], for units checked and repaired
    /// ([`Prepared`]): a unit whose geometry was rejected is not measured;
    /// its row says so ([`Unplaced::Rejected`]), for the ledger, the summary
    /// and `check` alike.
    ///
    /// ```
    /// use geo::{polygon, MultiPolygon};
    /// use notional::crosswalk::{Crosswalk, Method, Unplaced};
    /// use notional::geometry::{Prepared, Projector, TargetIndex};
    /// use notional::progress::Silent;
    /// use notional::read::Layer;
    /// let square = MultiPolygon::new(vec![polygon![(x: 500_000., y: 200_000.), (x: 500_100., y: 200_000.), (x: 500_100., y: 200_100.), (x: 500_000., y: 200_100.)]]);
    /// let layer = Layer::from_parts("u", vec!["A".into()], None, vec![square.clone()], Some("EPSG:27700")).unwrap();
    /// let mut units = Prepared::new(&layer, None, &Projector::new()).unwrap();
    /// let (cw, _) = Crosswalk::of_prepared(&units, &TargetIndex::new(vec![square.clone()]), Method::Area, &Silent);
    /// assert_eq!(cw.units[0].cause(), None);
    /// units.repairs.push(notional::geometry::Repair { feature: 0, problems: vec![], repaired: false, area_before: 1.0, area_after: 0.0 });
    /// let (cw, _) = Crosswalk::of_prepared(&units, &TargetIndex::new(vec![square]), Method::Area, &Silent);
    /// assert_eq!(cw.units[0].cause(), Some(Unplaced::Rejected));
    /// ```
    pub fn of_prepared(units: &Prepared, index: &TargetIndex, method: Method, progress: &dyn Progress) -> (Self, usize) {
        let mut rejected = vec![false; units.geometries.len()];
        for u in units.rejected() {
            rejected[u] = true;
        }
        Self::build_known(&units.geometries, &rejected, index, method, progress)
    }

    /// The crosswalk, units flagged in `rejected` (by unit; shorter: none)
    /// left unmeasured as rejected.
    fn build_known(
        units: &[MultiPolygon<f64>],
        rejected: &[bool],
        index: &TargetIndex,
        method: Method,
        progress: &dyn Progress,
    ) -> (Self, usize) {
        progress.start("crosswalk", units.len() as u64);
        let overlays = AtomicUsize::new(0);
        let cells = if method == Method::Area { Cells::for_units(index, units) } else { Cells::none() };
        // Progress is told in steps of a few hundred units: a call per unit
        // (an atomic add in a progress bar) was 0.5% of a run of 100,000.
        const STEP: u64 = 256;
        let rows = units
            .par_iter()
            .enumerate()
            .map_init(
                || (Scratch::default(), 0),
                |(scratch, done), (i, u)| {
                    let row = match method {
                        _ if rejected.get(i) == Some(&true) => UnitWeights::unplaced(Unplaced::Rejected),
                        Method::Area => by_area(u, index, &cells, scratch, &overlays),
                        Method::Centroid => by_interior_point(u, index),
                    };
                    *done += 1;
                    if *done == STEP {
                        progress.inc(STEP);
                        *done = 0;
                    }
                    row
                },
            )
            .collect();
        progress.finish();
        (Crosswalk { method, units: rows }, overlays.into_inner())
    }

    /// Number of units shared between two or more targets.
    pub fn split_count(&self) -> usize {
        self.units.par_iter().filter(|u| u.is_split()).count()
    }

    /// Number of units with more than `share` of their weight outside their
    /// main target: splits that matter, as opposed to boundary slivers.
    pub fn split_count_beyond(&self, share: f64) -> usize {
        self.units
            .par_iter()
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
            .par_iter()
            .enumerate()
            .filter(|(_, u)| !u.is_outside() && 1.0 - u.covered > tolerance)
            .map(|(i, u)| (i, 1.0 - u.covered))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

/// A unit's area in the one target of a shared border left unmeasured is
/// its area less its areas in the others; below this fraction of the unit,
/// that difference is rounding, and the target gets no part.
pub const REST_TOLERANCE: f64 = 1e-9;

fn by_area(unit: &MultiPolygon<f64>, index: &TargetIndex, cells: &Cells, scratch: &mut Scratch, overlays: &AtomicUsize) -> UnitWeights {
    let Some(bbox) = geometry_bounds(unit) else { return UnitWeights::unplaced(Unplaced::NoGeometry) };
    // Most wards sit well inside one seat: the raster of cells no seat edge
    // enters answers for most of them at once.
    if let Some(t) = cells.whole(bbox) {
        return UnitWeights::whole(t);
    }
    // The candidates, and those whose boundary comes near the unit, in
    // buffers of the scratch, given back whichever way the unit is placed.
    let (mut candidates, mut bordering) = (std::mem::take(&mut scratch.candidates), std::mem::take(&mut scratch.bordering));
    index.candidates_into(bbox, &mut candidates);
    let row = by_area_among(unit, bbox, &candidates, &mut bordering, index, scratch, overlays);
    (scratch.candidates, scratch.bordering) = (candidates, bordering);
    row
}

fn by_area_among(
    unit: &MultiPolygon<f64>,
    bbox: Rect<f64>,
    candidates: &[usize],
    bordering: &mut Vec<usize>,
    index: &TargetIndex,
    scratch: &mut Scratch,
    overlays: &AtomicUsize,
) -> UnitWeights {
    // The exact test of what the raster answers: no edge of a seat near the
    // ward's box, and the ward's first vertex inside. That needs no further
    // preparation. The targets whose boundary comes near the unit are kept
    // for below.
    let first = unit.iter().find_map(|p| p.exterior().0.first().copied()).unwrap_or(bbox.min());
    bordering.clear();
    for &t in candidates {
        let target = &index.targets()[t];
        if !target.clear_of(bbox) {
            bordering.push(t);
        } else if target.contains(first) {
            return UnitWeights::whole(t);
        }
    }
    // Boundary integration needs interiors on the left of every ring.
    let unit: Cow<MultiPolygon<f64>> =
        if is_oriented(unit) { Cow::Borrowed(unit) } else { Cow::Owned(unit.orient(Direction::Default)) };
    let Some(shape) = Unit::with_bbox(&unit, bbox) else { return UnitWeights::unplaced(Unplaced::NoGeometry) };
    if shape.area <= 0.0 {
        // A unit without area cannot be shared by area: place it by a point.
        return by_interior_point(&unit, index);
    }
    // Where the boundaries near the unit are only borders between the
    // targets they belong to, one of these need not be measured: the unit
    // lies in their union, and its area in that one is the rest.
    let rest = if bordering.len() > 1 { shared_borders(index.targets(), bordering, bbox, scratch) } else { None };
    // Only those need measuring: a candidate whose boundary keeps clear of
    // the unit's box, and which does not hold its first vertex, holds none of it.
    let (mut pieces, mut crossed): (Vec<(usize, f64)>, bool) = (Vec::new(), false);
    for &t in bordering.iter() {
        if rest == Some(t) {
            continue;
        }
        let Some(area) = measure(&shape, &unit, &index.targets()[t], scratch, overlays) else { return UnitWeights::whole(t) };
        crossed |= scratch.crossed();
        if area > 0.0 {
            pieces.push((t, area));
        }
    }
    if let Some(t) = rest {
        // Only where the borders cross the unit is it known to lie in their
        // union. A rest within rounding of nothing (the sum's error is about
        // 1e-13 of the unit) is nothing: that target has no part of the unit.
        let area = if crossed {
            let rest = shape.area - pieces.iter().map(|p| p.1).sum::<f64>();
            if rest > REST_TOLERANCE * shape.area { rest } else { 0.0 }
        } else {
            let Some(area) = measure(&shape, &unit, &index.targets()[t], scratch, overlays) else { return UnitWeights::whole(t) };
            area
        };
        if area > 0.0 {
            pieces.push((t, area));
        }
    }
    pieces.sort_unstable_by_key(|p| p.0);
    let covered: f64 = pieces.iter().map(|p| p.1).sum();
    if covered <= 0.0 {
        return UnitWeights::unplaced(if index.within_extent(bbox) { Unplaced::Gap } else { Unplaced::Outside });
    }
    UnitWeights::placed(pieces.into_iter().map(|(t, a)| (t, a / covered)).collect(), covered / shape.area)
}

/// The area of `shape` inside `target` (m²); `None` when wholly inside
/// with no boundary near.
fn measure(shape: &Unit, unit: &MultiPolygon<f64>, target: &PreparedTarget, scratch: &mut Scratch, overlays: &AtomicUsize) -> Option<f64> {
    Some(match area_within(shape, target, scratch) {
        Overlap::Inside => return None,
        Overlap::Disjoint => 0.0,
        Overlap::Area(a) => a,
        Overlap::Unresolved => {
            overlays.fetch_add(1, Ordering::Relaxed);
            unit.intersection(&target.geometry).unsigned_area()
        }
    })
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

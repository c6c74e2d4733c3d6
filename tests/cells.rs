//! The index's shortcuts against the slow way round.
//! - The raster that places small nested units (`notional::geometry::cells::Cells`):
//!   whatever it places, it places in the target that wholly holds the unit
//!   (checked against the exact overlay), and it leaves alone units that
//!   cross a boundary, lie outside, or lie where targets overlap.
//! - The tree of chain boxes (`ChainTree`): a query yields what a scan of
//!   every chain would.
//! - Which targets units can reach (`notional::geometry::reach`): none that a unit's
//!   box meets is left out.

use crate::support::rect;
use geo::{Area, BooleanOps, BoundingRect, MultiPolygon};
use notional::crosswalk::{Crosswalk, Method};
use notional::geometry::cells::Cells;
use notional::geometry::index::TargetIndex;
use notional::progress::Silent;

/// The part of `unit` inside `target`, as a fraction of the unit.
fn share_inside(unit: &MultiPolygon<f64>, target: &MultiPolygon<f64>) -> f64 {
    unit.intersection(target).unsigned_area() / unit.unsigned_area()
}

#[test]
fn units_it_places_lie_wholly_in_that_target() {
    let targets = notional::synthetic::tessellation(40, 3);
    let units = notional::synthetic::tessellation(4000, 4);
    let index = TargetIndex::new(targets.clone());
    for size in [60.0, 250.0, 1000.0] {
        let cells = Cells::new(&index, size);
        let mut placed = 0;
        for u in &units {
            if let Some(t) = cells.whole(u.bounding_rect().unwrap()) {
                placed += 1;
                let share = share_inside(u, &targets[t]);
                if (share - 1.0).abs() >= 1e-6 {
                    let others: Vec<(usize, f64)> = targets.iter().enumerate().map(|(k, g)| (k, share_inside(u, g))).filter(|x| x.1 > 0.0).collect();
                    panic!("cell size {size}: unit {:?} placed in {t} share {share}, others {others:?}", u.bounding_rect());
                }
            }
        }
        // Cells a sixth of a unit wide place most units (those clear of every seat edge).
        if size == 250.0 {
            assert!(placed > 2000, "{placed}");
        }
    }
}

#[test]
fn crossing_outside_and_overlapping_units_are_left_to_the_exact_test() {
    // Two seats overlapping in x 80..100, a hole in the second, nothing beyond y 100.
    let mut with_hole = rect(80., 0., 200., 100.);
    with_hole.0[0].interiors_push(vec![(150., 40.), (170., 40.), (170., 60.), (150., 60.), (150., 40.)]);
    let index = TargetIndex::new(vec![rect(0., 0., 100., 100.), with_hole]);
    let cells = Cells::new(&index, 2.0);
    let q = |x0: f64, y0: f64, x1: f64, y1: f64| cells.whole(rect(x0, y0, x1, y1).bounding_rect().unwrap());
    assert_eq!(q(10., 10., 20., 20.), Some(0));
    assert_eq!(q(120., 10., 130., 20.), Some(1));
    assert_eq!(q(85., 10., 95., 20.), None, "in both seats");
    assert_eq!(q(155., 45., 165., 55.), None, "in the hole: outside every seat");
    assert_eq!(q(140., 45., 155., 55.), None, "across the hole's edge");
    assert_eq!(q(10., 95., 20., 105.), None, "across the outer edge");
    assert_eq!(q(10., 120., 20., 130.), None, "beyond the extent");
}

#[test]
fn a_crosswalk_with_the_raster_equals_one_without() {
    // 20,000 units in 40 seats: for_units builds the raster.
    let targets = notional::synthetic::tessellation(40, 5);
    let units = notional::synthetic::tessellation(20_000, 6);
    let index = TargetIndex::new(targets);
    let cells = Cells::for_units(&index, &units);
    let placed = units.iter().filter(|u| cells.whole(u.bounding_rect().unwrap()).is_some()).count();
    assert!(placed > 10_000, "{placed}");
    let with = Crosswalk::build(&units, &index, Method::Area, &Silent);
    // The same units a few at a time: under the threshold, so without the raster.
    let without: Vec<_> = units.chunks(1000).flat_map(|c| Crosswalk::build(c, &index, Method::Area, &Silent).units).collect();
    for (i, (a, b)) in with.units.iter().zip(&without).enumerate() {
        assert_eq!(a.weights, b.weights, "unit {i}");
        assert!((a.covered - b.covered).abs() < 1e-12, "unit {i}: {} {}", a.covered, b.covered);
    }
}

mod chain_tree {
    use geo::{coord, Intersects, Rect};
    use notional::geometry::ring::chains_of;
    use notional::geometry::chain_tree::ChainTree;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// A query yields exactly the chains whose boxes meet the query box, in ring order.
        #[test]
        fn queries_yield_the_chains_a_scan_would(
            steps in prop::collection::vec((-5i32..6, -5i32..6), 1..3000),
            q in (0i32..200, 0i32..200, 0i32..60, 0i32..60),
        ) {
            let mut ring = vec![coord! {x: 0.0, y: 0.0}];
            for (dx, dy) in steps {
                let last = *ring.last().unwrap();
                ring.push(coord! {x: last.x + f64::from(dx), y: last.y + f64::from(dy)});
            }
            ring.push(ring[0]);
            let mut chains = Vec::new();
            chains_of(&ring, 0, &mut chains);
            let tree = ChainTree::new(chains.clone());
            let rect = Rect::new(coord! {x: f64::from(q.0 - 100), y: f64::from(q.1 - 100)}, coord! {x: f64::from(q.0 - 100 + q.2), y: f64::from(q.1 - 100 + q.3)});
            let got: Vec<u32> = tree.query(rect).map(|c| c.start).collect();
            let want: Vec<u32> = chains.iter().filter(|c| c.rect.intersects(&rect)).map(|c| c.start).collect();
            prop_assert_eq!(got, want);
        }
    }
}

/// Which targets some unit can reach (`notional::geometry::reach`): never one that a
/// unit's box meets is left out, and those well clear of every unit are.
mod reach {
    use crate::support::rect;
    use geo::{BoundingRect, Intersects, Rect};
    use notional::geometry::reach::{unreached, GRID};
    use proptest::prelude::*;

    fn boxes() -> impl Strategy<Value = Vec<(f64, f64, f64, f64)>> {
        // Whole numbers, so that boxes often touch exactly along an edge.
        prop::collection::vec((0u32..1000, 0u32..600, 0u32..80, 0u32..80), 1..60)
            .prop_map(|v| v.into_iter().map(|(x, y, w, h)| (f64::from(x), f64::from(y), f64::from(w), f64::from(h))).collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn only_targets_no_unit_box_meets_are_left_out(units in boxes(), targets in boxes()) {
            let shapes = |b: &[(f64, f64, f64, f64)]| b.iter().map(|&(x, y, w, h)| rect(x, y, x + w.max(1.0), y + h.max(1.0))).collect::<Vec<_>>();
            let (units, targets) = (shapes(&units), shapes(&targets));
            let left_out = unreached(&units, &targets);
            let unit_boxes: Vec<Rect<f64>> = units.iter().map(|u| u.bounding_rect().unwrap()).collect();
            let extent = unit_boxes.iter().fold(unit_boxes[0], |a, b| notional::geometry::bbox::union(a, *b));
            let cell = extent.width().max(extent.height()) / GRID as f64;
            for (t, target) in targets.iter().enumerate() {
                let b = target.bounding_rect().unwrap();
                let met = unit_boxes.iter().any(|u| u.intersects(&b));
                let wide = Rect::new(b.min() - (2.0 * cell, 2.0 * cell).into(), b.max() + (2.0 * cell, 2.0 * cell).into());
                let near = unit_boxes.iter().any(|u| u.intersects(&wide));
                let out = left_out.contains(&t);
                prop_assert!(!(met && out), "target {t} {b:?} is met yet left out");
                prop_assert!(near || out, "target {t} {b:?} is far from every unit yet kept");
            }
        }

        /// The extent with far targets unprojected is the box around all
        /// their exact boxes, however loose their bounds.
        #[test]
        fn the_extent_is_the_same_without_projecting_far_targets(
            exact in boxes(),
            slack in prop::collection::vec((0u32..50, 0u32..50, 0u32..50, 0u32..50), 60),
            far_mask in prop::collection::vec(any::<bool>(), 60),
        ) {
            use notional::geometry::bbox::union;
            use notional::geometry::reach::extent;
            let exact: Vec<Rect<f64>> = exact.iter().map(|&(x, y, w, h)| rect(x, y, x + w, y + h).bounding_rect().unwrap()).collect();
            let far: Vec<usize> = (0..exact.len()).filter(|&t| far_mask[t]).collect();
            let bounds: Vec<Option<Rect<f64>>> = exact.iter().zip(&slack).map(|(b, &(l, d, r, u))| {
                Some(Rect::new(b.min() - (f64::from(l), f64::from(d)).into(), b.max() + (f64::from(r), f64::from(u)).into()))
            }).collect();
            let projected = (0..exact.len()).filter(|t| !far.contains(t)).map(|t| exact[t]).reduce(union);
            let mut asked = 0;
            let got = extent(projected, &far, &bounds, |t| { asked += 1; Ok::<_, ()>(Some(exact[t])) }).unwrap();
            prop_assert_eq!(got, exact.iter().copied().reduce(union));
            prop_assert!(asked <= far.len());
        }
    }
}

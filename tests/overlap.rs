//! Property tests: the boundary-integration area of a unit inside a target
//! ([`notional::geometry::overlap`]) equals the area of geo's exact overlay, on random
//! star-shaped polygons and on grid-aligned shapes full of shared edges,
//! touching vertices and holes (the degenerate cases of real boundary files).

use crate::support::{rect, rect_with_hole};
use geo::orient::{Direction, Orient};
use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon, Validation};
use notional::geometry::index::PreparedTarget;
use notional::geometry::overlap::{area_within, Overlap, Scratch, Unit};
use proptest::prelude::*;

/// A star-shaped polygon around (cx, cy), vertices rounded to `grid`.
fn star(cx: f64, cy: f64, radii: &[f64], grid: f64) -> MultiPolygon<f64> {
    let n = radii.len();
    let pts: Vec<Coord<f64>> = radii
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            Coord { x: ((cx + r * a.cos()) / grid).round() * grid, y: ((cy + r * a.sin()) / grid).round() * grid }
        })
        .collect();
    MultiPolygon::new(vec![Polygon::new(LineString::new(pts), vec![])]).orient(Direction::Default)
}

/// Compares the two ways of measuring; returns whether an overlay was needed.
fn agree(unit: &MultiPolygon<f64>, target: &MultiPolygon<f64>) -> Result<bool, TestCaseError> {
    let exact = unit.intersection(target).unsigned_area();
    let prepared = PreparedTarget::new(target.clone());
    let unit = &unit.orient(Direction::Default); // as the crosswalk does
    let shape = Unit::new(unit).unwrap();
    let (got, unresolved) = match area_within(&shape, &prepared, &mut Scratch::default()) {
        Overlap::Inside => (shape.area, false),
        Overlap::Disjoint => (0.0, false),
        Overlap::Area(a) => (a, false),
        Overlap::Unresolved => return Ok(true),
    };
    let tol = 1e-7 * shape.area.max(1.0); // i_overlay snaps to a grid: its areas carry ~1e-8 relative error
    prop_assert!((got - exact).abs() <= tol, "boundary integration {got} vs overlay {exact} ({unit:?} in {target:?})");
    Ok(unresolved)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn star_polygons_agree_with_the_overlay(
        a in prop::collection::vec(2.0f64..12.0, 3..24),
        b in prop::collection::vec(2.0f64..12.0, 3..24),
        shift in (-10.0f64..10.0, -10.0f64..10.0),
        grid in prop::sample::select(vec![1.0, 0.5, 1e-3]),
    ) {
        let unit = star(0.0, 0.0, &a, grid);
        let target = star(shift.0, shift.1, &b, grid);
        prop_assume!(unit.is_valid() && target.is_valid() && unit.unsigned_area() > 0.0 && target.unsigned_area() > 0.0);
        prop_assert!(!agree(&unit, &target)?, "an overlay was needed");
        prop_assert!(!agree(&target, &unit)?, "an overlay was needed");
    }

    #[test]
    fn grid_shapes_with_shared_edges_agree_with_the_overlay(
        u in (0u8..5, 0u8..5, 1u8..5, 1u8..5),
        t in (0u8..5, 0u8..5, 1u8..6, 1u8..6),
        hole in prop::option::of((0u8..3, 0u8..3, 1u8..3, 1u8..3)),
        notch in prop::option::of((0u8..6, 0u8..6)),
    ) {
        let f = |v: u8| v as f64;
        let unit = rect(f(u.0), f(u.1), f(u.0 + u.2), f(u.1 + u.3));
        let outer = [f(t.0), f(t.1), f(t.0 + t.2), f(t.1 + t.3)];
        let mut target = match hole {
            Some(h) if h.0 + h.2 < t.2 && h.1 + h.3 < t.3 && h.0 > 0 && h.1 > 0 => rect_with_hole(
                outer,
                [f(t.0 + h.0), f(t.1 + h.1), f(t.0 + h.0 + h.2), f(t.1 + h.1 + h.3)],
            ),
            _ => rect(outer[0], outer[1], outer[2], outer[3]),
        };
        if let Some((x, y)) = notch {
            // Cut a unit square out: L-shapes and touching corners.
            target = target.difference(&rect(f(x), f(y), f(x) + 1.0, f(y) + 1.0));
        }
        prop_assume!(target.unsigned_area() > 0.0 && target.is_valid());
        prop_assert!(!agree(&unit, &target)?, "an overlay was needed");
        prop_assert!(!agree(&target, &unit)?, "an overlay was needed");
    }
}

#[test]
fn identical_and_opposite_shared_edges() {
    let a = rect(0.0, 0.0, 4.0, 4.0);
    // The same square: shared edges in the same direction count once.
    assert!(!agree(&a, &a).unwrap());
    // Neighbours sharing one edge (opposite directions): no area in common.
    assert!(!agree(&a, &rect(4.0, 0.0, 8.0, 4.0)).unwrap());
    // A target hole exactly the unit: nothing in common.
    let holed = rect_with_hole([-2.0, -2.0, 6.0, 6.0], [0.0, 0.0, 4.0, 4.0]);
    assert!(!agree(&a, &holed).unwrap());
}

#[test]
fn negative_zero_coordinates_are_inside() {
    // A spike tip at y = 0 and a unit edge along y = -0.0: geo's interval tree
    // orders -0.0 before 0.0, which once put this piece outside.
    let a = [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 10.729, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0];
    let b = [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 4.5924, 3.7576, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0];
    let (unit, target) = (star(0.0, 0.0, &a, 1.0), star(-7.444, 2.888, &b, 1.0));
    assert!(!agree(&unit, &target).unwrap());
    assert!(!agree(&target, &unit).unwrap());
}

/// The crosswalk measures a unit against all but one of the targets whose
/// shared borders alone come near it (`notional::geometry::overlap::shared_borders`)
/// and gives that one the rest: on random tessellations, with a target taken
/// out (a gap: its neighbours' borders there are no longer shared) and the
/// targets' outer edge (a coast), every weight and covered share equals the
/// one from exact overlays.
mod borders {
    use geo::{Area, BooleanOps, MapCoords, MultiPolygon};
    use notional::crosswalk::{Crosswalk, Method};
    use notional::geometry::index::TargetIndex;
    use notional::progress::Silent;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn weights_equal_the_overlays_where_borders_are_shared(
            seeds in (0u64..1000, 0u64..1000),
            targets in 4usize..30,
            gap in any::<prop::sample::Index>(),
            shift in (-3000.0f64..3000.0, -3000.0f64..3000.0),
        ) {
            let units = notional::synthetic::tessellation(300, seeds.0);
            let mut seats: Vec<MultiPolygon<f64>> = notional::synthetic::tessellation(targets, seeds.1 + 1000)
                .into_iter()
                .map(|s| s.map_coords(|c| geo::coord! {x: c.x + shift.0, y: c.y + shift.1}))
                .collect();
            seats[gap.index(targets)] = MultiPolygon::new(vec![]);
            let cw = Crosswalk::build(&units, &TargetIndex::new(seats.clone()), Method::Area, &Silent);
            for (u, unit) in units.iter().enumerate() {
                let areas: Vec<f64> = seats.iter().map(|s| unit.intersection(s).unsigned_area()).collect();
                let covered: f64 = areas.iter().sum();
                let row = &cw.units[u];
                let tol = 1e-6;
                prop_assert!((row.covered - covered / unit.unsigned_area()).abs() < tol, "unit {}: covered {} vs {}", u, row.covered, covered / unit.unsigned_area());
                for (t, a) in areas.iter().enumerate() {
                    let want = if covered > 0.0 { a / covered } else { 0.0 };
                    let got = row.weights.iter().find(|w| w.0 == t).map_or(0.0, |w| w.1);
                    prop_assert!((got - want).abs() < tol, "unit {} target {}: weight {} vs {}", u, t, got, want);
                }
            }
        }
    }
}

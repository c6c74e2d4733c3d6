//! The validity check behind the repair step (edges filed on a uniform grid)
//! against a brute-force test of every pair of segments, on random rings
//! drawn on a small integer grid (so that shared vertices, collinear overlaps
//! and proper crossings are all common).

use geo::line_intersection::{line_intersection, LineIntersection};
use geo::{Contains, Coord, Line, LineString, MultiPolygon, Polygon};
use notional::geometry::repair::repair_all;
use proptest::prelude::*;

/// A closed ring from grid points, with repeated neighbours removed; `None`
/// when fewer than three distinct points remain.
fn ring(points: &[(i8, i8)]) -> Option<LineString<f64>> {
    let mut c: Vec<Coord<f64>> = Vec::new();
    for &(x, y) in points {
        let p = Coord { x: f64::from(x), y: f64::from(y) };
        if c.last() != Some(&p) {
            c.push(p);
        }
    }
    while c.len() > 1 && c.first() == c.last() {
        c.pop();
    }
    let distinct = c.iter().enumerate().filter(|(i, p)| !c[..*i].contains(p)).count();
    (distinct >= 3).then(|| {
        c.push(c[0]);
        LineString(c)
    })
}

/// Every pair of segments, with the rule the check documents: segments that
/// follow each other, or touch only at a vertex of both, do not cross.
fn brute_force_crossing(rings: &[&LineString<f64>]) -> bool {
    let segments: Vec<Line<f64>> = rings.iter().flat_map(|r| r.lines()).collect();
    segments.iter().enumerate().any(|(i, &l)| {
        segments[i + 1..].iter().any(|&m| {
            if m == l || l.start == m.end || l.end == m.start {
                return false;
            }
            match line_intersection(l, m) {
                None => false,
                Some(LineIntersection::SinglePoint { intersection: p, is_proper: false }) => {
                    !((p == l.start || p == l.end) && (p == m.start || p == m.end))
                }
                Some(_) => true,
            }
        })
    })
}

fn points() -> impl Strategy<Value = Vec<(i8, i8)>> {
    prop::collection::vec((0i8..6, 0i8..6), 3..12)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn one_ring_is_flagged_exactly_when_two_of_its_segments_cross(p in points()) {
        let Some(r) = ring(&p) else { return Ok(()) };
        let expected = brute_force_crossing(&[&r]);
        let mut g = vec![MultiPolygon::new(vec![Polygon::new(r, vec![])])];
        let found = !repair_all(&mut g).is_empty();
        prop_assert_eq!(found, expected);
    }

    #[test]
    fn two_parts_are_flagged_when_they_cross_or_nest(a in points(), b in points()) {
        let (Some(ra), Some(rb)) = (ring(&a), ring(&b)) else { return Ok(()) };
        let crossing = brute_force_crossing(&[&ra, &rb]);
        let (pa, pb) = (Polygon::new(ra, vec![]), Polygon::new(rb, vec![]));
        let nested = pb.contains(&pa.exterior().0[0]) || pa.contains(&pb.exterior().0[0]);
        let mut g = vec![MultiPolygon::new(vec![pa, pb])];
        let found = !repair_all(&mut g).is_empty();
        if crossing {
            prop_assert!(found);
        } else {
            prop_assert_eq!(found, nested);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn a_hole_is_flagged_when_it_crosses_or_leaves_its_exterior(a in points(), b in points()) {
        let (Some(outer), Some(hole)) = (ring(&a), ring(&b)) else { return Ok(()) };
        let crossing = brute_force_crossing(&[&outer, &hole]);
        let inside = Polygon::new(outer.clone(), vec![]).contains(&hole.0[0]);
        let mut g = vec![MultiPolygon::new(vec![Polygon::new(outer, vec![hole])])];
        let found = !repair_all(&mut g).is_empty();
        if crossing {
            prop_assert!(found);
        } else {
            prop_assert_eq!(found, !inside);
        }
    }
}

#[test]
fn a_long_ring_reaching_back_across_itself_is_flagged() {
    // A comb: one long rising run, and a ring of teeth whose last tooth
    // reaches back across the run's middle.
    let mut pts: Vec<(f64, f64)> = (0..=200).map(|i| (f64::from(i), f64::from(i) * 0.5)).collect();
    pts.extend([(200.0, 0.0), (120.0, 0.0), (100.0, 60.0), (90.0, 0.0), (0.0, -1.0)]);
    let mut g = vec![MultiPolygon::new(vec![Polygon::new(LineString::from(pts), vec![])])];
    let repairs = repair_all(&mut g);
    assert_eq!(repairs.len(), 1);
    assert!(repairs[0].problems[0].contains("crosses itself"), "{:?}", repairs[0].problems);
}

#[test]
fn a_part_reaching_into_another_through_shared_corners_is_flagged() {
    // B starts inside the square A and leaves and re-enters it only through
    // two of A's corners (vertices of both): no edges cross, but B's box is
    // not within A's.
    let a = Polygon::new(LineString::from(vec![(0., 0.), (4., 0.), (4., 4.), (0., 4.), (0., 0.)]), vec![]);
    let b = Polygon::new(LineString::from(vec![(2., 2.), (0., 0.), (-1., 2.), (0., 4.), (2., 2.)]), vec![]);
    let mut g = vec![MultiPolygon::new(vec![a, b])];
    let repairs = repair_all(&mut g);
    assert_eq!(repairs.len(), 1);
    assert!(repairs[0].problems[0].contains("polygon 1 lies (at least partly) inside polygon 0"), "{:?}", repairs[0].problems);
}

#[test]
fn a_part_repeated_in_a_multipolygon_is_repaired_and_said() {
    let square = |x0: f64| Polygon::new(LineString::from(vec![(x0, 0.), (x0 + 10., 0.), (x0 + 10., 10.), (x0, 10.), (x0, 0.)]), vec![]);
    // The same square twice, the second from another starting vertex: its
    // area was counted twice.
    let shifted = Polygon::new(LineString::from(vec![(10., 0.), (10., 10.), (0., 10.), (0., 0.), (10., 0.)]), vec![]);
    let mut geoms = vec![MultiPolygon::new(vec![square(0.), shifted]), MultiPolygon::new(vec![square(0.), square(20.)])];
    let repairs = repair_all(&mut geoms);
    assert_eq!(repairs.len(), 1, "{repairs:?}");
    assert_eq!((repairs[0].feature, repairs[0].problems[0].as_str()), (0, "polygon 1 repeats polygon 0"));
    assert!((repairs[0].area_before - 200.0).abs() < 1e-9 && (repairs[0].area_after - 100.0).abs() < 1e-9, "{repairs:?}");
}

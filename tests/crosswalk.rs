//! How single units are shared between targets. Coordinates are BNG metres
//! unless the test says otherwise.

use crate::support::*;
use geo::{polygon, MultiPolygon};
use notional::geometry::project::Projector;

fn approx(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn nested_unit_goes_whole() {
    let t = targets(&[rect(0., 0., 1000., 1000.), rect(1000., 0., 2000., 1000.)]);
    let out = run(&units(&[rect(100., 100., 400., 400.)], &[77]), &t);
    assert_eq!(weights(&out, 0), vec![("S0".to_string(), 1.0)]);
    assert_eq!(out.results.seat("S0").unwrap().votes, vec![77]);
    assert!(out.results.seat("S1").is_none(), "a target that received nothing has no row");
    assert_eq!(out.crosswalk.split_count(), 0);
}

#[test]
fn unit_split_fifty_fifty() {
    let t = targets(&[rect(0., 0., 1000., 1000.), rect(1000., 0., 2000., 1000.)]);
    let out = run(&units(&[rect(500., 0., 1500., 1000.)], &[1001]), &t);
    let w = weights(&out, 0);
    assert_eq!(w.len(), 2);
    assert!(approx(w[0].1, 0.5, 1e-9) && approx(w[1].1, 0.5, 1e-9), "{w:?}");
    let (a, b) = (out.results.seat("S0").unwrap().total, out.results.seat("S1").unwrap().total);
    assert_eq!(a + b, 1001);
    assert!(a.abs_diff(b) <= 1);
    assert_eq!(out.crosswalk.split_count(), 1);
}

#[test]
fn unit_partly_outside_is_renormalised_and_reported() {
    // 25% of the unit hangs off the edge of the only target.
    let t = targets(&[rect(0., 0., 1000., 1000.)]);
    let out = run(&units(&[rect(750., 0., 1750., 1000.)], &[400]), &t);
    let w = weights(&out, 0);
    assert_eq!(w, vec![("S0".to_string(), 1.0)]);
    assert!(approx(out.crosswalk.units[0].covered, 0.25, 1e-9));
    let s = out.summary();
    assert_eq!((s.allocated, s.unallocated), (400, 0));
    assert_eq!(s.partly_outside.len(), 1);
    assert_eq!(s.partly_outside[0].0, "W0");
    assert!(approx(s.partly_outside[0].1, 0.75, 1e-9));
    assert!(s.to_string().contains("W0 75.0%"), "{s}");
}

#[test]
fn unit_wholly_outside_keeps_votes_unallocated() {
    let t = targets(&[rect(0., 0., 1000., 1000.)]);
    let out = run(&units(&[rect(100., 100., 200., 200.), rect(5000., 5000., 6000., 6000.)], &[10, 33]), &t);
    assert!(out.crosswalk.units[1].is_outside());
    let s = out.summary();
    assert_eq!((s.votes_in, s.allocated, s.unallocated), (43, 10, 33));
    assert_eq!(s.unplaced, vec![("W1".to_string(), 33, notional::crosswalk::Unplaced::Outside)]);
    assert!(s.to_string().contains("W1 (33 votes, outside)"), "{s}");
}

#[test]
fn unit_in_bounding_box_but_outside_goes_nowhere() {
    // An L-shaped target whose box holds the unit, but not its area.
    let l = MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 1000., y: 0.), (x: 1000., y: 100.), (x: 100., y: 100.), (x: 100., y: 1000.), (x: 0., y: 1000.)]]);
    let out = run(&units(&[rect(500., 500., 600., 600.)], &[5]), &targets(&[l]));
    assert!(out.crosswalk.units[0].is_outside());
    assert_eq!(out.summary().unallocated, 5);
}

#[test]
fn multipolygon_unit_is_shared_by_area_of_its_parts() {
    // Two parts: 100×100 in S0 and 100×300 in S1 → 25% / 75%.
    let mut parts = rect(100., 100., 200., 200.);
    parts.0.extend(rect(1100., 100., 1200., 400.).0);
    let t = targets(&[rect(0., 0., 1000., 1000.), rect(1000., 0., 2000., 1000.)]);
    let out = run(&units(&[parts], &[100]), &t);
    let w = weights(&out, 0);
    assert!(approx(w[0].1, 0.25, 1e-9) && approx(w[1].1, 0.75, 1e-9), "{w:?}");
    assert_eq!(out.results.seat("S0").unwrap().total, 25);
    assert_eq!(out.results.seat("S1").unwrap().total, 75);
}

#[test]
fn multipolygon_unit_with_parts_in_one_target_goes_whole() {
    let mut parts = rect(100., 100., 200., 200.);
    parts.0.extend(rect(500., 500., 600., 900.).0);
    let t = targets(&[rect(0., 0., 1000., 1000.), rect(1000., 0., 2000., 1000.)]);
    let out = run(&units(&[parts], &[9]), &t);
    assert_eq!(weights(&out, 0), vec![("S0".to_string(), 1.0)]);
}

#[test]
fn hole_in_unit_is_not_counted_as_area() {
    // Unit 0..2000 × 0..1000 with an 800 × 800 hole in the left half:
    // left part area 1e6 − 6.4e5 = 3.6e5, right part 1e6 → weights 3.6/13.6, 10/13.6.
    let unit = rect_with_hole([0., 0., 2000., 1000.], [100., 100., 900., 900.]);
    let t = targets(&[rect(0., 0., 1000., 1000.), rect(1000., 0., 2000., 1000.)]);
    let out = run(&units(&[unit], &[600]), &t);
    let w = weights(&out, 0);
    assert!(approx(w[0].1, 3.6 / 13.6, 1e-9) && approx(w[1].1, 10.0 / 13.6, 1e-9), "{w:?}");
    assert_eq!(out.results.seat("S0").unwrap().total, 159); // 600 × 0.2647 = 158.8
}

#[test]
fn hole_in_target_is_not_covered() {
    // The unit sits in the target's hole: wholly outside the target.
    let target = rect_with_hole([0., 0., 1000., 1000.], [200., 200., 800., 800.]);
    let out = run(&units(&[rect(300., 300., 400., 400.), rect(100., 100., 900., 900.)], &[7, 64]), &targets(&[target]));
    assert!(out.crosswalk.units[0].is_outside(), "unit in the hole");
    // The second unit surrounds the hole: 6.4e5 − 3.6e5 = 2.8e5 of 6.4e5 covered.
    assert!(approx(out.crosswalk.units[1].covered, 2.8 / 6.4, 1e-9));
    assert_eq!(out.summary().unallocated, 7);
}

#[test]
fn lonlat_input_gives_the_same_weights_as_bng() {
    // Shapes drawn in BNG around Kensington, converted to lon/lat.
    let p = Projector::new();
    let (x, y) = (525_000.0, 179_000.0);
    let t_bng = [rect(x, y, x + 2000., y + 3000.), rect(x + 2000., y, x + 4000., y + 3000.)];
    let u_bng = [rect(x + 1500., y + 500., x + 2700., y + 1500.), rect(x + 100., y + 100., x + 900., y + 900.)];
    let to_ll = |g: &MultiPolygon<f64>| p.to_wgs84(g).unwrap();
    let t_ll: Vec<_> = t_bng.iter().map(to_ll).collect();
    let u_ll: Vec<_> = u_bng.iter().map(to_ll).collect();

    let bng = run(&units(&u_bng, &[100, 50]), &targets(&t_bng));
    let ll = run(&without_crs(&units(&u_ll, &[100, 50])), &without_crs(&targets(&t_ll)));
    assert_eq!(ll.units_crs.crs, notional::geometry::crs::Crs::Wgs84);
    assert_eq!(bng.units_crs.crs, notional::geometry::crs::Crs::Bng);
    for u in 0..2 {
        let (a, b) = (weights(&bng, u), weights(&ll, u));
        assert_eq!(a.len(), b.len());
        for ((ta, wa), (tb, wb)) in a.iter().zip(&b) {
            assert_eq!(ta, tb);
            assert!(approx(*wa, *wb, 1e-6), "unit {u}: {wa} vs {wb}");
        }
    }
    // 700 of 1200 m inside S1.
    assert!(approx(weights(&ll, 0)[1].1, 700.0 / 1200.0, 1e-6));
}

#[test]
fn centroid_method_sends_units_whole() {
    use notional::apportion::{apportion, Options};
    use notional::crosswalk::Method;
    use notional::read::Input;
    let t = targets(&[rect(0., 0., 1000., 1000.), rect(1000., 0., 2000., 1000.)]);
    let u = units(&[rect(600., 0., 1500., 1000.)], &[10]); // centre at x=1050
    let options = Options { method: Method::Centroid, ..Options::default() };
    let out = apportion(&Input::from_text("u", u), &Input::from_text("t", t), None, &options, &notional::progress::Silent).unwrap();
    assert_eq!(weights(&out, 0), vec![("S1".to_string(), 1.0)]);
}

#[test]
fn unplaced_units_carry_their_cause() {
    use notional::crosswalk::Unplaced;
    // Two targets with a gap between them; one unit in the gap, one far away,
    // one whose only ring collapses (no geometry).
    let t = targets(&[rect(0., 0., 1000., 1000.), rect(2000., 0., 3000., 1000.)]);
    let collapsed = MultiPolygon::new(vec![polygon![(x: 10., y: 10.), (x: 20., y: 20.), (x: 10., y: 10.)]]);
    let out = run(&units(&[rect(1200., 100., 1800., 900.), rect(9000., 9000., 9100., 9100.), collapsed], &[5, 6, 7]), &t);
    let causes: Vec<_> = out.crosswalk.units.iter().map(|u| u.unplaced).collect();
    assert_eq!(causes, vec![Some(Unplaced::Gap), Some(Unplaced::Outside), Some(Unplaced::NoGeometry)]);
    let s = out.summary();
    assert_eq!(s.unallocated_by_cause, vec![(Unplaced::NoGeometry, 7), (Unplaced::Gap, 5), (Unplaced::Outside, 6)]);
    assert!(s.to_string().contains("ledger:       in 18 = allocated 0 + unallocated 18 (no geometry 7, gap 5, outside 6; ledger.csv)"), "{s}");
}

#[test]
fn a_unit_in_a_hole_by_a_shared_border_is_in_the_gap() {
    // Seats A and B share a diagonal border whose box covers the unit's, but
    // the border passes by: the unit lies in a hole of A. The border's edges
    // are the only ones near (the hole's edges stay clear of the unit's box),
    // and they are shared, yet the border does not cross the unit, so it is
    // not in A ∪ B: measured, it is in the gap (not given A's share by difference).
    use notional::crosswalk::Unplaced;
    let (x, y) = (400_000.0, 200_000.0);
    let a = MultiPolygon::new(vec![geo::Polygon::new(
        geo::LineString::from(vec![(x, y), (x + 10_000., y), (x, y + 10_000.), (x, y)]),
        vec![geo::LineString::from(vec![(x + 2000., y + 2000.), (x + 2000., y + 4000.), (x + 4000., y + 4000.), (x + 4000., y + 2000.), (x + 2000., y + 2000.)])],
    )]);
    let b = MultiPolygon::new(vec![polygon![(x: x + 10_000., y: y), (x: x + 10_000., y: y + 10_000.), (x: x, y: y + 10_000.)]]);
    let out = run(&units(&[rect(x + 2500., y + 2500., x + 3500., y + 3500.), rect(x + 4500., y + 4500., x + 5500., y + 5500.)], &[10, 20]), &targets(&[a, b]));
    assert_eq!(out.crosswalk.units[0].unplaced, Some(Unplaced::Gap));
    // Across the border, the same two seats: measured against one, the rest to the other.
    let w = weights(&out, 1);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(approx(w[0].1, 0.5, 1e-9) && approx(w[1].1, 0.5, 1e-9), "{w:?}");
}

//! The fast WGS84 → BNG transform ([`BngGrid`]) against the exact one
//! (proj4rs): position error, areas, fallbacks. The last test is part of the
//! real-data suite (ignored by default).

use geo::{Area, Coord, CoordsIter, LineString, MultiPolygon, Polygon, Rect};
use notional::geometry::project::{layer_to_bng, BngGrid, Projector, GRID_REGION, GRID_STEP};
use notional::geometry::crs::Crs;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;

/// Great Britain and Northern Ireland with a margin (the 2024 seats span
/// about 8.7°W–1.8°E, 49.8°N–60.9°N).
const UK: (f64, f64, f64, f64) = (-8.7, 49.8, 1.8, 60.9);

/// The largest position error (metres) over `points`, and where.
fn max_error(p: &Projector, grid: &BngGrid, points: impl IntoIterator<Item = (f64, f64)>) -> (f64, (f64, f64)) {
    let mut worst = (0.0, (f64::NAN, f64::NAN));
    for (lon, lat) in points {
        let fast = grid.get(lon, lat).unwrap_or_else(|| panic!("({lon}, {lat}) is in the grid"));
        let exact = p.point_to_bng_exact(lon, lat).unwrap();
        let d = (fast.x - exact.x).hypot(fast.y - exact.y);
        if d > worst.0 {
            worst = (d, (lon, lat));
        }
    }
    worst
}

fn random_points(region: (f64, f64, f64, f64), n: usize, seed: u64) -> Vec<(f64, f64)> {
    let mut rng = Pcg64::seed_from_u64(seed);
    (0..n).map(|_| (rng.random_range(region.0..region.2), rng.random_range(region.1..region.3))).collect()
}

/// [`BngGrid::bound`] holds the grid's image of every point of its box (the
/// corners, points along the edges and inside), over the whole grid, for
/// boxes from a millionth of a degree to several degrees; it is not much
/// wider than the image; and it is `None` for a box the grid does not cover.
#[test]
fn bound_holds_every_point_of_its_box() {
    let grid = BngGrid::new(&Projector::new()).unwrap();
    let (w, s, e, n) = GRID_REGION;
    let mut rng = Pcg64::seed_from_u64(7);
    let mut widest: f64 = 0.0;
    for k in 0..3000 {
        let size = 10f64.powf(rng.random_range(-6.0..0.7));
        let (dx, dy) = (size * rng.random_range(0.2..1.0), size * rng.random_range(0.2..1.0));
        let (x0, y0) = (rng.random_range(w..e - dx), rng.random_range(s..n - dy));
        let lonlat = Rect::new(Coord { x: x0, y: y0 }, Coord { x: x0 + dx, y: y0 + dy });
        let Some(b) = grid.bound(lonlat) else { panic!("box {k} {lonlat:?} lies in the grid") };
        let mut image: Option<Rect<f64>> = None;
        let mut points: Vec<(f64, f64)> = vec![(x0, y0), (x0 + dx, y0), (x0, y0 + dy), (x0 + dx, y0 + dy)];
        for _ in 0..40 {
            let (fx, fy) = (rng.random_range(0.0..=1.0), rng.random_range(0.0..=1.0));
            points.extend([(x0 + fx * dx, y0 + fy * dy), (x0 + fx * dx, y0), (x0 + fx * dx, y0 + dy), (x0, y0 + fy * dy), (x0 + dx, y0 + fy * dy)]);
        }
        for (lon, lat) in points {
            let p = grid.get(lon, lat).unwrap();
            assert!(b.min().x <= p.x && p.x <= b.max().x && b.min().y <= p.y && p.y <= b.max().y, "box {k} {lonlat:?}: ({lon}, {lat}) → {p:?} outside {b:?}");
            let r = Rect::new(p, p);
            image = Some(image.map_or(r, |i| notional::geometry::bbox::union(i, r)));
        }
        let image = image.unwrap();
        // Squarish boxes of a constituency's size or more: the convergence
        // term (up to 8° west of the central meridian) weighs more on thin ones.
        if size > 0.01 && dx / dy > 0.7 && dy / dx > 0.7 {
            widest = widest.max(b.width() / image.width()).max(b.height() / image.height());
        }
    }
    assert!(widest < 1.25, "bounds up to {widest:.2} times the image");
    let across = |x0: f64, y0: f64, x1: f64, y1: f64| grid.bound(Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 }));
    assert_eq!(across(e - 0.1, 55.0, e + 0.1, 55.1), None, "past the east edge");
    assert_eq!(across(-3.0, s - 0.01, -2.9, s + 0.1), None, "past the south edge");
    assert_eq!(across(-3.0, 55.0, f64::NAN, 55.1), None);
}

#[test]
fn random_points_within_a_millimetre() {
    let p = Projector::new();
    let grid = p.grid().expect("grid builds");
    let estimate = grid.error_estimate();
    assert!(estimate < 1e-4, "estimate {estimate}");
    let (uk, at) = max_error(&p, grid, random_points(UK, 40_000, 1));
    assert!(uk <= 1e-3 && uk <= estimate, "UK: {uk} m at {at:?} (estimate {estimate})");
    // The whole grid, up to its far corners.
    let (east, north) = (GRID_REGION.2 - 1e-9, GRID_REGION.3 - 1e-9);
    let (all, at) = max_error(&p, grid, random_points((GRID_REGION.0, GRID_REGION.1, east, north), 40_000, 2));
    assert!(all <= 1e-3 && all <= estimate, "region: {all} m at {at:?} (estimate {estimate})");
    eprintln!("max error: UK {uk:.3e} m, whole grid {all:.3e} m, estimate {estimate:.3e} m");
}

#[test]
fn every_cell_centre_and_edge_midpoint_within_the_estimate() {
    // The interpolation error of a quartic-like remainder peaks mid-cell and mid-edge.
    let p = Projector::new();
    let grid = p.grid().unwrap();
    let (nx, ny) = (((GRID_REGION.2 - GRID_REGION.0) / GRID_STEP) as usize, ((GRID_REGION.3 - GRID_REGION.1) / GRID_STEP) as usize);
    let mut points = Vec::new();
    for j in 0..ny {
        for i in 0..nx {
            let (lon, lat) = (GRID_REGION.0 + i as f64 * GRID_STEP, GRID_REGION.1 + j as f64 * GRID_STEP);
            let h = GRID_STEP / 2.0;
            points.extend([(lon + h, lat + h), (lon + h, lat), (lon, lat + h)]);
        }
    }
    let (worst, at) = max_error(&p, grid, points);
    assert!(worst <= grid.error_estimate() && worst <= 1e-3, "{worst} m at {at:?}");
}

#[test]
fn nodes_edges_and_corners_match_and_join() {
    let p = Projector::new();
    let grid = p.grid().unwrap();
    let mut rng = Pcg64::seed_from_u64(3);
    let mut points = Vec::new();
    for _ in 0..2_000 {
        // A node inside the UK, and points just beside it on every side.
        let i = rng.random_range(((UK.0 - GRID_REGION.0) / GRID_STEP) as i32..((UK.2 - GRID_REGION.0) / GRID_STEP) as i32);
        let j = rng.random_range(((UK.1 - GRID_REGION.1) / GRID_STEP) as i32..((UK.3 - GRID_REGION.1) / GRID_STEP) as i32);
        let (lon, lat) = (GRID_REGION.0 + f64::from(i) * GRID_STEP, GRID_REGION.1 + f64::from(j) * GRID_STEP);
        let along = rng.random_range(0.0..GRID_STEP);
        for e in [0.0, 1e-12, 1e-9, 1e-6] {
            for (dx, dy) in [(e, e), (-e, e), (e, -e), (-e, -e)] {
                points.push((lon + dx, lat + dy)); // by the corner
                points.push((lon + dx, lat + along)); // by a vertical edge
                points.push((lon + along, lat + dy)); // by a horizontal edge
            }
        }
        // At a node the patch reproduces the exact value (up to rounding).
        let (fast, exact) = (grid.get(lon, lat).unwrap(), p.point_to_bng_exact(lon, lat).unwrap());
        assert!((fast.x - exact.x).hypot(fast.y - exact.y) < 1e-8, "node ({lon}, {lat})");
        // Neighbouring patches agree across an edge: no seams.
        let eps = 1e-11;
        let (l, r) = (grid.get(lon - eps, lat + along).unwrap(), grid.get(lon + eps, lat + along).unwrap());
        let (b, t) = (grid.get(lon + along, lat - eps).unwrap(), grid.get(lon + along, lat + eps).unwrap());
        assert!((l.x - r.x).hypot(l.y - r.y) < 1e-5 && (b.x - t.x).hypot(b.y - t.y) < 1e-5, "seam at ({lon}, {lat})");
    }
    let (worst, at) = max_error(&p, grid, points);
    assert!(worst <= 1e-3 && worst <= grid.error_estimate(), "{worst} m at {at:?}");
}

#[test]
fn error_falls_as_the_fourth_power_of_the_step() {
    let p = Projector::new();
    let region = (-8.0, 50.0, 2.0, 58.0);
    let pts = random_points((-7.9, 50.1, 1.9, 57.9), 5_000, 4);
    let errs: Vec<f64> = [1.0, 0.5].iter().map(|&h| max_error(&p, &BngGrid::with_step(&p, region, h).unwrap(), pts.clone()).0).collect();
    let ratio = errs[0] / errs[1];
    assert!((10.0..25.0).contains(&ratio), "1° {} m, 0.5° {} m: ratio {ratio}", errs[0], errs[1]);
}

/// A wobbly star-shaped ring of `n` vertices, `r` degrees across, around a centre.
fn blob(rng: &mut Pcg64, centre: (f64, f64), r: f64, n: usize) -> Polygon<f64> {
    let phase: f64 = rng.random_range(0.0..6.0);
    let ring: Vec<Coord> = (0..n)
        .map(|k| {
            let a = k as f64 / n as f64 * std::f64::consts::TAU;
            let rr = r * (1.0 + 0.3 * (5.0 * a + phase).sin()) * rng.random_range(0.85..1.0);
            Coord { x: centre.0 + rr * a.cos() / centre.1.to_radians().cos(), y: centre.1 + rr * a.sin() }
        })
        .collect();
    Polygon::new(LineString::from(ring), vec![])
}

#[test]
fn areas_agree_with_the_exact_transform() {
    let p = Projector::new();
    let mut rng = Pcg64::seed_from_u64(5);
    let mut worst: f64 = 0.0;
    for k in 0..400 {
        let centre = (rng.random_range(UK.0..UK.2), rng.random_range(UK.1..UK.3));
        // From a 100 m street block to a 40 km county-sized seat.
        let r = [0.001, 0.01, 0.05, 0.2][k % 4];
        let mut poly = blob(&mut rng, centre, r, 300);
        if k % 3 == 0 {
            let hole = blob(&mut rng, centre, r / 3.0, 50);
            poly.interiors_push(hole.exterior().clone());
        }
        let mp = MultiPolygon::new(vec![poly]);
        let (fast, exact) = (p.to_bng(&mp).unwrap().unsigned_area(), p.to_bng_exact(&mp).unwrap().unsigned_area());
        worst = worst.max((fast / exact - 1.0).abs());
    }
    assert!(worst <= 1e-9, "relative area difference {worst}");
    eprintln!("worst relative area difference {worst:.2e}");
}

#[test]
fn outside_the_grid_is_exact_and_bad_input_is_an_error() {
    let p = Projector::new();
    let grid = p.grid().unwrap();
    // Far from the UK (world-wide data): exactly proj4rs.
    for (lon, lat) in [(20.0, 10.0), (-75.0, 40.0), (GRID_REGION.2, 55.0), (-2.0, GRID_REGION.3 + 0.5)] {
        assert_eq!(grid.get(lon, lat), None);
        assert_eq!(p.point_to_bng(lon, lat).unwrap(), p.point_to_bng_exact(lon, lat).unwrap());
    }
    // Non-finite coordinates: errors, not panics.
    for (lon, lat) in [(f64::NAN, 51.0), (-1.0, f64::NAN), (f64::INFINITY, 51.0), (-1.0, f64::NEG_INFINITY)] {
        assert_eq!(grid.get(lon, lat), None);
        assert!(p.point_to_bng(lon, lat).is_err());
        let mp = MultiPolygon::new(vec![Polygon::new(LineString::from(vec![(-1.0, 51.0), (lon, lat), (-1.1, 51.1)]), vec![])]);
        assert!(p.to_bng(&mp).is_err());
    }
    // Degenerate or oversized grids are refused, so callers stay exact.
    let gb = (-5.0, 50.0, 0.0, 55.0);
    let bad = [((-180.0, -80.0, 180.0, 80.0), 1.0), (gb, 0.0), (gb, -0.25), (gb, f64::NAN), (gb, 1e-4), ((0.0, 50.0, -5.0, 55.0), 0.25)];
    for (region, step) in bad {
        assert!(BngGrid::with_step(&p, region, step).is_err(), "{region:?} {step}");
    }
}

#[test]
fn layers_project_through_the_grid_in_feature_order() {
    use notional::read::{read_layer, Input};
    let p = Projector::new();
    let mut rng = Pcg64::seed_from_u64(6);
    let polys: Vec<MultiPolygon<f64>> = (0..50)
        .map(|_| {
            let centre = (rng.random_range(-5.0..1.0), rng.random_range(50.5..56.0));
            MultiPolygon::new(vec![blob(&mut rng, centre, 0.02, 40)])
        })
        .collect();
    let features: Vec<_> = polys.iter().enumerate().map(|(i, g)| (serde_json::json!({"code": format!("A{i}")}), g)).collect();
    let text = crate::support::collection(&features, None);
    let layer = read_layer(&Input::from_text("blobs.geojson", text), "code", None).unwrap();
    let bng = layer_to_bng(&layer, Crs::Wgs84, &p).unwrap();
    assert_eq!(bng.len(), polys.len());
    for (fast, g) in bng.iter().zip(&layer.features) {
        let exact = p.to_bng_exact(&g.geometry).unwrap();
        assert_eq!(fast.coords_count(), exact.coords_count());
        for (a, b) in fast.coords_iter().zip(exact.coords_iter()) {
            assert!((a.x - b.x).hypot(a.y - b.y) < 1e-3);
        }
    }
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn england_wards_and_2024_seats_within_a_millimetre() {
    use notional::read::{read_layer, Input};
    use rayon::prelude::*;
    let p = Projector::new();
    for (file, id) in [("derived/england_wards_2013.geojson", "code"), ("derived/pcon2024_bgc.geojson", "code")] {
        let path = crate::support::shared_data().join(file);
        let input = Input::from_path(&path).unwrap_or_else(|e| panic!("real data missing ({e})"));
        let layer = read_layer(&input, id, None).unwrap();
        let fast = layer_to_bng(&layer, Crs::Wgs84, &p).unwrap();
        // (max position error, max relative area difference, vertices)
        let (err, area, n) = layer
            .features
            .par_iter()
            .zip(&fast)
            .map(|(f, fast)| {
                let exact = p.to_bng_exact(&f.geometry).unwrap();
                let err = fast.coords_iter().zip(exact.coords_iter()).map(|(a, b)| (a.x - b.x).hypot(a.y - b.y)).fold(0.0, f64::max);
                let (a, b) = (fast.unsigned_area(), exact.unsigned_area());
                let rel = if b > 0.0 { (a / b - 1.0).abs() } else { 0.0 };
                (err, rel, exact.coords_count())
            })
            .reduce(|| (0.0, 0.0, 0), |x, y| (x.0.max(y.0), x.1.max(y.1), x.2 + y.2));
        eprintln!("{file}: {n} vertices, max error {err:.3e} m, max relative area difference {area:.2e}");
        assert!(n > 400_000, "{n} vertices");
        assert!(err <= 1e-3 && err <= p.grid().unwrap().error_estimate(), "{file}: {err} m");
        assert!(area <= 1e-9, "{file}: relative area difference {area}");
    }
}

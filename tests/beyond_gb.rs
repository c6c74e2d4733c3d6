//! Beyond Great Britain: the project's synthetic tessellation placed on Long
//! Island, New York, in lon/lat and in a US state plane (NAD83 / New York
//! Long Island, US survey feet, EPSG:2263), apportioned; each seat's total is
//! checked against overlap areas computed independently, by exact polygon
//! intersection in the equal-area plane the tiles were drawn in.

use crate::support::collection;
use geo::{Area, BooleanOps, Coord, MapCoords, MultiPolygon};
use notional::apportion::{apportion, Options};
use notional::progress::Silent;
use notional::read::Input;
use proj4rs::proj::Proj;
use proj4rs::transform::transform;
use serde_json::json;

/// The plane the tiles are drawn in: equal-area, centred on Long Island.
const DRAWN: &str = "+proj=laea +lat_0=40.8 +lon_0=-73.2 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs";
const WGS84: &str = "+proj=longlat +datum=WGS84 +no_defs";
const VOTES: u64 = 10_000;

/// A synthetic tessellation of a 100 km square, centred on the plane's origin.
fn tiles(n: usize, seed: u64) -> Vec<MultiPolygon<f64>> {
    let t = notional::synthetic::tessellation(n, seed);
    let b = t.iter().filter_map(notional::geometry::bbox::geometry_bounds).reduce(notional::geometry::bbox::union).unwrap();
    let c = b.center();
    t.into_iter().map(|g| g.map_coords(|p| Coord { x: p.x - c.x, y: p.y - c.y })).collect()
}

/// Every vertex from one projection to another (degrees in and out for lon/lat).
fn reproject(g: &MultiPolygon<f64>, from: &Proj, to: &Proj) -> MultiPolygon<f64> {
    g.map_coords(|c| {
        let mut p = if from.is_latlong() { (c.x.to_radians(), c.y.to_radians(), 0.0) } else { (c.x, c.y, 0.0) };
        transform(from, to, &mut p).unwrap();
        if to.is_latlong() { Coord { x: p.0.to_degrees(), y: p.1.to_degrees() } } else { Coord { x: p.0, y: p.1 } }
    })
}

#[test]
fn a_tessellation_in_new_york_is_apportioned_by_true_areas_in_lon_lat_and_in_state_plane_feet() {
    let (units, seats) = (tiles(400, 3), tiles(12, 9));
    // What each seat should get: every unit's votes shared by the areas of its
    // overlaps, measured in the equal-area plane the tiles were drawn in.
    let expected: Vec<f64> = seats
        .iter()
        .map(|s| units.iter().map(|u| VOTES as f64 * u.intersection(s).unsigned_area() / u.unsigned_area()).sum())
        .collect();
    let drawn = Proj::from_proj_string(DRAWN).unwrap();
    let wgs84 = Proj::from_proj_string(WGS84).unwrap();
    let state_plane = Proj::from_proj_string(notional::geometry::Crs::Epsg(2263).proj4().unwrap()).unwrap();
    for (label, to, crs) in [("lon/lat", &wgs84, None), ("EPSG:2263 feet", &state_plane, Some("urn:ogc:def:crs:EPSG::2263"))] {
        let moved = |gs: &[MultiPolygon<f64>]| -> Vec<MultiPolygon<f64>> { gs.iter().map(|g| reproject(g, &drawn, to)).collect() };
        let (u, s) = (moved(&units), moved(&seats));
        let ufeats: Vec<_> = u.iter().enumerate().map(|(i, g)| (json!({"code": format!("U{i}"), "lab": VOTES}), g)).collect();
        let sfeats: Vec<_> = s.iter().enumerate().map(|(i, g)| (json!({"code": format!("S{i}"), "name": format!("Seat {i}")}), g)).collect();
        let out = apportion(
            &Input::from_text("units.geojson", collection(&ufeats, crs)),
            &Input::from_text("seats.geojson", collection(&sfeats, crs)),
            None,
            &Options::default(),
            &Silent,
        )
        .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(out.notes.iter().any(|n| n.contains("Lambert azimuthal equal-area")), "{label}: {:?}", out.notes);
        // The plane measures true areas: the units still cover the 100 km square.
        let layer = notional::read::read_layer(&Input::from_text("units.geojson", collection(&ufeats, crs)), "code", None).unwrap();
        let (prepared, projector) = notional::geometry::Prepared::suited(&layer).unwrap();
        let area: f64 = prepared.geometries.iter().map(|g| g.unsigned_area()).sum();
        assert!((area / 1e10 - 1.0).abs() < 1e-4, "{label}: {area} m² in {:?}", projector.plane());
        let summary = out.summary();
        assert_eq!((summary.votes_in, summary.unallocated), (400 * VOTES, 0), "{label}");
        for (i, want) in expected.iter().enumerate() {
            let got = out.results.seat(&format!("S{i}")).unwrap().total as f64;
            assert!((got - want).abs() <= 0.001 * want + 1.0, "{label}: seat S{i} got {got}, the true areas give {want:.1}");
        }
    }
}

#[test]
fn an_unknown_or_misplaced_crs_is_an_error_naming_it() {
    let sq = notional::synthetic::tessellation(1, 1);
    let feats = [(json!({"code": "A", "lab": 1}), &sq[0])];
    let run = |crs: &str| {
        let text = collection(&feats, Some(crs));
        notional::geometry::crs::detect(&notional::read::read_layer(&Input::from_text("a.geojson", text), "code", None).unwrap())
    };
    let e = run("ESRI:102003").unwrap_err().to_string();
    assert!(e.contains("a.geojson") && e.contains("ESRI:102003") && e.contains("EPSG table"), "{e}");
    // NAD83 lon/lat declared for metres.
    let e = run("EPSG:4269").unwrap_err().to_string();
    assert!(e.contains("EPSG:4269") && e.contains("do not fit"), "{e}");
    // A state plane in feet is read as declared.
    assert_eq!(run("EPSG:2263").unwrap().crs, notional::geometry::Crs::Epsg(2263));
}

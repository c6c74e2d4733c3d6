//! Input parsing: real-file quirks that must work, and bad input that must
//! give a clear error naming the file, the place and the field.

use crate::support::*;
use notional::apportion::{apportion, Options};
use notional::progress::Silent;
use notional::read::{read_layer, Input, VoteTable};
use serde_json::json;

fn layer(text: &str) -> notional::read::Layer {
    read_layer(&Input::from_text("w.geojson", text), "code", None).unwrap()
}

fn two_wards() -> String {
    let g = rect(0., 0., 10., 10.);
    collection(&[(json!({"code": "A", "name": "Alpha"}), &g), (json!({"code": "B", "name": "Beta"}), &g)], None)
}

fn err_of(units_text: &str, targets_text: &str, votes: Option<&str>, options: Options) -> String {
    let votes = votes.map(|v| Input::from_text("votes.csv", v));
    match apportion(&Input::from_text("units.geojson", units_text), &Input::from_text("targets.geojson", targets_text), votes.as_ref(), &options, &Silent) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn votes_csv_with_bom_title_row_separators_blanks_and_text() {
    let csv = "\u{feff}Local elections 2022 - Table 1\ncode,ward name,Con,Lab,Green,Electorate,\nA,Alpha,\"1,204\",987,,\"2,500\",\nB,Beta,3,\"12,001\",4,\"20,000\",\n";
    let votes = VoteTable::from_csv(&Input::from_text("v.csv", csv), "code", None, &layer(&two_wards())).unwrap();
    assert_eq!(votes.parties(), ["Con", "Lab", "Green"]);
    assert!(votes.has_electorate());
    assert_eq!(votes.row(0), [1204, 987, 0, 2500]);
    assert_eq!(votes.row(1), [3, 12001, 4, 20000]);
}

#[test]
fn votes_csv_rows_follow_layer_order_not_file_order() {
    let csv = "code,lab\nB,2\nA,1\n";
    let votes = VoteTable::from_csv(&Input::from_text("v.csv", csv), "code", None, &layer(&two_wards())).unwrap();
    assert_eq!((votes.row(0)[0], votes.row(1)[0]), (1, 2));
}

#[test]
fn votes_csv_errors_name_file_line_and_field() {
    let l = layer(&two_wards());
    let e = |csv: &str| VoteTable::from_csv(&Input::from_text("v.csv", csv), "code", None, &l).unwrap_err().to_string();
    assert_eq!(e("code,lab\nA,1\nB,-4\n"), "v.csv: line 3, field `lab`: `-4` is negative; vote counts cannot be");
    assert_eq!(e("code,lab\nA,1\nA,2\nB,3\n"), "v.csv: line 3, field `code`: duplicate id `A` (also on line 2)");
    assert!(e("code,lab\nA,1\n").contains("1 of 2 units in w.geojson have no votes row, e.g. B"));
    assert!(e("code,lab\nA,1\nB,2\nZ,9\n").contains("1 votes rows match no unit in w.geojson, e.g. Z (line 4)"));
    assert!(e("ward,lab\nA,1\n").contains("no header row with an id column `code`"));
    assert!(e("code,lab\nA,1.5\nB,2\n").contains("line 2, field `lab`: `1.5` is not a whole number"));
}

#[test]
fn parties_default_to_numeric_properties_in_input_order() {
    let g = rect(0., 0., 10., 10.);
    let text = collection(&[(json!({"code": "A", "name": "x", "OBJECTID": 4, "zeta": 1, "LAT": 51.5, "electorate": 9, "alpha": 2}), &g)], None);
    let votes = VoteTable::from_properties(&layer(&text), "code", None).unwrap();
    assert_eq!(votes.parties(), ["zeta", "alpha"]);
    assert_eq!(votes.row(0), [1, 2, 9]);
}

#[test]
fn unknown_party_is_an_error_listing_what_exists() {
    let g = rect(0., 0., 10., 10.);
    let text = collection(&[(json!({"code": "A", "con": 1, "lab": 2}), &g)], None);
    let e = VoteTable::from_properties(&layer(&text), "code", Some(&["con".into(), "snp".into()])).unwrap_err();
    assert_eq!(e.to_string(), "w.geojson: the party list names unknown property(s) snp; available: code, con, lab");
}

#[test]
fn geojson_errors_name_file_feature_and_field() {
    let g = rect(0., 0., 10., 10.);
    let t = targets(std::slice::from_ref(&g));
    let dup = collection(&[(json!({"code": "A", "lab": 1}), &g), (json!({"code": "A", "lab": 2}), &g)], None);
    assert_eq!(err_of(&dup, &t, None, Options::default()), "units.geojson: feature 1, field `code`: duplicate id `A` (also feature 0); ids must be unique");
    let no_id = collection(&[(json!({"ward": "A", "lab": 1}), &g)], None);
    assert!(err_of(&no_id, &t, None, Options::default()).starts_with("units.geojson: feature 0, field `code`: missing id property (this feature has: ward, lab)"));
    let negative = collection(&[(json!({"code": "A", "lab": -1}), &g)], None);
    assert_eq!(err_of(&negative, &t, None, Options::default()), "units.geojson: feature 0 (id A), field `lab`: `-1` is negative; vote counts cannot be");
    let point = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A","lab":1},"geometry":{"type":"Point","coordinates":[0,0]}}]}"#;
    assert_eq!(err_of(point, &t, None, Options::default()), "units.geojson: feature 0 (id A), field `geometry`: is a Point; only Polygon and MultiPolygon are supported");
    assert!(err_of("{\"type\":\"FeatureCollection\",\"features\":[", &t, None, Options::default()).starts_with("units.geojson: is not valid GeoJSON"));
    assert_eq!(err_of(r#"{"type":"FeatureCollection","features":[]}"#, &t, None, Options::default()), "units.geojson: has no features");
    let single = r#"{"type":"Feature","properties":{"code":"A"},"geometry":null}"#;
    assert_eq!(err_of(single, &t, None, Options::default()), "units.geojson: is a single Feature; expected a FeatureCollection");
}

#[test]
fn crs_member_that_contradicts_coordinates_is_an_error() {
    let g = rect(-0.2, 51.5, -0.1, 51.6);
    let bad = collection(&[(json!({"code": "A", "lab": 1}), &g)], Some("EPSG:27700"));
    let e = err_of(&bad, &targets(&[rect(0., 0., 10., 10.)]), None, Options::default());
    assert!(e.starts_with("units.geojson: declares crs `EPSG:27700` (British National Grid (EPSG:27700)) but every feature has coordinates in degrees"), "{e}");
    let far = collection(&[(json!({"code": "A", "lab": 1}), &rect(5e6, 5e6, 5.1e6, 5.1e6))], None);
    let e = err_of(&far, &targets(&[rect(0., 0., 10., 10.)]), None, Options::default());
    assert!(e.contains("are neither lon/lat degrees nor British National Grid metres"), "{e}");
}

#[test]
fn collapsed_rings_are_dropped_with_a_warning() {
    let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A","lab":1},
      "geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,6],[5,5],[5,5]]]]}}]}"#;
    let l = layer(text);
    assert_eq!(l.features[0].geometry.0.len(), 1);
    assert_eq!(l.warnings.len(), 1);
    assert!(l.warnings[0].to_string().contains("feature 0 (id A): polygon 1: collapsed exterior ring"), "{:?}", l.warnings);
    // Typed: the place and the numbers.
    assert_eq!(
        l.warnings[0],
        notional::read::ReadWarning::CollapsedRing { source: "w.geojson".into(), feature: 0, id: "A".into(), polygon: 1, hole: false, points: 2, on_one_line: false }
    );
}

#[test]
fn non_finite_coordinates_are_rejected_before_any_geometry_work() {
    // serde_json cannot parse NaN, but huge exponents overflow to infinity.
    let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A","lab":1},
      "geometry":{"type":"Polygon","coordinates":[[[0,0],[1e400,0],[1,1],[0,0]]]}}]}"#;
    match read_layer(&Input::from_text("w.geojson", text), "code", None) {
        Err(e) => assert!(e.to_string().starts_with("w.geojson"), "{e}"),
        Ok(_) => panic!("infinite coordinate accepted"),
    }
}

#[test]
fn csv_line_numbers_are_physical_lines_with_crlf_and_title_rows() {
    let csv = ",\"Title, 2022\",,\r\nWard code,Ward name,CON,LAB\r\nW1,One,1,2\r\nW2,Two,3,4\r\nW1,Three,5,6\r\n";
    let e = notional::read::KeyedTable::read(&Input::from_text("l.csv", csv), "Ward code", None).unwrap_err();
    assert_eq!(e.to_string(), "l.csv: line 5, field `Ward code`: duplicate id `W1` (also on line 3)");
}

#[test]
fn csv_with_duplicate_headers_or_ragged_rows_is_an_error() {
    let l = layer(&two_wards());
    let e = |csv: &str| VoteTable::from_csv(&Input::from_text("v.csv", csv), "code", None, &l).unwrap_err().to_string();
    assert_eq!(e("code,con,lab,lab\nA,10,20,5\nB,1,2,300\n"), "v.csv: line 1, field `lab`: names columns 3 and 4; column names must be unique");
    assert_eq!(
        e("code,con,lab\nA,1,234,5\nB,1,2\n"),
        "v.csv: line 2, field `(row)`: has 4 cells but the header has 3; an unquoted thousands separator (1,234) splits a cell in two"
    );
    let dup = VoteTable::from_csv(&Input::from_text("v.csv", "code,con,lab\nA,1,2\nB,3,4\n"), "code", Some(&["con".into(), "con".into()]), &l);
    assert_eq!(dup.unwrap_err().to_string(), "the party list names `con` twice (positions 1 and 2)");
}

#[test]
fn counts_too_large_to_sum_are_rejected() {
    let l = layer(&two_wards());
    let e = VoteTable::from_csv(&Input::from_text("v.csv", "code,lab\nA,18446744073709551615\nB,1\n"), "code", None, &l).unwrap_err();
    assert_eq!(e.to_string(), "v.csv: line 2, field `lab`: `18446744073709551615` is too large to be a vote count");
}

mod orientation {
    use geo::winding_order::{Winding, WindingOrder};
    use geo::{Coord, LineString};
    use notional::read::{read_layer, Input};
    use proptest::prelude::*;

    /// A closed ring of grid points: repeats, collinear runs and self-touching
    /// shapes are common, so every branch of the orientation rule is taken.
    fn ring() -> impl Strategy<Value = Vec<(i8, i8)>> {
        prop::collection::vec((0i8..5, 0i8..5), 3..10)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// The reader orients each ring as geo's `winding_order` decides:
        /// exteriors counter-clockwise, holes clockwise, left alone when the
        /// order is undefined; otherwise the ring is as read (repeats dropped).
        #[test]
        fn rings_are_oriented_as_geo_decides(outer in ring(), hole in ring()) {
            let closed = |pts: &[(i8, i8)]| {
                let mut c: Vec<Coord<f64>> = pts.iter().map(|&(x, y)| Coord { x: f64::from(x), y: f64::from(y) }).collect();
                c.push(c[0]);
                c
            };
            let text_of = |c: &[Coord<f64>]| c.iter().map(|p| format!("[{},{}]", p.x, p.y)).collect::<Vec<_>>().join(",");
            let (o, h) = (closed(&outer), closed(&hole));
            let text = format!(
                r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"code":"A"}},"geometry":{{"type":"Polygon","coordinates":[[{}],[{}]]}}}}]}}"#,
                text_of(&o), text_of(&h)
            );
            let layer = read_layer(&Input::from_text("r.geojson", text), "code", None).unwrap();
            let Some(polygon) = layer.features[0].geometry.0.first() else { return Ok(()) };
            // What was read, before orientation: repeats dropped, closed.
            let as_read = |c: &[Coord<f64>]| {
                let mut d = c.to_vec();
                d.dedup();
                if d.len() > 1 && d.first() == d.last() { d.pop(); }
                let mut ls = LineString::new(d);
                ls.close();
                ls
            };
            let check = |got: &LineString<f64>, input: &[Coord<f64>], wanted: WindingOrder| -> Result<(), TestCaseError> {
                let mut expected = as_read(input);
                if matches!(expected.winding_order(), Some(w) if w != wanted) {
                    expected.0.reverse();
                }
                prop_assert_eq!(got, &expected);
                Ok(())
            };
            check(polygon.exterior(), &o, WindingOrder::CounterClockwise)?;
            if let Some(got) = polygon.interiors().first() {
                check(got, &h, WindingOrder::Clockwise)?;
            }
        }
    }
}

/// Files of a megabyte or more are mapped, not read: the same text, the BOM
/// removed, and the same UTF-8 check and message (offset counted from the
/// file's first byte) as for a small file.
#[test]
fn large_files_are_mapped_with_bom_removed_and_utf8_checked() {
    let dir = tempfile::tempdir().unwrap();
    let body = two_wards();
    let padded = format!("{body}{}", " ".repeat(1 << 20));
    for (name, bom) in [("plain.geojson", ""), ("bom.geojson", "\u{feff}")] {
        let (small, large) = (dir.path().join(format!("small-{name}")), dir.path().join(name));
        std::fs::write(&small, format!("{bom}{body}")).unwrap();
        std::fs::write(&large, format!("{bom}{padded}")).unwrap();
        let (small, large) = (Input::from_path(&small).unwrap(), Input::from_path(&large).unwrap());
        assert_eq!(small.text(), body);
        assert_eq!(large.text(), padded, "{name}");
        let read = |i: &Input| read_layer(i, "code", None).unwrap().features.iter().map(|f| (f.id.clone(), f.geometry.clone())).collect::<Vec<_>>();
        assert_eq!(read(&small), read(&large));
    }
    let mut bad = padded.into_bytes();
    bad.insert(7, 0xff);
    let path = dir.path().join("bad.geojson");
    std::fs::write(&path, &bad).unwrap();
    let err = Input::from_path(&path).unwrap_err().to_string();
    assert!(err.contains("bad.geojson") && err.contains("is not UTF-8 text (invalid byte at offset 7)"), "{err}");
}

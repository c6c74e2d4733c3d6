//! Hand-made bad inputs, run through the binary: each must exit with the
//! given status and a message containing the given words, never panic
//! (status 101), and leave no output directory behind.

use serde_json::json;
use std::path::Path;
use std::process::Command;

const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[-0.2,51.5],[-0.1,51.5],[-0.1,51.6],[-0.2,51.6],[-0.2,51.5]]]}"#;

fn fc(features: &[String]) -> String {
    format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
}

fn feature(props: serde_json::Value, geometry: &str) -> String {
    format!(r#"{{"type":"Feature","properties":{props},"geometry":{geometry}}}"#)
}

fn good_units() -> String {
    fc(&[feature(json!({"code": "A", "lab": 10}), SQUARE), feature(json!({"code": "B", "lab": 20}), SQUARE.replace("51.5]", "51.6]").replace("51.6]]]", "51.7]]]").as_str())])
}

fn good_targets() -> String {
    fc(&[feature(json!({"code": "S1", "name": "Seat"}), r#"{"type":"Polygon","coordinates":[[[-0.3,51.4],[0.0,51.4],[0.0,51.8],[-0.3,51.8],[-0.3,51.4]]]}"#)])
}

/// One case: files to write (name, bytes), arguments ({dir} is replaced), expected status, expected words.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    args: Vec<&'static str>,
    status: i32,
    words: &'static str,
}

fn case(name: &'static str, units: impl Into<Vec<u8>>, args: &[&'static str], status: i32, words: &'static str) -> Case {
    Case {
        name,
        files: vec![("units.geojson", units.into()), ("targets.geojson", good_targets().into_bytes())],
        args: [&["apportion", "{dir}/units.geojson", "{dir}/targets.geojson", "-o", "{dir}/out"], args].concat(),
        status,
        words,
    }
}

fn with_votes(name: &'static str, csv: &str, args: &[&'static str], words: &'static str) -> Case {
    let mut c = case(name, good_units(), &[&["--votes", "{dir}/votes.csv"], args].concat(), 1, words);
    c.files.push(("votes.csv", csv.as_bytes().to_vec()));
    c
}

fn cases() -> Vec<Case> {
    let geometry = |g: &str| fc(&[feature(json!({"code": "A", "lab": 1}), g)]);
    let props = |p: serde_json::Value| fc(&[feature(p, SQUARE)]);
    vec![
        case("truncated JSON", r#"{"type":"FeatureCollection","features":[{"type":"Feat"#, &[], 1, "units.geojson: is not valid GeoJSON"),
        case("not JSON", "hello, world", &[], 1, "is not valid GeoJSON"),
        case("empty file", "", &[], 1, "is not valid GeoJSON"),
        case("single feature", feature(json!({"code": "A"}), SQUARE), &[], 1, "is a single Feature; expected a FeatureCollection"),
        case("bare geometry", SQUARE, &[], 1, "is a bare Geometry; expected a FeatureCollection"),
        case("no features", r#"{"type":"FeatureCollection","features":[]}"#, &[], 1, "units.geojson: has no features"),
        case("missing id", props(json!({"ward": "A", "lab": 1})), &[], 1, "feature 0, field `code`: missing id property (this feature has: ward, lab)"),
        case("object id", props(json!({"code": {"x": 1}, "lab": 1})), &[], 1, "field `code`: id must be a non-empty string or a number"),
        case("duplicate id", fc(&[feature(json!({"code": "A", "lab": 1}), SQUARE), feature(json!({"code": "A", "lab": 2}), SQUARE)]), &[], 1, "feature 1, field `code`: duplicate id `A` (also feature 0)"),
        case("point geometry", geometry(r#"{"type":"Point","coordinates":[0,51]}"#), &[], 1, "field `geometry`: is a Point; only Polygon and MultiPolygon are supported"),
        case("line geometry", geometry(r#"{"type":"LineString","coordinates":[[0,51],[1,52]]}"#), &[], 1, "is a LineString; only Polygon and MultiPolygon"),
        case("short position", geometry(r#"{"type":"Polygon","coordinates":[[[0],[1,51],[1,52],[0,51]]]}"#), &[], 1, "field `geometry`: polygon 0, ring 0, vertex 0 has fewer than two numbers"),
        case("overflowing coordinate", geometry(r#"{"type":"Polygon","coordinates":[[[0,51],[1e400,51],[1,52],[0,51]]]}"#), &[], 1, "is not valid GeoJSON"),
        case("negative votes", props(json!({"code": "A", "lab": -5})), &[], 1, "feature 0 (id A), field `lab`: `-5` is negative"),
        case("fractional votes", fc(&[feature(json!({"code": "A", "lab": 3}), SQUARE), feature(json!({"code": "B", "lab": 2.5}), SQUARE)]), &[], 1, "feature 1 (id B), field `lab`: `2.5` is not a whole number"),
        case("only fractions", props(json!({"code": "A", "lab": 2.5})), &[], 1, "no numeric vote properties found (properties: code, lab); lab hold fractions, not whole votes"),
        case("huge votes", props(json!({"code": "A", "lab": 1e15})), &[], 1, "is too large to be a vote count"),
        case("text votes", props(json!({"code": "A", "lab": "lots"})), &["--parties", "lab"], 1, "field `lab`: `lots` is not a number"),
        case("no vote properties", props(json!({"code": "A", "name": "x"})), &[], 1, "no numeric vote properties found"),
        case("unknown party", good_units(), &["--parties", "lab,snp"], 1, "--parties names unknown property(s) snp"),
        case("duplicate party", good_units(), &["--parties", "lab,lab"], 1, "--parties names `lab` twice"),
        case("coordinates in no known CRS", geometry(r#"{"type":"Polygon","coordinates":[[[5e6,5e6],[5.1e6,5e6],[5.1e6,5.1e6],[5e6,5e6]]]}"#), &[], 1, "are neither lon/lat degrees nor British National Grid metres"),
        case("crs contradicts coordinates", good_units().replacen(r#"{"type":"FeatureCollection","#, r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:27700"}},"#, 1), &[], 1, "declares crs `EPSG:27700` (British National Grid (EPSG:27700)) but its coordinates"),
        case("unsupported crs", good_units().replacen(r#"{"type":"FeatureCollection","#, r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"#, 1), &[], 1, "declares crs `EPSG:3857`, which notional does not read"),
        case("--crs contradicts coordinates", geometry(r#"{"type":"Polygon","coordinates":[[[525000,179000],[526000,179000],[526000,180000],[525000,179000]]]}"#), &["--crs", "wgs84"], 1, "--crs states WGS84 lon/lat (EPSG:4326), but its coordinates (x 525000.0000..526000.0000"),
        case("--crs contradicts crs member", good_units().replacen(r#"{"type":"FeatureCollection","#, r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"#, 1), &["--crs", "bng"], 1, "--crs states British National Grid (EPSG:27700), but its crs member `urn:ogc:def:crs:OGC:1.3:CRS84` says WGS84"),
        case("not UTF-8", vec![0x7b, 0xff, 0xfe, 0x7d], &[], 1, "is not UTF-8 text (invalid byte at offset 1)"),
        with_votes("votes: no id column", "ward,lab\nA,1\nB,2\n", &[], "no header row with an id column `code`"),
        with_votes("votes: row without polygon", "code,lab\nA,1\nB,2\nZ,3\n", &[], "1 votes rows match no unit"),
        with_votes("votes: polygon without row", "code,lab\nA,1\n", &[], "1 of 2 units in "),
        with_votes("votes: duplicate id", "code,lab\nA,1\nA,2\nB,3\n", &[], "votes.csv: line 3, field `code`: duplicate id `A` (also on line 2)"),
        with_votes("votes: duplicate header", "code,lab,lab\nA,1,2\nB,3,4\n", &[], "line 1, field `lab`: names columns 2 and 3"),
        with_votes("votes: ragged row", "code,con,lab\nA,1,234,5\nB,1,2\n", &[], "line 2, field `(row)`: has 4 cells but the header has 3"),
        with_votes("votes: negative", "code,lab\r\nA,1\r\nB,-2\r\n", &[], "votes.csv: line 3, field `lab`: `-2` is negative"),
        with_votes("votes: blank id", "code,lab\nA,1\n,2\nB,3\n", &[], "votes.csv: line 3, field `code`: is blank"),
        with_votes("votes: text in a listed column", "code,lab\nA,1\nB,many\n", &["--parties", "lab"], "line 3, field `lab`: `many` is not a number"),
        Case { name: "missing file", files: vec![], args: vec!["apportion", "{dir}/nope.geojson", "{dir}/nope2.geojson", "-o", "{dir}/out"], status: 1, words: "nope.geojson: No such file" },
        Case { name: "missing argument", files: vec![], args: vec!["apportion", "{dir}/units.geojson"], status: 2, words: "required" },
        Case { name: "bad method", files: vec![], args: vec!["apportion", "a", "b", "-o", "{dir}/out", "--method", "magic"], status: 2, words: "invalid value 'magic'" },
        Case {
            name: "recompute without old seats or weights",
            files: vec![("r.csv", b"ONS ID,Con\nE1,5\n".to_vec()), ("targets.geojson", good_targets().into_bytes())],
            args: vec!["recompute", "--new-seats", "{dir}/targets.geojson", "--old-results", "{dir}/r.csv", "-o", "{dir}/out"],
            status: 1,
            words: "recompute needs --old-seats (polygons) or --weights (a weights table)",
        },
        Case {
            name: "weights: unknown old seat",
            files: vec![("r.csv", b"ONS ID,Con\nE1,5\n".to_vec()), ("w.csv", b"from,to,weight\nE9,S1,1\n".to_vec()), ("targets.geojson", good_targets().into_bytes())],
            args: vec!["recompute", "--new-seats", "{dir}/targets.geojson", "--old-results", "{dir}/r.csv", "--weights", "{dir}/w.csv", "-o", "{dir}/out"],
            status: 1,
            words: "w.csv: line 2, field `from`: `E9` is not in",
        },
    ]
}

#[test]
fn every_malformed_input_gets_its_message_and_status() {
    let cases = cases();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let mut failures = Vec::new();
    for c in cases {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in &c.files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let d = dir.path().to_str().unwrap();
        let args: Vec<String> = c.args.iter().map(|a| a.replace("{dir}", d)).collect();
        let out = Command::new(env!("CARGO_BIN_EXE_notional")).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let status = out.status.code().unwrap_or(-1);
        if status != c.status || !stderr.contains(c.words) || Path::new(&format!("{d}/out")).exists() {
            failures.push(format!("{}: status {status} (want {}), stderr: {stderr}", c.name, c.status));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

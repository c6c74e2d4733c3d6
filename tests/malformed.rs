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
        case("not JSON", "hello, world", &[], 1, "is not a layer file (it begins `hello, world`)"),
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
        case("only fractions", props(json!({"code": "A", "share": 2.5})), &[], 1, "no numeric vote properties found (properties: code, share); share hold fractions, not whole votes"),
        case("a party's column in fractions", props(json!({"code": "A", "lab": 2.5})), &[], 1, "feature 0 (id A), field `lab`: `2.5` is not a whole number"),
        case("huge votes", props(json!({"code": "A", "lab": 1e15})), &[], 1, "is too large to be a vote count"),
        case("text votes", props(json!({"code": "A", "lab": "lots"})), &["--parties", "lab"], 1, "field `lab`: `lots` is not a number"),
        case("no vote properties", props(json!({"code": "A", "name": "x"})), &[], 1, "no numeric vote properties found"),
        case("unknown party", good_units(), &["--parties", "lab,snp"], 1, "the party list names unknown property(s) snp; available: code, lab\nhint: the party list is --parties"),
        case("duplicate party", good_units(), &["--parties", "lab,lab"], 1, "the party list names `lab` twice"),
        case("coordinates in no known CRS", geometry(r#"{"type":"Polygon","coordinates":[[[5e6,5e6],[5.1e6,5e6],[5.1e6,5.1e6],[5e6,5e6]]]}"#), &[], 1, "are neither lon/lat degrees nor British National Grid metres: feature 0 (id A) has coordinates"),
        case("crs contradicts coordinates", good_units().replacen(r#"{"type":"FeatureCollection","#, r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:27700"}},"#, 1), &[], 1, "declares crs `EPSG:27700` (British National Grid (EPSG:27700)) but every feature has coordinates in degrees"),
        case("unsupported crs", good_units().replacen(r#"{"type":"FeatureCollection","#, r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"#, 1), &[], 1, "declares crs `EPSG:3857` (WGS 84 / Pseudo-Mercator (EPSG:3857)) but every feature has coordinates in degrees"),
        case("crs not in the table", good_units().replacen(r#"{"type":"FeatureCollection","#, r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"ESRI:102003"}},"#, 1), &[], 1, "declares crs `ESRI:102003`, which is not in the EPSG table notional reads"),
        case("--crs contradicts coordinates", geometry(r#"{"type":"Polygon","coordinates":[[[525000,179000],[526000,179000],[526000,180000],[525000,179000]]]}"#), &["--crs", "wgs84"], 1, "the stated CRS is WGS84 lon/lat (EPSG:4326), but feature 0 (id A) has coordinates x 525000.0000..526000.0000"),
        case("--crs contradicts crs member", good_units().replacen(r#"{"type":"FeatureCollection","#, r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"#, 1), &["--crs", "bng"], 1, "the stated CRS is British National Grid (EPSG:27700), but its crs member `urn:ogc:def:crs:OGC:1.3:CRS84` says WGS84"),
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
        // A detected vote column with one bad cell is an error, never a column dropped whole.
        case("one bad cell in a detected property", fc(&[feature(json!({"code": "A", "lab": 1}), SQUARE), feature(json!({"code": "B", "lab": 2}), SQUARE), feature(json!({"code": "C", "lab": 3}), SQUARE), feature(json!({"code": "D", "lab": "n/a"}), SQUARE)]), &[], 1, "feature 3 (id D), field `lab`: `n/a` is not a number"),
        case("NaN string in a detected property", fc(&[feature(json!({"code": "A", "lab": 1}), SQUARE), feature(json!({"code": "B", "lab": 2}), SQUARE), feature(json!({"code": "C", "lab": 3}), SQUARE), feature(json!({"code": "D", "lab": "NaN"}), SQUARE)]), &[], 1, "feature 3 (id D), field `lab`: `NaN` is not a finite number"),
        case("Infinity string in a detected property", fc(&[feature(json!({"code": "A", "lab": 1}), SQUARE), feature(json!({"code": "B", "lab": 2}), SQUARE), feature(json!({"code": "C", "lab": 3}), SQUARE), feature(json!({"code": "D", "lab": "Infinity"}), SQUARE)]), &[], 1, "field `lab`: `Infinity` is not a finite number"),
        case("boolean in a detected property", fc(&[feature(json!({"code": "A", "lab": 1}), SQUARE), feature(json!({"code": "B", "lab": 2}), SQUARE), feature(json!({"code": "C", "lab": 3}), SQUARE), feature(json!({"code": "D", "lab": true}), SQUARE)]), &[], 1, "feature 3 (id D), field `lab`: `true` is not a number"),
        case("party-named property holding text", props(json!({"code": "A", "Labour": "n/a"})), &[], 1, "feature 0 (id A), field `Labour`: `n/a` is not a number"),
        case("property mixing a few numbers with text", fc(&[feature(json!({"code": "A", "lab": 1, "note": "x"}), SQUARE), feature(json!({"code": "B", "lab": 2, "note": 7}), SQUARE), feature(json!({"code": "C", "lab": 2, "note": "y"}), SQUARE)]), &[], 1, "feature 0 (id A), field `note`: holds numbers in 1 row(s) and text in 2"),
        with_votes("votes: one bad cell near the end of a detected column", &format!("code,lab,con\nA,1,5\nB,2,6\n{}Z9,abc,3\n", (0..8).map(|i| format!("X{i},1,1\n")).collect::<String>()), &[], "votes.csv: line 12, field `lab`: `abc` is not a number"),
        with_votes("votes: NaN in a detected column", "code,lab\nA,1\nB,NaN\n", &[], "votes.csv: line 3, field `lab`: `NaN` is not a finite number"),
        with_votes("votes: Infinity in a detected column", "code,lab\nA,Infinity\nB,2\n", &[], "votes.csv: line 2, field `lab`: `Infinity` is not a finite number"),
        with_votes("votes: 1e400 in a detected column", "code,lab\nA,1e400\nB,2\n", &[], "votes.csv: line 2, field `lab`: `1e400` is not a finite number"),
        with_votes("votes: NULL in a detected column", "code,lab,con\nA,1,NULL\nB,2,3\n", &[], "votes.csv: line 2, field `con`: `NULL` is not a number"),
        with_votes("votes: text column with a stray number", "code,lab,ward\nA,1,Abbey\nB,2,12\nC,3,Hans Town\n", &[], "votes.csv: line 2, field `ward`: holds numbers in 1 row(s) and text in 2"),
        case("a property named twice in one feature", r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A","con":850,"con":9999},"geometry":{"type":"Polygon","coordinates":[[[-0.2,51.5],[-0.1,51.5],[-0.1,51.6],[-0.2,51.5]]]}}]}"#, &[], 1, "feature 0, field `con`: appears twice in the feature's properties"),
        case("one party spelt in two cases", fc(&[feature(json!({"code": "A", "con": 1}), SQUARE), feature(json!({"code": "B", "Con": 2}), SQUARE)]), &[], 1, "the properties `con` and `Con` differ only in case or spaces"),
        case("a party with a leading space", fc(&[feature(json!({"code": "A", "lab": 1}), SQUARE), feature(json!({"code": "B", " lab": 2}), SQUARE)]), &[], 1, "the properties `lab` and ` lab` differ only in case or spaces"),
        case("--parties names the electorate", props(json!({"code": "A", "con": 1, "electorate": 50})), &["--parties", "con,electorate"], 1, "the party list names `electorate`, which is read as the electorate"),
        case("--parties names the id", props(json!({"code": 7, "con": 1})), &["--parties", "code,con"], 1, "the party list names `code`, which is read as the unit id"),
        case("--parties with a blank name", good_units(), &["--parties", "lab,"], 1, "the party list has a blank name at position 2"),
        with_votes("votes: unnamed column holding numbers", "code,lab,\nA,1,5\nB,2,6\n", &[], "votes.csv: line 2, field `(column 3)`: holds `5` but the column has no name"),
        with_votes("votes: short row", "code,con,lab\nA,1,2\nB,3\n", &[], "votes.csv: line 3, field `lab`: is missing: the row has 2 cells but the header has 3"),
        case("TopoJSON transform of scale zero", r#"{"type":"Topology","transform":{"scale":[0,0],"translate":[0,51]},"objects":{"w":{"type":"GeometryCollection","geometries":[{"type":"Polygon","arcs":[[0]],"properties":{"code":"A","lab":1}}]}},"arcs":[[[0,0],[1,0],[0,1],[-1,-1]]]}"#, &[], 1, "has a transform with scale [0.0, 0.0]"),
        case("TopoJSON MultiPolygon whose arcs are not an array", r#"{"type":"Topology","objects":{"w":{"type":"GeometryCollection","geometries":[{"type":"MultiPolygon","arcs":7,"properties":{"code":"A","lab":1}}]}},"arcs":[]}"#, &[], 1, "feature 0 (id A), field `arcs`: is `7`; a MultiPolygon's arcs are an array of polygons"),
        case("latitude and longitude swapped", fc(&[feature(json!({"code": "A", "lab": 1}), r#"{"type":"Polygon","coordinates":[[[51.5,-0.2],[51.5,-0.1],[51.6,-0.1],[51.5,-0.2]]]}"#)]), &[], 1, "none of the 1 votes could be placed in any target"),
        case("--crs bng on lon/lat over Britain", good_units(), &["--crs", "bng"], 1, "are longitudes and latitudes over Great Britain, not metres"),
        case("crs member in the EPSG form", good_units().replacen(r#"{"type":"FeatureCollection","#, r#"{"type":"FeatureCollection","crs":{"type":"EPSG","properties":{"code":27700}},"#, 1), &[], 1, "declares crs `EPSG:27700` (British National Grid (EPSG:27700)) but every feature has coordinates in degrees"),
        case("crs member in the link form", good_units().replacen(r#"{"type":"FeatureCollection","#, r#"{"type":"FeatureCollection","crs":{"type":"link","properties":{"href":"http://x/crs","type":"proj4"}},"#, 1), &[], 1, r#"declares crs `{"type":"link","properties":{"href":"http://x/crs","type":"proj4"}}`, which is not in the EPSG table notional reads"#),
        // Coordinates that fit no one system throughout stop the run, naming the feature.
        case("one feature at longitude 200", fc(&[feature(json!({"code": "A", "lab": 1}), SQUARE), feature(json!({"code": "B", "lab": 2}), SQUARE), feature(json!({"code": "C", "lab": 3}), &SQUARE.replace("-0.1,", "200,"))]), &[], 1, "most features have coordinates in degrees, but feature 2 (id C) has coordinates x -0.2000..200.0000"),
        case("one degree feature among grid metres", fc(&[feature(json!({"code": "A", "lab": 1}), r#"{"type":"Polygon","coordinates":[[[525000,179000],[526000,179000],[526000,180000],[525000,179000]]]}"#), feature(json!({"code": "B", "lab": 1}), r#"{"type":"Polygon","coordinates":[[[527000,179000],[528000,179000],[528000,180000],[527000,179000]]]}"#), feature(json!({"code": "C", "lab": 2}), SQUARE)]), &[], 1, "most features have British National Grid metres, but feature 2 (id C)"),
        case("crs member WGS84, one feature beyond it", fc(&[feature(json!({"code": "A", "lab": 1}), SQUARE), feature(json!({"code": "B", "lab": 2}), &SQUARE.replace("51.6", "95"))]).replacen(r#"{"type":"FeatureCollection","#, r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4326"}},"#, 1), &[], 1, "declares crs `EPSG:4326` (WGS84 lon/lat (EPSG:4326)) but feature 1 (id B) has coordinates"),
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
            name: "recompute with both old seats and weights",
            files: vec![("r.csv", b"ONS ID,Con\nE1,5\n".to_vec()), ("w.csv", b"from,to,weight\nE1,S1,1\n".to_vec()), ("targets.geojson", good_targets().into_bytes())],
            args: vec!["recompute", "--new-seats", "{dir}/targets.geojson", "--old-results", "{dir}/r.csv", "--weights", "{dir}/w.csv", "--old-seats", "{dir}/targets.geojson", "-o", "{dir}/out"],
            status: 1,
            words: "--weights and --old-seats are alternative routes (a table or polygons); give one",
        },
        Case {
            name: "later results: a bad count of other winners",
            files: vec![
                ("r.csv", b"ONS ID,Con\nE1,5\n".to_vec()),
                ("w.csv", b"from,to,weight\nE1,S1,1\n".to_vec()),
                ("later.csv", b"ONS ID,Con,All other candidates,Of which other winner\nS1,3,4,yes\n".to_vec()),
                ("targets.geojson", good_targets().into_bytes()),
            ],
            args: vec!["recompute", "--new-seats", "{dir}/targets.geojson", "--old-results", "{dir}/r.csv", "--weights", "{dir}/w.csv", "--later-results", "{dir}/later.csv", "-o", "{dir}/out"],
            status: 1,
            words: "later.csv: line 2, field `Of which other winner`: `yes` is not a number",
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
    assert!(cases.len() >= 45, "{} cases", cases.len());
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

/// Runs the binary in `dir` (`{dir}` in arguments is replaced); returns status, stdout, stderr.
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let d = dir.to_str().unwrap();
    let args: Vec<String> = args.iter().map(|a| a.replace("{dir}", d)).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_notional")).args(&args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Writes `units` (and the good targets) and apportions them; returns stdout.
fn apportion_ok(dir: &Path, units: &str, extra: &[&str]) -> String {
    std::fs::write(dir.join("units.geojson"), units).unwrap();
    std::fs::write(dir.join("targets.geojson"), good_targets()).unwrap();
    let args = [&["apportion", "{dir}/units.geojson", "{dir}/targets.geojson", "-o", "{dir}/out"], extra].concat();
    let (status, stdout, stderr) = run_in(dir, &args);
    assert_eq!(status, 0, "{stderr}");
    stdout
}

#[test]
fn numeric_strings_in_properties_are_counted_as_in_csv_cells() {
    let dir = tempfile::tempdir().unwrap();
    let units = fc(&[
        feature(json!({"code": "A", "con": "100", "lab": "1,204"}), SQUARE),
        feature(json!({"code": "B", "con": 7, "lab": "20"}), &SQUARE.replace("51.5]", "51.6]").replace("51.6]]]", "51.7]]]")),
    ]);
    let stdout = apportion_ok(dir.path(), &units, &[]);
    assert!(stdout.contains("parties:      con, lab\n"), "{stdout}");
    assert!(stdout.contains("votes in:     1331\n"), "{stdout}");
    assert!(stdout.contains("allocated:    1331\n"), "{stdout}");
}

#[test]
fn skipped_columns_are_named_in_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let units = fc(&[
        feature(json!({"code": "A", "ward": "Abbey", "share": 0.4, "OBJECTID": 1, "lab": 5}), SQUARE),
        feature(json!({"code": "B", "ward": "Brompton", "share": 0.6, "OBJECTID": 2, "lab": 6}), &SQUARE.replace("51.5]", "51.6]").replace("51.6]]]", "51.7]]]")),
    ]);
    let stdout = apportion_ok(dir.path(), &units, &[]);
    assert!(stdout.contains("parties:      lab\n"), "{stdout}");
    assert!(stdout.contains("skipped columns: ward (text), share (fractions), OBJECTID (not a vote field)"), "{stdout}");
    // Named with --parties, nothing is detected and nothing listed.
    let stdout = apportion_ok(dir.path(), &units, &["--parties", "lab"]);
    assert!(!stdout.contains("skipped columns"), "{stdout}");
}

#[test]
fn pretty_printed_topojson_with_sorted_keys_is_read() {
    // As Python's json.dump(topology, indent=2, sort_keys=True) writes it:
    // `type` last, spaces after colons.
    let topo = r#"{
  "arcs": [
    [[-0.2, 51.5], [-0.1, 51.5], [-0.1, 51.6], [-0.2, 51.6], [-0.2, 51.5]],
    [[-0.2, 51.6], [-0.1, 51.6], [-0.1, 51.7], [-0.2, 51.7], [-0.2, 51.6]]
  ],
  "objects": {
    "wards": {
      "geometries": [
        {"arcs": [[0]], "properties": {"code": "A", "lab": 10}, "type": "Polygon"},
        {"arcs": [[1]], "properties": {"code": "B", "lab": 20}, "type": "Polygon"}
      ],
      "type": "GeometryCollection"
    }
  },
  "type": "Topology"
}"#;
    let dir = tempfile::tempdir().unwrap();
    let stdout = apportion_ok(dir.path(), topo, &[]);
    assert!(stdout.contains("votes in:     30\n") && stdout.contains("allocated:    30\n"), "{stdout}");
}

#[test]
fn a_null_geometry_has_one_cause_in_summary_ledger_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let units = fc(&[feature(json!({"code": "A", "lab": 10}), SQUARE), feature(json!({"code": "B", "lab": 20}), "null")]);
    let stdout = apportion_ok(dir.path(), &units, &[]);
    assert!(stdout.contains("unallocated:  20 from 1 unit(s) not placed in any target: B (20 votes, no geometry)"), "{stdout}");
    assert!(!stdout.contains("wholly outside"), "{stdout}");
    let ledger = std::fs::read_to_string(dir.path().join("out/ledger.csv")).unwrap();
    assert!(ledger.contains("B,lab,20,0,20,no geometry\n"), "{ledger}");
    let (_, check, stderr) = run_in(dir.path(), &["check", "{dir}/units.geojson", "{dir}/targets.geojson"]);
    assert!(check.contains("no geometry") && !check.contains("outside every target: B"), "{check}{stderr}");
}

#[test]
fn a_run_removes_an_earlier_runs_files_from_its_output_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    for stale in ["composition.csv", "report.txt", "wards.csv", "wards.geojson"] {
        std::fs::write(out.join(stale), "an earlier recompute's").unwrap();
    }
    std::fs::write(out.join("notes.txt"), "the user's own").unwrap();
    let stdout = apportion_ok(dir.path(), &good_units(), &[]);
    assert!(stdout.contains("removed ") && stdout.contains("wards.geojson (an earlier run's; this run does not write it)"), "{stdout}");
    let mut left: Vec<String> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, ["crosswalk.csv", "ledger.csv", "map.html", "map.svg", "notes.txt", "results.csv", "results.geojson"]);
}

#[test]
fn a_ring_with_all_its_points_on_one_line_is_dropped_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let flat = r#"{"type":"Polygon","coordinates":[[[-0.2,51.5],[-0.15,51.5],[-0.1,51.5],[-0.2,51.5]]]}"#;
    let units = fc(&[feature(json!({"code": "A", "lab": 10}), SQUARE), feature(json!({"code": "B", "lab": 20}), flat)]);
    let stdout = apportion_ok(dir.path(), &units, &[]);
    assert!(stdout.contains("feature 1 (id B): polygon 0: collapsed exterior ring (polygon dropped) with 3 points all on one line (no area) dropped"), "{stdout}");
    assert!(stdout.contains("B (20 votes, no geometry)"), "{stdout}");
}

#[test]
fn a_failed_write_leaves_no_directory_it_made() {
    // No file may grow past 0 blocks (SIGXFSZ ignored, so a write fails with
    // EFBIG instead of killing the process): the run makes its output
    // directory, fails to write into it, and must take it away again.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("units.geojson"), good_units()).unwrap();
    std::fs::write(dir.path().join("targets.geojson"), good_targets()).unwrap();
    let d = dir.path().to_str().unwrap();
    let script = format!(
        "trap '' XFSZ; ulimit -f 0; exec '{}' apportion '{d}/units.geojson' '{d}/targets.geojson' -o '{d}/new/out'",
        env!("CARGO_BIN_EXE_notional")
    );
    let out = Command::new("sh").args(["-c", &script]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write outputs"), "{stderr}");
    assert!(!dir.path().join("new/out").exists(), "the directory the run made is gone");
}

//! The binary end to end: the demo, `apportion` on a small fixture (every
//! output file checked), and failures that must exit non-zero without output.

use crate::support::*;
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output};

fn notional(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_notional")).args(args).output().expect("run notional")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn demo_prints_kensington_and_bayswater_notionally_labour() {
    let out = notional(&["demo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Kensington was con by 150 in 2019; Kensington and Bayswater is notionally lab by"), "{stdout}");
    let kb = stdout.lines().find(|l| l.starts_with("E14001310")).expect("K&B row");
    assert_eq!(kb.split_whitespace().nth(4), Some("lab"), "{kb}");
    assert!(stdout.contains("unallocated:  0"), "{stdout}");
    assert!(out.stderr.is_empty(), "no progress bar when stderr is not a terminal: {}", text(&out.stderr));
}

#[test]
fn demo_writes_outputs_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let out = notional(&["demo", "-o", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for f in ["results.csv", "results.geojson", "crosswalk.csv"] {
        assert!(dir.path().join(f).exists(), "{f}");
    }
}

/// Two seats side by side (lon/lat), three wards: one in each, one across the line.
fn fixture(dir: &Path) -> (String, String) {
    let seats = [rect(-0.30, 51.40, -0.20, 51.50), rect(-0.20, 51.40, -0.10, 51.50)];
    let s: Vec<(Value, &geo::MultiPolygon<f64>)> = vec![
        (json!({"code": "S1", "name": "West"}), &seats[0]),
        (json!({"code": "S2", "name": "East"}), &seats[1]),
    ];
    let wards = [rect(-0.29, 51.41, -0.25, 51.45), rect(-0.15, 51.41, -0.11, 51.45), rect(-0.22, 51.46, -0.18, 51.49)];
    let w: Vec<(Value, &geo::MultiPolygon<f64>)> = vec![
        (json!({"code": "W1", "name": "One", "electorate": 1000, "con": 400, "lab": 200}), &wards[0]),
        (json!({"code": "W2", "name": "Two", "electorate": 1000, "con": 100, "lab": 500}), &wards[1]),
        (json!({"code": "W3", "name": "Three", "electorate": 1001, "con": 301, "lab": 300}), &wards[2]),
    ];
    let (wp, sp) = (dir.join("wards.geojson"), dir.join("seats.geojson"));
    std::fs::write(&wp, collection(&w, None)).unwrap();
    std::fs::write(&sp, collection(&s, None)).unwrap();
    (wp.to_str().unwrap().to_string(), sp.to_str().unwrap().to_string())
}

#[test]
fn apportion_writes_results_geojson_and_crosswalk() {
    let dir = tempfile::tempdir().unwrap();
    let (wards, seats) = fixture(dir.path());
    let out_dir = dir.path().join("out");
    let out = notional(&["apportion", &wards, &seats, "-o", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("votes in:     1801") && stdout.contains("allocated:    1801"), "{stdout}");
    assert!(stdout.contains("1 units split between targets"), "{stdout}");

    // results.csv: contract columns; W3 (301/300) split in half across the line.
    let csv = std::fs::read_to_string(out_dir.join("results.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("code,name,con,lab,total,winner,second,majority,majority_pct,electorate,turnout"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2);
    let (west, east) = (&rows[0], &rows[1]);
    assert_eq!((west[0], west[1], east[0], east[1]), ("S1", "West", "S2", "East"));
    let n = |r: &Vec<&str>, i: usize| r[i].parse::<u64>().unwrap();
    assert_eq!(n(west, 2) + n(east, 2), 801);
    assert_eq!(n(west, 3) + n(east, 3), 1000);
    assert_eq!(n(west, 9) + n(east, 9), 3001);
    assert!((550..=551).contains(&n(west, 2)), "west con {}", n(west, 2));
    assert_eq!((west[5], west[6]), ("con", "lab"));
    assert_eq!((east[5], east[6]), ("lab", "con"));

    // results.geojson: RFC 7946, same properties + simplestyle, CCW exteriors, 6 decimals.
    let gj: Value = serde_json::from_str(&std::fs::read_to_string(out_dir.join("results.geojson")).unwrap()).unwrap();
    assert_eq!(gj["type"], "FeatureCollection");
    assert!(gj.get("crs").is_none());
    let feats = gj["features"].as_array().unwrap();
    assert_eq!(feats.len(), 2);
    assert_eq!(feats[0]["properties"]["code"], "S1");
    assert_eq!(feats[0]["properties"]["winner"], "con");
    assert_eq!(feats[0]["properties"]["fill"], "#0087DC");
    assert_eq!(feats[1]["properties"]["fill"], "#E4003B");
    let ring = feats[0]["geometry"]["coordinates"][0].as_array().unwrap();
    let pts: Vec<(f64, f64)> = ring.iter().map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())).collect();
    let signed: f64 = pts.windows(2).map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1).sum();
    assert!(signed > 0.0, "exterior ring must be counter-clockwise");
    assert_eq!(pts.first(), pts.last());

    // crosswalk.csv: every unit's weights, summing to 1.
    let cw = std::fs::read_to_string(out_dir.join("crosswalk.csv")).unwrap();
    let mut sums = std::collections::BTreeMap::new();
    for line in cw.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        *sums.entry(f[0].to_string()).or_insert(0.0) += f[2].parse::<f64>().unwrap();
    }
    assert_eq!(sums.len(), 3);
    assert!(sums.values().all(|s| (s - 1.0).abs() < 1e-9), "{sums:?}");
    assert_eq!(cw.lines().filter(|l| l.starts_with("W3,")).count(), 2);

    // ledger.csv: every unit and party, balanced.
    let ledger = std::fs::read_to_string(out_dir.join("ledger.csv")).unwrap();
    let mut lines = ledger.lines();
    assert_eq!(lines.next(), Some("unit,party,votes_in,allocated,unallocated,cause"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 3 * 2);
    for r in &rows {
        let n = |i: usize| r[i].parse::<u64>().unwrap();
        assert_eq!(n(2), n(3) + n(4), "{r:?}");
    }
    assert_eq!(rows.iter().map(|r| r[2].parse::<u64>().unwrap()).sum::<u64>(), 1801);
}

#[test]
fn apportion_with_votes_csv_and_centroid_method() {
    let dir = tempfile::tempdir().unwrap();
    let (wards, seats) = fixture(dir.path());
    let votes = dir.path().join("votes.csv");
    std::fs::write(&votes, "\u{feff}ward_code,Ward,Con,Lab\nW1,One,\"1,000\",10\nW2,Two,,20\nW3,Three,5,6\n").unwrap();
    let out_dir = dir.path().join("out");
    let out = notional(&[
        "apportion", &wards, &seats, "-o", out_dir.to_str().unwrap(), "--votes", votes.to_str().unwrap(),
        "--votes-id", "ward_code", "--method", "centroid", "--parties", "Lab,Con",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(out_dir.join("results.csv")).unwrap();
    assert!(csv.starts_with("code,name,Lab,Con,total,"), "{csv}");
    // Centroid: every ward goes whole somewhere; nothing is lost.
    let total: u64 = csv.lines().skip(1).map(|l| l.split(',').nth(4).unwrap().parse::<u64>().unwrap()).sum();
    assert_eq!(total, 1041);
}

#[test]
fn bad_input_exits_non_zero_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (wards, seats) = fixture(dir.path());
    let out_dir = dir.path().join("out");
    let out = notional(&["apportion", &wards, &seats, "-o", out_dir.to_str().unwrap(), "--parties", "con,snp"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: cannot apportion: "), "{stderr}");
    assert!(stderr.contains("the party list names unknown property(s) snp"), "{stderr}");
    assert!(!out_dir.exists(), "no output directory for a failed run");

    let missing = notional(&["apportion", "nope.geojson", &seats, "-o", out_dir.to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("nope.geojson"), "{}", text(&missing.stderr));
}

#[test]
fn help_has_worked_examples() {
    for sub in ["apportion", "demo"] {
        let out = notional(&[sub, "--help"]);
        assert!(out.status.success());
        assert!(text(&out.stdout).contains("Examples:"), "{sub}");
    }
}

#[test]
fn a_failed_write_leaves_the_previous_outputs_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (wards, seats) = fixture(dir.path());
    let out_dir = dir.path().join("out");
    let o = out_dir.to_str().unwrap();
    assert!(notional(&["apportion", &wards, &seats, "-o", o]).status.success());
    let before = std::fs::read(out_dir.join("results.csv")).unwrap();
    // crosswalk.csv cannot be replaced (a non-empty directory stands there).
    std::fs::remove_file(out_dir.join("crosswalk.csv")).unwrap();
    std::fs::create_dir_all(out_dir.join("crosswalk.csv").join("x")).unwrap();
    let failed = notional(&["apportion", &wards, &seats, "-o", o, "--parties", "lab"]);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed.stderr));
    assert!(text(&failed.stderr).contains("crosswalk.csv"), "{}", text(&failed.stderr));
    assert_eq!(std::fs::read(out_dir.join("results.csv")).unwrap(), before, "results.csv restored");
    let leftovers: Vec<_> = std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name()).filter(|n| n.to_string_lossy().starts_with('.')).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_io_error_names_the_path_and_says_the_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let (wards, seats) = fixture(dir.path());
    let blocked = dir.path().join("a-file");
    std::fs::write(&blocked, "not a directory").unwrap();
    let out = notional(&["apportion", &wards, &seats, "-o", blocked.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("a-file: is a file, not a directory"), "{err}");
    assert_eq!(err.matches("is a file").count(), 1, "{err}");
}

#[test]
fn sync_writes_the_same_outputs_flushed_to_disk() {
    let dir = tempfile::tempdir().unwrap();
    let (wards, seats) = fixture(dir.path());
    let (plain, synced) = (dir.path().join("plain"), dir.path().join("synced"));
    assert!(notional(&["apportion", &wards, &seats, "-o", plain.to_str().unwrap()]).status.success());
    let out = notional(&["apportion", &wards, &seats, "-o", synced.to_str().unwrap(), "--sync"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let names = |d: &Path| {
        let mut n: Vec<String> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        n.sort();
        n
    };
    assert_eq!(names(&synced), ["crosswalk.csv", "ledger.csv", "map.html", "map.svg", "results.csv", "results.geojson"]);
    for name in names(&plain) {
        assert_eq!(std::fs::read(plain.join(&name)).unwrap(), std::fs::read(synced.join(&name)).unwrap(), "{name}");
    }
}

#[test]
fn check_reports_votes_at_stake_and_strict_fails_on_warnings() {
    let dir = tempfile::tempdir().unwrap();
    // Two seats with a gap between them; W1 in S1, W2 in the gap, W3 half outside S2.
    let seats = [rect(-0.30, 51.40, -0.25, 51.50), rect(-0.20, 51.40, -0.10, 51.50)];
    let wards = [rect(-0.29, 51.41, -0.26, 51.45), rect(-0.24, 51.41, -0.21, 51.45), rect(-0.12, 51.41, -0.08, 51.45)];
    let s: Vec<(Value, &geo::MultiPolygon<f64>)> =
        vec![(json!({"code": "S1", "name": "West"}), &seats[0]), (json!({"code": "S2", "name": "East"}), &seats[1])];
    let w: Vec<(Value, &geo::MultiPolygon<f64>)> = vec![
        (json!({"code": "W1", "lab": 100}), &wards[0]),
        (json!({"code": "W2", "lab": 40}), &wards[1]),
        (json!({"code": "W3", "lab": 60}), &wards[2]),
    ];
    let (wp, sp) = (dir.path().join("w.geojson"), dir.path().join("s.geojson"));
    std::fs::write(&wp, collection(&w, None)).unwrap();
    std::fs::write(&sp, collection(&s, None)).unwrap();
    let (wp, sp) = (wp.to_str().unwrap(), sp.to_str().unwrap());

    let out = notional(&["check", wp, sp]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("not placed: 1 unit(s), 40 votes at stake"), "{report}");
    assert!(report.contains("W2: 100.0% of 40 votes (40): gap"), "{report}");
    assert!(report.contains("partly outside every target: 1 unit(s), 30 votes at stake"), "{report}");

    let strict = notional(&["check", wp, sp, "--strict", "--json"]);
    assert_eq!(strict.status.code(), Some(1));
    let json: Value = serde_json::from_str(&text(&strict.stdout)).unwrap();
    assert_eq!(json["coverage"]["votes_in"], 200);
    assert_eq!(json["coverage"]["unplaced"][0]["unit"], "W2");
    assert_eq!(json["warnings"].as_array().unwrap().len(), 2);

    // apportion prints the one-line check and the ledger cause.
    let o = dir.path().join("out");
    let run = notional(&["apportion", wp, sp, "-o", o.to_str().unwrap()]);
    let summary = text(&run.stdout);
    assert!(summary.contains("ledger:       in 200 = allocated 160 + unallocated 40 (gap 40; ledger.csv)"), "{summary}");
    assert!(summary.contains("check:        2 warning(s); `notional check` for details"), "{summary}");
}

#[test]
fn synthetic_inputs_apportion_with_every_vote_placed() {
    let dir = tempfile::tempdir().unwrap();
    let (synth, res) = (dir.path().join("synth"), dir.path().join("out"));
    let (synth_s, res_s) = (synth.to_str().unwrap(), res.to_str().unwrap());
    let out = notional(&["synthetic", "--units", "2000", "--targets", "30", "--seed", "3", "-o", synth_s]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (wards, seats) = (synth.join("wards.geojson"), synth.join("seats.geojson"));
    let out = notional(&["apportion", wards.to_str().unwrap(), seats.to_str().unwrap(), "-o", res_s, "-q", "--timings"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("unallocated 0"), "{stdout}");
    assert!(text(&out.stderr).contains("timings: read"), "{}", text(&out.stderr));
    let results = std::fs::read_to_string(res.join("results.csv")).unwrap();
    assert_eq!(results.lines().count(), 31, "every seat gets votes");
}

#[test]
fn check_diagnoses_two_layers_of_seats_without_votes() {
    // The demo's seats against themselves: no vote columns, so the geometry alone.
    let dir = tempfile::tempdir().unwrap();
    let seats = dir.path().join("seats.geojson");
    std::fs::write(&seats, notional::demo::SEATS).unwrap();
    let s = seats.to_str().unwrap();
    let out = notional(&["check", s, s]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}{stdout}", text(&out.stderr));
    assert!(stdout.contains("coverage (no votes in: the geometry alone"), "{stdout}");
    assert!(stdout.contains("not placed: 0 unit(s)"), "{stdout}");
    // A run still needs votes.
    let out = notional(&["apportion", s, s, "-o", dir.path().join("out").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no numeric vote properties found"), "{}", text(&out.stderr));
}

#[test]
fn a_recipe_reads_a_folder_of_ward_files_as_one_layer_and_says_what_it_did_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let (wards, seats) = fixture(dir.path());
    // The wards as two council files in a folder, with a manifest beside them.
    let all: Value = serde_json::from_str(&std::fs::read_to_string(&wards).unwrap()).unwrap();
    let folder = dir.path().join("wards_by_council");
    std::fs::create_dir(&folder).unwrap();
    let features = all["features"].as_array().unwrap();
    for (name, part) in [("A.geojson", &features[..2]), ("B.geojson", &features[2..])] {
        std::fs::write(folder.join(name), json!({"type": "FeatureCollection", "features": part}).to_string()).unwrap();
    }
    std::fs::write(folder.join("_MANIFEST.csv"), "file\nA\n").unwrap();
    std::fs::write(dir.path().join("results.csv"), "ONS ID,Constituency name,Con,Lab\nS1,West,500,400\nS2,East,300,700\n").unwrap();
    let recipe = format!(
        "[old]\nseats = \"{seats}\"\nresults = \"results.csv\"\n[new]\nseats = \"{seats}\"\n[wards]\nlayer = [\"wards_by_council\"]\n[wards.model]\nmin_coverage = 0.1\n",
        seats = Path::new(&seats).file_name().unwrap().to_str().unwrap()
    );
    std::fs::write(dir.path().join("r.toml"), &recipe).unwrap();
    let out_dir = dir.path().join("out");
    let out = notional(&["recompute", "--recipe", dir.path().join("r.toml").to_str().unwrap(), "-o", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("not read:     wards_by_council/_MANIFEST.csv"), "{stdout}");
    assert!(stdout.contains("votes in:     1900") && stdout.contains("unallocated:  0"), "{stdout}");
    let report = std::fs::read_to_string(out_dir.join("report.txt")).unwrap();
    assert!(report.contains("3 wards read from 2 files"), "{report}");

    // A typo in a recipe is an error naming the key; nothing is written.
    std::fs::write(dir.path().join("typo.toml"), recipe.replace("layer =", "layers =")).unwrap();
    let bad_dir = dir.path().join("bad");
    let out = notional(&["recompute", "--recipe", dir.path().join("typo.toml").to_str().unwrap(), "-o", bad_dir.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("unknown field `layers`"), "{}", text(&out.stderr));
    assert!(!bad_dir.exists());
    // Wards that cover too little of every old seat: an error, not an empty run.
    std::fs::write(dir.path().join("thin.toml"), recipe.replace("min_coverage = 0.1", "min_coverage = 0.9")).unwrap();
    let out = notional(&["recompute", "--recipe", dir.path().join("thin.toml").to_str().unwrap(), "-o", bad_dir.to_str().unwrap()]);
    assert!(!out.status.success() && text(&out.stderr).contains("no unit carries a vote"), "{}", text(&out.stderr));
    assert!(!bad_dir.exists());
    // Inputs as flags beside a recipe are refused.
    let out = notional(&["recompute", "--recipe", dir.path().join("r.toml").to_str().unwrap(), "--new-seats", &seats, "-o", bad_dir.to_str().unwrap()]);
    assert!(!out.status.success() && text(&out.stderr).contains("not both"), "{}", text(&out.stderr));
}

#[test]
fn estimate_takes_a_recipe_too() {
    let dir = tempfile::tempdir().unwrap();
    let (wards, seats) = fixture(dir.path());
    std::fs::write(dir.path().join("results.csv"), "ONS ID,Constituency name,Con,Lab\nS1,West,500,400\nS2,East,300,700\n").unwrap();
    let name = |p: &str| Path::new(p).file_name().unwrap().to_str().unwrap().to_string();
    let recipe = format!(
        "[old]\nseats = \"{s}\"\nresults = \"results.csv\"\n[new]\nseats = \"{s}\"\n[wards]\nlayer = [\"{w}\"]\n[wards.model]\nmin_coverage = 0.1\n",
        s = name(&seats),
        w = name(&wards)
    );
    std::fs::write(dir.path().join("r.toml"), recipe).unwrap();
    let out_dir = dir.path().join("est");
    let out = notional(&["estimate", "--recipe", dir.path().join("r.toml").to_str().unwrap(), "-o", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(out_dir.join("wards.csv")).unwrap();
    let total: u64 = csv.lines().skip(1).map(|l| l.split(',').nth(9).unwrap().parse::<u64>().unwrap()).sum();
    assert_eq!(total, 1900, "every vote of both old seats in the ward estimates:\n{csv}");
}

#[test]
fn map_draws_a_results_folder_as_html_and_svg_geographic_and_hex() {
    let dir = tempfile::tempdir().unwrap();
    let out = notional(&["demo", "-o", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A layout holding Kensington and Bayswater and a seat not in the run; the demo's two other seats are missing from it.
    let hex = dir.path().join("seats.hexjson");
    std::fs::write(&hex, r#"{"layout":"odd-r","hexes":{"E14001310":{"n":"K&B","q":0,"r":0},"E14009999":{"n":"Elsewhere","q":1,"r":0}}}"#).unwrap();
    let out = notional(&["map", dir.path().to_str().unwrap(), "--hexjson", hex.to_str().unwrap(), "--title", "Demo & test"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("not in the hex layout (2), not drawn there: "), "{stdout}");
    let svg = std::fs::read_to_string(dir.path().join("map.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("Demo &amp; test"), "the title, escaped");
    // K&B in Labour's colour in both views, with its result on hover.
    let kb: Vec<&str> = svg.split("<path").filter(|p| p.contains("<title>Kensington and Bayswater: lab")).collect();
    assert_eq!(kb.len(), 2, "geographic and hex");
    assert!(kb.iter().all(|p| p.contains(r##"fill="#E4003B""##)), "{kb:?}");
    assert!(svg.contains("E14009999: not in this run"));
    assert!(svg.contains("Contains OS data"));
    // The page: self-contained (Leaflet and the data inlined), the title escaped, K&B with its hex.
    let html = std::fs::read_to_string(dir.path().join("map.html")).unwrap();
    assert!(html.contains("<title>Demo &amp; test</title>") && html.contains("Leaflet 1.9.4"));
    assert!(!html.contains("<script src") && !html.contains("<link") && !html.contains("<img"), "nothing fetched");
    let data = html.split(r#"<script id="notional-data" type="application/json">"#).nth(1).unwrap().split("</script>").next().unwrap();
    let data: serde_json::Value = serde_json::from_str(data).unwrap();
    let kb = data["seats"].as_array().unwrap().iter().find(|s| s["code"] == "E14001310").unwrap();
    assert_eq!(kb["p"]["winner"], "lab");
    assert_eq!(kb["h"], serde_json::json!([0.0, 0.0]));
    assert_eq!(data["hexOnly"][0][0], "E14009999");
    // The other outputs are left as they were.
    assert!(dir.path().join("results.csv").exists());
    // A bad layout is an error naming the file and the field, and writes nothing new.
    std::fs::write(&hex, r#"{"layout":"odd-q","hexes":{}}"#).unwrap();
    std::fs::remove_file(dir.path().join("map.svg")).unwrap();
    let out = notional(&["map", dir.path().to_str().unwrap(), "--hexjson", hex.to_str().unwrap()]);
    assert!(!out.status.success() && text(&out.stderr).contains("layout"), "{}", text(&out.stderr));
    assert!(!dir.path().join("map.svg").exists());
}

#[test]
fn no_map_writes_no_maps_and_removes_an_earlier_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (wards, seats) = fixture(dir.path());
    let out = dir.path().join("out");
    assert!(notional(&["apportion", &wards, &seats, "-o", out.to_str().unwrap()]).status.success());
    assert!(out.join("map.html").exists() && out.join("map.svg").exists());
    let run = notional(&["apportion", &wards, &seats, "-o", out.to_str().unwrap(), "--no-map"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(!out.join("map.html").exists() && !out.join("map.svg").exists(), "an earlier run's maps are not left beside these results");
    let map = notional(&["map", out.to_str().unwrap(), "--no-map"]);
    assert!(!map.status.success() && text(&map.stderr).contains("--no-map belongs to apportion and recompute"));
}

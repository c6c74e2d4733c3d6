//! The streaming GeoJSON reader (the fast path of `read_layer`) against the
//! reference reader (the `geojson` crate): identical layers on everything the
//! fast path takes, including inputs built to mislead its guesses at feature
//! boundaries, and the reference's answer (error messages included) on
//! everything it does not take.

use notional::read::{read_layer, read_layer_reference, read_layer_streaming, Input, Layer};

/// A small deterministic generator (64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn same_layer(fast: &Layer, reference: &Layer) {
    assert_eq!(fast.crs_member, reference.crs_member);
    assert_eq!(fast.warnings, reference.warnings);
    assert_eq!(fast.features.len(), reference.features.len());
    for (a, b) in fast.features.iter().zip(&reference.features) {
        assert_eq!((a.index, &a.id, &a.name), (b.index, &b.id, &b.name));
        assert_eq!(a.geometry, b.geometry, "feature {}", a.index);
        assert_eq!(a.properties, b.properties, "feature {}", a.index);
    }
}

/// Reads `text` both ways; returns whether the fast path took it.
fn compare(text: &str) -> bool {
    let input = Input::from_text("t.geojson", text);
    let reference = read_layer_reference(&input, "code", Some("name"));
    let fast = read_layer_streaming(&input, "code", Some("name"));
    let took = fast.is_some();
    match (fast, &reference) {
        (Some(Ok(f)), Ok(r)) => same_layer(&f, r),
        (Some(Err(f)), Err(r)) => assert_eq!(f.to_string(), r.to_string()),
        (Some(f), r) => panic!("fast path {:?} but reference {:?}", f.map(|l| l.features.len()), r.as_ref().map(|l| l.features.len())),
        (None, _) => {}
    }
    // read_layer's answer is the reference's wherever they could differ.
    match (read_layer(&input, "code", Some("name")), reference) {
        (Ok(a), Ok(b)) => same_layer(&a, &b),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("read_layer {:?}, reference {:?}", a.is_ok(), b.is_ok()),
    }
    took
}

/// A ring around (x, y) of `n` vertices, closed, as GeoJSON text; with
/// altitude when `z`.
fn ring(r: &mut Lcg, x: f64, y: f64, size: f64, n: usize, clockwise: bool, z: bool) -> String {
    let mut pts: Vec<String> = (0..n)
        .map(|i| {
            let a = (i as f64) / (n as f64) * std::f64::consts::TAU * if clockwise { -1.0 } else { 1.0 };
            let rr = size * (0.6 + 0.4 * (r.below(1000) as f64) / 1000.0);
            let (px, py) = (x + rr * a.cos(), y + rr * a.sin());
            // Numbers as files write them: six decimals mostly, some full
            // precision (17 digits), exponents, integers.
            let (sx, sy) = match r.below(20) {
                0 => (format!("{px:e}"), format!("{py:E}")),
                1 => (format!("{px}"), format!("{py}")),
                2 => (format!("{}", px.round()), format!("{:.0}", py)),
                3 => (format!("{px:.17}"), format!("{py:.19}")),
                _ => (format!("{px:.6}"), format!("{py:.6}")),
            };
            if z { format!("[{sx},{sy},{}]", r.below(100)) } else { format!("[{sx},{sy}]") }
        })
        .collect();
    pts.push(pts[0].clone());
    format!("[{}]", pts.join(","))
}

/// A FeatureCollection of `n` features with the quirks real and hostile
/// files have; `pretty` spreads it over lines with indentation.
fn collection(seed: u64, n: usize, pretty: bool) -> String {
    let mut r = Lcg(seed);
    let (nl, ind) = if pretty { ("\n", "  ") } else { ("", "") };
    let mut features = Vec::new();
    for i in 0..n {
        let (x, y) = (-2.0 + (i % 50) as f64 * 0.02, 51.0 + (i / 50) as f64 * 0.02);
        let z = r.below(10) == 0;
        let (n, cw) = (5 + r.below(40) as usize, r.below(3) == 0);
        let mut polygon = vec![ring(&mut r, x, y, 0.008, n, cw, z)];
        if r.below(6) == 0 {
            let (n, cw) = (4 + r.below(5) as usize, r.below(2) == 0);
            polygon.push(ring(&mut r, x, y, 0.002, n, cw, z));
        }
        let geometry = match r.below(12) {
            0 => "null".to_string(),
            1 => format!(r#"{{"type":"MultiPolygon","coordinates":[[{}],[{}]]}}"#, polygon.join(","), ring(&mut r, x + 0.01, y, 0.003, 6, false, false)),
            // A ring that collapses (two distinct points), as quantised boundary files have.
            2 => format!(r#"{{"type":"MultiPolygon","coordinates":[[{}],[[[{x},{y}],[{x},{y}],[{},{y}],[{x},{y}]]]]}}"#, polygon.join(","), x + 1e-6),
            3 => format!(r#"{{"coordinates":[{}],"bbox":[0,0,1,1],"type":"Polygon"}}"#, polygon.join(",")),
            _ => format!(r#"{{"type":"Polygon","coordinates":[{}]}}"#, polygon.join(",")),
        };
        let id = if r.below(5) == 0 { format!("{}", 100000 + i) } else { format!("\"W{i:05}\"") };
        let name = match r.below(6) {
            // Text that looks like a feature boundary, to mislead the chunking.
            0 => format!(r#""x}},{{\"type\":\"Feature\" {i}""#),
            1 => "\"}, {\\\"na\\u006de\\\": \\\"é ü\\\"}\"".to_string(),
            2 => "null".to_string(),
            _ => format!("\"Ward {i}\""),
        };
        let properties = match r.below(15) {
            0 => "null".to_string(),
            _ => format!(
                r#"{{"code":{id},"name":{name},"electorate":{},"lab":{},"con":{},"nested":[{{"a":1}},{{"b":[2,3]}}],"na\u006de2":"{}","share":0.25,"z":-0,"big":18446744073709551616,"neg":-9223372036854775808,"e":1E3,"t":true,"f":false,"n":null{}}}"#,
                r.below(5000),
                r.below(2000),
                r.below(2000),
                "x".repeat(r.below(4) as usize),
                if r.below(4) == 0 { r#","lab2":7"# } else { "" }
            ),
        };
        let properties = if properties == "null" { format!(r#"{{"code":{id},"props":null}}"#) } else { properties };
        let f = match r.below(4) {
            0 => format!(r#"{{"geometry":{geometry},{nl}{ind}{ind}"properties":{properties},"type":"Feature","id":{i}}}"#),
            _ => format!(r#"{{"type":"Feature",{nl}{ind}{ind}"properties":{properties},{nl}{ind}{ind}"geometry":{geometry}}}"#),
        };
        features.push(format!("{ind}{f}"));
    }
    let sep = if pretty { ",\n" } else { "," };
    let head = if seed.is_multiple_of(2) { r#""type":"FeatureCollection","name":"t","#.to_string() } else { String::new() };
    let tail = if seed.is_multiple_of(2) {
        String::new()
    } else {
        r#","type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"bbox":[-3,50,0,53]"#.to_string()
    };
    format!("{{{head}\"features\":[{nl}{}{nl}]{tail}}}{nl}", features.join(sep))
}

#[test]
fn large_collections_read_as_the_reference_reads_them() {
    for seed in 0..6 {
        for pretty in [false, true] {
            // About 1 MB: cut into several ranges read in parallel.
            let text = collection(seed, 2500, pretty);
            assert!(text.len() > 700_000);
            assert!(compare(&text), "seed {seed}: the fast path did not take it");
        }
    }
}

#[test]
fn small_collections_read_as_the_reference_reads_them() {
    for seed in 0..40 {
        assert!(compare(&collection(seed, 1 + seed as usize % 7, seed % 3 == 0)));
    }
}

#[test]
fn many_property_names_read_as_the_reference_reads_them_and_a_repeated_one_is_refused() {
    // Seventy names (past the 64 that the scanner tracks by a bit each), in
    // a different order in every other feature.
    let ring = "[[[-1,51],[-1,51.1],[-0.9,51.1],[-1,51]]]";
    let text_with = |extra: &dyn Fn(usize) -> Vec<String>| {
        let features: Vec<String> = (0..40)
            .map(|i| {
                let mut names: Vec<usize> = (0..70).collect();
                if i % 2 == 1 {
                    names.reverse();
                }
                let mut members: Vec<String> = names.iter().map(|n| format!(r#""p{n}":{}"#, n * 100 + i)).collect();
                members.extend(extra(i));
                format!(r#"{{"type":"Feature","properties":{{"code":"W{i}",{}}},"geometry":{{"type":"Polygon","coordinates":{ring}}}}}"#, members.join(","))
            })
            .collect();
        format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
    };
    let text = text_with(&|i| vec![format!(r#""q69":"again {i}""#)]);
    assert!(compare(&text), "the fast path did not take it");
    let layer = read_layer(&Input::from_text("t.geojson", &text), "code", None).unwrap();
    let p = &layer.features[1].properties;
    assert_eq!(p.len(), 72);
    assert_eq!((p["p3"].as_i64(), p["p66"].as_i64(), p["q69"].as_str()), (Some(301), Some(6601), Some("again 1")));
    assert_eq!(p.keys().nth(1), Some("p69"));
    // A name repeated, below or past the 64th, from feature 3 on: refused, naming the feature.
    for name in ["p3", "p66"] {
        let text = text_with(&|i| if i >= 3 { vec![format!(r#""{name}":-{i}"#)] } else { vec![] });
        let err = read_layer(&Input::from_text("t.geojson", &text), "code", None).unwrap_err().to_string();
        assert_eq!(err, format!("t.geojson: feature 3, field `{name}`: appears twice in the feature's properties; which value is meant cannot be told: keep one"));
    }
}

#[test]
fn what_the_fast_path_refuses_gets_the_reference_answer() {
    let good = collection(4, 3, false);
    let cases = [
        good.replacen(r#""type":"FeatureCollection""#, r#""type":"Feature""#, 1),
        good.replacen(r#"{"type":"Polygon""#, r#"{"type":"LineString""#, 1),
        good.replacen("]]}}", "]]}} x", 1),
        good.replacen(r#""type":"Feature""#, r#""type":"Featur""#, 1),
        good.replacen("[[[", "[[[0],", 1),
        good.replacen("[[[", "[[], [[", 1),
        good.replacen(r#""features":["#, r#""features":[null,"#, 1),
        good.replacen(r#""code":"#, r#""cod":"#, 1),
        good[..good.len() / 2].to_string(),
        format!("{good} {{}}"),
        r#"{"type":"FeatureCollection","features":[]}"#.to_string(),
        good.replacen(r#""features":["#, r#""features":[],"features":["#, 1),
        good.replacen(r#""lab":"#, r#""lab":01,"x":"#, 1),
        good.replacen(r#""lab":"#, r#""lab":1.,"x":"#, 1),
        good.replacen(r#""lab":"#, r#""lab":.5,"x":"#, 1),
        good.replacen(r#""lab":"#, r#""lab":+1,"x":"#, 1),
        good.replacen(r#""lab":"#, r#""lab":1e,"x":"#, 1),
        good.replacen(r#""lab":"#, r#""lab":tru,"x":"#, 1),
        good.replacen(r#""lab":"#, "\"lab\":\"a\tb\",\"x\":", 1),
        good.replacen("]]}}", "],]}}", 1),
        good.replacen("[[[", "[[[01.5,", 1),
        good.replacen("[[[", "[[[1.,", 1),
        good.replacen("[[[", "[[[-,", 1),
        good.replacen("[[[", "[[[1e400,", 1),
        good.replacen("[[[", "[[[ 1 , 2 ] , [", 1),
    ];
    for (i, text) in cases.iter().enumerate() {
        let took = compare(text);
        // Case 11 (two `features` members) and the last (valid, spaced) may be taken.
        assert!(!took || i == 11 || i == cases.len() - 1, "case {i} was taken by the fast path");
    }
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn real_boundary_files_read_as_the_reference_reads_them() {
    let d = "../shared/data";
    let files = [
        (format!("{d}/derived/england_wards_2013.geojson"), "code"),
        (format!("{d}/derived/london_wards_2022.geojson"), "code"),
        (format!("{d}/derived/pcon2024_bgc.geojson"), "code"),
        (format!("{d}/derived/synthetic_voronoi_10000.geojson"), "code"),
        (format!("{d}/boundaries/wards/london_wd22/London_wards_Dec2022_WGS84.geojson"), "WD22CD"),
        (format!("{d}/boundaries/pcon2024/Westminster_Parliamentary_Constituencies_July_2024_Boundaries_UK_BUC.geojson"), "PCON24CD"),
    ];
    for (path, id) in files {
        let input = Input::from_path(std::path::Path::new(&path)).unwrap();
        let fast = read_layer_streaming(&input, id, None).unwrap_or_else(|| panic!("{path}: not taken")).unwrap();
        same_layer(&fast, &read_layer_reference(&input, id, None).unwrap());
    }
}

//! Mutation testing of the readers and the pipeline (cargo-fuzz needs a
//! nightly toolchain this project cannot assume): random bytes, and valid
//! inputs with random cuts, insertions and replacements, must give `Ok` or
//! an `Err`, never a panic.

use notional::apportion::{apportion, Options};
use notional::progress::Silent;
use notional::read::{read_layer, Input, KeyedTable};
use proptest::prelude::*;

/// A mutation of `text`: cut a range, insert bytes, or overwrite a range.
fn mutate(text: &str, kind: u8, at: usize, len: usize, insert: &str) -> String {
    let bytes = text.as_bytes();
    let at = at % (bytes.len() + 1);
    let end = (at + len).min(bytes.len());
    let mut out = bytes[..at].to_vec();
    match kind % 3 {
        0 => {}
        1 => {
            out.extend_from_slice(insert.as_bytes());
            out.extend_from_slice(&bytes[at..at]);
        }
        _ => out.extend_from_slice(insert.as_bytes()),
    }
    out.extend_from_slice(&bytes[if kind % 3 == 1 { at } else { end }..]);
    String::from_utf8_lossy(&out).into_owned()
}

const PIECES: &[&str] = &["", "-", "1e400", "NaN", "null", "[", "]", "{}", "\"code\"", "0", "-1", "1.5", ",", "\"Polygon\"", "\"MultiPolygon\"", "[[[0,0],[1,1]]]", "\u{feff}", "\"crs\":{}", "99999999999999999999"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let input = Input::from_text("random", text);
        let _ = read_layer(&input, "code", Some("name"));
        let _ = KeyedTable::read(&input, "code", None);
    }

    #[test]
    fn mutated_demo_inputs_never_panic(kind in any::<u8>(), at in any::<usize>(), len in 0usize..40, piece in 0usize..PIECES.len(), target in any::<bool>()) {
        let (wards, seats) = notional::demo::inputs();
        let (w, s) = if target {
            (wards.text().to_string(), mutate(seats.text(), kind, at, len, PIECES[piece]))
        } else {
            (mutate(wards.text(), kind, at, len, PIECES[piece]), seats.text().to_string())
        };
        let _ = apportion(&Input::from_text("w", w), &Input::from_text("s", s), None, &Options::default(), &Silent);
    }

    #[test]
    fn mutated_votes_csv_never_panics(kind in any::<u8>(), at in any::<usize>(), len in 0usize..20, piece in 0usize..PIECES.len()) {
        let (wards, seats) = notional::demo::inputs();
        let layer = read_layer(&wards, "code", None).unwrap();
        let mut csv = String::from("Title row\ncode,con,lab\n");
        for f in &layer.features {
            csv.push_str(&format!("{},\"1,000\",{}\n", f.id, f.index));
        }
        let csv = mutate(&csv, kind, at, len, PIECES[piece]);
        let _ = apportion(&wards, &seats, Some(&Input::from_text("v.csv", csv)), &Options::default(), &Silent);
    }
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    let text = format!("{{\"type\":\"FeatureCollection\",\"features\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let e = read_layer(&Input::from_text("deep.geojson", text), "code", None).unwrap_err();
    assert!(e.to_string().starts_with("deep.geojson: is not valid GeoJSON"), "{e}");
}

//! Vote-column detection on layers and CSVs built from the fuzzer's bytes:
//! values drawn from what real files hold (counts, fractions, negatives,
//! numeric strings, `n/a`, `NaN`, blanks, booleans). Asserts that nothing is
//! dropped silently (every column is counted or listed as skipped) and that
//! the GeoJSON and CSV readers decide the same columns alike.
#![no_main]
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use notional::read::{read_layer, Input, KeyedTable, VoteTable};
use serde_json::{json, Map, Value};

const NAMES: &[&str] = &["lab", "con", "ward", "share", "OBJECTID", "electorate", "x1", "Labour", "note"];

fn value(u: &mut Unstructured) -> Result<Value> {
    Ok(match u.int_in_range(0..=15)? {
        0 => json!(u.int_in_range(0..=5000)?),
        1 => json!(-5),
        2 => json!(2.5),
        3 => json!(1e15),
        4 => Value::Null,
        5 => json!(true),
        6 => json!("100"),
        7 => json!("1,204"),
        8 => json!("n/a"),
        9 => json!("NaN"),
        10 => json!("abc"),
        11 => json!(" 7 "),
        12 => json!("-5"),
        13 => json!("0.25"),
        14 => json!(""),
        _ => json!(u.int_in_range(0..=9)?),
    })
}

/// A CSV cell as the JSON value would be written in a spreadsheet.
fn cell(v: &Value) -> String {
    let text = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn build(u: &mut Unstructured) -> Result<(Vec<&'static str>, Vec<Vec<Value>>)> {
    let mut columns: Vec<&str> = Vec::new();
    for _ in 0..u.int_in_range(1..=4)? {
        let name = *u.choose(NAMES)?;
        if !columns.contains(&name) {
            columns.push(name);
        }
    }
    let rows = (0..u.int_in_range(1..=8)?)
        .map(|_| columns.iter().map(|_| value(u)).collect::<Result<Vec<_>>>())
        .collect::<Result<Vec<_>>>()?;
    Ok((columns, rows))
}

fuzz_target!(|data: &[u8]| {
    let Ok((columns, rows)) = build(&mut Unstructured::new(data)) else { return };
    let features: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut props = Map::new();
            props.insert("code".into(), json!(format!("F{i}")));
            for (c, v) in columns.iter().zip(row) {
                props.insert(c.to_string(), v.clone());
            }
            let x = i as f64 * 0.01;
            json!({"type": "Feature", "properties": props,
                   "geometry": {"type": "Polygon", "coordinates": [[[x, 51.0], [x + 0.01, 51.0], [x + 0.01, 51.01], [x, 51.0]]]}})
        })
        .collect();
    let text = json!({"type": "FeatureCollection", "features": features}).to_string();
    let layer = read_layer(&Input::from_text("fuzz.geojson", text), "code", None).expect("a well-formed layer");
    let from_json = VoteTable::from_properties(&layer, "code", None);

    let mut csv = format!("code,{}\n", columns.join(","));
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row.iter().map(cell).collect();
        csv.push_str(&format!("F{i},{}\n", cells.join(",")));
    }
    let from_csv = KeyedTable::read(&Input::from_text("fuzz.csv", csv), "code", None);

    for table in [from_json.as_ref().ok(), from_csv.as_ref().ok().map(|t| &t.table)].into_iter().flatten() {
        // Nothing dropped silently: each column is a party, the electorate, or listed as skipped.
        for c in &columns {
            let counted = table.parties().iter().any(|p| p == c) || (*c == "electorate" && table.has_electorate());
            let skipped = table.skipped().iter().filter(|s| s.name == *c).count();
            assert!(counted != (skipped == 1), "column {c} counted {counted}, skipped {skipped} times");
        }
    }
    // Both readers decide alike.
    assert_eq!(from_json.is_ok(), from_csv.is_ok(), "json {:?} csv {:?}", from_json.as_ref().err(), from_csv.as_ref().err());
    if let (Ok(j), Ok(c)) = (&from_json, &from_csv) {
        assert_eq!(j.parties(), c.table.parties());
        assert_eq!(j.totals(), c.table.totals());
    }
});

//! The map writer's coordinates against the plain way of writing them: each
//! number rounded half away from zero to six decimals, then written as the
//! shortest decimal of that value (`51.5`, `-0.069626`, `0.0`, no `-0.0`).

use geo::{Coord, LineString, MultiPolygon, Polygon};
use notional::export::results_geojson;
use notional::results::{Results, SeatResult};
use proptest::prelude::*;

fn plain(x: f64) -> String {
    let m = (x * 1e6).round();
    let (int, frac) = ((m.abs() as u64) / 1_000_000, (m.abs() as u64) % 1_000_000);
    let sign = if m < 0.0 && m != 0.0 { "-" } else { "" };
    if frac == 0 {
        format!("{sign}{int}.0")
    } else {
        format!("{sign}{int}.{}", format!("{frac:06}").trim_end_matches('0'))
    }
}

/// A number near `k` millionths: on it, half a millionth off, or anywhere.
fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-180_000_000i64..180_000_000).prop_map(|k| k as f64 / 1e6),
        (-180_000_000i64..180_000_000, prop_oneof![Just(-5e-7), Just(5e-7), Just(-4.999_999e-7), Just(5.000_001e-7)])
            .prop_map(|(k, d)| k as f64 / 1e6 + d),
        -1e9f64..1e9,
        prop_oneof![Just(0.0), Just(-0.0), Just(-4e-7), Just(4e-7), Just(8_999_999_998.5), Just(-1e-300)],
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn positions_are_written_as_their_rounded_shortest_decimal(x in number(), y in number(), d in 1e-3f64..1.0) {
        // A counter-clockwise square, so the writer keeps its order.
        let ring: Vec<Coord<f64>> = vec![
            Coord { x, y }, Coord { x: x + d, y }, Coord { x: x + d, y: y + d }, Coord { x, y: y + d }, Coord { x, y },
        ];
        let expected = format!(
            "[[{}]]",
            ring.iter().map(|c| format!("[{},{}]", plain(c.x), plain(c.y))).collect::<Vec<_>>().join(",")
        );
        let results = Results { parties: vec!["a".into()], has_electorate: false, seats: vec![SeatResult::new(0, "S", "S", &[1], None)] };
        let geometry = MultiPolygon::new(vec![Polygon::new(LineString(ring), vec![])]);
        let mut out = Vec::new();
        results_geojson(&results, &[geometry], &[], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        prop_assert!(text.contains(&format!(r#""coordinates":{expected}"#)), "{expected} not in {text}");
    }
}

/// Simplifying a tessellation edge by edge leaves no gap and no overlap:
/// the simplified pieces still add up to the whole square. (The national
/// map's size, in the real-data suite, shows how many vertices go.)
#[test]
fn shared_edge_simplification_keeps_a_tessellation_whole() {
    use geo::{Area, CoordsIter};
    use notional::export::map::SimplifyShared;
    for (n, seed) in [(50, 1), (400, 7)] {
        let tiles = notional::synthetic::tessellation(n, seed);
        let whole: f64 = tiles.iter().map(|t| t.unsigned_area()).sum();
        let before: usize = tiles.iter().map(|t| t.coords_count()).sum();
        for tolerance in [10.0, 200.0, 1000.0] {
            let simple = tiles.as_slice().simplify_shared(tolerance);
            assert_eq!(simple.len(), tiles.len());
            let area: f64 = simple.iter().map(|t| t.unsigned_area()).sum();
            assert!((area - whole).abs() < whole * 1e-9, "{n} tiles at {tolerance}: {area} of {whole}");
            let after: usize = simple.iter().map(|t| t.coords_count()).sum();
            assert!(after <= before, "{after} > {before}");
        }
    }
}

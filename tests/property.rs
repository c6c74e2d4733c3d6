//! Property test: on random tilings (units and targets from independent random
//! grids, targets not always covering every unit), every party's votes in
//! equal votes allocated plus votes reported unallocated, exactly.

use crate::support::rect;
use geo::MultiPolygon;
use notional::aggregate::allocate;
use notional::crosswalk::{Crosswalk, Method};
use notional::geometry::index::TargetIndex;
use notional::progress::Silent;
use notional::read::VoteTable;
use proptest::prelude::*;

/// Cut positions 0 = c0 < c1 < … < cn = extent from random gaps.
fn cuts(gaps: &[f64], extent: f64) -> Vec<f64> {
    let sum: f64 = gaps.iter().sum();
    let mut acc = 0.0;
    let mut out = vec![0.0];
    for g in gaps {
        acc += g / sum * extent;
        out.push(acc);
    }
    *out.last_mut().unwrap() = extent;
    out
}

fn grid(xs: &[f64], ys: &[f64], dx: f64, dy: f64) -> Vec<MultiPolygon<f64>> {
    let mut out = Vec::new();
    for i in 0..xs.len() - 1 {
        for j in 0..ys.len() - 1 {
            out.push(rect(xs[i] + dx, ys[j] + dy, xs[i + 1] + dx, ys[j + 1] + dy));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn votes_are_conserved_on_random_tilings(
        ux in prop::collection::vec(1.0f64..10.0, 1..6),
        uy in prop::collection::vec(1.0f64..10.0, 1..6),
        tx in prop::collection::vec(1.0f64..10.0, 1..4),
        ty in prop::collection::vec(1.0f64..10.0, 1..4),
        // Targets shifted so that some units are partly or wholly outside.
        shift in (-400.0f64..400.0, -400.0f64..400.0),
        seed in prop::collection::vec(0u64..100_000, 3 * 25),
        centroid in any::<bool>(),
    ) {
        let units = grid(&cuts(&ux, 1000.0), &cuts(&uy, 1000.0), 0.0, 0.0);
        let targets = grid(&cuts(&tx, 900.0), &cuts(&ty, 900.0), shift.0, shift.1);
        let rows: Vec<Vec<u64>> = (0..units.len()).map(|u| seed[3 * u..3 * u + 3].to_vec()).collect();
        let votes = VoteTable::new(vec!["a".into(), "b".into(), "c".into()], false, rows);
        let index = TargetIndex::new(targets.clone());
        let method = if centroid { Method::Centroid } else { Method::Area };
        let cw = Crosswalk::build(&units, &index, method, &Silent);
        for row in &cw.units {
            let sum: f64 = row.weights.iter().map(|w| w.1).sum();
            prop_assert!(row.weights.is_empty() || (sum - 1.0).abs() < 1e-9, "weights sum to {}", sum);
        }
        let alloc = allocate(&votes, &cw, targets.len());
        let (input, allocated) = (votes.totals(), alloc.allocated_totals());
        for p in 0..3 {
            prop_assert_eq!(input[p], allocated[p] + alloc.unallocated[p], "party {}", p);
        }
        // Units outside every target are exactly the unallocated ones.
        prop_assert_eq!(alloc.unallocated_units, cw.outside());
    }
}

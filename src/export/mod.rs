//! Step 7 of the pipeline: **export**: `results.csv`, `results.geojson` and
//! `crosswalk.csv`, written all-or-nothing (temporary files, renamed at the end).

mod atomic;
mod csv_out;
mod geojson_out;
mod palette;
mod recompute_out;
mod table;

pub use atomic::{write_files, write_files_removing};
pub use csv_out::{crosswalk_csv, ledger_csv, results_csv, Extra};
pub use geojson_out::results_geojson;
pub use palette::party_colour;
pub use recompute_out::{composition_csv, estimate_report, estimates_csv, estimates_geojson, seat_report, write_recomputed};
pub use table::results_table;

use crate::apportion::Outcome;
use crate::error::Result;
use std::path::{Path, PathBuf};

/// Writes the standard outputs of an [`Outcome`] (results, map, crosswalk, ledger) into `dir` (created if
/// missing). Either all files are written or none is replaced.
pub fn write_outputs(dir: &Path, outcome: &Outcome) -> Result<Vec<PathBuf>> {
    let mut results = Vec::new();
    results_csv(&outcome.results, &[], &mut results).expect("writing to memory");
    let mut geojson = Vec::new();
    results_geojson(&outcome.results, &outcome.target_geometries_wgs84()?, &[], &mut geojson)
        .expect("writing to memory");
    let unit_ids = outcome.unit_ids();
    let target_ids = outcome.target_ids();
    let mut crosswalk = Vec::new();
    crosswalk_csv(&outcome.crosswalk, &unit_ids, &target_ids, &mut crosswalk).expect("writing to memory");
    let mut ledger = Vec::new();
    ledger_csv(&outcome.votes, &outcome.crosswalk, &unit_ids, &mut ledger).expect("writing to memory");
    write_files(
        dir,
        &[("results.csv", &results), ("results.geojson", &geojson), ("crosswalk.csv", &crosswalk), ("ledger.csv", &ledger)],
    )
}

//! Step 7 of the pipeline: **export**: `results.csv`, `results.geojson` and
//! `crosswalk.csv` (and on request `results.gpkg`), written all-or-nothing
//! (temporary files, renamed at the end).

mod atomic;
mod chunked;
mod csv_out;
mod geojson_out;
mod gpkg_out;
mod palette;
mod recompute_out;
pub mod map;
mod table;

pub use atomic::{write_files, write_files_removing, write_files_with, Durability, Written};
pub use csv_out::{crosswalk_csv, ledger_csv, results_csv, Extra};
pub use geojson_out::results_geojson;
pub use gpkg_out::results_gpkg;
pub(crate) use geojson_out::{feature_collection, feature_size, write_feature};
pub use palette::party_colour;
pub use recompute_out::{composition_csv, estimate_report, estimates_csv, estimates_geojson, seat_report, write_recomputed};
pub use table::results_table;

use crate::apportion::Outcome;
use crate::error::Result;
use crate::read::Input;
use map::{MapOptions, SeatMap};
use std::io::Write as _;
use std::path::Path;

/// Writes the standard outputs of an [`Outcome`] (results, crosswalk, ledger, map.html and map.svg) into `dir` (created if
/// missing), and `results.gpkg` too where `gpkg` is set ([`results_gpkg`]). Either all files are written or none is
/// replaced; an earlier run's `results.gpkg` is removed by a run that does not write one.
pub fn write_outputs(dir: &Path, outcome: &Outcome, map: &MapOptions, durability: Durability, gpkg: bool) -> Result<Written> {
    let geometries = outcome.target_geometries_wgs84()?;
    let unit_ids = outcome.unit_ids();
    let target_ids = outcome.target_ids();
    let mut geojson = Vec::new();
    results_geojson(&outcome.results, &geometries, &[], &mut geojson).expect("writing to memory");
    let (html, svg) = maps(&geojson, None, Vec::new(), map)?;
    let package = if gpkg { results_gpkg(&outcome.results, &geometries, &[])? } else { Vec::new() };
    let mut names = vec!["results.csv", "results.geojson", "crosswalk.csv", "ledger.csv", "map.html", "map.svg"];
    if gpkg {
        names.push("results.gpkg");
    }
    write_files_with(dir, &names, &stale_outputs(&names), durability, |i, out| match i {
        0 => results_csv(&outcome.results, &[], &mut *out),
        1 => out.write_all(&geojson),
        2 => crosswalk_csv(&outcome.crosswalk, &unit_ids, &target_ids, &mut *out),
        3 => ledger_csv(&outcome.votes, &outcome.crosswalk, &unit_ids, &mut *out),
        4 => out.write_all(html.as_bytes()),
        5 => out.write_all(svg.as_bytes()),
        _ => out.write_all(&package),
    })
}

/// `map.html` and `map.svg` of a run, from its `results.geojson` and
/// `composition.csv` as written, and the old seats' outlines (BNG).
pub fn maps(results_geojson: &[u8], composition: Option<&[u8]>, old: Vec<(String, String, geo::MultiPolygon<f64>)>, options: &MapOptions) -> Result<(String, String)> {
    let text = |name: &str, bytes: &[u8]| Input::from_text(name, String::from_utf8_lossy(bytes).into_owned());
    let composition = composition.map(|c| text("composition.csv", c));
    let map = SeatMap::from_results(&text("results.geojson", results_geojson), composition.as_ref(), old, options.clone())?;
    Ok((map::html(&map), map::svg(&map)))
}

/// Every file a run of `apportion`, `recompute` or `estimate` writes into its
/// output directory.
pub const RUN_OUTPUTS: &[&str] = &[
    "results.csv", "results.geojson", "crosswalk.csv", "ledger.csv", "composition.csv", "report.txt", "wards.csv", "wards.geojson",
    "uncertainty.csv", "map.html", "map.svg", "results.gpkg",
];

/// The run outputs ([`RUN_OUTPUTS`]) that a run writing `names` does not
/// write: an earlier run's, removed when this run's are moved in, so that a
/// directory never holds files of two runs.
///
/// ```
/// use notional::export::stale_outputs;
/// assert_eq!(stale_outputs(&["results.csv", "results.geojson", "crosswalk.csv", "ledger.csv"]),
///            ["composition.csv", "report.txt", "wards.csv", "wards.geojson", "uncertainty.csv", "map.html", "map.svg", "results.gpkg"]);
/// ```
pub fn stale_outputs(names: &[&str]) -> Vec<&'static str> {
    RUN_OUTPUTS.iter().copied().filter(|o| !names.contains(o)).collect()
}

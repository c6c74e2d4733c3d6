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
    let geojson = as_input("results.geojson", geojson);
    let drawn = if map.skip { None } else { Some(maps(&geojson, None, Vec::new(), map)?) };
    let package = if gpkg { results_gpkg(&outcome.results, &geometries, &[])? } else { Vec::new() };
    let mut names = vec!["results.csv", "results.geojson", "crosswalk.csv", "ledger.csv"];
    if drawn.is_some() {
        names.extend(["map.html", "map.svg"]);
    }
    if gpkg {
        names.push("results.gpkg");
    }
    write_files_with(dir, &names, &stale_outputs(&names), durability, |i, out| match names[i] {
        "results.csv" => results_csv(&outcome.results, &[], &mut *out),
        "results.geojson" => out.write_all(geojson.text().as_bytes()),
        "crosswalk.csv" => crosswalk_csv(&outcome.crosswalk, &unit_ids, &target_ids, &mut *out),
        "ledger.csv" => ledger_csv(&outcome.votes, &outcome.crosswalk, &unit_ids, &mut *out),
        "map.html" => out.write_all(drawn.as_ref().map_or(&b""[..], |d| d.0.as_bytes())),
        "map.svg" => out.write_all(drawn.as_ref().map_or(&b""[..], |d| d.1.as_bytes())),
        _ => out.write_all(&package),
    })
}

/// `map.html` and `map.svg` of a run, from its `results.geojson` and
/// `composition.csv` as written, and the old seats' outlines (BNG).
pub fn maps(results_geojson: &Input, composition: Option<&Input>, old: Vec<(String, String, geo::MultiPolygon<f64>)>, options: &MapOptions) -> Result<(String, String)> {
    let map = SeatMap::from_results(results_geojson, composition, old, options.clone())?;
    Ok(rayon::join(|| map::html(&map), || map::svg(&map)))
}

/// A file written to memory (UTF-8 by construction), as an [`Input`] to read it back, without a copy.
pub(crate) fn as_input(name: &str, bytes: Vec<u8>) -> Input {
    Input::from_text(name, String::from_utf8(bytes).expect("the writers write UTF-8"))
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

//! Step 7 of the pipeline: **export**: `results.csv`, `results.geojson` and
//! `crosswalk.csv`, written all-or-nothing (temporary files, renamed at the end).

mod atomic;
mod csv_out;
mod geojson_out;
mod palette;
mod recompute_out;
mod table;

pub use atomic::{write_files, write_files_removing, write_files_with, Durability};
pub use csv_out::{crosswalk_csv, ledger_csv, results_csv, Extra};
pub use geojson_out::results_geojson;
pub(crate) use geojson_out::{feature_collection, feature_size, write_feature};
pub use palette::party_colour;
pub use recompute_out::{composition_csv, estimate_report, estimates_csv, estimates_geojson, seat_report, write_recomputed};
pub use table::results_table;

use crate::apportion::Outcome;
use crate::error::Result;
use rayon::prelude::*;
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Writes the standard outputs of an [`Outcome`] (results, map, crosswalk, ledger) into `dir` (created if
/// missing). Either all files are written or none is replaced.
pub fn write_outputs(dir: &Path, outcome: &Outcome, durability: Durability) -> Result<Vec<PathBuf>> {
    let geometries = outcome.target_geometries_wgs84()?;
    let unit_ids = outcome.unit_ids();
    let target_ids = outcome.target_ids();
    let names = ["results.csv", "results.geojson", "crosswalk.csv", "ledger.csv"];
    write_files_with(dir, &names, &[], durability, |i, out| match i {
        0 => results_csv(&outcome.results, &[], out),
        1 => results_geojson(&outcome.results, &geometries, &[], out),
        2 => crosswalk_csv(&outcome.crosswalk, &unit_ids, &target_ids, out),
        _ => ledger_csv(&outcome.votes, &outcome.crosswalk, &unit_ids, out),
    })
}

/// Writes `n` rows rendered in parallel chunks by `render` (rows `range`
/// into a buffer), in order; `size` estimates the bytes of row `i`, so that
/// each chunk's buffer is allocated once rather than grown (and recopied).
pub(crate) fn write_rows(
    n: usize,
    out: &mut impl Write,
    size: impl Fn(usize) -> usize + Sync,
    render: impl Fn(Range<usize>, &mut Vec<u8>) -> io::Result<()> + Sync,
) -> io::Result<()> {
    // Enough chunks for every thread to take several, none tiny.
    let chunk = (n / (8 * rayon::current_num_threads())).clamp(256, 65_536);
    let chunks: Vec<io::Result<Vec<u8>>> = (0..n.div_ceil(chunk))
        .into_par_iter()
        .map(|c| {
            let rows = c * chunk..((c + 1) * chunk).min(n);
            let mut buf = Vec::with_capacity(rows.clone().map(&size).sum());
            render(rows, &mut buf)?;
            Ok(buf)
        })
        .collect();
    let chunks: Vec<Vec<u8>> = chunks.into_iter().collect::<io::Result<_>>()?;
    write_chunks(out, &[], &chunks, &[])
}

/// Writes `head`, every chunk and `tail`, in order, by vectored writes: into
/// a `Vec` that is one reservation and one copy per chunk, instead of the
/// doubling (and recopying) of chunk-by-chunk appends.
pub(crate) fn write_chunks(out: &mut impl Write, head: &[u8], chunks: &[Vec<u8>], tail: &[u8]) -> io::Result<()> {
    let mut slices: Vec<io::IoSlice> = std::iter::once(head)
        .chain(chunks.iter().map(Vec::as_slice))
        .chain(std::iter::once(tail))
        .filter(|s| !s.is_empty())
        .map(io::IoSlice::new)
        .collect();
    let mut rest = &mut slices[..];
    while !rest.is_empty() {
        match out.write_vectored(rest) {
            Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "failed to write whole buffer")),
            Ok(n) => io::IoSlice::advance_slices(&mut rest, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

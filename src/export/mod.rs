//! Step 7 of the pipeline: **export**: `results.csv`, `results.geojson` and
//! `crosswalk.csv`, written all-or-nothing (temporary files, renamed at the end).

mod atomic;
mod csv_out;
mod geojson_out;
mod palette;
mod recompute_out;
mod table;

pub use atomic::{write_files, write_files_removing, write_files_with, Durability, Written};
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
use std::path::Path;

/// Writes the standard outputs of an [`Outcome`] (results, map, crosswalk, ledger) into `dir` (created if
/// missing). Either all files are written or none is replaced.
pub fn write_outputs(dir: &Path, outcome: &Outcome, durability: Durability) -> Result<Written> {
    let geometries = outcome.target_geometries_wgs84()?;
    let unit_ids = outcome.unit_ids();
    let target_ids = outcome.target_ids();
    let names = ["results.csv", "results.geojson", "crosswalk.csv", "ledger.csv"];
    write_files_with(dir, &names, &stale_outputs(&names), durability, |i, out| match i {
        0 => results_csv(&outcome.results, &[], out),
        1 => results_geojson(&outcome.results, &geometries, &[], out),
        2 => crosswalk_csv(&outcome.crosswalk, &unit_ids, &target_ids, out),
        _ => ledger_csv(&outcome.votes, &outcome.crosswalk, &unit_ids, out),
    })
}

/// Every file a run of `apportion`, `recompute` or `estimate` writes into its
/// output directory.
pub const RUN_OUTPUTS: &[&str] = &[
    "results.csv", "results.geojson", "crosswalk.csv", "ledger.csv", "composition.csv", "report.txt", "wards.csv", "wards.geojson",
];

/// The run outputs ([`RUN_OUTPUTS`]) that a run writing `names` does not
/// write: an earlier run's, removed when this run's are moved in, so that a
/// directory never holds files of two runs.
///
/// ```
/// use notional::export::stale_outputs;
/// assert_eq!(stale_outputs(&["results.csv", "results.geojson", "crosswalk.csv", "ledger.csv"]),
///            ["composition.csv", "report.txt", "wards.csv", "wards.geojson"]);
/// ```
pub fn stale_outputs(names: &[&str]) -> Vec<&'static str> {
    RUN_OUTPUTS.iter().copied().filter(|o| !names.contains(o)).collect()
}

/// Writes `n` rows rendered in parallel chunks by `render` (rows `range`
/// into a buffer), in order; `size` estimates the bytes of row `i`
/// (see [`write_chunked`]).
pub(crate) fn write_rows(
    n: usize,
    out: &mut (impl Write + Send),
    size: impl Fn(usize) -> usize + Sync,
    render: impl Fn(Range<usize>, &mut Vec<u8>) -> io::Result<()> + Sync,
) -> io::Result<()> {
    // Chunks of about CHUNK_BYTES, and never tiny.
    let per_row = (0..n.min(1000)).map(&size).sum::<usize>() / n.clamp(1, 1000);
    let rows = (CHUNK_BYTES / per_row.max(1)).max(256);
    write_chunked(out, n, rows, size, render)
}

/// About how large a chunk [`write_chunked`] renders at once.
const CHUNK_BYTES: usize = 1 << 16;

/// Writes `items` items, `per_chunk` to a chunk, each chunk rendered by
/// `render` (its item range into a buffer), in order. Chunks are rendered in
/// parallel a batch (a few per thread) at a time, into buffers that are
/// reused from batch to batch, and one batch is written while the next is
/// rendered: memory stays at two batches, instead of the whole output (fresh
/// pages are dear: zeroing them was up to a third of a run's CPU time on the
/// benchmark machine). `size` estimates the bytes of item `i`, so that a
/// buffer is reserved once per chunk rather than grown.
pub(crate) fn write_chunked(
    out: &mut (impl Write + Send),
    items: usize,
    per_chunk: usize,
    size: impl Fn(usize) -> usize + Sync,
    render: impl Fn(Range<usize>, &mut Vec<u8>) -> io::Result<()> + Sync,
) -> io::Result<()> {
    let per_chunk = per_chunk.max(1);
    let chunks = items.div_ceil(per_chunk);
    let batch = 4 * rayon::current_num_threads();
    let fill = |bufs: &mut Vec<Vec<u8>>, first: usize| -> io::Result<()> {
        let k = batch.min(chunks.saturating_sub(first));
        bufs.resize_with(k, Vec::new);
        bufs.par_iter_mut().enumerate().try_for_each(|(j, buf)| {
            let c = first + j;
            let range = c * per_chunk..((c + 1) * per_chunk).min(items);
            buf.clear();
            buf.reserve(range.clone().map(&size).sum());
            render(range, buf)
        })
    };
    let (mut ready, mut next) = (Vec::new(), Vec::new());
    fill(&mut ready, 0)?;
    for first in (batch..chunks + batch).step_by(batch) {
        let (written, filled) = rayon::join(|| write_chunks(out, &ready), || fill(&mut next, first));
        written?;
        filled?;
        std::mem::swap(&mut ready, &mut next);
    }
    Ok(())
}

/// Writes the chunks, in order, by vectored writes (many chunks to a system
/// call; into a `Vec`, one reservation).
fn write_chunks(out: &mut impl Write, chunks: &[Vec<u8>]) -> io::Result<()> {
    let mut slices: Vec<io::IoSlice> = chunks.iter().filter(|c| !c.is_empty()).map(|c| io::IoSlice::new(c)).collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Many batches, chunks of uneven size, a last chunk cut short, and no
    /// items at all: the same bytes as rendering everything in order.
    #[test]
    fn chunked_writing_keeps_every_item_in_order() {
        let item = |i: usize| format!("{i}:{}\n", "x".repeat(i % 97));
        for (items, per_chunk) in [(0, 3), (1, 1), (1000, 7), (5000, 64), (10, 100)] {
            let mut out = Vec::new();
            write_chunked(&mut out, items, per_chunk, |i| item(i).len() / 2, |range, buf| {
                range.for_each(|i| buf.extend_from_slice(item(i).as_bytes()));
                Ok(())
            })
            .unwrap();
            let expected: String = (0..items).map(item).collect();
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{items} items, {per_chunk} a chunk");
        }
    }
}

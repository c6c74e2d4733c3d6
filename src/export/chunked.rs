//! Writing large outputs fast: items rendered in parallel chunks into
//! reused buffers, one batch written while the next renders. Speed code,
//! kept apart from what the outputs hold (see the writers beside it); tested
//! against rendering everything in order.

use rayon::prelude::*;
use std::io::{self, Write};
use std::ops::Range;

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

//! Step 1 of the pipeline: **read** inputs into typed layers and vote tables.
//!
//! - [`Input`]: a named text (a file, or an embedded demo file);
//! - [`read_layer`]: a GeoJSON FeatureCollection of Polygon/MultiPolygon features;
//! - [`VoteTable`]: integer counts per unit and column, from the layer's own
//!   properties ([`VoteTable::from_properties`]) or a CSV keyed by unit id
//!   ([`VoteTable::from_csv`]).

mod columns;
mod duplicate_keys;
mod electorates;
mod fast;
mod geojson;
mod layer;
mod local;
mod number;
mod properties;
mod topojson;
mod vote_columns;
mod votes;

pub use self::geojson::{read_layer, read_layer_reference, read_layer_streaming, read_sources, LayerSource};
pub use layer::{Layer, LayerFeature, ReadWarning};
pub use columns::read_columns;
pub use electorates::{ElectorateColumns, ElectorateSpec, Missing, Repeated, Unused, WardElectorates};
pub use properties::Properties;
pub use local::{Aliases, LocalLayout, LocalResults, MultiMember};
pub use number::{parse_count, MAX_COUNT};
pub(crate) use number::json_count;
pub(crate) use votes::column_sums;
pub use vote_columns::{SkipReason, SkippedColumn};
pub use votes::{KeyedTable, Unreadable, VoteTable};

use crate::error::{Error, Result};
use memmap2::Mmap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// A named input text: a file read from disk or an embedded string.
///
/// ```
/// use notional::read::Input;
/// let input = Input::from_text("inline.csv", "\u{feff}code,lab\nA,1\n");
/// assert_eq!(input.text(), "code,lab\nA,1\n"); // the BOM is gone
/// ```
#[derive(Debug, Clone)]
pub struct Input {
    name: String,
    text: Text,
}

/// An input's bytes: owned, or a file mapped into memory (checked as UTF-8
/// when mapped), from `start` (past a BOM).
#[derive(Debug, Clone)]
enum Text {
    Owned(String),
    Mapped { map: Arc<Mmap>, start: usize },
}

/// The length of the UTF-8 byte order mark that `bytes` start with, if any.
fn bom_len(bytes: &[u8]) -> usize {
    const BOM: &[u8] = "\u{feff}".as_bytes();
    if bytes.starts_with(BOM) { BOM.len() } else { 0 }
}

/// Files from this size on are mapped rather than read into a buffer.
const MAP_FROM: u64 = 1 << 20;

impl Input {
    /// Wraps a text under a name used in messages. A leading UTF-8 BOM is removed.
    pub fn from_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        let mut text = text.into();
        text.drain(..bom_len(text.as_bytes()));
        Input { name: name.into(), text: Text::Owned(text) }
    }

    /// Reads a whole file, which must be UTF-8 text (a leading BOM is removed).
    ///
    /// A regular file of a megabyte or more is mapped into memory instead of
    /// copied: its pages are those the system already caches, so nothing is
    /// copied and no fresh memory is touched (fresh memory is dear on the
    /// benchmark machine: zeroing it took 4% to 40% of a run's CPU time). It
    /// must not be changed while notional runs (as for any reader of a file
    /// in use).
    pub fn from_path(path: &Path) -> Result<Self> {
        let name = path.display().to_string();
        let not_utf8 = |at: usize| {
            Error::format(&name, format!("is not UTF-8 text (invalid byte at offset {at}); re-save it as UTF-8"))
        };
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let meta = file.metadata().map_err(|e| Error::io(path, e))?;
        if meta.is_file() && meta.len() >= MAP_FROM {
            // SAFETY: the map is only read, and only as the bytes checked as
            // UTF-8 here; the file is an input that is not written meanwhile.
            // (A file system that cannot map files is read as below.)
            if let Ok(map) = unsafe { Mmap::map(&file) } {
                std::str::from_utf8(&map).map_err(|e| not_utf8(e.valid_up_to()))?;
                let start = bom_len(&map);
                return Ok(Input { name, text: Text::Mapped { map: Arc::new(map), start } });
            }
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        (&file).read_to_end(&mut bytes).map_err(|e| Error::io(path, e))?;
        let text = String::from_utf8(bytes).map_err(|e| not_utf8(e.utf8_error().valid_up_to()))?;
        Ok(Input::from_text(name, text))
    }

    /// The name used in messages (usually the path).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The text, without a BOM.
    pub fn text(&self) -> &str {
        match &self.text {
            Text::Owned(s) => s,
            // SAFETY: checked as UTF-8 when mapped; `start` is past the
            // three bytes of a BOM, so on a character boundary.
            Text::Mapped { map, start } => unsafe { std::str::from_utf8_unchecked(&map[*start..]) },
        }
    }

    /// Every CSV record (no header handling, ragged rows allowed) with the
    /// 1-based line it starts on.
    pub(crate) fn csv_records(&self) -> Result<Vec<(u64, csv::StringRecord)>> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(self.text().as_bytes());
        let mut lines = Lines { text: self.text().as_bytes(), byte: 0, line: 1 };
        reader
            .records()
            .map(|rec| {
                let rec = rec.map_err(|e| Error::format(&self.name, format!("is not valid CSV: {e}")))?;
                Ok((lines.of(&rec), rec))
            })
            .collect()
    }
}

/// The 1-based line on which each CSV record starts, counted from byte offsets
/// as records are visited in order. (The csv crate's own line count, and its
/// byte offset, are off by one on CRLF files, which real files use.)
struct Lines<'a> {
    text: &'a [u8],
    byte: usize,
    line: u64,
}

impl Lines<'_> {
    fn of(&mut self, record: &csv::StringRecord) -> u64 {
        let mut byte = (record.position().map_or(0, |p| p.byte()) as usize).min(self.text.len());
        // After a CRLF the reported start can sit on the terminator: skip it.
        while byte < self.text.len() && matches!(self.text[byte], b'\r' | b'\n') {
            byte += 1;
        }
        if byte < self.byte {
            (self.byte, self.line) = (0, 1);
        }
        self.line += self.text[self.byte..byte].iter().filter(|&&b| b == b'\n').count() as u64;
        self.byte = byte;
        self.line
    }
}

//! Step 1 of the pipeline: **read** inputs into typed layers and vote tables.
//!
//! - [`Input`]: a named text (a file, or an embedded demo file), or a binary
//!   layer file ([`Format`]) kept as bytes;
//! - [`read_layer`]: a layer of Polygon/MultiPolygon features: a GeoJSON
//!   FeatureCollection, TopoJSON, a Shapefile (.shp, or zipped), or a
//!   GeoPackage feature table;
//! - [`VoteTable`]: integer counts per unit and column, from the layer's own
//!   properties ([`VoteTable::from_properties`]) or a CSV keyed by unit id
//!   ([`VoteTable::from_csv`]).

mod columns;
mod duplicate_keys;
mod electorates;
mod fast;
mod geojson;
mod gpkg;
mod layer;
mod local;
mod number;
mod prj;
mod properties;
mod shapefile;
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
#[cfg(test)]
pub(crate) use gpkg::polygons as gpkg_polygons;
pub(crate) use votes::column_sums;
pub use vote_columns::{SkipReason, SkippedColumn};
pub use votes::{KeyedTable, Unreadable, VoteTable};

use crate::error::{Error, Result};
use memmap2::Mmap;
use std::io::Read;
use std::path::{Path, PathBuf};
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
    /// The file read, where there is one: a Shapefile's .dbf, .prj and
    /// .cpg are found beside it.
    path: Option<PathBuf>,
    /// The layer chosen within a GeoPackage or zip archive.
    layer: Option<String>,
}

/// An input's bytes: owned, or a file mapped into memory (checked as UTF-8
/// when mapped), from `start` (past a BOM); or a binary layer file.
#[derive(Debug, Clone)]
enum Text {
    Owned(String),
    Mapped { map: Arc<Mmap>, start: usize },
    Binary { format: Format, bytes: Bytes },
}

/// A binary file's bytes: owned, or mapped into memory.
#[derive(Debug, Clone)]
enum Bytes {
    Owned(Arc<[u8]>),
    Mapped(Arc<Mmap>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Owned(b) => b,
            Bytes::Mapped(m) => m,
        }
    }
}

/// The binary layer formats an [`Input`] is recognised as, from its first
/// bytes (not its name). Every other input is UTF-8 text.
///
/// ```
/// use notional::read::Format;
/// assert_eq!(Format::sniff(b"SQLite format 3\0..."), Some(Format::GeoPackage));
/// assert_eq!(Format::sniff(b"PK\x03\x04..."), Some(Format::Zip));
/// assert_eq!(Format::sniff(&[0, 0, 0x27, 0x0a, 0, 0]), Some(Format::Shapefile));
/// assert_eq!(Format::sniff(b"{\"type\":\"FeatureCollection\"}"), None);
/// assert_eq!(Format::Shapefile.to_string(), "a Shapefile");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A Shapefile's main file (.shp, or its index .shx): big-endian 9994 first.
    Shapefile,
    /// A zip archive (`PK\x03\x04`), such as the ONS portal's zipped shapefiles.
    Zip,
    /// A GeoPackage, or any SQLite database (`SQLite format 3\0`).
    GeoPackage,
}

impl Format {
    /// The binary format `bytes` begin as, if any.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(b"SQLite format 3\0") {
            Some(Format::GeoPackage)
        } else if bytes.starts_with(b"PK\x03\x04") {
            Some(Format::Zip)
        } else if bytes.starts_with(&[0, 0, 0x27, 0x0a]) {
            Some(Format::Shapefile)
        } else {
            None
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Shapefile => "a Shapefile",
            Format::Zip => "a zip archive",
            Format::GeoPackage => "a GeoPackage (SQLite database)",
        })
    }
}

/// The length of the UTF-8 byte order mark that `bytes` start with, if any.
fn bom_len(bytes: &[u8]) -> usize {
    const BOM: &[u8] = "\u{feff}".as_bytes();
    if bytes.starts_with(BOM) { BOM.len() } else { 0 }
}

/// The error for a file that is not UTF-8 (nor a binary layer file).
fn not_utf8(name: &str, at: usize) -> Error {
    Error::format(name, format!("is not UTF-8 text (invalid byte at offset {at}); re-save it as UTF-8"))
}

/// Files from this size on are mapped rather than read into a buffer.
const MAP_FROM: u64 = 1 << 20;

impl Input {
    /// Wraps a text under a name used in messages. A leading UTF-8 BOM is removed.
    pub fn from_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        let mut text = text.into();
        text.drain(..bom_len(text.as_bytes()));
        Input { name: name.into(), text: Text::Owned(text), path: None, layer: None }
    }

    /// Wraps a file's bytes under a name used in messages: a binary layer
    /// file ([`Format`], told from its first bytes) is kept as bytes, anything
    /// else must be UTF-8 text (as [`Input::from_path`] reads a file). A
    /// Shapefile's .shp alone cannot be read from bytes (its .dbf is beside
    /// it on disk): give its path, or the bytes of a zip holding its parts.
    ///
    /// ```
    /// use notional::read::{Format, Input};
    /// let gpkg = Input::from_bytes("w.gpkg", b"SQLite format 3\0rest of the file".to_vec()).unwrap();
    /// assert_eq!(gpkg.format(), Some(Format::GeoPackage));
    /// let csv = Input::from_bytes("v.csv", b"code,lab\nA,1\n".to_vec()).unwrap();
    /// assert_eq!((csv.format(), csv.text()), (None, "code,lab\nA,1\n"));
    /// assert!(Input::from_bytes("x.csv", vec![0xff, 0xfe]).is_err());
    /// ```
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Result<Self> {
        let name = name.into();
        if let Some(format) = Format::sniff(&bytes) {
            return Ok(Input { name, text: Text::Binary { format, bytes: Bytes::Owned(bytes.into()) }, path: None, layer: None });
        }
        let text = String::from_utf8(bytes).map_err(|e| not_utf8(&name, e.utf8_error().valid_up_to()))?;
        Ok(Input::from_text(name, text))
    }

    /// Reads a whole file: UTF-8 text (a leading BOM is removed), or a
    /// binary layer file ([`Format`]: a Shapefile's .shp, a zip archive, a
    /// GeoPackage), told from its first bytes and kept as bytes.
    ///
    /// `FILE:LAYER`, where no file has that whole name but `FILE` is one,
    /// reads `FILE` with layer `LAYER` chosen ([`Input::with_layer`]): a
    /// GeoPackage's feature table, or a zip's shapefile.
    ///
    /// A regular file of a megabyte or more is mapped into memory instead of
    /// copied: its pages are those the system already caches, so nothing is
    /// copied and no fresh memory is touched (fresh memory is dear on the
    /// benchmark machine: zeroing it took 4% to 40% of a run's CPU time). It
    /// must not be changed while notional runs (as for any reader of a file
    /// in use).
    ///
    /// ```
    /// use notional::read::Input;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("w.gpkg");
    /// std::fs::write(&path, b"SQLite format 3\0...").unwrap();
    /// let input = Input::from_path(&dir.path().join("w.gpkg:wards")).unwrap();
    /// assert_eq!((input.name(), input.layer()), (path.display().to_string().as_str(), Some("wards")));
    /// ```
    pub fn from_path(path: &Path) -> Result<Self> {
        if !path.exists() {
            if let Some((file, layer)) = path.to_str().and_then(|p| p.rsplit_once(':')) {
                if !layer.is_empty() && !layer.contains('/') && Path::new(file).is_file() {
                    return Ok(Input::from_path(Path::new(file))?.with_layer(layer));
                }
            }
        }
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let meta = file.metadata().map_err(|e| Error::io(path, e))?;
        let with_path = |text: Text| Input { name: name.clone(), text, path: Some(path.to_path_buf()), layer: None };
        if meta.is_file() && meta.len() >= MAP_FROM {
            // SAFETY: the map is only read, and only as the bytes checked as
            // UTF-8 here; the file is an input that is not written meanwhile.
            // (A file system that cannot map files is read as below.)
            if let Ok(map) = unsafe { Mmap::map(&file) } {
                if let Some(format) = Format::sniff(&map) {
                    return Ok(with_path(Text::Binary { format, bytes: Bytes::Mapped(Arc::new(map)) }));
                }
                std::str::from_utf8(&map).map_err(|e| not_utf8(&name, e.valid_up_to()))?;
                let start = bom_len(&map);
                return Ok(with_path(Text::Mapped { map: Arc::new(map), start }));
            }
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        (&file).read_to_end(&mut bytes).map_err(|e| Error::io(path, e))?;
        Ok(Input { path: Some(path.to_path_buf()), ..Input::from_bytes(name, bytes)? })
    }

    /// The same input with layer `layer` chosen: the feature table of a
    /// GeoPackage, or the shapefile of a zip archive (its name without
    /// `.shp`, or its whole path in the archive). Refused when the layer
    /// is read if the input has no layers to choose from (a GeoJSON file).
    ///
    /// ```
    /// use notional::read::Input;
    /// let input = Input::from_text("w.geojson", "{}").with_layer("wards");
    /// assert_eq!(input.layer(), Some("wards"));
    /// ```
    pub fn with_layer(mut self, layer: impl Into<String>) -> Self {
        self.layer = Some(layer.into());
        self
    }

    /// The layer chosen ([`Input::with_layer`]), if any.
    pub fn layer(&self) -> Option<&str> {
        self.layer.as_deref()
    }

    /// The file read, for an input read by [`Input::from_path`].
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The binary layer format of the input, or `None` for text.
    pub fn format(&self) -> Option<Format> {
        match &self.text {
            Text::Binary { format, .. } => Some(*format),
            _ => None,
        }
    }

    /// The input's bytes: a binary file's whole, or the text's (without a BOM).
    pub fn bytes(&self) -> &[u8] {
        match &self.text {
            Text::Binary { bytes, .. } => bytes,
            _ => self.text().as_bytes(),
        }
    }

    /// The text, or an error saying that the input is a binary layer file,
    /// not `what` (`a CSV table`, say).
    pub(crate) fn text_as(&self, what: &str) -> Result<&str> {
        match self.format() {
            Some(format) => Err(Error::format(&self.name, format!("is {format}, not {what}"))),
            None => Ok(self.text()),
        }
    }

    /// The name used in messages (usually the path).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The text, without a BOM; empty for a binary layer file (see
    /// [`Input::format`], [`Input::bytes`]).
    pub fn text(&self) -> &str {
        match &self.text {
            Text::Owned(s) => s,
            // SAFETY: checked as UTF-8 when mapped; `start` is past the
            // three bytes of a BOM, so on a character boundary.
            Text::Mapped { map, start } => unsafe { std::str::from_utf8_unchecked(&map[*start..]) },
            Text::Binary { .. } => "",
        }
    }

    /// Every CSV record (no header handling, ragged rows allowed) with the
    /// 1-based line it starts on.
    /// A binary layer file is refused: "is a Shapefile, not a CSV table".
    pub(crate) fn csv_records(&self) -> Result<Vec<(u64, csv::StringRecord)>> {
        let text = self.text_as("a CSV table")?;
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut lines = Lines { text: text.as_bytes(), byte: 0, line: 1 };
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

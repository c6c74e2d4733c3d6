//! Vote tables: integer counts per unit, from GeoJSON properties or a CSV.

use super::number::{json_count, parse_count};
use super::properties::Columns;
use super::{Input, Layer};
use crate::error::{Error, Result};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::HashMap;

/// Numeric fields that are never vote columns, skipped when parties are not
/// listed explicitly (compared case-insensitively).
const NOT_VOTES: &[&str] = &[
    "objectid", "fid", "id", "bng_e", "bng_n", "lat", "long", "lon", "lng", "x", "y",
    "shape__area", "shape__length", "shape_area", "shape_length", "area", "perimeter",
    "total", "total votes", "valid votes", "invalid votes", "majority", "turnout",
    "turnout (%)", "num_councillors", "vacancies", "year", "of which other winner",
];

/// Integer counts per unit: one column per party, plus the electorate if the
/// input has one. Rows follow the order of the layer's features.
///
/// ```
/// use notional::read::{read_layer, Input, VoteTable};
/// let text = r#"{"type":"FeatureCollection","features":[
///   {"type":"Feature","properties":{"code":"A","electorate":100,"con":30,"lab":40},
///    "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#;
/// let layer = read_layer(&Input::from_text("w.geojson", text), "code", None).unwrap();
/// let votes = VoteTable::from_properties(&layer, "code", None).unwrap();
/// assert_eq!(votes.parties(), ["con", "lab"]);
/// assert_eq!(votes.row(0), [30, 40, 100]); // parties, then electorate
/// assert!(votes.has_electorate());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct VoteTable {
    parties: Vec<String>,
    has_electorate: bool,
    width: usize,
    counts: Vec<u64>,
}

impl VoteTable {
    /// Builds a table from rows of `parties.len()` (+1 with an electorate) counts.
    ///
    /// ```
    /// use notional::read::VoteTable;
    /// let t = VoteTable::new(vec!["con".into(), "lab".into()], false, vec![vec![1, 2], vec![3, 4]]);
    /// assert_eq!(t.totals(), [4, 6]);
    /// ```
    pub fn new(parties: Vec<String>, has_electorate: bool, rows: Vec<Vec<u64>>) -> Self {
        let width = parties.len() + usize::from(has_electorate);
        let mut counts = Vec::with_capacity(rows.len() * width);
        for row in rows {
            assert_eq!(row.len(), width, "row width must match the columns");
            counts.extend(row);
        }
        VoteTable { parties, has_electorate, width, counts }
    }

    /// Party column names, in input order.
    pub fn parties(&self) -> &[String] {
        &self.parties
    }

    /// Whether the last column of each row is the electorate.
    pub fn has_electorate(&self) -> bool {
        self.has_electorate
    }

    /// Columns per row: parties, then the electorate if present.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Number of units (rows).
    pub fn len(&self) -> usize {
        self.counts.len().checked_div(self.width).unwrap_or(0)
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Counts of unit `i`: parties, then the electorate if present.
    pub fn row(&self, i: usize) -> &[u64] {
        &self.counts[i * self.width..(i + 1) * self.width]
    }

    /// Column totals over all units (parties, then electorate).
    pub fn totals(&self) -> Vec<u64> {
        column_sums(&self.counts, self.width)
    }

    /// Votes from the layer's own numeric properties.
    ///
    /// `parties`: the columns to use; `None` takes every numeric property except
    /// the id, `electorate` and well-known non-vote fields (coordinates, areas,
    /// object ids) or fields holding fractions.
    pub fn from_properties(layer: &Layer, id_field: &str, parties: Option<&[String]>) -> Result<Self> {
        let src = &layer.source_name;
        let keys = property_keys(layer);
        let electorate = keys.iter().copied().find(|k| k.eq_ignore_ascii_case("electorate"));
        let columns: Vec<String> = match parties {
            Some(list) => {
                check_known(src, "property", list, &keys)?;
                list.to_vec()
            }
            None => {
                let candidates: Vec<&str> =
                    keys.iter().copied().filter(|k| *k != id_field && Some(*k) != electorate && !is_not_votes(k)).collect();
                let kinds = cell_kinds(layer, &candidates);
                candidates.iter().zip(&kinds).filter(|(_, k)| k.looks_like_counts()).map(|(c, _)| c.to_string()).collect()
            }
        };
        if columns.is_empty() {
            let fractional: Vec<&str> = keys
                .iter()
                .copied()
                .filter(|k| layer.features.iter().any(|f| f.properties.get(k).and_then(Value::as_f64).is_some_and(|x| x.fract() != 0.0)))
                .collect();
            let why = if fractional.is_empty() { String::new() } else { format!("; {} hold fractions, not whole votes", fractional.join(", ")) };
            return Err(Error::Mismatch(format!(
                "{src}: no numeric vote properties found (properties: {}){why}; name them with --parties or give --votes",
                keys.join(", ")
            )));
        }
        let mut names: Vec<&str> = columns.iter().map(String::as_str).collect();
        names.extend(electorate);
        let width = names.len();
        let mut counts = vec![0u64; layer.features.len() * width];
        // Each feature's properties are visited once, in parallel; the first
        // error in feature order is then found again sequentially.
        let row = |columns: &mut Columns, i: usize, out: &mut [u64]| -> std::result::Result<(), (usize, String)> {
            for (k, v) in layer.features[i].properties.entries() {
                if let Some(j) = columns.of(k) {
                    out[j] = json_count(v).map_err(|m| (j, m))?;
                }
            }
            Ok(())
        };
        let failed = counts
            .par_chunks_mut(width.max(1))
            .enumerate()
            .map_init(|| Columns::new(&names), |columns, (i, out)| row(columns, i, out).is_err())
            .any(|failed| failed);
        if failed {
            let (mut columns, mut scratch) = (Columns::new(&names), vec![0u64; width]);
            for i in 0..layer.features.len() {
                if let Err((j, m)) = row(&mut columns, i, &mut scratch) {
                    return Err(Error::field(src, layer.place(i), names[j], m));
                }
            }
        }
        Ok(VoteTable { parties: columns, has_electorate: electorate.is_some(), width, counts })
    }

    /// Votes from a CSV with one row per unit, joined to `layer` by id: see
    /// [`KeyedTable::read`] for what the reader copes with. Every unit must have
    /// exactly one row and every row a unit.
    ///
    /// ```
    /// use notional::read::{read_layer, Input, VoteTable};
    /// let text = r#"{"type":"FeatureCollection","features":[
    ///   {"type":"Feature","properties":{"code":"A"},
    ///    "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#;
    /// let layer = read_layer(&Input::from_text("w.geojson", text), "code", None).unwrap();
    /// let csv = "Local elections 2022\ncode,ward,Con,Lab\nA,Alpha,\"1,204\",\n";
    /// let votes = VoteTable::from_csv(&Input::from_text("v.csv", csv), "code", None, &layer).unwrap();
    /// assert_eq!(votes.parties(), ["Con", "Lab"]);
    /// assert_eq!(votes.row(0), [1204, 0]);
    /// ```
    pub fn from_csv(input: &Input, id_column: &str, parties: Option<&[String]>, layer: &Layer) -> Result<Self> {
        let ids: Vec<&str> = layer.features.iter().map(|f| f.id.as_str()).collect();
        KeyedTable::read(input, id_column, parties)?.join(&ids, &layer.source_name)
    }
}

/// A CSV table of counts keyed by an id column, not yet joined to anything.
#[derive(Debug, Clone)]
pub struct KeyedTable {
    /// The input's name, for messages.
    pub source_name: String,
    /// Row ids, in file order.
    pub ids: Vec<String>,
    /// The file line of each row.
    pub lines: Vec<u64>,
    /// The counts, rows in file order.
    pub table: VoteTable,
    /// Ids found on more than one row, with those lines (only when read with
    /// [`KeyedTable::read_keeping_duplicates`]; their rows are dropped).
    pub duplicates: Vec<(String, Vec<u64>)>,
}

impl KeyedTable {
    /// Reads a CSV of counts keyed by `id_column`.
    ///
    /// Copes with real files: a BOM, title rows above the header (the header is
    /// the first row holding `id_column`), thousands separators, blank cells
    /// (0), text columns (ignored unless listed in `parties`), blank trailing
    /// columns. Ids must be unique.
    ///
    /// ```
    /// use notional::read::{Input, KeyedTable};
    /// let csv = "ONS ID,Constituency name,Con,Lab\nE1,North,\"1,000\",5\n";
    /// let t = KeyedTable::read(&Input::from_text("r.csv", csv), "ONS ID", None).unwrap();
    /// assert_eq!(t.get("E1"), Some(&[1000, 5][..]));
    /// ```
    pub fn read(input: &Input, id_column: &str, parties: Option<&[String]>) -> Result<Self> {
        Self::read_inner(input, id_column, parties, false, true)
    }

    /// As [`KeyedTable::read`], but for inputs that only shape a pattern (local
    /// results), never for votes: an id on several rows is not an error (all
    /// its rows are dropped and listed in `duplicates`), and an electorate
    /// column is not read (it is not needed, and real files write `NA` there).
    ///
    /// ```
    /// use notional::read::{Input, KeyedTable};
    /// let csv = "code,CON\nA,1\nB,2\nA,3\n";
    /// let t = KeyedTable::read_keeping_duplicates(&Input::from_text("l.csv", csv), "code", None).unwrap();
    /// assert_eq!(t.ids, ["B"]);
    /// assert_eq!(t.duplicates, vec![("A".to_string(), vec![2, 4])]);
    /// ```
    pub fn read_keeping_duplicates(input: &Input, id_column: &str, parties: Option<&[String]>) -> Result<Self> {
        Self::read_inner(input, id_column, parties, true, false)
    }

    fn read_inner(input: &Input, id_column: &str, parties: Option<&[String]>, keep_duplicates: bool, read_electorate: bool) -> Result<Self> {
        let src = input.name();
        let records = input.csv_records()?;
        let header_at = records
            .iter()
            .position(|(_, r)| r.iter().any(|c| c.trim() == id_column))
            .ok_or_else(|| {
                Error::Mismatch(format!(
                    "{src}: no header row with an id column `{id_column}` (first row: {}); choose the id column",
                    records.first().map(|(_, r)| r.iter().collect::<Vec<_>>().join(",")).unwrap_or_default()
                ))
            })?;
        let header: Vec<String> = records[header_at].1.iter().map(|c| c.trim().to_string()).collect();
        let header_line = records[header_at].0;
        for (i, h) in header.iter().enumerate() {
            if let Some(j) = header[..i].iter().position(|o| !h.is_empty() && o == h) {
                return Err(Error::field(
                    src,
                    format!("line {header_line}"),
                    h,
                    format!("names columns {} and {}; column names must be unique", j + 1, i + 1),
                ));
            }
        }
        let rows = &records[header_at + 1..];
        if let Some((line, rec)) = rows.iter().find(|(_, r)| r.iter().skip(header.len()).any(|c| !c.trim().is_empty())) {
            return Err(Error::field(
                src,
                format!("line {line}"),
                "(row)",
                format!(
                    "has {} cells but the header has {}; an unquoted thousands separator (1,234) splits a cell in two",
                    rec.len(),
                    header.len()
                ),
            ));
        }
        let id_col = header.iter().position(|h| h == id_column).expect("found above");
        let col_of = |name: &str| header.iter().position(|h| h == name);
        let is_electorate = |h: &str| h.eq_ignore_ascii_case("electorate");
        let electorate = header.iter().position(|h| is_electorate(h)).filter(|_| read_electorate);

        let columns: Vec<String> = match parties {
            Some(list) => {
                let keys: Vec<&str> = header.iter().map(String::as_str).collect();
                check_known(src, "column", list, &keys)?;
                list.to_vec()
            }
            None => header
                .iter()
                .enumerate()
                .filter(|(c, h)| *c != id_col && !is_electorate(h) && !h.is_empty() && !is_not_votes(h))
                .filter(|(c, _)| {
                    let mut kinds = Kinds::default();
                    for (_, r) in rows {
                        let cell = r.get(*c).unwrap_or("").trim();
                        match parse_count(cell) {
                            _ if cell.is_empty() => {}
                            Ok(_) => kinds.whole += 1,
                            Err(m) if m.contains("whole") => kinds.fractional += 1,
                            Err(m) if m.contains("negative") || m.contains("large") => kinds.whole += 1,
                            Err(_) => kinds.text += 1,
                        }
                    }
                    kinds.looks_like_counts()
                })
                .map(|(_, h)| h.clone())
                .collect(),
        };
        if columns.is_empty() {
            return Err(Error::Mismatch(format!(
                "{src}: no numeric vote columns found (columns: {}); name them with --parties",
                header.join(",")
            )));
        }
        let mut indices: Vec<usize> = columns.iter().map(|c| col_of(c).expect("checked")).collect();
        indices.extend(electorate);
        let width = indices.len();

        let mut ids = Vec::new();
        let mut lines = Vec::new();
        let mut counts = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        for (line, rec) in rows {
            if rec.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let id = rec.get(id_col).map(str::trim).unwrap_or("");
            if id.is_empty() {
                return Err(Error::field(src, format!("line {line}"), id_column, "is blank"));
            }
            if let Some(first) = seen.insert(id.to_string(), *line) {
                if !keep_duplicates {
                    return Err(Error::field(
                        src,
                        format!("line {line}"),
                        id_column,
                        format!("duplicate id `{id}` (also on line {first})"),
                    ));
                }
            }
            for &c in &indices {
                let cell = rec.get(c).unwrap_or("");
                let v = parse_count(cell).map_err(|m| Error::field(src, format!("line {line}"), &header[c], m))?;
                counts.push(v);
            }
            ids.push(id.to_string());
            lines.push(*line);
        }
        let mut table = VoteTable { parties: columns, has_electorate: electorate.is_some(), width, counts };
        let mut duplicates: Vec<(String, Vec<u64>)> = Vec::new();
        if ids.len() > seen.len() {
            let mut by_id: HashMap<&str, Vec<u64>> = HashMap::new();
            for (id, line) in ids.iter().zip(&lines) {
                by_id.entry(id.as_str()).or_default().push(*line);
            }
            let keep: Vec<bool> = ids.iter().map(|id| by_id[id.as_str()].len() == 1).collect();
            for (id, l) in ids.iter().zip(&lines) {
                if by_id[id.as_str()].len() > 1 && by_id[id.as_str()][0] == *l {
                    duplicates.push((id.clone(), by_id[id.as_str()].clone()));
                }
            }
            let mut k = keep.iter();
            table.counts = table.counts.chunks_exact(width.max(1)).filter(|_| *k.next().unwrap()).flatten().copied().collect();
            let mut k = keep.iter();
            lines.retain(|_| *k.next().unwrap());
            let mut k = keep.iter();
            ids.retain(|_| *k.next().unwrap());
        }
        Ok(KeyedTable { source_name: src.to_string(), ids, lines, table, duplicates })
    }

    /// The counts of row `id`, if present.
    pub fn get(&self, id: &str) -> Option<&[u64]> {
        self.ids.iter().position(|i| i == id).map(|r| self.table.row(r))
    }

    /// The rows for `ids`, in that order. Every id must have a row and every
    /// row an id (`what` names the other side in messages).
    pub fn join(&self, ids: &[&str], what: &str) -> Result<VoteTable> {
        let src = &self.source_name;
        let by_id: HashMap<&str, usize> = self.ids.iter().enumerate().map(|(r, id)| (id.as_str(), r)).collect();
        let missing: Vec<&str> = ids.iter().copied().filter(|id| !by_id.contains_key(id)).collect();
        if !missing.is_empty() {
            return Err(Error::Mismatch(format!(
                "{src}: {} of {} units in {what} have no votes row, e.g. {}",
                missing.len(),
                ids.len(),
                first_few(&missing)
            )));
        }
        let wanted: std::collections::HashSet<&str> = ids.iter().copied().collect();
        let orphans: Vec<String> = self
            .ids
            .iter()
            .zip(&self.lines)
            .filter(|(id, _)| !wanted.contains(id.as_str()))
            .map(|(id, l)| format!("{id} (line {l})"))
            .collect();
        if !orphans.is_empty() {
            let names: Vec<&str> = orphans.iter().map(String::as_str).collect();
            return Err(Error::Mismatch(format!(
                "{src}: {} votes rows match no unit in {what}, e.g. {}; their votes could not be placed",
                orphans.len(),
                first_few(&names)
            )));
        }
        let t = &self.table;
        let mut counts = Vec::with_capacity(ids.len() * t.width);
        for id in ids {
            counts.extend_from_slice(t.row(by_id[id]));
        }
        Ok(VoteTable { parties: t.parties.clone(), has_electorate: t.has_electorate, width: t.width, counts })
    }
}

/// Column sums of a row-major matrix of counts `width` wide.
/// In parallel over runs of rows (a million units by seven columns is 56 MB).
pub(crate) fn column_sums(counts: &[u64], width: usize) -> Vec<u64> {
    if width == 0 {
        return Vec::new();
    }
    let sums = |rows: &[u64]| {
        let mut totals = vec![0u64; width];
        for row in rows.chunks_exact(width) {
            for (t, v) in totals.iter_mut().zip(row) {
                *t += v;
            }
        }
        totals
    };
    counts
        .par_chunks(width * 8192)
        .map(sums)
        .reduce(|| vec![0u64; width], |a, b| a.iter().zip(&b).map(|(x, y)| x + y).collect())
}

/// Every property name of the layer, in first-seen order. Features usually
/// share one list of names: a feature whose names are those of the feature
/// before ([`Properties::same_names`]) adds nothing and is not hashed. In
/// parallel over runs of features, whose lists are then merged in order.
fn property_keys(layer: &Layer) -> Vec<&str> {
    let runs: Vec<Vec<&str>> = layer
        .features
        .par_chunks(KEY_RUN)
        .map(|run| {
            let mut keys: Vec<&str> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            let mut last: Option<&super::Properties> = None;
            for f in run {
                if last.is_some_and(|l| l.same_names(&f.properties)) {
                    continue;
                }
                keys.extend(f.properties.keys().filter(|k| seen.insert(*k)));
                last = Some(&f.properties);
            }
            keys
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    runs.into_iter().flatten().filter(|k| seen.insert(*k)).collect()
}

/// Features to a run of [`property_keys`].
const KEY_RUN: usize = 4096;

/// What the values of each candidate column are, over all features (in
/// parallel): how many whole numbers, fractions and texts.
fn cell_kinds(layer: &Layer, candidates: &[&str]) -> Vec<Kinds> {
    let empty = || vec![Kinds::default(); candidates.len()];
    layer
        .features
        .par_iter()
        .fold(|| (empty(), Columns::new(candidates)), |(mut acc, mut columns), f| {
            for (k, v) in f.properties.entries() {
                if let Some(j) = columns.of(k) {
                    match v {
                        Value::Null => {}
                        Value::Number(n) if n.as_f64().is_some_and(|x| x.fract() == 0.0) => acc[j].whole += 1,
                        Value::Number(_) => acc[j].fractional += 1,
                        _ => acc[j].text += 1,
                    }
                }
            }
            (acc, columns)
        })
        .map(|(acc, _)| acc)
        .reduce(empty, |mut a, b| {
            for (x, y) in a.iter_mut().zip(b) {
                x.whole += y.whole;
                x.fractional += y.fractional;
                x.text += y.text;
            }
            a
        })
}

/// Counts of the kinds of value in one column (blanks are not counted).
#[derive(Debug, Clone, Copy, Default)]
struct Kinds {
    whole: usize,
    fractional: usize,
    text: usize,
}

impl Kinds {
    /// A column holds counts when all its values are numbers or blank (blank
    /// is 0) and most are whole. A mostly-fractional column (shares,
    /// coordinates) is not votes; a count column with a stray fraction is
    /// kept, so the fraction is reported as an error rather than the column
    /// silently dropped.
    fn looks_like_counts(&self) -> bool {
        self.text == 0 && self.whole >= self.fractional
    }
}

fn is_not_votes(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    NOT_VOTES.contains(&lower.as_str())
}

fn check_known(src: &str, what: &str, wanted: &[String], have: &[&str]) -> Result<()> {
    if let Some((i, w)) = wanted.iter().enumerate().find(|(i, w)| wanted[..*i].contains(w)) {
        return Err(Error::Mismatch(format!("--parties names `{w}` twice (positions {} and {})", wanted[..i].iter().position(|x| x == w).unwrap_or(0) + 1, i + 1)));
    }
    let unknown: Vec<&str> = wanted.iter().map(String::as_str).filter(|w| !have.contains(w)).collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(Error::Mismatch(format!(
            "{src}: --parties names unknown {what}(s) {}; available: {}",
            unknown.join(", "),
            have.join(", ")
        )))
    }
}

fn first_few(items: &[&str]) -> String {
    let mut s = items.iter().take(5).copied().collect::<Vec<_>>().join(", ");
    if items.len() > 5 {
        s.push_str(&format!(" and {} more", items.len() - 5));
    }
    s
}

//! Vote tables: integer counts per unit, from GeoJSON properties or a CSV.

use super::number::{json_count, parse_count};
use super::properties::Columns;
use super::vote_columns::{ambiguous_message, sort_columns, Cell, Kinds, SkipReason, SkippedColumn};
use super::{Input, Layer};
use crate::error::{Error, Result};
use rayon::prelude::*;
use std::collections::HashMap;

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
    skipped: Vec<SkippedColumn>,
    /// The number of rows of a table with no columns ([`VoteTable::none`]).
    rows_without_columns: usize,
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
        VoteTable { parties, has_electorate, width, counts, skipped: Vec::new(), rows_without_columns: 0 }
    }

    /// A table from columns in memory: `(party, count per unit)`, and the
    /// electorate per unit if known. Every column the same length, names
    /// unique and not blank, counts at most [`super::MAX_COUNT`].
    ///
    /// ```
    /// use notional::read::VoteTable;
    /// let t = VoteTable::from_columns(vec![("con".into(), vec![1, 2]), ("lab".into(), vec![3, 4])], Some(vec![10, 20])).unwrap();
    /// assert_eq!(t.row(1), [2, 4, 20]);
    /// let short = VoteTable::from_columns(vec![("con".into(), vec![1, 2]), ("lab".into(), vec![3])], None);
    /// assert_eq!(short.unwrap_err().to_string(), "votes: column `lab` has 1 values but `con` has 2");
    /// ```
    pub fn from_columns(columns: Vec<(String, Vec<u64>)>, electorate: Option<Vec<u64>>) -> Result<Self> {
        let names: Vec<String> = columns.iter().map(|(n, _)| n.clone()).collect();
        check_known("votes", "column", &names, &names.iter().map(String::as_str).collect::<Vec<_>>(), &[])?;
        let n = columns.first().map_or(0, |(_, v)| v.len());
        let first = columns.first().map_or("", |(name, _)| name.as_str()).to_string();
        let all: Vec<(String, Vec<u64>)> = columns.into_iter().chain(electorate.map(|e| ("electorate".to_string(), e))).collect();
        for (name, values) in &all {
            if values.len() != n {
                return Err(Error::Mismatch(format!("votes: column `{name}` has {} values but `{first}` has {n}", values.len())));
            }
            if let Some(r) = values.iter().position(|&v| v > super::MAX_COUNT) {
                return Err(Error::field("votes", format!("row {r}"), name, format!("`{}` is too large to be a vote count", values[r])));
            }
        }
        let width = all.len();
        let mut counts = vec![0u64; n * width];
        for (c, (_, values)) in all.iter().enumerate() {
            for (r, &v) in values.iter().enumerate() {
                counts[r * width + c] = v;
            }
        }
        let has_electorate = width > names.len();
        Ok(VoteTable { parties: names, has_electorate, width, counts, skipped: Vec::new(), rows_without_columns: 0 })
    }

    /// Party column names, in input order.
    pub fn parties(&self) -> &[String] {
        &self.parties
    }

    /// The input's columns that were not counted as votes, and why (when the
    /// party columns were detected rather than named; the id and electorate
    /// columns are not listed).
    ///
    /// ```
    /// use notional::read::{Input, KeyedTable};
    /// let csv = "code,ward,lab\nA,Abbey,5\n";
    /// let t = KeyedTable::read(&Input::from_text("v.csv", csv), "code", None).unwrap();
    /// assert_eq!(t.table.skipped()[0].to_string(), "ward (text)");
    /// ```
    pub fn skipped(&self) -> &[SkippedColumn] {
        &self.skipped
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
        self.counts.len().checked_div(self.width).unwrap_or(self.rows_without_columns)
    }

    /// A table of `rows` units and no columns: for a run with no votes at
    /// all (`notional check` on two layers of seats), where every count is
    /// zero and only the geometry is diagnosed.
    ///
    /// ```
    /// let t = notional::read::VoteTable::none(3);
    /// assert_eq!((t.len(), t.width(), t.row(2).len()), (3, 0, 0));
    /// ```
    pub fn none(rows: usize) -> Self {
        VoteTable { parties: Vec::new(), has_electorate: false, width: 0, counts: Vec::new(), skipped: Vec::new(), rows_without_columns: rows }
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// This table's rows followed by `other`'s, which must have the same
    /// columns.
    ///
    /// ```
    /// use notional::read::VoteTable;
    /// let a = VoteTable::new(vec!["lab".into()], false, vec![vec![1]]);
    /// let b = VoteTable::new(vec!["lab".into()], false, vec![vec![2]]);
    /// assert_eq!(a.append(&b).unwrap().totals(), [3]);
    /// assert!(a.append(&VoteTable::new(vec!["con".into()], false, vec![vec![2]])).is_err());
    /// ```
    pub fn append(&self, other: &VoteTable) -> Result<VoteTable> {
        if self.parties != other.parties || self.has_electorate != other.has_electorate {
            return Err(Error::Mismatch(format!(
                "cannot join vote tables with columns {} and {}",
                self.parties.join(","),
                other.parties.join(",")
            )));
        }
        let mut counts = self.counts.clone();
        counts.extend_from_slice(&other.counts);
        Ok(VoteTable { counts, ..self.clone() })
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
        let (columns, skipped): (Vec<String>, Vec<SkippedColumn>) = match parties {
            Some(list) => {
                let mut reserved = vec![id_field];
                reserved.extend(electorate);
                check_known(src, "property", list, &keys, &reserved)?;
                (list.to_vec(), Vec::new())
            }
            None => {
                let candidates: Vec<&str> = keys.iter().copied().filter(|k| *k != id_field && Some(*k) != electorate).collect();
                let kinds = cell_kinds(layer, &candidates);
                let (columns, skipped) = sort_columns(candidates.iter().copied().zip(&kinds), false).map_err(|(name, kinds)| {
                    let at = kinds.first_text.expect("an ambiguous column holds text");
                    Error::field(src, layer.place(at), name, ambiguous_message(kinds))
                })?;
                check_distinct(src, "properties", &columns)?;
                (columns, skipped)
            }
        };
        if columns.is_empty() {
            return Err(Error::NoVotes(format!(
                "{src}: no numeric vote properties found (properties: {}){}; name the party columns, or give the votes in a CSV",
                keys.join(", "),
                fractions_note(&skipped)
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
        Ok(VoteTable { parties: columns, has_electorate: electorate.is_some(), width, counts, skipped, rows_without_columns: 0 })
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
    /// Rows left out because a cell of a party column is not a count (only
    /// when read with [`KeyedTable::read_keeping_duplicates`]).
    pub unreadable: Vec<Unreadable>,
}

/// A row of a pattern left out: a cell of a party column is not a count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The row's id.
    pub id: String,
    /// Its line.
    pub line: u64,
    /// The first column whose cell is not a count.
    pub field: String,
    /// Why, e.g. "`TRUE` is not a number".
    pub message: String,
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
        Self::read_inner(input, id_column, parties, false)
    }

    /// As [`KeyedTable::read`], but for inputs that only shape a pattern (local
    /// results), never for votes: an id on several rows is not an error (all
    /// its rows are dropped and listed in `duplicates`); an electorate column
    /// is not read (it is not needed, and real files write `NA` there); a row
    /// with a party cell that is not a count (the Commons Library 2022 file
    /// writes `TRUE` in 56 party columns, 343 times for Plaid Cymru) is left
    /// out and listed in `unreadable` rather than stopping the run; and a
    /// column mixing a minority of numbers with text is left out and listed
    /// in [`VoteTable::skipped`].
    ///
    /// ```
    /// use notional::read::{Input, KeyedTable};
    /// let csv = "code,CON\nA,1\nB,2\nA,3\n";
    /// let t = KeyedTable::read_keeping_duplicates(&Input::from_text("l.csv", csv), "code", None).unwrap();
    /// assert_eq!(t.ids, ["B"]);
    /// assert_eq!(t.duplicates, vec![("A".to_string(), vec![2, 4])]);
    /// let odd = KeyedTable::read_keeping_duplicates(&Input::from_text("l.csv", "code,CON,ASP\nA,1,0\nB,2,TRUE\nC,3,4\n"), "code", None).unwrap();
    /// assert_eq!((odd.table.parties(), &odd.ids[..]), (&["CON".to_string(), "ASP".to_string()][..], &["A".to_string(), "C".to_string()][..]));
    /// assert_eq!((odd.unreadable[0].line, odd.unreadable[0].message.as_str()), (3, "`TRUE` is not a number"));
    /// ```
    pub fn read_keeping_duplicates(input: &Input, id_column: &str, parties: Option<&[String]>) -> Result<Self> {
        Self::read_inner(input, id_column, parties, true)
    }

    fn read_inner(input: &Input, id_column: &str, parties: Option<&[String]>, pattern: bool) -> Result<Self> {
        let (keep_duplicates, read_electorate) = (pattern, !pattern);
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
        for (c, _) in header.iter().enumerate().filter(|(_, h)| h.is_empty()) {
            if let Some((line, rec)) = rows.iter().find(|(_, r)| r.get(c).is_some_and(|v| !v.trim().is_empty())) {
                return Err(Error::field(
                    src,
                    format!("line {line}"),
                    &format!("(column {})", c + 1),
                    format!("holds `{}` but the column has no name in the header (line {header_line}); name it", rec[c].trim()),
                ));
            }
        }
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

        let (columns, skipped): (Vec<String>, Vec<SkippedColumn>) = match parties {
            Some(list) => {
                let keys: Vec<&str> = header.iter().map(String::as_str).collect();
                let mut reserved = vec![id_column];
                reserved.extend(electorate.map(|c| header[c].as_str()));
                check_known(src, "column", list, &keys, &reserved)?;
                (list.to_vec(), Vec::new())
            }
            None => {
                let candidates: Vec<(&str, Kinds)> = header
                    .iter()
                    .enumerate()
                    .filter(|(c, h)| *c != id_col && !is_electorate(h) && !h.is_empty())
                    .map(|(c, h)| {
                        let mut kinds = Kinds::default();
                        for (r, (_, rec)) in rows.iter().enumerate() {
                            kinds.add(Cell::of_text(rec.get(c).unwrap_or("")), r);
                        }
                        (h.as_str(), kinds)
                    })
                    .collect();
                let (columns, skipped) = sort_columns(candidates.iter().map(|(h, k)| (*h, k)), pattern).map_err(|(h, kinds)| {
                    let line = rows[kinds.first_text.expect("an ambiguous column holds text")].0;
                    Error::field(src, format!("line {line}"), h, ambiguous_message(kinds))
                })?;
                check_distinct(src, "columns", &columns)?;
                (columns, skipped)
            }
        };
        if columns.is_empty() {
            return Err(Error::Mismatch(format!(
                "{src}: no numeric vote columns found (columns: {}){}; name the party columns",
                header.join(","),
                fractions_note(&skipped)
            )));
        }
        let mut indices: Vec<usize> = columns.iter().map(|c| col_of(c).expect("checked")).collect();
        indices.extend(electorate);
        let width = indices.len();

        // Every row: its id, line, and counts (in a pattern, a row with a cell
        // that is not a count is kept aside as unreadable, not an error).
        let mut read: Vec<(&str, u64, std::result::Result<Vec<u64>, (String, String)>)> = Vec::new();
        let mut seen: HashMap<&str, u64> = HashMap::new();
        for (line, rec) in rows {
            if rec.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let id = rec.get(id_col).map(str::trim).unwrap_or("");
            if id.is_empty() {
                return Err(Error::field(src, format!("line {line}"), id_column, "is blank"));
            }
            if let Some(first) = seen.insert(id, *line) {
                if !keep_duplicates {
                    return Err(Error::field(
                        src,
                        format!("line {line}"),
                        id_column,
                        format!("duplicate id `{id}` (also on line {first})"),
                    ));
                }
            }
            let mut row = Vec::with_capacity(width);
            let mut bad = None;
            for &c in &indices {
                let cell = rec.get(c).ok_or_else(|| {
                    Error::field(
                        src,
                        format!("line {line}"),
                        &header[c],
                        format!("is missing: the row has {} cells but the header has {}", rec.len(), header.len()),
                    )
                })?;
                match parse_count(cell) {
                    Ok(v) => row.push(v),
                    Err(m) if pattern => {
                        bad = Some((header[c].clone(), m));
                        break;
                    }
                    Err(m) => return Err(Error::field(src, format!("line {line}"), &header[c], m)),
                }
            }
            read.push((id, *line, bad.map_or(Ok(row), Err)));
        }
        // An id on several rows (readable or not) is ambiguous: all its rows
        // are dropped and listed; then the unreadable rows left are listed.
        let mut by_id: HashMap<&str, Vec<u64>> = HashMap::new();
        if read.len() > seen.len() {
            for (id, line, _) in &read {
                by_id.entry(id).or_default().push(*line);
            }
        }
        let repeated = |id: &str| by_id.get(id).is_some_and(|l| l.len() > 1);
        let mut duplicates: Vec<(String, Vec<u64>)> = Vec::new();
        let mut unreadable = Vec::new();
        let (mut ids, mut lines, mut counts) = (Vec::new(), Vec::new(), Vec::new());
        for (id, line, row) in read {
            if repeated(id) {
                if by_id[id][0] == line {
                    duplicates.push((id.to_string(), by_id[id].clone()));
                }
                continue;
            }
            match row {
                Ok(row) => {
                    counts.extend(row);
                    ids.push(id.to_string());
                    lines.push(line);
                }
                Err((field, message)) => unreadable.push(Unreadable { id: id.to_string(), line, field, message }),
            }
        }
        let table = VoteTable { parties: columns, has_electorate: electorate.is_some(), width, counts, skipped, rows_without_columns: 0 };
        Ok(KeyedTable { source_name: src.to_string(), ids, lines, table, duplicates, unreadable })
    }

    /// The counts of row `id`, if present.
    pub fn get(&self, id: &str) -> Option<&[u64]> {
        self.ids.iter().position(|i| i == id).map(|r| self.table.row(r))
    }

    /// The rows for `ids`, in that order. Every id must have a row and every
    /// row an id (`what` names the other side in messages).
    pub fn join(&self, ids: &[&str], what: &str) -> Result<VoteTable> {
        let src = &self.source_name;
        let wanted: std::collections::HashSet<&str> = ids.iter().copied().collect();
        let orphans: Vec<String> = self
            .ids
            .iter()
            .zip(&self.lines)
            .filter(|(id, _)| !wanted.contains(id.as_str()))
            .map(|(id, l)| format!("{id} (line {l})"))
            .collect();
        let table = self.rows_for(ids, what)?;
        if !orphans.is_empty() {
            let names: Vec<&str> = orphans.iter().map(String::as_str).collect();
            return Err(Error::Mismatch(format!(
                "{src}: {} votes rows match no unit in {what}, e.g. {}; their votes could not be placed",
                orphans.len(),
                first_few(&names)
            )));
        }
        Ok(table)
    }

    /// The rows for `ids`, in that order; every id must have a row (`what`
    /// names the ids' side in messages). Other rows are not looked at.
    ///
    /// ```
    /// use notional::read::{Input, KeyedTable};
    /// let t = KeyedTable::read(&Input::from_text("r.csv", "id,lab\nA,1\nB,2\n"), "id", None).unwrap();
    /// assert_eq!(t.rows_for(&["B"], "seats").unwrap().row(0), [2]);
    /// assert!(t.rows_for(&["C"], "seats").is_err());
    /// ```
    pub fn rows_for(&self, ids: &[&str], what: &str) -> Result<VoteTable> {
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
        let t = &self.table;
        let mut counts = Vec::with_capacity(ids.len() * t.width);
        for id in ids {
            counts.extend_from_slice(t.row(by_id[id]));
        }
        Ok(VoteTable { parties: t.parties.clone(), has_electorate: t.has_electorate, width: t.width, counts, skipped: t.skipped.clone(), rows_without_columns: t.rows_without_columns })
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
/// parallel): how many numbers, fractions and texts.
fn cell_kinds(layer: &Layer, candidates: &[&str]) -> Vec<Kinds> {
    let empty = || vec![Kinds::default(); candidates.len()];
    layer
        .features
        .par_iter()
        .enumerate()
        .fold(|| (empty(), Columns::new(candidates)), |(mut acc, mut columns), (i, f)| {
            for (k, v) in f.properties.entries() {
                if let Some(j) = columns.of(k) {
                    acc[j].add(Cell::of_json(v), i);
                }
            }
            (acc, columns)
        })
        .map(|(acc, _)| acc)
        .reduce(empty, |a, b| a.into_iter().zip(b).map(|(x, y)| x.merge(y)).collect())
}

/// `; x, y hold fractions, not whole votes` when columns were skipped as
/// fractions, for the message saying no vote column was found.
fn fractions_note(skipped: &[SkippedColumn]) -> String {
    let fractional: Vec<&str> =
        skipped.iter().filter(|s| s.reason == SkipReason::Fractions).map(|s| s.name.as_str()).collect();
    if fractional.is_empty() { String::new() } else { format!("; {} hold fractions, not whole votes", fractional.join(", ")) }
}

/// Checks the party columns a user named: each once, none blank, none the
/// id or the electorate (`reserved`: they would be counted twice over), all
/// present.
fn check_known(src: &str, what: &str, wanted: &[String], have: &[&str], reserved: &[&str]) -> Result<()> {
    if let Some((i, w)) = wanted.iter().enumerate().find(|(i, w)| wanted[..*i].contains(w)) {
        return Err(Error::Mismatch(format!("the party list names `{w}` twice (positions {} and {})", wanted[..i].iter().position(|x| x == w).unwrap_or(0) + 1, i + 1)));
    }
    if let Some(i) = wanted.iter().position(|w| w.trim().is_empty()) {
        return Err(Error::Mismatch(format!("the party list has a blank name at position {} (a stray comma?)", i + 1)));
    }
    if let Some(w) = wanted.iter().find(|w| reserved.contains(&w.as_str())) {
        return Err(Error::Mismatch(format!(
            "{src}: the party list names `{w}`, which is read as the {}; it cannot also be votes",
            if *w == reserved[0] { "unit id" } else { "electorate" }
        )));
    }
    let unknown: Vec<&str> = wanted.iter().map(String::as_str).filter(|w| !have.contains(w)).collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(Error::Mismatch(format!(
            "{src}: the party list names unknown {what}(s) {}; available: {}",
            unknown.join(", "),
            have.join(", ")
        )))
    }
}

/// Refuses detected vote columns whose names differ only in case or
/// surrounding spaces (`Con` on one feature, `con` on the rest): they are one
/// party split in two.
fn check_distinct(src: &str, what: &str, columns: &[String]) -> Result<()> {
    for (i, a) in columns.iter().enumerate() {
        if let Some(b) = columns[..i].iter().find(|b| b.trim().eq_ignore_ascii_case(a.trim())) {
            return Err(Error::Mismatch(format!(
                "{src}: the {what} `{b}` and `{a}` differ only in case or spaces, so one party would be counted as two; \
                 give them one spelling, or name the party columns"
            )));
        }
    }
    Ok(())
}

fn first_few(items: &[&str]) -> String {
    let mut s = items.iter().take(5).copied().collect::<Vec<_>>().join(", ");
    if items.len() > 5 {
        s.push_str(&format!(" and {} more", items.len() - 5));
    }
    s
}

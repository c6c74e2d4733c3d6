use super::Input;
use crate::error::{Error, Result};

/// Reads the named columns of a CSV, as text: the header is the first row
/// holding all of them (so title rows above it are skipped). Returns each data
/// row's line number and cells, in the order of `names`; blank rows are skipped.
///
/// ```
/// use notional::read::{read_columns, Input};
/// let csv = "Title\nPARL10,PARL25,overlap_pop\nE1,KAB,\"1,200\"\n";
/// let rows = read_columns(&Input::from_text("w.csv", csv), &["PARL25", "overlap_pop"]).unwrap();
/// assert_eq!(rows, vec![(3, vec!["KAB".to_string(), "1,200".to_string()])]);
/// ```
pub fn read_columns(input: &Input, names: &[&str]) -> Result<Vec<(u64, Vec<String>)>> {
    let src = input.name();
    let mut header: Option<Vec<usize>> = None;
    let mut rows = Vec::new();
    for (line, rec) in input.csv_records()? {
        match &header {
            None => {
                let cells: Vec<&str> = rec.iter().map(str::trim).collect();
                let found: Option<Vec<usize>> = names.iter().map(|n| cells.iter().position(|c| c == n)).collect();
                header = found;
            }
            Some(cols) => {
                if rec.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                rows.push((line, cols.iter().map(|&c| rec.get(c).unwrap_or("").trim().to_string()).collect()));
            }
        }
    }
    if header.is_none() {
        return Err(Error::Mismatch(format!("{src}: no header row with the columns {}", names.join(", "))));
    }
    Ok(rows)
}

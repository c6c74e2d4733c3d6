//! Parsing vote counts as real files write them.

/// The largest count accepted (10¹²): far above any electorate, and small
/// enough that sums over millions of units cannot overflow.
pub const MAX_COUNT: u64 = 1_000_000_000_000;

/// Parses a vote count: a whole, non-negative number up to [`MAX_COUNT`].
///
/// Real files write counts as `6396`, `6,396` (thousands separators), `6396.0`
/// or leave the cell blank; a blank cell is 0. Anything else (text, a fraction,
/// a negative number) is an error whose message says why.
///
/// ```
/// use notional::read::parse_count;
/// assert_eq!(parse_count("6,396"), Ok(6396));
/// assert_eq!(parse_count(" 12 "), Ok(12));
/// assert_eq!(parse_count(""), Ok(0));
/// assert_eq!(parse_count("7.0"), Ok(7));
/// assert!(parse_count("-3").unwrap_err().contains("negative"));
/// assert!(parse_count("2.5").unwrap_err().contains("whole"));
/// assert!(parse_count("Lab").is_err());
/// assert!(parse_count("18446744073709551615").unwrap_err().contains("too large"));
/// ```
pub fn parse_count(cell: &str) -> Result<u64, String> {
    count(cell).map_err(|e| e.message(cell.trim()))
}

/// Why a cell is not a vote count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotCount {
    /// Not a number at all (text, a misplaced comma).
    NotNumber,
    /// `NaN`, `Infinity`, `1e400`.
    NotFinite,
    /// Below zero.
    Negative,
    /// Has a fractional part.
    Fraction,
    /// Above [`MAX_COUNT`].
    TooLarge,
}

impl NotCount {
    /// What [`parse_count`] says of `s`.
    fn message(self, s: &str) -> String {
        match self {
            NotCount::NotNumber => format!("`{s}` is not a number"),
            NotCount::NotFinite => format!("`{s}` is not a finite number"),
            NotCount::Negative => format!("`{s}` is negative; vote counts cannot be"),
            NotCount::Fraction => format!("`{s}` is not a whole number; round estimates to whole votes first"),
            NotCount::TooLarge => format!("`{s}` is too large to be a vote count"),
        }
    }
}

/// [`parse_count`], saying why not as a value.
pub(crate) fn count(cell: &str) -> Result<u64, NotCount> {
    let s = cell.trim();
    if s.is_empty() {
        return Ok(0);
    }
    let cleaned: String = if s.contains(',') {
        if !has_thousands_separators(s) {
            return Err(NotCount::NotNumber);
        }
        s.chars().filter(|&c| c != ',').collect()
    } else {
        s.to_string()
    };
    if let Ok(n) = cleaned.parse::<u64>() {
        return if n > MAX_COUNT { Err(NotCount::TooLarge) } else { Ok(n) };
    }
    match cleaned.parse::<f64>() {
        Ok(x) if !x.is_finite() => Err(NotCount::NotFinite),
        Ok(x) if x < 0.0 => Err(NotCount::Negative),
        Ok(x) if x.fract() != 0.0 => Err(NotCount::Fraction),
        Ok(x) if x > MAX_COUNT as f64 => Err(NotCount::TooLarge),
        Ok(x) => Ok(x as u64),
        Err(_) => Err(NotCount::NotNumber),
    }
}

/// True for `1,234` / `12,345,678.0`: digit groups of three after the first.
fn has_thousands_separators(s: &str) -> bool {
    let int_part = s.split('.').next().unwrap_or("");
    let mut groups = int_part.split(',');
    let first = groups.next().unwrap_or("");
    let first_ok = (1..=3).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_digit());
    first_ok && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// Interprets a JSON property value as a count (numbers, numeric strings, null as 0).
pub(crate) fn json_count(value: &serde_json::Value) -> Result<u64, String> {
    match value {
        serde_json::Value::Null => Ok(0),
        serde_json::Value::Number(n) => match n.as_u64() {
            Some(v) if v > MAX_COUNT => Err(format!("`{v}` is too large to be a vote count")),
            Some(v) => Ok(v),
            None => parse_count(&n.to_string()),
        },
        serde_json::Value::String(s) => parse_count(s),
        other => Err(format!("`{other}` is not a number")),
    }
}

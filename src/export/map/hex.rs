//! HexJSON layouts (the Open Innovations format): a hex cartogram where
//! every seat has the same size.

use crate::error::{Error, Result};
use crate::read::Input;
use serde_json::Value;
use std::collections::BTreeMap;

/// A HexJSON layout: each seat's column and row, odd rows shifted right
/// (`odd-r`) or left (`even-r`).
#[derive(Debug, Clone)]
pub struct HexLayout {
    /// `odd-r` or `even-r` (the row layouts; column layouts are refused).
    pub layout: String,
    /// Seat id → (q, r).
    pub hexes: BTreeMap<String, (i64, i64)>,
}

/// Rows of pointy-top hexes of width 1 are this far apart.
pub const ROW_STEP: f64 = 0.866_025_403_784_438_6;

impl HexLayout {
    /// Reads a HexJSON file: `{"layout": "odd-r", "hexes": {"ID": {"q": 1, "r": 2, ...}}}`.
    ///
    /// ```
    /// use notional::export::map::HexLayout;
    /// use notional::read::Input;
    /// let h = HexLayout::read(&Input::from_text("h.hexjson", r#"{"layout":"odd-r","hexes":{"A":{"q":0,"r":1}}}"#)).unwrap();
    /// assert_eq!(h.hexes["A"], (0, 1));
    /// assert!(HexLayout::read(&Input::from_text("h.hexjson", r#"{"layout":"odd-q","hexes":{}}"#)).is_err());
    /// ```
    pub fn read(input: &Input) -> Result<HexLayout> {
        let src = input.name();
        let v: Value = serde_json::from_str(input.text()).map_err(|e| Error::format(src, format!("is not valid JSON: {e}")))?;
        let layout = v.get("layout").and_then(Value::as_str).unwrap_or("").to_string();
        if layout != "odd-r" && layout != "even-r" {
            return Err(Error::field(src, "the file", "layout", format!("`{layout}` is not a row layout (odd-r or even-r)")));
        }
        let hexes = v.get("hexes").and_then(Value::as_object).ok_or_else(|| Error::field(src, "the file", "hexes", "is missing or not an object"))?;
        let mut out = BTreeMap::new();
        for (id, h) in hexes {
            let coord = |k: &str| h.get(k).and_then(Value::as_i64).ok_or_else(|| Error::field(src, format!("hex {id}"), k, "is not an integer"));
            out.insert(id.clone(), (coord("q")?, coord("r")?));
        }
        Ok(HexLayout { layout, hexes: out })
    }

    /// The ids among `ids` the layout does not place, in their order.
    ///
    /// ```
    /// use notional::export::map::HexLayout;
    /// use std::collections::BTreeMap;
    /// let h = HexLayout { layout: "odd-r".into(), hexes: BTreeMap::from([("A".to_string(), (0, 0))]) };
    /// assert_eq!(h.missing(["A", "B"]), ["B"]);
    /// ```
    pub fn missing<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        ids.into_iter().filter(|id| !self.hexes.contains_key(*id)).map(str::to_string).collect()
    }

    /// The centre of hex (q, r) in hex widths, rows rising northwards.
    ///
    /// ```
    /// use notional::export::map::HexLayout;
    /// use std::collections::BTreeMap;
    /// let odd = HexLayout { layout: "odd-r".into(), hexes: BTreeMap::new() };
    /// assert_eq!(odd.centre(2, 0), (2.0, 0.0));
    /// assert_eq!(odd.centre(2, 1).0, 2.5); // odd rows shifted right
    /// ```
    pub fn centre(&self, q: i64, r: i64) -> (f64, f64) {
        let odd = r.rem_euclid(2) == 1;
        let shift = if (self.layout == "odd-r") == odd { 0.5 } else { 0.0 };
        (q as f64 + shift, r as f64 * ROW_STEP)
    }

    /// The six corners of a pointy-top hex of width 1 around `centre`.
    pub fn corners(centre: (f64, f64)) -> [(f64, f64); 6] {
        let rad = 1.0 / 3f64.sqrt();
        std::array::from_fn(|k| {
            let a = std::f64::consts::PI / 180.0 * (60.0 * k as f64 + 30.0);
            (centre.0 + rad * a.cos(), centre.1 + rad * a.sin())
        })
    }
}

//! One GeoJSON Feature scanned straight from the text: the hot loop of the
//! streaming reader ([`super::stream`]).
//!
//! Most of a boundary file is coordinates, and a general JSON parser spends
//! most of its time there, number by number, through its generic machinery.
//! This scanner reads the Feature's own structure (`type`, `properties`,
//! `geometry`) and its coordinate arrays itself, strictly to the JSON
//! grammar, and hands everything else to serde_json: strings with escapes,
//! fractional property values, nested objects and arrays, unknown members.
//! Plain numbers are converted exactly: a mantissa below 2⁵³ divided by an
//! exact power of ten (the fast path that correctly rounding parsers take
//! first, e.g. Clinger's), and anything longer by the standard library's
//! correctly rounding `str::parse::<f64>`.
//!
//! Whatever it does not expect (invalid JSON, a repeated member, a Point, an
//! empty array among the coordinates…) makes it return `None`; the caller
//! then re-reads the whole text with the reference reader.

use crate::read::layer::Polygons;
use crate::read::properties::{Names, Properties};
use geo::Coord;
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;

/// A feature as scanned: its properties, and its geometry's polygons of
/// rings (`None` for a `null` geometry).
pub(crate) struct Scanned {
    pub(crate) properties: Properties,
    pub(crate) rings: Option<Polygons>,
}


/// Scans the Feature object starting at byte `pos` (after any whitespace);
/// returns it and the byte after it.
pub(crate) fn feature(text: &str, pos: usize, scratch: &mut Scratch) -> Option<(Scanned, usize)> {
    let mut s = Scanner { text, b: text.as_bytes(), pos, ring: std::mem::take(&mut scratch.ring) };
    let f = s.feature(&mut scratch.names);
    scratch.ring = s.ring;
    Some((f?, s.pos))
}

/// What one range of features shares: its property names (one `Arc` each)
/// and a buffer in which rings grow before they are copied out at their size.
#[derive(Default)]
pub(crate) struct Scratch {
    names: Names,
    ring: Vec<Coord<f64>>,
}

/// 10⁰ … 10⁸ as integers.
const POW10_INT: [u64; 9] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

/// The run of ASCII digits at `b[i..]`, up to eight of them, read at once
/// from one 8-byte load (SWAR): `(value, count)`, with `count` 0 to 8.
/// `None` when fewer than eight bytes remain (the caller reads them one at a
/// time). Borrows and carries of the per-byte arithmetic only run towards
/// later bytes, so they never reach a digit before the first non-digit.
#[inline]
fn eight_digits(b: &[u8], i: usize) -> Option<(u64, usize)> {
    let chunk: [u8; 8] = b.get(i..i + 8)?.try_into().ok()?;
    let x = u64::from_le_bytes(chunk);
    // Per byte, x − '0', and a high bit set wherever that is not 0–9.
    let d = x.wrapping_sub(0x3030_3030_3030_3030);
    let not_digit = (d | d.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080;
    let n = (not_digit.trailing_zeros() / 8) as usize;
    if n == 0 {
        return Some((0, 0));
    }
    // Keep the n digits (the first in the lowest byte) as the high bytes,
    // then combine pairs, quads and octets.
    let v = d << (8 * (8 - n));
    let v = (v & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(2561) >> 8;
    let v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(6_553_601) >> 16;
    let v = (v & 0x0000_FFFF_0000_FFFF).wrapping_mul(42_949_672_960_001) >> 32;
    Some((v, n))
}

/// The first byte at or after `i` that ends a string's plain run: a quote,
/// a backslash or a control character (below 0x20); `b.len()` if none. Eight
/// bytes at a time (SWAR): per byte, a high bit where it is zero after XOR
/// with `"` or `\\`, or where it is below 0x20. Borrows only run towards
/// later bytes, so the lowest flag is the first such byte.
#[inline]
fn string_stop(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |v: u64, n: u8| v.wrapping_sub(ONES * u64::from(n)) & !v & HIGH;
    while let Some(chunk) = b.get(i..i + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()) {
        let x = u64::from_le_bytes(chunk);
        let stops = below(x ^ (ONES * u64::from(b'"')), 1) | below(x ^ (ONES * u64::from(b'\\')), 1) | below(x, 0x20);
        if stops != 0 {
            return i + (stops.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    let rest = b.get(i..).unwrap_or_default();
    rest.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).map_or(b.len(), |k| i + k)
}

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

struct Scanner<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    ring: Vec<Coord<f64>>,
}

impl<'a> Scanner<'a> {
    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next byte after whitespace, not consumed.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.pos).copied()
    }

    /// Consumes `c` (after whitespace) or fails.
    #[inline]
    fn expect(&mut self, c: u8) -> Option<()> {
        // Compact JSON first: the byte itself, before any whitespace test.
        if self.b.get(self.pos) == Some(&c) {
            self.pos += 1;
            return Some(());
        }
        (self.peek()? == c).then(|| self.pos += 1)
    }

    /// After a member or element: `true` on a comma, `false` on `close`.
    #[inline]
    fn more(&mut self, close: u8) -> Option<bool> {
        let next = match self.b.get(self.pos) {
            Some(&c @ (b',' | b']' | b'}')) => c,
            _ => self.peek()?,
        };
        match next {
            b',' => {
                self.pos += 1;
                Some(true)
            }
            c if c == close => {
                self.pos += 1;
                Some(false)
            }
            _ => None,
        }
    }

    /// A JSON value handed to serde_json (which checks it), at the cursor.
    fn delegate<T: Deserialize<'a>>(&mut self) -> Option<T> {
        self.ws();
        let mut stream = serde_json::Deserializer::from_str(self.text.get(self.pos..)?).into_iter::<T>();
        let value = stream.next()?.ok()?;
        self.pos += stream.byte_offset();
        Some(value)
    }

    /// A string: borrowed when it has no escapes, else unescaped by serde_json.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.pos + 1;
        let i = string_stop(self.b, start);
        match *self.b.get(i)? {
            b'"' => {
                self.pos = i + 1;
                Some(Cow::Borrowed(&self.text[start..i]))
            }
            b'\\' => self.delegate::<String>().map(Cow::Owned),
            _ => None, // control characters must be escaped
        }
    }

    /// A non-empty object: `member` reads each member's value, given its name.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &str) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            return None;
        }
        loop {
            let k = self.key()?;
            member(self, &k)?;
            if !self.more(b'}')? {
                return Some(());
            }
        }
    }

    /// Any value, checked by serde_json and dropped.
    fn skip(&mut self) -> Option<()> {
        self.delegate::<serde::de::IgnoredAny>().map(|_| ())
    }

    /// A member name and its colon.
    fn key(&mut self) -> Option<Cow<'a, str>> {
        let k = self.string()?;
        self.expect(b':')?;
        Some(k)
    }

    /// The extent of a JSON number at the cursor (strict grammar), and
    /// whether it is an integer (no fraction, no exponent).
    fn number_token(&mut self) -> Option<(usize, usize, bool)> {
        let b = self.b;
        let start = self.pos;
        // One or more digits from `i`: the index after them.
        let digits = |i: usize| {
            let end = i + b[i.min(b.len())..].iter().take_while(|c| c.is_ascii_digit()).count();
            (end > i).then_some(end)
        };
        let mut i = start;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => i = digits(i)?,
            _ => return None,
        }
        let mut integer = true;
        if b.get(i) == Some(&b'.') {
            integer = false;
            i = digits(i + 1)?;
        }
        if let Some(b'e' | b'E') = b.get(i) {
            integer = false;
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            i = digits(i)?;
        }
        self.pos = i;
        Some((start, i, integer))
    }

    /// A coordinate: a JSON number as the nearest `f64`.
    #[inline]
    fn coordinate(&mut self) -> Option<f64> {
        self.ws();
        let b = self.b;
        let start = self.pos;
        let mut i = start;
        let negative = b.get(i) == Some(&b'-');
        i += usize::from(negative);
        // Fast path: up to 15 digits, optionally with a point; no exponent.
        let mut m: u64 = 0;
        let int_start = i;
        while let Some(&c @ b'0'..=b'9') = b.get(i) {
            m = m.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
            i += 1;
        }
        let int_digits = i - int_start;
        let mut frac_digits = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let f = i;
            // Up to eight digits at once (fewer: the run of digits ended
            // there), then one at a time.
            let more = match eight_digits(b, i) {
                Some((value, n)) => {
                    m = m.wrapping_mul(POW10_INT[n]).wrapping_add(value);
                    i += n;
                    n == 8
                }
                None => true,
            };
            while let Some(&c @ b'0'..=b'9') = b.get(i).filter(|_| more) {
                m = m.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                i += 1;
            }
            frac_digits = i - f;
            if frac_digits == 0 {
                return None; // `1.` is not JSON
            }
        }
        let plain = int_digits == 1 || (int_digits > 1 && b[int_start] != b'0');
        if plain && int_digits + frac_digits <= 15 && !matches!(b.get(i), Some(b'e' | b'E')) {
            self.pos = i;
            // m < 10^15 < 2^53 and 10^k are exact: one correctly rounded division.
            let v = m as i64 as f64 / POW10[frac_digits];
            return Some(if negative { -v } else { v });
        }
        // Anything else: the strict grammar, then the standard library.
        self.pos = start;
        let (s, e, _) = self.number_token()?;
        self.text[s..e].parse::<f64>().ok().filter(|v| v.is_finite())
    }

    /// A position `[x, y, …]`: further numbers (altitude) are read and dropped.
    #[inline]
    fn position(&mut self) -> Option<Coord<f64>> {
        self.expect(b'[')?;
        let x = self.coordinate()?;
        self.expect(b',')?;
        let y = self.coordinate()?;
        while self.more(b']')? {
            self.coordinate()?;
        }
        Some(Coord { x, y })
    }

    /// A ring: a non-empty array of positions (allocated at its size).
    fn ring(&mut self) -> Option<Vec<Coord<f64>>> {
        self.expect(b'[')?;
        self.ring.clear();
        loop {
            let c = self.position()?;
            self.ring.push(c);
            if !self.more(b']')? {
                return Some(self.ring.as_slice().to_vec());
            }
        }
    }

    /// A non-empty array of what `item` reads.
    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.expect(b'[')?;
        let mut out = Vec::with_capacity(1);
        loop {
            out.push(item(self)?);
            if !self.more(b']')? {
                return Some(out);
            }
        }
    }

    /// A polygon: a non-empty array of rings.
    fn polygon(&mut self) -> Option<Vec<Vec<Coord<f64>>>> {
        self.array(Self::ring)
    }

    /// A MultiPolygon's coordinates: a non-empty array of polygons.
    fn multi(&mut self) -> Option<Polygons> {
        self.array(Self::polygon)
    }

    /// Coordinates whose depth is not yet known (`coordinates` came before
    /// `type`): a polygon (depth 3) or a multipolygon (depth 4).
    fn any_depth(&mut self) -> Option<(bool, Polygons)> {
        let save = self.pos;
        self.expect(b'[')?;
        self.expect(b'[')?;
        self.expect(b'[')?;
        let multi = self.peek()? == b'[';
        self.pos = save;
        Some(if multi { (true, self.multi()?) } else { (false, vec![self.polygon()?]) })
    }

    /// A geometry object (Polygon or MultiPolygon), or `null`.
    fn geometry(&mut self) -> Option<Option<Polygons>> {
        if self.peek()? == b'n' {
            return self.literal(b"null").map(|_| None);
        }
        let (mut kind, mut coords) = (None::<Cow<str>>, None);
        self.object(|s, k| {
            match k {
                "type" if kind.is_none() => kind = Some(s.string()?),
                "coordinates" if coords.is_none() => {
                    coords = Some(match kind.as_deref() {
                        Some("Polygon") => (false, vec![s.polygon()?]),
                        Some("MultiPolygon") => (true, s.multi()?),
                        Some(_) => return None,
                        None => s.any_depth()?,
                    })
                }
                "type" | "coordinates" => return None,
                _ => s.skip()?,
            }
            Some(())
        })?;
        match (kind.as_deref(), coords) {
            (Some("Polygon"), Some((false, rings))) | (Some("MultiPolygon"), Some((true, rings))) => Some(Some(rings)),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.ws();
        let end = self.pos + word.len();
        (self.b.get(self.pos..end)? == word).then(|| self.pos = end)
    }

    /// A property value: plain strings, integers and literals here, the rest
    /// (escaped strings, fractions, objects, arrays) through serde_json.
    fn value(&mut self) -> Option<Value> {
        match self.peek()? {
            b'"' => Some(Value::String(self.string()?.into_owned())),
            b'-' | b'0'..=b'9' => {
                let save = self.pos;
                let (s, e, integer) = self.number_token()?;
                let t = &self.text[s..e];
                // As serde_json reads them: u64, else i64, else (and `-0`) f64.
                let int = if !integer {
                    None
                } else if let Some(neg) = t.strip_prefix('-') {
                    neg.parse::<u64>().ok().filter(|&n| n > 0).and_then(|n| 0i64.checked_sub_unsigned(n)).map(Value::from)
                } else {
                    t.parse::<u64>().ok().map(Value::from)
                };
                match int {
                    Some(v) => Some(v),
                    None => {
                        self.pos = save;
                        self.delegate::<Value>()
                    }
                }
            }
            b't' => self.literal(b"true").map(|_| Value::Bool(true)),
            b'f' => self.literal(b"false").map(|_| Value::Bool(false)),
            b'n' => self.literal(b"null").map(|_| Value::Null),
            _ => self.delegate::<Value>(),
        }
    }

    /// A `properties` object (or `null`), names shared through `names`.
    fn properties(&mut self, names: &mut Names) -> Option<Properties> {
        if self.peek()? == b'n' {
            return self.literal(b"null").map(|_| Properties::new());
        }
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(Properties::new());
        }
        let mut p = Properties::with_capacity(names.typical_count());
        // The names already here, by their index in `names` (the first 64):
        // a name not among them is pushed without searching the members.
        let mut here = 0u64;
        loop {
            let k = self.key()?;
            let v = self.value()?;
            let (i, name) = names.get_indexed(&k);
            let bit = if i < 64 { 1u64 << i } else { 0 };
            if bit != 0 && here & bit == 0 {
                here |= bit;
                p.push_new(name, v);
            } else if p.get(&name).is_some() {
                // A repeated name: the reference reader says where.
                return None;
            } else {
                p.push_new(name, v); // one past the first 64
            }
            if !self.more(b'}')? {
                names.saw_count(p.len());
                return Some(p);
            }
        }
    }

    /// A Feature object: `type` must be `Feature`; `properties` and
    /// `geometry` each at most once, `geometry` present.
    fn feature(&mut self, names: &mut Names) -> Option<Scanned> {
        let (mut kind, mut properties, mut geometry) = (None, None, None);
        self.object(|s, k| {
            match k {
                "type" if kind.is_none() => kind = Some(s.string()?),
                "properties" if properties.is_none() => properties = Some(s.properties(names)?),
                "geometry" if geometry.is_none() => geometry = Some(s.geometry()?),
                "type" | "properties" | "geometry" => return None,
                _ => s.skip()?,
            }
            Some(())
        })?;
        if kind.as_deref() != Some("Feature") {
            return None;
        }
        Some(Scanned { properties: properties.unwrap_or_default(), rings: geometry? })
    }
}

#[cfg(test)]
mod tests {
    use super::string_stop;

    /// The byte-at-a-time answer.
    fn slow(b: &[u8], i: usize) -> usize {
        (i..b.len()).find(|&k| b[k] == b'"' || b[k] == b'\\' || b[k] < 0x20).unwrap_or(b.len())
    }

    #[test]
    fn string_stop_finds_what_a_byte_loop_finds() {
        // Every stop byte, their neighbours, and bytes whose arithmetic
        // borrows or carries (0x00, 0x1f, 0x20, 0x7f, 0x80, 0xa0, 0xff), at
        // every offset of buffers up to 19 bytes, from every start.
        let alphabet = [b'a', b'"', b'\\', 0x00, 0x01, 0x1f, 0x20, 0x21, 0x5b, 0x5d, 0x7f, 0x80, 0xa0, 0xdc, 0xff];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 20) as usize;
            let b: Vec<u8> = (0..len)
                .map(|k| {
                    let r = seed.rotate_left(k as u32 * 5);
                    // Mostly plain bytes, so that stops fall at all positions.
                    if r.is_multiple_of(4) { alphabet[(r >> 8) as usize % alphabet.len()] } else { b'a' + (r >> 16) as u8 % 26 }
                })
                .collect();
            for i in 0..=len {
                assert_eq!(string_stop(&b, i), slow(&b, i), "{b:?} from {i}");
            }
        }
        assert_eq!(string_stop(b"", 0), 0);
        assert_eq!(string_stop(b"abc", 3), 3);
        assert_eq!(string_stop(b"abcdefgh\"ij", 0), 8);
    }
}

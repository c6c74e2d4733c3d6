use super::csv_out::Extra;
use super::palette::party_colour;
use crate::results::Results;
use geo::orient::{Direction, Orient};
use geo::{CoordsIter, MultiPolygon, Polygon};
use crate::geometry::ring::is_oriented;
use serde_json::{json, Map, Value};
use std::borrow::{Borrow, Cow};
use std::io::{self, Write};

/// Writes the results as an RFC 7946 FeatureCollection: WGS84 lon/lat with six
/// decimals, exterior rings counter-clockwise and holes clockwise, the
/// `results.csv` properties (with any `extra` columns) plus simplestyle
/// `fill`/`stroke` by winner.
/// `geometries_wgs84` is indexed by target.
///
/// ```
/// use notional::export::results_geojson;
/// use notional::results::{Results, SeatResult};
/// use geo::{polygon, MultiPolygon};
/// let results = Results { parties: vec!["con".into(), "lab".into()], has_electorate: false,
///     seats: vec![SeatResult::new(0, "S1", "North", &[40, 60], None)] };
/// // A clockwise square: written counter-clockwise.
/// let sq = MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 0., y: 1.), (x: 1., y: 1.), (x: 1., y: 0.)]]);
/// let mut out = Vec::new();
/// results_geojson(&results, &[sq], &[], &mut out).unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.contains(r#""winner":"lab""#) && text.contains(r##""fill":"#E4003B""##));
/// assert!(text.contains("[[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,1.0],[0.0,0.0]]]"));
/// ```
pub fn results_geojson<G>(results: &Results, geometries_wgs84: &[G], extra: &[Extra], mut out: impl Write + Send) -> io::Result<()>
where
    G: Borrow<MultiPolygon<f64>> + Sync,
{
    let geometry = |i: usize| geometries_wgs84[results.seats[i].target].borrow();
    feature_collection(results.seats.len(), &mut out, |i| feature_size(geometry(i)), |i, buf| {
        let s = &results.seats[i];
        let mut p = Map::new();
        p.insert("code".into(), json!(s.code));
        p.insert("name".into(), json!(s.name));
        for (party, v) in results.parties.iter().zip(&s.votes) {
            p.insert(party.clone(), json!(v));
        }
        p.insert("total".into(), json!(s.total));
        p.insert("winner".into(), json!(results.party(s.winner)));
        p.insert("second".into(), json!(results.party(s.second)));
        p.insert("majority".into(), json!(s.majority));
        p.insert("majority_pct".into(), json!(round(s.majority_pct, 100.0)));
        if results.has_electorate {
            p.insert("electorate".into(), s.electorate.map_or(Value::Null, |e| json!(e)));
            p.insert("turnout".into(), s.turnout.map_or(Value::Null, |t| json!(round(t, 100.0))));
        }
        for (name, values) in extra {
            p.insert(name.clone(), json!(values[i]));
        }
        let colour = s.winner.map_or("#B0B0B0", |w| party_colour(&results.parties[w]));
        p.insert("fill".into(), json!(colour));
        p.insert("fill-opacity".into(), json!(0.7));
        p.insert("stroke".into(), json!("#555555"));
        p.insert("stroke-width".into(), json!(1));
        write_feature(buf, &p, geometry(i));
    })
}

fn round(x: f64, scale: f64) -> f64 {
    (x * scale).round() / scale
}

/// "000", "001", … "999".
static THREE_DIGITS: [u8; 3000] = {
    let mut t = [0u8; 3000];
    let mut i = 0;
    while i < 1000 {
        t[3 * i] = b'0' + (i / 100) as u8;
        t[3 * i + 1] = b'0' + (i / 10 % 10) as u8;
        t[3 * i + 2] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// Writes `x` rounded to six decimals as the shortest decimal of that value
/// (`51.5`, `-0.069626`, `0.0`), from its integer count of millionths
/// (rounded half away from zero), into `out` from `at`; returns where it
/// ends. Values too large for that (|x| ≥ 9e9, or NaN) return `None`.
/// At most 18 bytes: sign, 10 digits, point, 6 digits.
#[inline]
fn micro_into(x: f64, out: &mut [u8], at: usize) -> Option<usize> {
    let millionths = x * 1e6;
    let size = millionths.abs();
    // (Written so that NaN takes this branch too.)
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    if !(size < 9e15) {
        return None;
    }
    // Rounded half away from zero, as `f64::round` (the difference from the
    // truncation is exact below 2^52). Below 2^63 the conversions go through
    // i64, one instruction each way on x86-64 (u64's take a dozen).
    let whole = size as i64;
    let m = (whole + i64::from(size - whole as f64 >= 0.5)) as u64;
    let (int, frac) = (m / 1_000_000, (m % 1_000_000) as usize);
    let out = &mut out[at..at + 18];
    let mut p = 0;
    if millionths < 0.0 && m != 0 {
        out[0] = b'-';
        p = 1;
    }
    if int < 1000 {
        // Longitudes and latitudes: at most three digits.
        let i = int as usize;
        if i >= 100 {
            out[p] = b'0' + (i / 100) as u8;
            p += 1;
        }
        if i >= 10 {
            out[p] = b'0' + (i / 10 % 10) as u8;
            p += 1;
        }
        out[p] = b'0' + (i % 10) as u8;
        p += 1;
    } else {
        let digits = int.ilog10() as usize + 1;
        let mut rest = int;
        for k in (p..p + digits).rev() {
            out[k] = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        p += digits;
    }
    out[p] = b'.';
    if frac == 0 {
        out[p + 1] = b'0';
        return Some(at + p + 2);
    }
    // Six digits from two three-digit groups, less their trailing zeros
    // (one of the six is not zero).
    out[p + 1..p + 4].copy_from_slice(&THREE_DIGITS[3 * (frac / 1000)..][..3]);
    out[p + 4..p + 7].copy_from_slice(&THREE_DIGITS[3 * (frac % 1000)..][..3]);
    let mut end = p + 7;
    while out[end - 1] == b'0' {
        end -= 1;
    }
    Some(at + end)
}

/// Writes a ring's positions `[x,y],[x,y],…`, each number rounded to six
/// decimals ([`micro_into`]; a larger one as ryu writes it rounded). They are
/// rendered into a block on the stack and copied out a block at a time.
fn write_positions(buf: &mut Vec<u8>, ring: &[geo::Coord<f64>]) {
    const BLOCK: usize = 2048;
    // A position and the comma before it: brackets, two commas and two
    // numbers of at most 18 bytes.
    const MOST: usize = 40;
    let mut block = [0u8; BLOCK];
    let mut at = 0;
    for (v, &c) in ring.iter().enumerate() {
        if at + MOST > BLOCK {
            buf.extend_from_slice(&block[..at]);
            at = 0;
        }
        if v > 0 {
            block[at] = b',';
            at += 1;
        }
        block[at] = b'[';
        let end = micro_into(c.x, &mut block, at + 1).and_then(|x| {
            block[x] = b',';
            micro_into(c.y, &mut block, x + 1)
        });
        match end {
            Some(y) => {
                block[y] = b']';
                at = y + 1;
            }
            None => {
                buf.extend_from_slice(&block[..at]);
                at = 0;
                let number = |buf: &mut Vec<u8>, v: f64| {
                    let mut out = [0u8; 18];
                    match micro_into(v, &mut out, 0) {
                        Some(end) => buf.extend_from_slice(&out[..end]),
                        None => buf.extend_from_slice(ryu::Buffer::new().format(round(v, 1e6)).as_bytes()),
                    }
                };
                buf.push(b'[');
                number(buf, c.x);
                buf.push(b',');
                number(buf, c.y);
                buf.push(b']');
            }
        }
    }
    buf.extend_from_slice(&block[..at]);
}

/// Writes a FeatureCollection of `n` features, each rendered by `feature`
/// (with [`write_feature`]) in parallel, in order.
pub(crate) fn feature_collection(
    n: usize,
    out: &mut (impl Write + Send),
    size: impl Fn(usize) -> usize + Sync,
    feature: impl Fn(usize, &mut Vec<u8>) + Sync,
) -> io::Result<()> {
    const CHUNK: usize = 16;
    out.write_all(br#"{"type":"FeatureCollection","features":["#)?;
    super::chunked::write_chunked(out, n, CHUNK, |i| size(i) + 1, |features, buf| {
        for i in features {
            if i > 0 {
                buf.push(b',');
            }
            feature(i, buf);
        }
        Ok(())
    })?;
    out.write_all(b"]}\n")
}

/// About how many bytes [`write_feature`] writes for `geometry` and a few
/// properties (a position at six decimals takes 20 to 24), for
/// [`feature_collection`]'s `size`.
pub(crate) fn feature_size(geometry: &MultiPolygon<f64>) -> usize {
    geometry.coords_count() * 24 + 512
}

/// One RFC 7946 Feature: the geometry (lon/lat, six decimals, exteriors
/// counter-clockwise and holes clockwise; a single part as a Polygon) and the
/// properties.
pub(crate) fn write_feature(buf: &mut Vec<u8>, properties: &Map<String, Value>, geometry: &MultiPolygon<f64>) {
    let oriented: Cow<MultiPolygon<f64>> =
        if is_oriented(geometry) { Cow::Borrowed(geometry) } else { Cow::Owned(geometry.orient(Direction::Default)) };
    let polygon = |buf: &mut Vec<u8>, p: &Polygon<f64>| {
        buf.push(b'[');
        for (r, ring) in std::iter::once(p.exterior()).chain(p.interiors()).enumerate() {
            buf.extend_from_slice(if r == 0 { b"[" } else { b",[" });
            buf.reserve(ring.0.len() * 24);
            write_positions(buf, &ring.0);
            buf.push(b']');
        }
        buf.push(b']');
    };
    buf.extend_from_slice(br#"{"type":"Feature","geometry":"#);
    match oriented.0.as_slice() {
        [one] => {
            buf.extend_from_slice(br#"{"type":"Polygon","coordinates":"#);
            polygon(buf, one);
        }
        many => {
            buf.extend_from_slice(br#"{"type":"MultiPolygon","coordinates":["#);
            for (i, p) in many.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                polygon(buf, p);
            }
            buf.push(b']');
        }
    }
    buf.extend_from_slice(br#"},"properties":"#);
    serde_json::to_writer(&mut *buf, properties).expect("writing to memory");
    buf.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The number as the map should show it: rounded half away from zero to
    /// millionths, without trailing zeros (at least one decimal).
    fn reference(v: f64) -> String {
        let m = (v * 1e6).abs().round();
        if m >= 9e15 || m.is_nan() {
            return ryu::Buffer::new().format(round(v, 1e6)).to_string();
        }
        let m = m as u64;
        let frac = format!("{:06}", m % 1_000_000);
        let frac = frac.trim_end_matches('0');
        let sign = if v * 1e6 < 0.0 && m != 0 { "-" } else { "" };
        format!("{sign}{}.{}", m / 1_000_000, if frac.is_empty() { "0" } else { frac })
    }

    fn positions(ring: &[geo::Coord<f64>]) -> String {
        let mut buf = Vec::new();
        write_positions(&mut buf, ring);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn numbers_are_rounded_to_millionths_without_trailing_zeros() {
        let c = |x, y| geo::Coord { x, y };
        assert_eq!(positions(&[c(-0.0696264, 51.5), c(0.0, -0.0000004)]), "[-0.069626,51.5],[0.0,0.0]");
        assert_eq!(positions(&[c(123.0000005, 1e10)]), format!("[123.000001,{}]", reference(1e10)));
        assert_eq!(positions(&[c(f64::NAN, 1.0)]), "[NaN,1.0]");
    }

    proptest! {
        #[test]
        fn rings_are_written_as_the_reference_writes_them(
            xs in proptest::collection::vec((-1e4f64..1e4, -200f64..200.0), 0..300),
            big in -2e10f64..2e10,
        ) {
            // Up to 300 positions: more than one block of the stack buffer.
            let mut ring: Vec<geo::Coord<f64>> = xs.iter().map(|&(x, y)| geo::Coord { x, y }).collect();
            ring.insert(ring.len() / 2, geo::Coord { x: big, y: -big });
            let expected: Vec<String> = ring.iter().map(|c| format!("[{},{}]", reference(c.x), reference(c.y))).collect();
            prop_assert_eq!(positions(&ring), expected.join(","));
        }
    }
}

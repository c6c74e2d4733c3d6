//! Reading Shapefiles: a `.shp` with its `.dbf` (attributes), `.prj`
//! (coordinate system) and `.cpg` (code page) beside it, or the same parts
//! inside a zip archive (as the ONS portal serves them). Polygon shapes
//! only, through the `shapefile` and `dbase` crates; features are built as
//! the GeoJSON reader builds them ([`LayerBuilder`], [`build_multipolygon`]).

use super::layer::{build_multipolygon, Layer, LayerBuilder, Polygons, ReadWarning};
use super::{Format, Input};
use crate::error::{Error, Result};
use dbase::FieldValue;
use geo::{Area, Contains, Coord, LineString, Point, Polygon};
use serde_json::{Map, Number, Value};
use shapefile::record::polygon::GenericPolygon;
use shapefile::record::traits::HasXY;
use shapefile::{PolygonRing, Shape};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

/// A shapefile's parts, read into memory: the main file's bytes, the
/// .dbf's, and the .prj's and .cpg's text where there are such files, each
/// with the name it is called by in messages.
struct Parts<'a> {
    /// The layer's name: the .shp, or `archive.zip:folder/file.shp`.
    name: String,
    shp: &'a [u8],
    dbf: (String, Vec<u8>),
    prj: Option<(String, String)>,
    cpg: Option<(String, String)>,
}

/// Reads the layer of a Shapefile's main file (`input` read from a path:
/// its .dbf, .prj and .cpg are found beside it, by the same name).
pub(crate) fn read_shp(input: &Input, id_field: &str, name_field: Option<&str>) -> Result<Layer> {
    let src = input.name();
    let Some(path) = input.path() else {
        return Err(Error::format(src, "is a Shapefile's main file (.shp) without its path, so its .dbf cannot be found; read it from its file, or zip its parts"));
    };
    if has_extension(path, "shx") {
        return Err(Error::format(src, "is a Shapefile's index (.shx); give its main file (.shp)"));
    }
    if let Some(layer) = input.layer() {
        return Err(Error::format(src, format!("is a Shapefile, which holds one layer; a layer (`{layer}`) is chosen only in a GeoPackage or a zip archive")));
    }
    let dbf = sidecar(path, "dbf").ok_or_else(|| {
        Error::format(src, format!("has no attribute table: expected its .dbf at {}", path.with_extension("dbf").display()))
    })?;
    let dbf_bytes = std::fs::read(&dbf).map_err(|e| Error::io(&dbf, e))?;
    let text = |ext: &str| -> Result<Option<(String, String)>> {
        let Some(p) = sidecar(path, ext) else { return Ok(None) };
        let bytes = std::fs::read(&p).map_err(|e| Error::io(&p, e))?;
        let name = p.display().to_string();
        Ok(Some((name, text_of(bytes))))
    };
    let parts = Parts { name: src.to_string(), shp: input.bytes(), dbf: (dbf.display().to_string(), dbf_bytes), prj: text("prj")?, cpg: text("cpg")? };
    read_parts(parts, id_field, name_field)
}

/// Reads the shapefile inside a zip archive: its only `.shp`, or the one
/// chosen as the input's layer (by its name without `.shp`, or its path in
/// the archive), with the .dbf, .prj and .cpg beside it in the archive.
pub(crate) fn read_zip(input: &Input, id_field: &str, name_field: Option<&str>) -> Result<Layer> {
    let src = input.name();
    let unreadable = |e: zip::result::ZipError| Error::format(src, format!("is not a readable zip archive: {e}"));
    let mut archive = zip::ZipArchive::new(Cursor::new(input.bytes())).map_err(unreadable)?;
    let names = archive.file_names().map(|n| n.map(|n| n.into_owned())).collect::<Result<Vec<String>, _>>().map_err(unreadable)?;
    let entries: Vec<String> = names.into_iter().filter(|n| !n.starts_with("__MACOSX/")).collect();
    let shps: Vec<&String> = entries.iter().filter(|n| has_extension(Path::new(n), "shp")).collect();
    let listed = |names: &[&String]| names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    let stem = |n: &str| n.rsplit('/').next().unwrap_or(n).to_string();
    let shp = match (input.layer(), shps.as_slice()) {
        (_, []) => {
            let all: Vec<&String> = entries.iter().take(20).collect();
            return Err(Error::format(src, format!("is a zip archive with no shapefile (.shp) in it; it holds {}", listed(&all))));
        }
        (Some(layer), _) => {
            let found = shps.iter().find(|n| n.as_str() == layer || strip_ext(&stem(n)) == layer);
            (*found.ok_or_else(|| Error::format(src, format!("has no shapefile `{layer}`; it holds {}", listed(&shps))))?).clone()
        }
        (None, [one]) => (*one).clone(),
        (None, several) => {
            return Err(Error::format(
                src,
                format!("holds {} shapefiles: {}; choose one as the layer (`{src}:NAME`, or --from-layer/--to-layer)", several.len(), listed(several)),
            ))
        }
    };
    let base = strip_ext(&shp).to_string();
    let mut read = |entry: &str| -> Result<Vec<u8>> {
        let mut file = archive.by_name(entry).map_err(unreadable)?;
        let mut bytes = Vec::with_capacity(file.size() as usize);
        file.read_to_end(&mut bytes).map_err(|e| Error::format(src, format!("{entry} cannot be unpacked: {e}")))?;
        Ok(bytes)
    };
    let beside = |ext: &str| entries.iter().find(|n| strip_ext(n) == base && has_extension(Path::new(n), ext)).cloned();
    let named = |entry: &str| format!("{src}:{entry}");
    let shp_bytes = read(&shp)?;
    let dbf = beside("dbf").ok_or_else(|| Error::format(src, format!("has no attribute table for `{shp}`: expected `{base}.dbf` beside it in the archive")))?;
    let dbf = (named(&dbf), read(&dbf)?);
    let mut text = |ext: &str| -> Result<Option<(String, String)>> {
        let Some(entry): Option<String> = beside(ext) else { return Ok(None) };
        let name = named(&entry);
        Ok(Some((name, text_of(read(&entry)?))))
    };
    let (prj, cpg) = (text("prj")?, text("cpg")?);
    let parts = Parts { name: named(&shp), shp: &shp_bytes, dbf, prj, cpg };
    read_parts(parts, id_field, name_field)
}

/// The layer of a shapefile's parts: shapes paired with .dbf records by
/// position.
fn read_parts(parts: Parts<'_>, id_field: &str, name_field: Option<&str>) -> Result<Layer> {
    let src = parts.name.as_str();
    if Format::sniff(parts.shp) != Some(Format::Shapefile) {
        return Err(Error::format(src, "is not a Shapefile's main file (.shp)"));
    }
    let crs = match &parts.prj {
        Some((name, wkt)) => super::prj::crs_of_wkt(name, wkt)?,
        None => None,
    };
    let (dbf_name, dbf) = (&parts.dbf.0, &parts.dbf.1);
    let encoding = match &parts.cpg {
        Some((name, text)) => code_page(name, text)?,
        None => dbase::encoding::Unicode.into(),
    };
    let deleted = deleted_records(dbf_name, dbf)?;
    let mut table = dbase::ReaderBuilder::new()
        .with_encoding(encoding)
        .build(Cursor::new(dbf.as_slice()))
        .map_err(|e| Error::format(dbf_name, format!("is not a readable dBase table: {e}")))?;
    let fields: Vec<String> = table.fields().iter().map(|f| f.name().to_string()).collect();
    let shapes = shapefile::ShapeReader::new(Cursor::new(parts.shp)).map_err(|e| Error::format(src, format!("is not a readable Shapefile: {e}")))?;
    let shapes: Vec<Shape> = shapes.read().map_err(|e| Error::format(src, format!("cannot be read: {e}")))?;
    if shapes.len() != deleted.len() {
        return Err(Error::format(
            src,
            format!("has {} shapes but its attribute table {dbf_name} has {} records; the parts do not belong together", shapes.len(), deleted.len()),
        ));
    }
    let mut records = table.iter_records();
    let mut builder = LayerBuilder::new(src, id_field, name_field);
    builder.reserve(shapes.len());
    for (index, (shape, deleted)) in shapes.into_iter().zip(deleted).enumerate() {
        if deleted {
            builder.warnings.push(ReadWarning::DeletedRecord { source: src.to_string(), feature: index });
            continue;
        }
        let mut record = match records.next() {
            Some(r) => r.map_err(|e| Error::format(dbf_name, format!("cannot be read: {e}")))?,
            None => return Err(Error::format(dbf_name, format!("ends before record {index}"))),
        };
        let mut map = Map::with_capacity(fields.len());
        for field in &fields {
            let value = record.remove(field).map_or(Ok(Value::Null), |v| json_value(v))
                .map_err(|m| Error::field(dbf_name, format!("record {index}"), field, m))?;
            map.insert(field.clone(), value);
        }
        let properties = builder.properties(map);
        let id = builder.id(index, &properties)?;
        let place = || format!("feature {index} (id {id})");
        let rings = match shape {
            Shape::NullShape => None,
            Shape::Polygon(p) => rings(p),
            Shape::PolygonM(p) => rings(p),
            Shape::PolygonZ(p) => rings(p),
            other => {
                let what = other.shapetype();
                return Err(Error::field(src, place(), "geometry", format!("is a {what} shape; only Polygon shapes (PolygonZ and PolygonM too) are read")));
            }
        };
        let geometry = match rings {
            None => None,
            Some(raw) => Some(build_multipolygon(src, (index, &id), raw, true, &mut builder.warnings)?),
        };
        builder.push(index, id, properties, geometry);
    }
    builder.finish(crs)
}

/// A polygon shape's rings grouped into polygons (`None` for one without
/// rings). Shapefiles give outer rings (clockwise) and holes
/// (counter-clockwise) in one list: each hole goes to the smallest outer
/// ring holding its first vertex, else to the outer ring before it (as the
/// format's writers order them); a hole with no outer ring at all is taken
/// as an outer ring.
fn rings<P: HasXY>(polygon: GenericPolygon<P>) -> Option<Polygons> {
    let coords = |points: Vec<P>| points.iter().map(|p| Coord { x: p.x(), y: p.y() }).collect::<Vec<_>>();
    let (mut outers, mut holes): (Vec<Vec<Vec<Coord<f64>>>>, Vec<(usize, Vec<Coord<f64>>)>) = (Vec::new(), Vec::new());
    for ring in polygon.into_inner() {
        match ring {
            PolygonRing::Outer(points) => outers.push(vec![coords(points)]),
            PolygonRing::Inner(points) => holes.push((outers.len(), coords(points))),
        }
    }
    if outers.is_empty() && holes.is_empty() {
        return None;
    }
    let shapes: Vec<Polygon<f64>> = match outers.len() {
        0 | 1 => Vec::new(),
        _ => outers.iter().map(|o| Polygon::new(LineString::new(o[0].clone()), vec![])).collect(),
    };
    for (before, hole) in holes {
        let first = hole.first().map(|&c| Point::from(c));
        let holder = match outers.len() {
            0 => None,
            1 => Some(0),
            _ => first
                .and_then(|p| {
                    let holding = shapes.iter().enumerate().filter(|(_, s)| s.contains(&p));
                    holding.min_by(|a, b| a.1.unsigned_area().total_cmp(&b.1.unsigned_area())).map(|(i, _)| i)
                })
                .or(before.checked_sub(1)),
        };
        match holder {
            Some(o) => outers[o].push(hole),
            None => outers.push(vec![hole]),
        }
    }
    Some(outers)
}

/// A .dbf value as JSON: numbers as numbers (whole ones as integers, so
/// that vote counts read as in GeoJSON), text as strings, logical values as
/// booleans, dates as `YYYY-MM-DD`; a blank (NULL) value is `null`.
fn json_value(value: FieldValue) -> std::result::Result<Value, String> {
    Ok(match value {
        FieldValue::Character(s) => s.map_or(Value::Null, Value::String),
        FieldValue::Memo(s) => Value::String(s),
        FieldValue::Numeric(n) => n.map_or(Ok(Value::Null), number)?,
        // An f32's shortest decimal, not its binary expansion (0.1, not 0.100000001).
        FieldValue::Float(n) => n.map_or(Ok(Value::Null), |f| number(f.to_string().parse().unwrap_or(f64::NAN)))?,
        FieldValue::Double(n) | FieldValue::Currency(n) => number(n)?,
        FieldValue::Integer(n) => Value::from(n),
        FieldValue::Logical(b) => b.map_or(Value::Null, Value::Bool),
        FieldValue::Date(d) => d.map_or(Value::Null, |d| Value::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))),
        FieldValue::DateTime(t) => {
            let (d, t) = (t.date(), t.time());
            Value::String(format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", d.year(), d.month(), d.day(), t.hours(), t.minutes(), t.seconds()))
        }
    })
}

/// A number as JSON: an integer where it is whole (and exactly held),
/// else a float; not finite is an error.
pub(crate) fn number(x: f64) -> std::result::Result<Value, String> {
    if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 {
        return Ok(Value::from(x as i64));
    }
    Number::from_f64(x).map(Value::Number).ok_or_else(|| format!("`{x}` is not a finite number"))
}

/// The encoding a .cpg names: UTF-8 (`UTF-8`, `65001`, or an empty file),
/// read strictly (bytes that are not UTF-8 are an error); any other code
/// page dBase or the WHATWG encoding standard knows (`1252`, `ISO-8859-1`,
/// `latin1`, `CP1250`, …). An unknown name is an error.
fn code_page(name: &str, text: &str) -> Result<dbase::encoding::DynEncoding> {
    let label = text.trim().trim_start_matches('\u{feff}').trim();
    if label.is_empty() || matches!(label.to_ascii_uppercase().as_str(), "UTF-8" | "UTF8" | "65001") {
        return Ok(dbase::encoding::Unicode.into());
    }
    if let Some(e) = dbase::encoding::DynEncoding::from_name(label) {
        return Ok(e);
    }
    let known = encoding_rs::Encoding::for_label(label.as_bytes())
        .or_else(|| label.strip_prefix("ANSI ").and_then(|cp| encoding_rs::Encoding::for_label(format!("windows-{cp}").as_bytes())));
    match known {
        Some(e) => Ok(dbase::encoding::EncodingRs::from(e).into()),
        None => Err(Error::format(name, format!("names code page `{label}`, which notional does not know; re-save the shapefile as UTF-8 (its .cpg then says UTF-8)"))),
    }
}

/// Which of a .dbf's records are marked deleted (`*`): the table's header
/// (record count, header and record lengths) read directly, as the dBase
/// reader skips deleted records without saying so, and shapes are paired
/// with records by position.
fn deleted_records(name: &str, dbf: &[u8]) -> Result<Vec<bool>> {
    let short = || Error::format(name, "is too short to be a dBase table");
    let header = dbf.get(..12).ok_or_else(short)?;
    let count = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
    let (start, size) = (u16::from_le_bytes([header[8], header[9]]) as usize, u16::from_le_bytes([header[10], header[11]]) as usize);
    let needed = count.checked_mul(size).and_then(|n| n.checked_add(start)).ok_or_else(short)?;
    if size == 0 || dbf.len() < needed {
        return Err(Error::format(name, format!("is cut short: its header promises {count} records of {size} bytes")));
    }
    Ok((0..count).map(|r| dbf[start + r * size] == b'*').collect())
}

/// A small text part (.prj, .cpg): UTF-8, else Latin-1 (their content is ASCII).
fn text_of(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| e.into_bytes().iter().map(|&b| b as char).collect())
}

/// The file beside `path` with extension `ext` (or its upper case), if any.
fn sidecar(path: &Path, ext: &str) -> Option<PathBuf> {
    [ext.to_string(), ext.to_ascii_uppercase()].into_iter().map(|e| path.with_extension(e)).find(|p| p.is_file())
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// `name` without its extension (`a/b.shp` → `a/b`).
fn strip_ext(name: &str) -> &str {
    match name.rfind('.') {
        Some(dot) if !name[dot..].contains('/') => &name[..dot],
        _ => name,
    }
}

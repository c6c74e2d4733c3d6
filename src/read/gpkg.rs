//! Reading a GeoPackage's feature table: its rows as features, its columns
//! as properties, its geometry (GeoPackage binary: a header, then WKB read
//! with the `wkb` crate) as Polygons and MultiPolygons, its coordinate
//! system from `gpkg_spatial_ref_sys`.

use super::layer::{build_multipolygon, Layer, LayerBuilder, Polygons};
use super::Input;
use crate::error::{Error, Result};
use geo::Coord;
use geo_traits::{CoordTrait, GeometryTrait, GeometryType, LineStringTrait, MultiPolygonTrait, PolygonTrait};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Map, Value};
use std::io::Read;

/// One feature table of a GeoPackage: its name, geometry column and
/// spatial reference system.
struct Table {
    name: String,
    column: String,
    srs_id: i64,
}

/// Reads the GeoPackage feature table chosen as the input's layer, or its
/// only one.
pub(crate) fn read_gpkg(input: &Input, id_field: &str, name_field: Option<&str>) -> Result<Layer> {
    let src = input.name();
    let conn = open(src, input.bytes())?;
    let sql = |e: rusqlite::Error| Error::format(src, format!("cannot be read as a GeoPackage: {e}"));
    let tables = feature_tables(src, &conn)?;
    let listed = || tables.iter().map(|t| format!("`{}`", t.name)).collect::<Vec<_>>().join(", ");
    let table = match (input.layer(), tables.as_slice()) {
        (_, []) => return Err(Error::format(src, "is a GeoPackage with no feature table (gpkg_contents lists none of data_type `features`)")),
        (Some(layer), _) => tables
            .iter()
            .find(|t| t.name == layer)
            .ok_or_else(|| Error::format(src, format!("has no feature table `{layer}`; it has {}", listed())))?,
        (None, [one]) => one,
        (None, several) => {
            return Err(Error::format(
                src,
                format!("holds {} feature tables: {}; choose one as the layer (`{src}:NAME`, or --from-layer/--to-layer)", several.len(), listed()),
            ))
        }
    };
    let layer_name = format!("{src}:{}", table.name);
    let srs: Option<(String, i64, String)> = conn
        .query_row(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [table.srs_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(sql)?;
    let crs = match srs {
        Some((organization, code, definition)) => super::prj::crs_of_srs(&layer_name, table.srs_id, &organization, code, &definition)?,
        None if table.srs_id <= 0 => None,
        None => return Err(Error::format(&layer_name, format!("has srs_id {}, which gpkg_spatial_ref_sys does not define", table.srs_id))),
    };
    // The integer primary key is the feature id (GDAL's FID), not a property:
    // as a number it would be taken for a vote column.
    let key: Option<String> = conn
        .query_row(&format!("SELECT name FROM pragma_table_info({}) WHERE pk = 1 AND upper(type) = 'INTEGER'", literal(&table.name)), [], |r| r.get(0))
        .optional()
        .map_err(sql)?;
    let mut statement = conn.prepare(&format!("SELECT * FROM {}", quoted(&table.name))).map_err(sql)?;
    let columns: Vec<String> = statement.column_names().into_iter().map(str::to_string).collect();
    let geometry_at = columns
        .iter()
        .position(|c| c.eq_ignore_ascii_case(&table.column))
        .ok_or_else(|| Error::format(&layer_name, format!("has no column `{}`, its geometry column in gpkg_geometry_columns", table.column)))?;
    let mut builder = LayerBuilder::new(&layer_name, id_field, name_field);
    let mut rows = statement.query([]).map_err(sql)?;
    let mut index = 0;
    while let Some(row) = rows.next().map_err(sql)? {
        let mut map = Map::with_capacity(columns.len());
        for (c, column) in columns.iter().enumerate() {
            if c == geometry_at || key.as_deref() == Some(column.as_str()) {
                continue;
            }
            let value = match row.get_ref(c).map_err(sql)? {
                ValueRef::Null | ValueRef::Blob(_) => Value::Null,
                ValueRef::Integer(i) => Value::from(i),
                ValueRef::Real(x) => super::shapefile::number(x).map_err(|m| Error::field(&layer_name, format!("row {index}"), column, m))?,
                ValueRef::Text(t) => Value::String(
                    std::str::from_utf8(t).map_err(|_| Error::field(&layer_name, format!("row {index}"), column, "is not UTF-8 text"))?.to_string(),
                ),
            };
            map.insert(column.clone(), value);
        }
        let properties = builder.properties(map);
        let id = builder.id(index, &properties)?;
        let geometry = match row.get_ref(geometry_at).map_err(sql)? {
            ValueRef::Null => None,
            ValueRef::Blob(blob) => polygons(blob)
                .map_err(|m| Error::field(&layer_name, format!("feature {index} (id {id})"), &table.column, m))?,
            other => {
                let m = format!("is a {} value, not a GeoPackage geometry", other.data_type());
                return Err(Error::field(&layer_name, format!("feature {index} (id {id})"), &table.column, m));
            }
        };
        let geometry = match geometry {
            Some(raw) => Some(build_multipolygon(&layer_name, (index, &id), raw, true, &mut builder.warnings)?),
            None => None,
        };
        builder.push(index, id, properties, geometry);
        index += 1;
    }
    builder.finish(crs)
}

/// The database in `bytes`, opened in memory, read-only. A file in WAL
/// mode is read as a rollback-journal one (the in-memory copy has no WAL
/// to read, and its pages are all in the file once it is checkpointed).
fn open(src: &str, bytes: &[u8]) -> Result<Connection> {
    let failed = |e: rusqlite::Error| Error::format(src, format!("cannot be opened as a SQLite database: {e}"));
    let mut conn = Connection::open_in_memory().map_err(failed)?;
    let reader: Box<dyn Read> = match bytes.get(18..20) {
        Some([2, 2]) => Box::new((&bytes[..18]).chain(&[1u8, 1][..]).chain(&bytes[20..])),
        _ => Box::new(bytes),
    };
    conn.deserialize_read_exact(rusqlite::MAIN_DB, reader, bytes.len(), true).map_err(failed)?;
    Ok(conn)
}

/// The feature tables `gpkg_contents` and `gpkg_geometry_columns` list.
fn feature_tables(src: &str, conn: &Connection) -> Result<Vec<Table>> {
    let has = |t: &str| -> rusqlite::Result<bool> {
        conn.query_row("SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?1", [t], |r| r.get::<_, i64>(0)).map(|n| n > 0)
    };
    let sql = |e: rusqlite::Error| Error::format(src, format!("cannot be read as a GeoPackage: {e}"));
    for t in ["gpkg_contents", "gpkg_geometry_columns", "gpkg_spatial_ref_sys"] {
        if !has(t).map_err(sql)? {
            return Err(Error::format(src, format!("is a SQLite database but not a GeoPackage: it has no {t} table")));
        }
    }
    let mut statement = conn
        .prepare(
            "SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name \
             WHERE c.data_type = 'features' ORDER BY c.table_name",
        )
        .map_err(sql)?;
    let tables = statement.query_map([], |r| Ok(Table { name: r.get(0)?, column: r.get(1)?, srs_id: r.get(2)? })).map_err(sql)?;
    tables.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
}

/// `name` as an SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `text` as an SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The rings of a GeoPackage geometry blob (`None`: empty): its header
/// (`GP`, version, flags: byte order, envelope size, empty; the srs id),
/// then WKB, a Polygon or MultiPolygon (Z and M values dropped).
pub(crate) fn polygons(blob: &[u8]) -> std::result::Result<Option<Polygons>, String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err("is not a GeoPackage geometry (no `GP` header)".into());
    }
    let flags = blob[3];
    if flags & 0b10_0000 != 0 {
        return Err("is an extended GeoPackage geometry, which notional does not read".into());
    }
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        code => return Err(format!("has an invalid envelope code {code} in its header")),
    };
    if flags & 0b1_0000 != 0 {
        return Ok(None);
    }
    let wkb = blob.get(8 + envelope..).ok_or("ends inside its header")?;
    let geometry = wkb::reader::read_wkb(wkb).map_err(|e| format!("is not valid WKB: {e}"))?;
    let polygon = |p: &wkb::reader::Polygon<'_>| -> Vec<Vec<Coord<f64>>> {
        p.exterior().iter().map(|r| ring_coords(r)).chain(p.interiors().map(|r| ring_coords(&r))).collect()
    };
    let other = |name: &str| Err(format!("is a {name}; only Polygon and MultiPolygon are read"));
    let out: Polygons = match geometry.as_type() {
        GeometryType::Polygon(p) => vec![polygon(p)],
        GeometryType::MultiPolygon(mp) => mp.polygons().map(|p| polygon(&p)).collect(),
        GeometryType::Point(_) => return other("Point"),
        GeometryType::LineString(_) => return other("LineString"),
        GeometryType::MultiPoint(_) => return other("MultiPoint"),
        GeometryType::MultiLineString(_) => return other("MultiLineString"),
        GeometryType::GeometryCollection(_) => return other("GeometryCollection"),
        GeometryType::Rect(_) => return other("Rect"),
        GeometryType::Triangle(_) => return other("Triangle"),
        GeometryType::Line(_) => return other("Line"),
    };
    let out: Polygons = out.into_iter().filter(|p| !p.is_empty()).collect();
    Ok(if out.is_empty() { None } else { Some(out) })
}

fn ring_coords(ring: &wkb::reader::LinearRing<'_>) -> Vec<Coord<f64>> {
    ring.coords().map(|c| Coord { x: c.x(), y: c.y() }).collect()
}

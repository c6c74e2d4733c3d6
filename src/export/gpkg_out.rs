//! `results.gpkg`: the results as a GeoPackage 1.3 feature table, built in
//! memory (SQLite serialised) so that it is written with the other outputs,
//! all or nothing.

use super::csv_out::{results_csv, Extra};
use crate::error::{Error, Result};
use crate::results::Results;
use geo::{BoundingRect, MultiPolygon, Rect};
use rusqlite::types::Value as Sql;
use rusqlite::Connection;
use std::borrow::Borrow;

/// The GeoPackage's schema: its identity, the spatial reference systems the
/// standard requires (undefined Cartesian and geographic, and WGS 84), and
/// the tables that describe its contents.
const SCHEMA: &str = "
PRAGMA application_id = 1196444487; -- 'GPKG'
PRAGMA user_version = 10300;        -- GeoPackage 1.3.0
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
  ('WGS 84 geodetic', 4326, 'EPSG', 4326,
   'GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],AUTHORITY[\"EPSG\",\"4326\"]]',
   'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
";

/// A column's SQLite type, from its values as `results.csv` writes them:
/// INTEGER where every value is an integer, REAL where every value is a
/// number, else TEXT (`code` and `name` always); blank cells are NULL.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Integer,
    Real,
    Text,
}

impl Kind {
    fn of<'a>(values: impl Iterator<Item = &'a str>) -> Kind {
        let mut kind = Kind::Integer;
        for v in values.filter(|v| !v.is_empty()) {
            if kind == Kind::Integer && v.parse::<i64>().is_err() {
                kind = Kind::Real;
            }
            if kind == Kind::Real && !v.parse::<f64>().is_ok_and(f64::is_finite) {
                return Kind::Text;
            }
        }
        kind
    }

    fn sql(self) -> &'static str {
        match self {
            Kind::Integer => "INTEGER",
            Kind::Real => "REAL",
            Kind::Text => "TEXT",
        }
    }

    fn value(self, cell: &str) -> Sql {
        match (self, cell) {
            (_, "") => Sql::Null,
            (Kind::Integer, v) => v.parse().map_or(Sql::Null, Sql::Integer),
            (Kind::Real, v) => v.parse().map_or(Sql::Null, Sql::Real),
            (Kind::Text, v) => Sql::Text(v.to_string()),
        }
    }
}

/// `results.gpkg`: a GeoPackage 1.3 file (as bytes) with one feature table,
/// `results`: the columns of `results.csv` (with any `extra` ones), typed
/// (INTEGER, REAL or TEXT as their values are), and each seat's geometry, a
/// MULTIPOLYGON in WGS84 (EPSG:4326, full precision) as in
/// `results.geojson`; `geometries_wgs84` is indexed by target. The table is
/// registered in `gpkg_contents` (with its extent) and
/// `gpkg_geometry_columns`, as GDAL, QGIS and geopandas expect. A seat with
/// no geometry has a NULL one.
///
/// ```
/// use notional::export::results_gpkg;
/// use notional::results::{Results, SeatResult};
/// use geo::{polygon, MultiPolygon};
/// let results = Results { parties: vec!["con".into(), "lab".into()], has_electorate: false,
///     seats: vec![SeatResult::new(0, "S1", "North", &[40, 60], None)] };
/// let sq = MultiPolygon::new(vec![polygon![(x: 0., y: 51.), (x: 1., y: 51.), (x: 1., y: 52.), (x: 0., y: 52.)]]);
/// let bytes = results_gpkg(&results, &[sq], &[]).unwrap();
/// assert!(bytes.starts_with(b"SQLite format 3\0"));
/// ```
pub fn results_gpkg<G>(results: &Results, geometries_wgs84: &[G], extra: &[Extra]) -> Result<Vec<u8>>
where
    G: Borrow<MultiPolygon<f64>>,
{
    let failed = |e: rusqlite::Error| Error::format("results.gpkg", format!("cannot be built: {e}"));
    let mut table = Vec::new();
    results_csv(results, extra, &mut table).map_err(|e| Error::format("results.gpkg", format!("cannot be built: {e}")))?;
    let mut reader = csv::ReaderBuilder::new().from_reader(table.as_slice());
    let header: Vec<String> = reader.headers().map_err(|e| Error::format("results.csv", e.to_string()))?.iter().map(str::to_string).collect();
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().map_err(|e| Error::format("results.csv", e.to_string()))?;
    let kinds: Vec<Kind> = (0..header.len()).map(|c| if c < 2 { Kind::Text } else { Kind::of(rows.iter().map(|r| r.get(c).unwrap_or(""))) }).collect();

    let mut conn = Connection::open_in_memory().map_err(failed)?;
    conn.execute_batch(SCHEMA).map_err(failed)?;
    let quoted = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    let columns: Vec<String> = header.iter().zip(&kinds).map(|(h, k)| format!("{} {}", quoted(h), k.sql())).collect();
    let tx = conn.transaction().map_err(failed)?;
    tx.execute_batch(&format!("CREATE TABLE results (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom MULTIPOLYGON, {});", columns.join(", ")))
        .map_err(failed)?;
    let mut extent: Option<Rect<f64>> = None;
    {
        let marks = vec!["?"; header.len() + 1].join(", ");
        let names: Vec<String> = header.iter().map(|h| quoted(h)).collect();
        let mut insert = tx.prepare(&format!("INSERT INTO results (geom, {}) VALUES ({marks})", names.join(", "))).map_err(failed)?;
        for (seat, row) in results.seats.iter().zip(&rows) {
            let geometry: &MultiPolygon<f64> = geometries_wgs84[seat.target].borrow();
            let rect = geometry.bounding_rect();
            if let Some(r) = rect {
                extent = Some(extent.map_or(r, |e| {
                    Rect::new((e.min().x.min(r.min().x), e.min().y.min(r.min().y)), (e.max().x.max(r.max().x), e.max().y.max(r.max().y)))
                }));
            }
            let mut values = vec![rect.map_or(Sql::Null, |r| Sql::Blob(geometry_blob(geometry, r)))];
            values.extend(row.iter().zip(&kinds).map(|(cell, kind)| kind.value(cell)));
            insert.execute(rusqlite::params_from_iter(values)).map_err(failed)?;
        }
    }
    let (min_x, min_y, max_x, max_y) = extent.map_or((None, None, None, None), |e| (Some(e.min().x), Some(e.min().y), Some(e.max().x), Some(e.max().y)));
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) \
         VALUES ('results', 'features', 'results', 'notional results by seat', ?1, ?2, ?3, ?4, 4326)",
        rusqlite::params![min_x, min_y, max_x, max_y],
    )
    .map_err(failed)?;
    tx.execute("INSERT INTO gpkg_geometry_columns VALUES ('results', 'geom', 'MULTIPOLYGON', 4326, 0, 0)", []).map_err(failed)?;
    tx.commit().map_err(failed)?;
    let bytes = conn.serialize(rusqlite::MAIN_DB).map_err(failed)?;
    Ok(bytes.to_vec())
}

/// A GeoPackage geometry blob: the header (`GP`, version 0, flags: little
/// endian with an xy envelope; srs id 4326; the envelope) and the
/// geometry as little-endian WKB MULTIPOLYGON, rings closed.
fn geometry_blob(geometry: &MultiPolygon<f64>, envelope: Rect<f64>) -> Vec<u8> {
    let mut b = Vec::with_capacity(48 + 9 + geometry.0.iter().map(|p| 9 + 16 * (p.exterior().0.len() + 1)).sum::<usize>());
    b.extend_from_slice(b"GP");
    b.extend_from_slice(&[0, 0b0000_0011]);
    b.extend_from_slice(&4326i32.to_le_bytes());
    for v in [envelope.min().x, envelope.max().x, envelope.min().y, envelope.max().y] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    let count = |b: &mut Vec<u8>, n: usize| b.extend_from_slice(&(n as u32).to_le_bytes());
    b.push(1);
    count(&mut b, 6);
    count(&mut b, geometry.0.len());
    for polygon in &geometry.0 {
        b.push(1);
        count(&mut b, 3);
        count(&mut b, 1 + polygon.interiors().len());
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            let closed = ring.0.first() == ring.0.last();
            count(&mut b, ring.0.len() + usize::from(!closed));
            for c in ring.0.iter().chain(if closed { None } else { ring.0.first() }) {
                b.extend_from_slice(&c.x.to_le_bytes());
                b.extend_from_slice(&c.y.to_le_bytes());
            }
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    /// What the reader makes of what the writer writes.
    #[test]
    fn geometry_blobs_read_back() {
        let sq = MultiPolygon::new(vec![polygon!(
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
            interiors: [[(x: 1., y: 1.), (x: 1., y: 2.), (x: 2., y: 2.), (x: 2., y: 1.)]],
        )]);
        let blob = geometry_blob(&sq, sq.bounding_rect().unwrap());
        let rings = crate::read::gpkg_polygons(&blob).unwrap().unwrap();
        assert_eq!(rings.len(), 1);
        assert_eq!(rings[0].len(), 2);
        assert_eq!(rings[0][0].len(), 5, "closed");
        assert_eq!(rings[0][1][2], geo::Coord { x: 2., y: 2. });
    }

    #[test]
    fn column_kinds() {
        assert_eq!(Kind::of(["1", "", "-3"].into_iter()), Kind::Integer);
        assert_eq!(Kind::of(["1", "2.50"].into_iter()), Kind::Real);
        assert_eq!(Kind::of(["1", "lab"].into_iter()), Kind::Text);
        assert_eq!(Kind::of(["inf"].into_iter()), Kind::Text);
    }
}

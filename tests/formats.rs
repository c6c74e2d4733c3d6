//! Shapefiles (plain and zipped) and GeoPackages read wherever a layer is
//! read, on small files made here; their error messages; and results.gpkg.

use notional::apportion::{apportion, Options};
use notional::export::map::MapOptions;
use notional::export::{write_outputs, Durability};
use notional::progress::Silent;
use notional::read::{read_layer, Format, Input, ReadWarning, VoteTable};
use serde_json::{json, Value};
use shapefile::{Point, Polygon, PolygonRing};
use std::io::Write;
use std::path::{Path, PathBuf};

const ESRI_BNG: &str = r#"PROJCS["British_National_Grid",GEOGCS["GCS_OSGB_1936",DATUM["D_OSGB_1936",SPHEROID["Airy_1849",6377563.396,299.3249646]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",400000.0],PARAMETER["False_Northing",-100000.0],PARAMETER["Central_Meridian",-2.0],PARAMETER["Scale_Factor",0.9996012717],PARAMETER["Latitude_Of_Origin",49.0],UNIT["Meter",1.0]]"#;

/// A clockwise (outer, in a shapefile) square ring from `x0,y0` of side `s`.
fn outer(x0: f64, y0: f64, s: f64) -> PolygonRing<Point> {
    PolygonRing::Outer(vec![Point::new(x0, y0), Point::new(x0, y0 + s), Point::new(x0 + s, y0 + s), Point::new(x0 + s, y0), Point::new(x0, y0)])
}

/// A counter-clockwise (hole) square ring.
fn hole(x0: f64, y0: f64, s: f64) -> PolygonRing<Point> {
    PolygonRing::Inner(vec![Point::new(x0, y0), Point::new(x0 + s, y0), Point::new(x0 + s, y0 + s), Point::new(x0, y0 + s), Point::new(x0, y0)])
}

fn field(name: &str) -> dbase::FieldName {
    name.try_into().unwrap()
}

/// A record of the test table: code, name, lab (a number, `None` blank).
fn record(code: &str, name: &str, lab: Option<f64>) -> dbase::Record {
    let mut r = dbase::Record::default();
    r.insert("code".into(), dbase::FieldValue::Character(Some(code.into())));
    r.insert("name".into(), dbase::FieldValue::Character(Some(name.into())));
    r.insert("lab".into(), dbase::FieldValue::Numeric(lab));
    r
}

fn table() -> dbase::TableWriterBuilder {
    dbase::TableWriterBuilder::new().add_character_field(field("code"), 10).add_character_field(field("name"), 30).add_numeric_field(field("lab"), 10, 0)
}

/// Two BNG wards in `dir`/`stem`.shp (with .shx, .dbf and .prj): A, a
/// 1 km square with a hole (1200 votes); B, two squares (a blank count).
pub fn two_wards(dir: &Path, stem: &str) -> PathBuf {
    let path = dir.join(format!("{stem}.shp"));
    let mut w = shapefile::Writer::from_path(&path, table()).unwrap();
    let a = Polygon::with_rings(vec![outer(530_000., 180_000., 1000.), hole(530_200., 180_200., 100.)]);
    let b = Polygon::with_rings(vec![outer(531_000., 180_000., 1000.), outer(533_000., 180_000., 500.)]);
    w.write_shape_and_record(&a, &record("A", "Abbey", Some(1200.))).unwrap();
    w.write_shape_and_record(&b, &record("B", "Brook", None)).unwrap();
    drop(w);
    std::fs::write(path.with_extension("prj"), ESRI_BNG).unwrap();
    path
}

fn read(path: &Path) -> notional::Result<notional::read::Layer> {
    read_layer(&Input::from_path(path)?, "code", Some("name"))
}

#[test]
fn a_shapefile_is_read_with_its_attributes_crs_and_holes() {
    let dir = tempfile::tempdir().unwrap();
    let path = two_wards(dir.path(), "wards");
    let input = Input::from_path(&path).unwrap();
    assert_eq!(input.format(), Some(Format::Shapefile));
    let layer = read(&path).unwrap();
    assert_eq!(layer.crs_member.as_deref(), Some("EPSG:27700"));
    assert_eq!(layer.features.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), ["A", "B"]);
    assert_eq!(layer.features[0].name.as_deref(), Some("Abbey"));
    assert_eq!(layer.features[0].properties.get("lab"), Some(&json!(1200)), "a whole number is an integer, as in GeoJSON");
    assert_eq!(layer.features[1].properties.get("lab"), Some(&Value::Null), "a blank number is null");
    assert_eq!(layer.features[0].geometry.0.len(), 1);
    assert_eq!(layer.features[0].geometry.0[0].interiors().len(), 1, "the hole is kept in its polygon");
    assert_eq!(layer.features[1].geometry.0.len(), 2);
    let votes = VoteTable::from_properties(&layer, "code", None).unwrap();
    assert_eq!(votes.parties(), ["lab"]);
    assert_eq!((votes.row(0)[0], votes.row(1)[0]), (1200, 0));
}

#[test]
fn a_shapefile_without_prj_has_its_crs_detected_and_latin1_text_is_read_by_its_code_page() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.shp");
    let table = dbase::TableWriterBuilder::with_encoding(dbase::encoding::EncodingRs::from(encoding_rs::WINDOWS_1252))
        .add_character_field(field("code"), 10)
        .add_character_field(field("name"), 30)
        .add_numeric_field(field("lab"), 10, 0);
    let mut w = shapefile::Writer::from_path(&path, table).unwrap();
    w.write_shape_and_record(&Polygon::new(outer(530_000., 180_000., 1000.)), &record("A", "Café Royal", Some(7.))).unwrap();
    drop(w);
    std::fs::write(path.with_extension("cpg"), "1252").unwrap();
    let layer = read(&path).unwrap();
    assert_eq!(layer.crs_member, None);
    assert_eq!(layer.features[0].name.as_deref(), Some("Café Royal"));
    // Read as UTF-8 (no .cpg), the Latin-1 byte is an error naming the record.
    std::fs::remove_file(path.with_extension("cpg")).unwrap();
    let err = read(&path).unwrap_err().to_string();
    assert!(err.contains("w.dbf") && err.contains("record 0"), "{err}");
}

#[test]
fn shapefile_errors_name_the_file_and_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let path = two_wards(dir.path(), "wards");
    std::fs::write(path.with_extension("cpg"), "KLINGON").unwrap();
    let err = read(&path).unwrap_err().to_string();
    assert!(err.ends_with("wards.cpg: names code page `KLINGON`, which notional does not know; re-save the shapefile as UTF-8 (its .cpg then says UTF-8)"), "{err}");
    std::fs::remove_file(path.with_extension("cpg")).unwrap();

    std::fs::write(path.with_extension("prj"), r#"PROJCS["WGS_1984_UTM_Zone_30N",GEOGCS["GCS_WGS_1984"]]"#).unwrap();
    let err = read(&path).unwrap_err().to_string();
    assert!(err.contains("wards.prj: states coordinate system `WGS_1984_UTM_Zone_30N`, which notional does not read"), "{err}");
    std::fs::write(path.with_extension("prj"), r#"PROJCS["WGS 84 / Pseudo-Mercator",AUTHORITY["EPSG","3857"]]"#).unwrap();
    let layer = read(&path).unwrap();
    assert_eq!(layer.crs_member.as_deref(), Some("EPSG:3857"), "passed through, so that the CRS check names it");

    std::fs::remove_file(path.with_extension("dbf")).unwrap();
    let err = read(&path).unwrap_err().to_string();
    assert_eq!(err, format!("{}: has no attribute table: expected its .dbf at {}", path.display(), path.with_extension("dbf").display()));

    let points = dir.path().join("points.shp");
    let table = dbase::TableWriterBuilder::new().add_character_field(field("code"), 10);
    let mut w = shapefile::Writer::from_path(&points, table).unwrap();
    let mut r = dbase::Record::default();
    r.insert("code".into(), dbase::FieldValue::Character(Some("P1".into())));
    w.write_shape_and_record(&Point::new(1., 2.), &r).unwrap();
    drop(w);
    let err = read(&points).unwrap_err().to_string();
    assert!(err.ends_with("points.shp: feature 0 (id P1), field `geometry`: is a Point shape; only Polygon shapes (PolygonZ and PolygonM too) are read"), "{err}");
}

/// A zip of the files at `parts`, each stored under `folder/`.
pub fn zip_of(path: &Path, folder: &str, parts: &[PathBuf]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for p in parts {
        z.start_file(format!("{folder}/{}", p.file_name().unwrap().to_str().unwrap()), options).unwrap();
        z.write_all(&std::fs::read(p).unwrap()).unwrap();
    }
    z.finish().unwrap();
}

fn parts(shp: &Path) -> Vec<PathBuf> {
    ["shp", "shx", "dbf", "prj"].iter().map(|e| shp.with_extension(e)).collect()
}

#[test]
fn a_zipped_shapefile_is_read_and_several_need_a_choice() {
    let dir = tempfile::tempdir().unwrap();
    let wards = two_wards(dir.path(), "wards");
    let zip = dir.path().join("wards.zip");
    zip_of(&zip, "Wards_2022", &parts(&wards));
    let input = Input::from_path(&zip).unwrap();
    assert_eq!(input.format(), Some(Format::Zip));
    let layer = read_layer(&input, "code", Some("name")).unwrap();
    assert_eq!(layer.features.len(), 2);
    assert_eq!(layer.crs_member.as_deref(), Some("EPSG:27700"));
    assert_eq!(layer.source_name, format!("{}:Wards_2022/wards.shp", zip.display()));

    let other = two_wards(dir.path(), "other");
    let both = dir.path().join("both.zip");
    zip_of(&both, "x", &[parts(&wards), parts(&other)].concat());
    let err = read(&both).unwrap_err().to_string();
    assert!(err.contains("holds 2 shapefiles: `x/wards.shp`, `x/other.shp`; choose one as the layer"), "{err}");
    let chosen = Input::from_path(&dir.path().join("both.zip:other")).unwrap();
    assert_eq!(read_layer(&chosen, "code", None).unwrap().features.len(), 2);
    let err = read_layer(&Input::from_path(&both).unwrap().with_layer("nope"), "code", None).unwrap_err().to_string();
    assert!(err.contains("has no shapefile `nope`; it holds `x/wards.shp`, `x/other.shp`"), "{err}");

    let no_dbf = dir.path().join("no_dbf.zip");
    zip_of(&no_dbf, "x", &[wards.clone(), wards.with_extension("prj")]);
    let err = read(&no_dbf).unwrap_err().to_string();
    assert!(err.contains("has no attribute table for `x/wards.shp`: expected `x/wards.dbf` beside it in the archive"), "{err}");
}

/// A GeoPackage geometry blob: the header (little-endian, no envelope,
/// `srs`), then a little-endian WKB `Polygon` of `rings`.
fn gpkg_polygon(srs: i32, rings: &[&[(f64, f64)]]) -> Vec<u8> {
    let mut b = b"GP\x00\x01".to_vec();
    b.extend_from_slice(&srs.to_le_bytes());
    b.push(1);
    b.extend_from_slice(&3u32.to_le_bytes());
    b.extend_from_slice(&(rings.len() as u32).to_le_bytes());
    for ring in rings {
        b.extend_from_slice(&(ring.len() as u32).to_le_bytes());
        for (x, y) in *ring {
            b.extend_from_slice(&x.to_le_bytes());
            b.extend_from_slice(&y.to_le_bytes());
        }
    }
    b
}

/// A WKB point (not a polygon), in a GeoPackage blob.
fn gpkg_point() -> Vec<u8> {
    let mut b = b"GP\x00\x01".to_vec();
    b.extend_from_slice(&27700i32.to_le_bytes());
    b.push(1);
    b.extend_from_slice(&1u32.to_le_bytes());
    b.extend_from_slice(&1.0f64.to_le_bytes());
    b.extend_from_slice(&2.0f64.to_le_bytes());
    b
}

/// A GeoPackage at `path` with feature tables `tables` (name, rows of
/// code, lab, geometry), in British National Grid.
fn geopackage(path: &Path, tables: &[(&str, Vec<(&str, i64, Option<Vec<u8>>)>)]) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "PRAGMA application_id = 1196444487;
         CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
           organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
         INSERT INTO gpkg_spatial_ref_sys VALUES ('OSGB36 / British National Grid', 27700, 'EPSG', 27700, 'PROJCS[...]', NULL);
         CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT,
           description TEXT, last_change DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
         CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
           srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL);",
    )
    .unwrap();
    for (name, rows) in tables {
        conn.execute_batch(&format!(
            "CREATE TABLE {name} (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom POLYGON, code TEXT, lab INTEGER);
             INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES ('{name}', 'features', 27700);
             INSERT INTO gpkg_geometry_columns VALUES ('{name}', 'geom', 'POLYGON', 27700, 0, 0);"
        ))
        .unwrap();
        for (code, lab, geom) in rows {
            conn.execute(&format!("INSERT INTO {name} (geom, code, lab) VALUES (?1, ?2, ?3)"), rusqlite::params![geom, code, lab]).unwrap();
        }
    }
}

fn square(x0: f64, y0: f64, s: f64) -> Vec<(f64, f64)> {
    vec![(x0, y0), (x0 + s, y0), (x0 + s, y0 + s), (x0, y0 + s), (x0, y0)]
}

#[test]
fn a_geopackage_table_is_read_and_several_need_a_choice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.gpkg");
    let a = gpkg_polygon(27700, &[&square(530_000., 180_000., 1000.), &square(530_200., 180_200., 100.)]);
    geopackage(&path, &[("wards", vec![("A", 10, Some(a.clone())), ("B", 5, None)])]);
    let layer = read(&path).unwrap();
    assert_eq!(layer.crs_member.as_deref(), Some("EPSG:27700"));
    assert_eq!(layer.source_name, format!("{}:wards", path.display()));
    assert_eq!(layer.features[0].properties.keys().collect::<Vec<_>>(), ["code", "lab"], "the fid is not a property");
    assert_eq!(layer.features[0].properties.get("lab"), Some(&json!(10)));
    assert_eq!(layer.features[0].geometry.0[0].interiors().len(), 1);
    assert!(layer.features[1].geometry.0.is_empty());
    assert!(matches!(&layer.warnings[..], [ReadWarning::NoGeometry { feature: 1, .. }]), "{:?}", layer.warnings);

    let two = dir.path().join("two.gpkg");
    geopackage(&two, &[("wards", vec![("A", 10, Some(a.clone()))]), ("seats", vec![("S", 0, Some(a))])]);
    let err = read(&two).unwrap_err().to_string();
    assert!(err.ends_with("two.gpkg: holds 2 feature tables: `seats`, `wards`; choose one as the layer (`") || err.contains("holds 2 feature tables: `seats`, `wards`; choose one"), "{err}");
    let seats = read_layer(&Input::from_path(&two).unwrap().with_layer("seats"), "code", None).unwrap();
    assert_eq!(seats.features[0].id, "S");
    let seats = read_layer(&Input::from_path(&dir.path().join("two.gpkg:seats")).unwrap(), "code", None).unwrap();
    assert_eq!(seats.features[0].id, "S");

    let points = dir.path().join("points.gpkg");
    geopackage(&points, &[("pts", vec![("P", 1, Some(gpkg_point()))])]);
    let err = read(&points).unwrap_err().to_string();
    assert!(err.ends_with("points.gpkg:pts: feature 0 (id P), field `geom`: is a Point; only Polygon and MultiPolygon are read"), "{err}");

    let sqlite = dir.path().join("plain.sqlite");
    rusqlite::Connection::open(&sqlite).unwrap().execute_batch("CREATE TABLE t (a INTEGER);").unwrap();
    let err = read(&sqlite).unwrap_err().to_string();
    assert!(err.ends_with("is a SQLite database but not a GeoPackage: it has no gpkg_contents table"), "{err}");
}

#[test]
fn a_csv_given_as_a_layer_and_a_layer_given_as_a_csv_are_refused_clearly() {
    let err = read_layer(&Input::from_text("votes.csv", "code,lab\nA,1\n"), "code", None).unwrap_err().to_string();
    assert_eq!(err, "votes.csv: is not a layer file (it begins `code,lab`): expected GeoJSON or TopoJSON, a Shapefile (.shp, or zipped) or a GeoPackage");
    let dir = tempfile::tempdir().unwrap();
    let shp = two_wards(dir.path(), "wards");
    let layer = read(&shp).unwrap();
    let err = VoteTable::from_csv(&Input::from_path(&shp).unwrap(), "code", None, &layer).unwrap_err().to_string();
    assert_eq!(err, format!("{}: is a Shapefile, not a CSV table", shp.display()));
    let err = read_layer(&Input::from_text("w.geojson", "{}").with_layer("x"), "code", None).unwrap_err().to_string();
    assert!(err.contains("which holds one layer; a layer (`x`) is chosen only in a GeoPackage or a zip archive"), "{err}");
}

#[test]
fn results_gpkg_holds_the_results_csv_rows_and_a_stale_one_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let wards = two_wards(dir.path(), "wards");
    let seats = dir.path().join("seats.gpkg");
    let s1 = gpkg_polygon(27700, &[&square(530_000., 180_000., 1500.)]);
    let s2 = gpkg_polygon(27700, &[&square(531_500., 180_000., 2000.)]);
    geopackage(&seats, &[("seats", vec![("S1", 0, Some(s1)), ("S2", 0, Some(s2))])]);
    let options = Options { parties: Some(vec!["lab".into()]), ..Options::default() };
    let outcome = apportion(&Input::from_path(&wards).unwrap(), &Input::from_path(&seats).unwrap(), None, &options, &Silent).unwrap();
    let out = dir.path().join("out");
    let written = write_outputs(&out, &outcome, &MapOptions::default(), Durability::Atomic, true).unwrap();
    assert!(written.iter().any(|p| p.ends_with("results.gpkg")));
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let conn = rusqlite::Connection::open(out.join("results.gpkg")).unwrap();
    let app: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
    assert_eq!(app, 0x4750_4B47);
    let contents: (String, String, i64, f64) =
        conn.query_row("SELECT table_name, data_type, srs_id, min_x FROM gpkg_contents", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap();
    assert_eq!((contents.0.as_str(), contents.1.as_str(), contents.2), ("results", "features", 4326));
    assert!((-1.0..0.0).contains(&contents.3), "a WGS84 extent: {}", contents.3);
    assert_eq!(rows_of(&conn), csv_rows(&csv));
    // Read back as a layer: the seats' polygons, in WGS84.
    let layer = read_layer(&Input::from_path(&out.join("results.gpkg")).unwrap(), "code", None).unwrap();
    assert_eq!((layer.features.len(), layer.crs_member.as_deref()), (2, Some("EPSG:4326")));
    // A run without --gpkg removes the earlier run's results.gpkg.
    let written = write_outputs(&out, &outcome, &MapOptions::default(), Durability::Atomic, false).unwrap();
    assert_eq!(written.removed, [out.join("results.gpkg")]);
}

/// The records of a CSV text, its header first.
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect()
}

/// The `results` table as CSV records: the header, then each row's values
/// as results.csv writes them (REAL with two decimals).
pub fn rows_of(conn: &rusqlite::Connection) -> Vec<Vec<String>> {
    let mut statement = conn.prepare("SELECT * FROM results ORDER BY fid").unwrap();
    let names: Vec<String> = statement.column_names().skip(2).map(|s| s.to_string()).collect();
    let mut lines = vec![names.clone()];
    let mut rows = statement.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        let cells: Vec<String> = (2..names.len() + 2)
            .map(|c| match row.get_ref(c).unwrap() {
                rusqlite::types::ValueRef::Null => String::new(),
                rusqlite::types::ValueRef::Integer(i) => i.to_string(),
                rusqlite::types::ValueRef::Real(x) => format!("{x:.2}"),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8(t.to_vec()).unwrap(),
                rusqlite::types::ValueRef::Blob(_) => "blob".into(),
            })
            .collect();
        lines.push(cells);
    }
    lines
}

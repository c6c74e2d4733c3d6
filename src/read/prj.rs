//! The coordinate system a Shapefile's `.prj` (ESRI or OGC WKT) or a
//! GeoPackage's `gpkg_spatial_ref_sys` states, as the `EPSG:n` name that
//! [`crate::geometry::crs::detect_bounded`] reads like a GeoJSON `crs` member.

use crate::error::{Error, Result};

/// What to say of a coordinate system notional does not read.
const REPROJECT: &str =
    "reproject to WGS84 (EPSG:4326) or British National Grid (EPSG:27700), e.g. `ogr2ogr -t_srs EPSG:27700 out.gpkg in.shp`";

/// The coordinate system of a WKT text (`src` names it in messages):
/// `EPSG:n` from its outermost `AUTHORITY["EPSG","n"]` (any code: one
/// notional does not read is refused by name when the layer's CRS is
/// detected); else, from its name, `EPSG:27700` for British National Grid
/// (ESRI's `British_National_Grid`, OGC's `OSGB 1936 / British National
/// Grid`) and `EPSG:4326` for geographic WGS 84 (`GCS_WGS_1984`, `WGS 84`);
/// `None` for an empty text (the CRS is then detected from coordinates). Any
/// other is an error naming it.
pub(crate) fn crs_of_wkt(src: &str, wkt: &str) -> Result<Option<String>> {
    let wkt = wkt.trim().trim_start_matches('\u{feff}');
    if wkt.is_empty() {
        return Ok(None);
    }
    if let Some(code) = outer_epsg(wkt) {
        return Ok(Some(format!("EPSG:{code}")));
    }
    let keyword = wkt.split('[').next().unwrap_or("").trim().to_ascii_uppercase();
    let name = wkt.split('"').nth(1).unwrap_or("");
    let plain = name.replace('_', " ").to_ascii_lowercase();
    let projected = matches!(keyword.as_str(), "PROJCS" | "PROJCRS" | "PROJECTEDCRS");
    let geographic = matches!(keyword.as_str(), "GEOGCS" | "GEOGCRS" | "GEOGRAPHICCRS");
    if projected && plain.contains("british national grid") {
        return Ok(Some("EPSG:27700".into()));
    }
    if geographic && matches!(plain.as_str(), "gcs wgs 1984" | "wgs 84" | "wgs84" | "wgs 1984") {
        return Ok(Some("EPSG:4326".into()));
    }
    let what = if name.is_empty() { wkt.chars().take(60).collect::<String>() } else { name.to_string() };
    Err(Error::format(src, format!("states coordinate system `{what}`, which notional does not read; {REPROJECT}")))
}

/// The code of the outermost coordinate system's `AUTHORITY["EPSG","n"]`
/// (WKT1) or `ID["EPSG",n]` (WKT2): one directly inside its brackets (an
/// inner one is its datum's or base system's).
fn outer_epsg(wkt: &str) -> Option<u32> {
    let upper = wkt.to_ascii_uppercase();
    let mut depth = 0usize;
    for (i, c) in upper.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        let rest = &upper[i..];
        let boundary = i == 0 || matches!(upper.as_bytes()[i - 1], b',' | b'[' | b' ' | b'\n');
        let key = ["AUTHORITY[", "ID["].iter().find(|k| rest.starts_with(**k));
        if let (1, true, Some(key)) = (depth, boundary, key) {
            let inside = &rest[key.len()..rest.find(']').unwrap_or(rest.len())];
            let mut parts = inside.split(',').map(|p| p.trim().trim_matches('"').trim());
            if let (Some("EPSG"), Some(code)) = (parts.next(), parts.next()) {
                return code.parse().ok();
            }
        }
    }
    None
}

/// The coordinate system of a GeoPackage spatial reference system: `EPSG:n`
/// where its organization is EPSG; `None` for the undefined systems (ids
/// -1 and 0, organization `NONE`: detected from coordinates); else from its
/// WKT definition as [`crs_of_wkt`] reads it.
pub(crate) fn crs_of_srs(src: &str, srs_id: i64, organization: &str, code: i64, definition: &str) -> Result<Option<String>> {
    if organization.eq_ignore_ascii_case("EPSG") {
        return Ok(Some(format!("EPSG:{code}")));
    }
    if srs_id == -1 || srs_id == 0 || organization.eq_ignore_ascii_case("NONE") || definition.trim().eq_ignore_ascii_case("undefined") {
        return Ok(None);
    }
    crs_of_wkt(src, definition).map_err(|_| {
        Error::format(src, format!("states coordinate system {organization}:{code} (srs_id {srs_id}), which notional does not read; {REPROJECT}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_authorities() {
        let esri_bng = r#"PROJCS["British_National_Grid",GEOGCS["GCS_OSGB_1936",DATUM["D_OSGB_1936",SPHEROID["Airy_1849",6377563.396,299.3249646]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],UNIT["Meter",1.0]]"#;
        assert_eq!(crs_of_wkt("a.prj", esri_bng).unwrap().as_deref(), Some("EPSG:27700"));
        let esri_wgs = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        assert_eq!(crs_of_wkt("a.prj", esri_wgs).unwrap().as_deref(), Some("EPSG:4326"));
        let ogc = r#"PROJCS["OSGB36 / British National Grid",GEOGCS["OSGB36",AUTHORITY["EPSG","4277"]],UNIT["metre",1]]"#;
        assert_eq!(crs_of_wkt("a.prj", ogc).unwrap().as_deref(), Some("EPSG:27700"), "the inner authority is not the layer's");
        let merc = r#"PROJCS["WGS 84 / Pseudo-Mercator",GEOGCS["WGS 84",AUTHORITY["EPSG","4326"]],AUTHORITY["EPSG","3857"]]"#;
        assert_eq!(crs_of_wkt("a.prj", merc).unwrap().as_deref(), Some("EPSG:3857"));
        let utm = r#"PROJCS["WGS_1984_UTM_Zone_30N",GEOGCS["GCS_WGS_1984"]]"#;
        let err = crs_of_wkt("a.prj", utm).unwrap_err().to_string();
        assert!(err.starts_with("a.prj: states coordinate system `WGS_1984_UTM_Zone_30N`"), "{err}");
        assert_eq!(crs_of_wkt("a.prj", " \n").unwrap(), None);
        assert_eq!(crs_of_srs("w.gpkg", 27700, "epsg", 27700, "").unwrap().as_deref(), Some("EPSG:27700"));
        assert_eq!(crs_of_srs("w.gpkg", -1, "NONE", -1, "undefined").unwrap(), None);
        assert!(crs_of_srs("w.gpkg", 100000, "ESRI", 102100, "nonsense").unwrap_err().to_string().contains("ESRI:102100"));
    }
}

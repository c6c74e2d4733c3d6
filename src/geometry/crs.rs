//! Which coordinate system a layer is in ([`detect`]): from its `crs`
//! member, the CRS stated for it, and every feature's coordinate ranges. A
//! layer whose features do not all fit one system, or whose member
//! contradicts its coordinates, is refused rather than guessed.

use crate::error::{Error, Result};
use crate::read::Layer;
use geo::Rect;
use rayon::prelude::*;

/// The coordinate systems notional reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// WGS84 longitude/latitude in degrees (RFC 7946, `CRS84`, `EPSG:4326`).
    Wgs84,
    /// British National Grid, OSGB36 / EPSG:27700, metres.
    Bng,
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Crs::Wgs84 => "WGS84 lon/lat (EPSG:4326)",
            Crs::Bng => "British National Grid (EPSG:27700)",
        })
    }
}

impl Crs {
    /// The name a layer's `crs` member gives it, as [`crate::read::Layer::from_parts`] takes it.
    ///
    /// ```
    /// assert_eq!(notional::geometry::Crs::Bng.epsg(), "EPSG:27700");
    /// ```
    pub fn epsg(self) -> &'static str {
        match self {
            Crs::Wgs84 => "EPSG:4326",
            Crs::Bng => "EPSG:27700",
        }
    }
}

/// A layer's coordinate system and why notional believes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    /// The system.
    pub crs: Crs,
    /// The evidence, in words.
    pub reason: String,
}

/// Detects a layer's CRS from its `crs` member and its coordinate ranges.
///
/// A `crs` member that contradicts the coordinates, or coordinates that fit
/// neither system, are errors rather than guesses.
///
/// ```
/// use notional::geometry::crs::{detect, Crs};
/// use notional::read::{read_layer, Input};
/// let text = r#"{"type":"FeatureCollection","features":[
///   {"type":"Feature","properties":{"code":"A"},
///    "geometry":{"type":"Polygon","coordinates":[[[-0.2,51.5],[-0.1,51.5],[-0.1,51.6],[-0.2,51.5]]]}}]}"#;
/// let layer = read_layer(&Input::from_text("a.geojson", text), "code", None).unwrap();
/// assert_eq!(detect(&layer).unwrap().crs, Crs::Wgs84);
/// ```
pub fn detect(layer: &Layer) -> Result<Detected> {
    detect_stated(layer, None)
}

/// As [`detect`], with the CRS stated by the user (`--crs`): the statement
/// wins where the coordinates fit it (a small British National Grid layer near
/// the grid's origin looks like degrees), and is an error where they do not,
/// or where the layer's `crs` member says otherwise.
///
/// ```
/// use notional::geometry::crs::{detect_stated, Crs};
/// use notional::read::{read_layer, Input};
/// // A 50 m square near the BNG false origin: its numbers also look like degrees.
/// let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A"},
///   "geometry":{"type":"Polygon","coordinates":[[[10,10],[60,10],[60,60],[10,10]]]}}]}"#;
/// let layer = read_layer(&Input::from_text("a.geojson", text), "code", None).unwrap();
/// assert_eq!(detect_stated(&layer, None).unwrap().crs, Crs::Wgs84);
/// assert_eq!(detect_stated(&layer, Some(Crs::Bng)).unwrap().crs, Crs::Bng);
/// ```
pub fn detect_stated(layer: &Layer, stated: Option<Crs>) -> Result<Detected> {
    detect_bounded(layer, stated, &feature_bounds(layer))
}

/// Each feature's box in its own coordinates (`None` without coordinates).
pub fn feature_bounds(layer: &Layer) -> Vec<Option<Rect<f64>>> {
    layer.features.par_iter().map(|f| super::bbox::geometry_bounds(&f.geometry)).collect()
}

/// As [`detect_stated`], with the features' boxes already found
/// ([`feature_bounds`]): the ranges it judges by are theirs.
///
/// ```
/// use notional::geometry::crs::{detect_bounded, detect_stated, feature_bounds};
/// let (_, seats) = notional::demo::inputs();
/// let seats = notional::read::read_layer(&seats, "code", Some("name")).unwrap();
/// assert_eq!(detect_bounded(&seats, None, &feature_bounds(&seats)).unwrap(), detect_stated(&seats, None).unwrap());
/// ```
pub fn detect_bounded(layer: &Layer, stated: Option<Crs>, boxes: &[Option<Rect<f64>>]) -> Result<Detected> {
    let src = &layer.source_name;
    let extent = boxes.iter().flatten().copied().reduce(super::bbox::union);
    let range = extent.map_or_else(|| "none".to_string(), |r| describe_range(&r));
    // The first feature whose box `fits` does not accept, in words.
    let misfit = |fits: &dyn Fn(&Rect<f64>) -> bool| {
        boxes.iter().position(|b| b.as_ref().is_some_and(|r| !fits(r))).map(|i| feature_range(layer, boxes, i))
    };
    let with_coords = boxes.iter().flatten().count();
    let in_degrees = boxes.iter().flatten().filter(|r| fits_lonlat(r)).count();
    let all_degrees = in_degrees == with_coords;

    if let (Some(crs), None) = (stated, &layer.crs_member) {
        let fits = |r: &Rect<f64>| match crs {
            Crs::Wgs84 => fits_lonlat(r),
            Crs::Bng => fits_bng(r),
        };
        if let Some(place) = misfit(&fits) {
            return Err(Error::format(src, format!("the stated CRS is {crs}, but {place}, which do not fit it")));
        }
        // Metres within 180 m of the grid's origin also look like degrees; but
        // a layer all within Great Britain's longitudes and latitudes is degrees.
        if crs == Crs::Bng && all_degrees && extent.is_some_and(|r| within_gb_lonlat(&r)) {
            return Err(Error::format(
                src,
                format!("the stated CRS is {crs}, but every feature's coordinates ({range}) are longitudes and latitudes over Great Britain, not metres"),
            ));
        }
        return Ok(Detected { crs, reason: format!("stated; coordinates {range}") });
    }

    if let Some(name) = &layer.crs_member {
        let declared = if name.contains("CRS84") || name.ends_with(":4326") || name.ends_with("::4326") {
            Crs::Wgs84
        } else if name.ends_with(":27700") || name.ends_with("::27700") {
            Crs::Bng
        } else {
            return Err(Error::format(
                src,
                format!("declares crs `{name}`, which notional does not read; reproject to WGS84 (EPSG:4326) or British National Grid (EPSG:27700)"),
            ));
        };
        let misfit = match declared {
            Crs::Wgs84 => misfit(&fits_lonlat),
            // A layer all in degrees is not metres, whatever it declares.
            Crs::Bng if with_coords > 0 && all_degrees => Some(format!("every feature has coordinates in degrees ({range})")),
            Crs::Bng => misfit(&fits_bng),
        };
        if let Some(place) = misfit {
            return Err(Error::format(src, format!("declares crs `{name}` ({declared}) but {place}, which do not fit it")));
        }
        if let Some(crs) = stated.filter(|&c| c != declared) {
            return Err(Error::format(src, format!("the stated CRS is {crs}, but its crs member `{name}` says {declared}")));
        }
        return Ok(Detected { crs: declared, reason: format!("crs member `{name}`; coordinates {range}") });
    }
    if with_coords == 0 {
        return Ok(Detected { crs: Crs::Wgs84, reason: "no coordinates; RFC 7946 default".into() });
    }
    if all_degrees {
        return Ok(Detected { crs: Crs::Wgs84, reason: format!("no crs member; coordinates {range} are degrees") });
    }
    // Some features fit degrees and others do not: the layer fits neither
    // system throughout. Name the first feature of the minority.
    if in_degrees > 0 {
        let place = if 2 * in_degrees >= with_coords {
            let place = misfit(&fits_lonlat).expect("not all in degrees");
            format!("most features have coordinates in degrees, but {place}, which are not degrees")
        } else {
            let place = misfit(&|r: &Rect<f64>| !fits_lonlat(r) && fits_bng(r)).expect("some in degrees");
            format!("most features have British National Grid metres, but {place}, which look like degrees")
        };
        return Err(Error::format(
            src,
            format!("{place}; a layer must be in one coordinate system throughout: mend that feature or reproject the layer"),
        ));
    }
    match misfit(&fits_bng) {
        None => Ok(Detected { crs: Crs::Bng, reason: format!("no crs member; coordinates {range} are British National Grid metres") }),
        Some(place) => Err(Error::format(
            src,
            format!("coordinates are neither lon/lat degrees nor British National Grid metres: {place}; reproject to one of them"),
        )),
    }
}

/// Whether a box lies within lon/lat's range (±180°, ±90°).
fn fits_lonlat(r: &Rect<f64>) -> bool {
    r.min().x >= -180.0 && r.max().x <= 180.0 && r.min().y >= -90.0 && r.max().y <= 90.0
}

/// Whether a box lies within Great Britain's longitudes and latitudes.
fn within_gb_lonlat(r: &Rect<f64>) -> bool {
    r.min().x >= -9.0 && r.max().x <= 3.0 && r.min().y >= 49.0 && r.max().y <= 61.0
}

/// Whether a box lies within British National Grid's range, with a margin
/// (the grid covers 0..700 km east, 0..1300 km north).
fn fits_bng(r: &Rect<f64>) -> bool {
    r.min().x >= -100_000.0 && r.max().x <= 1_000_000.0 && r.min().y >= -200_000.0 && r.max().y <= 1_400_000.0
}

fn describe_range(r: &Rect<f64>) -> String {
    format!("x {:.4}..{:.4}, y {:.4}..{:.4}", r.min().x, r.max().x, r.min().y, r.max().y)
}

/// `feature 3 (id W1) has coordinates x …, y …`.
fn feature_range(layer: &Layer, boxes: &[Option<Rect<f64>>], i: usize) -> String {
    let r = boxes[i].expect("a feature with coordinates");
    format!("{} has coordinates {}", layer.place(i), describe_range(&r))
}


//! Which coordinate system a layer is in ([`detect`]): from its `crs`
//! member, the CRS stated for it, and every feature's coordinate ranges. A
//! layer whose features do not all fit one system, or whose member
//! contradicts its coordinates, is refused rather than guessed.

use crate::error::{Error, Result};
use crate::read::Layer;
use geo::{Coord, Rect};
use proj4rs::proj::Proj;
use rayon::prelude::*;

/// WGS84 lon/lat, as proj4rs takes it.
pub(crate) const WGS84: &str = "+proj=longlat +datum=WGS84 +no_defs";
/// British National Grid (EPSG:27700) with its 7-parameter datum shift.
pub(crate) const BNG: &str = "+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs";

/// The coordinate systems notional reads: WGS84 and British National Grid,
/// which it knows best (a fast projection grid, range checks), and any other
/// system of the EPSG table a file declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// WGS84 longitude/latitude in degrees (RFC 7946, `CRS84`, `EPSG:4326`).
    Wgs84,
    /// British National Grid, OSGB36 / EPSG:27700, metres.
    Bng,
    /// Another system of the EPSG table (the `crs-definitions` crate's,
    /// from PROJ's database), by code: a state plane in US feet, UTM, a
    /// national grid, NAD83 lon/lat…
    Epsg(u16),
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Crs::Wgs84 => f.write_str("WGS84 lon/lat (EPSG:4326)"),
            Crs::Bng => f.write_str("British National Grid (EPSG:27700)"),
            Crs::Epsg(code) => write!(f, "{} (EPSG:{code})", self.name().unwrap_or("unnamed")),
        }
    }
}

impl Crs {
    /// The name a layer's `crs` member gives it, as [`crate::read::Layer::from_parts`] takes it.
    ///
    /// ```
    /// use notional::geometry::Crs;
    /// assert_eq!(Crs::Bng.epsg(), "EPSG:27700");
    /// assert_eq!(Crs::Epsg(2263).epsg(), "EPSG:2263");
    /// ```
    pub fn epsg(self) -> String {
        match self {
            Crs::Wgs84 => "EPSG:4326".into(),
            Crs::Bng => "EPSG:27700".into(),
            Crs::Epsg(code) => format!("EPSG:{code}"),
        }
    }

    /// The system with this EPSG code, if the table has it.
    ///
    /// ```
    /// use notional::geometry::Crs;
    /// assert_eq!(Crs::from_epsg(4326), Some(Crs::Wgs84));
    /// assert_eq!(Crs::from_epsg(2263), Some(Crs::Epsg(2263))); // NAD83 / New York Long Island (ftUS)
    /// assert_eq!(Crs::from_epsg(1), None);
    /// ```
    pub fn from_epsg(code: u32) -> Option<Crs> {
        match code {
            4326 => Some(Crs::Wgs84),
            27700 => Some(Crs::Bng),
            _ => u16::try_from(code).ok().and_then(crs_definitions::from_code).map(|d| Crs::Epsg(d.code)),
        }
    }

    /// The system a `crs` member (or a `.prj`'s or GeoPackage's code) names:
    /// `EPSG:2263`, `urn:ogc:def:crs:EPSG::2263`, `CRS84`; `None` if it is
    /// not one of the table's.
    ///
    /// ```
    /// use notional::geometry::Crs;
    /// assert_eq!(Crs::from_name("urn:ogc:def:crs:OGC:1.3:CRS84"), Some(Crs::Wgs84));
    /// assert_eq!(Crs::from_name("urn:ogc:def:crs:EPSG::26918"), Some(Crs::Epsg(26918)));
    /// assert_eq!(Crs::from_name("ESRI:102003"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Crs> {
        if name.contains("CRS84") {
            return Some(Crs::Wgs84);
        }
        let upper = name.to_ascii_uppercase();
        let at = upper.rfind("EPSG")?;
        let code: String = upper[at + 4..].trim_start_matches(|c: char| !c.is_ascii_digit()).chars().take_while(char::is_ascii_digit).collect();
        Crs::from_epsg(code.parse().ok()?)
    }

    /// Its PROJ definition (for [`Crs::Epsg`]; the other two have their own).
    pub fn proj4(self) -> Option<&'static str> {
        match self {
            Crs::Epsg(code) => crs_definitions::from_code(code).map(|d| d.proj4),
            _ => None,
        }
    }

    /// Its projection, for proj4rs (from the EPSG table for [`Crs::Epsg`]).
    pub fn proj(self) -> Result<Proj> {
        let def = match self {
            Crs::Wgs84 => WGS84,
            Crs::Bng => BNG,
            Crs::Epsg(code) => self.proj4().ok_or_else(|| Error::Mismatch(format!("EPSG:{code} is not in the EPSG table")))?,
        };
        Proj::from_proj_string(def).map_err(|e| Error::Mismatch(format!("{self}: its definition `{def}` is not one proj4rs can use ({e})")))
    }

    /// Whether its coordinates are longitudes and latitudes in degrees.
    ///
    /// ```
    /// use notional::geometry::Crs;
    /// assert!(Crs::Wgs84.is_geographic() && Crs::Epsg(4269).is_geographic()); // NAD83
    /// assert!(!Crs::Bng.is_geographic() && !Crs::Epsg(2263).is_geographic());
    /// ```
    pub fn is_geographic(self) -> bool {
        match self {
            Crs::Wgs84 => true,
            Crs::Bng => false,
            Crs::Epsg(_) => self.proj4().is_some_and(|p| p.contains("+proj=longlat") || p.contains("+proj=latlong")),
        }
    }

    /// Its name in the EPSG table (`NAD83 / New York Long Island (ftUS)`).
    pub fn name(self) -> Option<&'static str> {
        let wkt = match self {
            Crs::Epsg(code) => crs_definitions::from_code(code)?.wkt,
            _ => return None,
        };
        let start = wkt.find('"')? + 1;
        Some(&wkt[start..start + wkt[start..].find('"')?])
    }
}

/// A layer's coordinate system and why notional believes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    /// The system.
    pub crs: Crs,
    /// The evidence, in words.
    pub reason: String,
    /// The box around every feature, in the layer's own coordinates.
    pub extent: Option<Rect<f64>>,
}

impl Detected {
    /// The layer's box in longitudes and latitudes (degrees), where it can
    /// be told: what the working plane is chosen by
    /// ([`super::project::Projector::suited`]).
    pub fn lonlat_extent(&self) -> Option<Rect<f64>> {
        match self.crs {
            Crs::Wgs84 => self.extent,
            c => self.extent.and_then(|e| to_lonlat(c, e).ok()),
        }
    }
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

/// A box in `crs` → the box of longitudes and latitudes (degrees) around
/// its corners and edge midpoints: what the working plane is chosen by.
///
/// ```
/// use geo::{coord, Rect};
/// use notional::geometry::crs::{to_lonlat, Crs};
/// // Manhattan in the New York Long Island state plane, US survey feet.
/// let r = Rect::new(coord! {x: 980_000.0, y: 190_000.0}, coord! {x: 1_000_000.0, y: 230_000.0});
/// let ll = to_lonlat(Crs::Epsg(2263), r).unwrap();
/// assert!((ll.center().x + 73.97).abs() < 0.05 && (ll.center().y - 40.76).abs() < 0.05);
/// ```
pub fn to_lonlat(crs: Crs, r: Rect<f64>) -> Result<Rect<f64>> {
    if crs.is_geographic() {
        return Ok(r);
    }
    let (source, wgs84) = (crs.proj()?, Proj::from_proj_string(WGS84).expect("valid WGS84 definition"));
    let (a, b) = (r.min(), r.max());
    let (mx, my) = ((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
    let mut out: Option<Rect<f64>> = None;
    for (x, y) in [(a.x, a.y), (b.x, a.y), (a.x, b.y), (b.x, b.y), (mx, a.y), (mx, b.y), (a.x, my), (b.x, my), (mx, my)] {
        let mut p = (x, y, 0.0);
        let moved = proj4rs::transform::transform(&source, &wgs84, &mut p);
        let (lon, lat) = (p.0.to_degrees(), p.1.to_degrees());
        if moved.is_err() || !(lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0) {
            return Err(Error::Mismatch(format!("{crs}: the box x {:.1}..{:.1}, y {:.1}..{:.1} is not on the Earth", a.x, b.x, a.y, b.y)));
        }
        let c = Coord { x: lon, y: lat };
        out = super::bbox::union_of(out, Some(Rect::new(c, c)));
    }
    Ok(out.expect("nine points"))
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
            Crs::Epsg(_) => !crs.is_geographic() || fits_lonlat(r),
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
        return Ok(Detected { crs, reason: format!("stated; coordinates {range}"), extent });
    }

    if let Some(name) = &layer.crs_member {
        let Some(declared) = Crs::from_name(name) else {
            return Err(Error::format(
                src,
                format!("declares crs `{name}`, which is not in the EPSG table notional reads; reproject it, or declare its EPSG code"),
            ));
        };
        let misfit = match declared {
            Crs::Wgs84 => misfit(&fits_lonlat),
            // A layer all in degrees is not metres, whatever it declares.
            Crs::Bng if with_coords > 0 && all_degrees => Some(format!("every feature has coordinates in degrees ({range})")),
            Crs::Bng => misfit(&fits_bng),
            Crs::Epsg(_) if declared.is_geographic() => misfit(&fits_lonlat),
            // Likewise for any projected system: degrees are not its metres or feet.
            Crs::Epsg(_) if with_coords > 0 && all_degrees => Some(format!("every feature has coordinates in degrees ({range})")),
            Crs::Epsg(_) => match extent.map(|e| to_lonlat(declared, e)) {
                Some(Err(e)) => Some(format!("its coordinates ({range}) do not convert to longitudes and latitudes ({e})")),
                _ => None,
            },
        };
        if let Some(place) = misfit {
            return Err(Error::format(src, format!("declares crs `{name}` ({declared}) but {place}, which do not fit it")));
        }
        if let Some(crs) = stated.filter(|&c| c != declared) {
            return Err(Error::format(src, format!("the stated CRS is {crs}, but its crs member `{name}` says {declared}")));
        }
        return Ok(Detected { crs: declared, reason: format!("crs member `{name}`; coordinates {range}"), extent });
    }
    if with_coords == 0 {
        return Ok(Detected { crs: Crs::Wgs84, reason: "no coordinates; RFC 7946 default".into(), extent });
    }
    if all_degrees {
        return Ok(Detected { crs: Crs::Wgs84, reason: format!("no crs member; coordinates {range} are degrees"), extent });
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
        None => Ok(Detected { crs: Crs::Bng, reason: format!("no crs member; coordinates {range} are British National Grid metres"), extent }),
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


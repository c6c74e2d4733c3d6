//! Step 2 of the pipeline: **project**: detect each layer's coordinate system
//! and bring everything into British National Grid (EPSG:27700) metres, where
//! areas are computed. Planar areas in lon/lat degrees are never used.

use crate::error::{Error, Result};
use crate::read::Layer;
use geo::{Coord, CoordsIter, MapCoords, MultiPolygon};
use proj4rs::proj::Proj;
use proj4rs::transform::{transform, Transform, TransformClosure};
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
/// use notional::project::{detect, Crs};
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
/// use notional::project::{detect_stated, Crs};
/// use notional::read::{read_layer, Input};
/// // A 50 m square near the BNG false origin: its numbers also look like degrees.
/// let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A"},
///   "geometry":{"type":"Polygon","coordinates":[[[10,10],[60,10],[60,60],[10,10]]]}}]}"#;
/// let layer = read_layer(&Input::from_text("a.geojson", text), "code", None).unwrap();
/// assert_eq!(detect_stated(&layer, None).unwrap().crs, Crs::Wgs84);
/// assert_eq!(detect_stated(&layer, Some(Crs::Bng)).unwrap().crs, Crs::Bng);
/// ```
pub fn detect_stated(layer: &Layer, stated: Option<Crs>) -> Result<Detected> {
    let src = &layer.source_name;
    let (mut min, mut max) = (Coord { x: f64::MAX, y: f64::MAX }, Coord { x: f64::MIN, y: f64::MIN });
    for f in &layer.features {
        for c in f.geometry.coords_iter() {
            min = Coord { x: min.x.min(c.x), y: min.y.min(c.y) };
            max = Coord { x: max.x.max(c.x), y: max.y.max(c.y) };
        }
    }
    let has_coords = min.x <= max.x;
    let looks_lonlat = has_coords && min.x >= -180.0 && max.x <= 180.0 && min.y >= -90.0 && max.y <= 90.0;
    let looks_bng =
        has_coords && !looks_lonlat && min.x >= -100_000.0 && max.x <= 1_000_000.0 && min.y >= -200_000.0 && max.y <= 1_400_000.0;
    let range = format!("x {:.4}..{:.4}, y {:.4}..{:.4}", min.x, max.x, min.y, max.y);
    let fits_bng = has_coords && min.x >= -100_000.0 && max.x <= 1_000_000.0 && min.y >= -200_000.0 && max.y <= 1_400_000.0;
    if let (Some(crs), None) = (stated, &layer.crs_member) {
        let fits = !has_coords || match crs {
            Crs::Wgs84 => looks_lonlat,
            Crs::Bng => fits_bng,
        };
        if !fits {
            return Err(Error::format(src, format!("--crs states {crs}, but its coordinates ({range}) do not fit it")));
        }
        return Ok(Detected { crs, reason: format!("stated with --crs; coordinates {range}") });
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
        let fits = !has_coords || (declared == Crs::Wgs84 && looks_lonlat) || (declared == Crs::Bng && looks_bng);
        if !fits {
            return Err(Error::format(
                src,
                format!("declares crs `{name}` ({declared}) but its coordinates ({range}) do not fit it"),
            ));
        }
        if let Some(crs) = stated.filter(|&c| c != declared) {
            return Err(Error::format(src, format!("--crs states {crs}, but its crs member `{name}` says {declared}")));
        }
        return Ok(Detected { crs: declared, reason: format!("crs member `{name}`; coordinates {range}") });
    }
    if !has_coords || looks_lonlat {
        let why = if has_coords { format!("no crs member; coordinates {range} are degrees") } else { "no coordinates; RFC 7946 default".into() };
        Ok(Detected { crs: Crs::Wgs84, reason: why })
    } else if looks_bng {
        Ok(Detected { crs: Crs::Bng, reason: format!("no crs member; coordinates {range} are British National Grid metres") })
    } else {
        Err(Error::format(
            src,
            format!("coordinates ({range}) are neither lon/lat degrees nor British National Grid metres; reproject to one of them"),
        ))
    }
}

const WGS84: &str = "+proj=longlat +datum=WGS84 +no_defs";
const BNG: &str = "+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs";

/// Converts between WGS84 lon/lat and British National Grid with proj4rs
/// (the EPSG:27700 definition, with its 7-parameter datum shift).
///
/// ```
/// use notional::project::Projector;
/// use geo::{coord, polygon, MultiPolygon};
/// let p = Projector::new();
/// let square = MultiPolygon::new(vec![polygon![(x: -0.2, y: 51.5), (x: -0.19, y: 51.5), (x: -0.19, y: 51.51)]]);
/// let bng = p.to_bng(&square).unwrap();
/// let first = bng.0[0].exterior().0[0];
/// assert!((first.x - 524_000.0).abs() < 2_000.0 && (first.y - 179_000.0).abs() < 2_000.0);
/// ```
pub struct Projector {
    wgs84: Proj,
    bng: Proj,
}

impl Default for Projector {
    fn default() -> Self {
        Self::new()
    }
}

impl Projector {
    /// Builds the two projections.
    pub fn new() -> Self {
        Projector {
            wgs84: Proj::from_proj_string(WGS84).expect("valid WGS84 definition"),
            bng: Proj::from_proj_string(BNG).expect("valid EPSG:27700 definition"),
        }
    }

    /// WGS84 lon/lat degrees → BNG metres.
    pub fn to_bng(&self, mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>> {
        let mut out = mp.map_coords(|c| Coord { x: c.x.to_radians(), y: c.y.to_radians() });
        self.run(&self.wgs84, &self.bng, &mut out)?;
        Ok(out)
    }

    /// BNG metres → WGS84 lon/lat degrees.
    pub fn to_wgs84(&self, mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>> {
        let mut out = mp.clone();
        self.run(&self.bng, &self.wgs84, &mut out)?;
        Ok(out.map_coords(|c| Coord { x: c.x.to_degrees(), y: c.y.to_degrees() }))
    }

    fn run(&self, from: &Proj, to: &Proj, mp: &mut MultiPolygon<f64>) -> Result<()> {
        transform(from, to, &mut Coords(mp))
            .map_err(|e| Error::Mismatch(format!("coordinate transformation failed: {e}")))
    }
}

/// Adapter: proj4rs transforms every coordinate of a MultiPolygon in place.
struct Coords<'a>(&'a mut MultiPolygon<f64>);

impl Transform for Coords<'_> {
    fn transform_coordinates<F: TransformClosure>(&mut self, f: &mut F) -> proj4rs::errors::Result<()> {
        for poly in self.0.iter_mut() {
            let mut result = Ok(());
            poly.exterior_mut(|ring| result = ring_apply(ring, f));
            if result.is_ok() {
                poly.interiors_mut(|rings| {
                    for ring in rings {
                        if result.is_ok() {
                            result = ring_apply(ring, f);
                        }
                    }
                });
            }
            result?;
        }
        Ok(())
    }
}

fn ring_apply<F: TransformClosure>(ring: &mut geo::LineString<f64>, f: &mut F) -> proj4rs::errors::Result<()> {
    for c in ring.0.iter_mut() {
        let (x, y, _) = f(c.x, c.y, 0.0)?;
        *c = Coord { x, y };
    }
    Ok(())
}

/// Every feature's geometry in BNG metres, in parallel; BNG input is cloned as is.
pub fn layer_to_bng(layer: &Layer, crs: Crs, projector: &Projector) -> Result<Vec<MultiPolygon<f64>>> {
    match crs {
        Crs::Bng => Ok(layer.features.iter().map(|f| f.geometry.clone()).collect()),
        Crs::Wgs84 => layer
            .features
            .par_iter()
            .enumerate()
            .map(|(i, f)| {
                projector.to_bng(&f.geometry).map_err(|e| {
                    Error::field(&layer.source_name, layer.place(i), "geometry", e.to_string())
                })
            })
            .collect(),
    }
}

/// Every feature's geometry in WGS84 lon/lat, converting BNG input back.
pub fn layer_to_wgs84(layer: &Layer, crs: Crs, projector: &Projector) -> Result<Vec<MultiPolygon<f64>>> {
    match crs {
        Crs::Wgs84 => Ok(layer.features.iter().map(|f| f.geometry.clone()).collect()),
        Crs::Bng => layer.features.par_iter().map(|f| projector.to_wgs84(&f.geometry)).collect(),
    }
}

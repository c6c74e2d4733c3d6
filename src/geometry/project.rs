//! **Project**: bring every layer, its coordinate system known
//! ([`super::crs`]), into British National Grid (EPSG:27700) metres, where
//! areas are computed. Planar areas in lon/lat degrees are never used.
//!
//! # Fast WGS84 → BNG: an error-controlled approximate transform
//!
//! The exact transform (proj4rs: WGS84 → geocentric → 7-parameter Helmert
//! shift → Airy → Poder/Engsager transverse Mercator) costs about 380 ns a
//! point; England's wards and the 2024 seats have 1.26 million vertices. So,
//! as GDAL's approximate transformer (`GDALApproxTransform`, used by
//! `gdalwarp` with its `-et` error threshold) and PROJ's grid-based methods
//! do, [`Projector::to_bng`] evaluates the exact transform only at the nodes
//! of a regular lon/lat grid and interpolates in between ([`BngGrid`]):
//!
//! - nodes every [`GRID_STEP`] = 0.25° over [`GRID_REGION`] (11°W–3°E,
//!   49°N–62°N: 56 × 52 cells, 3,477 exact evaluations with the margin),
//!   built on the first call and kept by the [`Projector`];
//! - in each cell, a **bicubic Hermite** patch per output (easting,
//!   northing) from the node values and their derivatives ∂/∂λ, ∂/∂φ and
//!   ∂²/∂λ∂φ. The derivatives are five-point central differences of the
//!   node values themselves (truncation error h⁴f⁽⁵⁾/30, and no small step
//!   to amplify rounding); patches join with continuous values and slopes;
//! - stored per cell in power form, so a point costs a floor, a cell load
//!   (256 bytes) and 30 multiply-adds (Estrin's scheme, two lanes at once).
//!
//! **Error.** Cubic Hermite interpolation of a smooth f errs by at most
//! h⁴·max|f⁗|/384 along each axis; the differenced derivatives add O(h⁵).
//! The transverse Mercator is analytic and slowly varying at this scale, so
//! the error falls as h⁴. [`BngGrid::error_estimate`] evaluates that bound
//! (doubled) from the fourth differences of the node values. Measured against
//! proj4rs at 200,000 random points over the whole region (the worst is in the
//! far south-west, 9° from the central meridian; the tests also check every
//! cell's centre and edge midpoints, the nodes, and points 1e-12°–1e-6° from
//! cell edges and corners):
//!
//! | cell  | max error | estimate |
//! |-------|-----------|----------|
//! | 1°    | 1.3 mm    | 2.9 mm   |
//! | 0.5°  | 81 µm     | 183 µm   |
//! | 0.25° | **5.1 µm**| 11 µm    |
//! | 0.125°| 0.32 µm   | 0.71 µm  |
//!
//! 0.5° would meet the 1 mm requirement too; 0.25° keeps the error 200 times
//! under it, and the effect on areas near 1e-10, for a build still under
//! 2 ms. (For scale: the 7-parameter Helmert shift itself departs from the
//! definitive OSTN15 transformation by a few metres.)
//!
//! On every vertex of England's 2013 wards (749,841) and of the 2024 seats
//! (506,917) the maximum is 4.5 µm, and per-feature areas agree with the
//! exact transform's to 1.6e-10 relative (the real-data suite checks ≤ 1 mm
//! and ≤ 1e-9): the error field varies over tens of kilometres, so its
//! effect on any area ratio is nil. End to end (England wards → 2024 seats)
//! the results and ledger are byte-identical to those of the exact transform;
//! crosswalk weights differ by at most 1.3e-8, all in small intersections,
//! and that is the geo overlay's own fixed-precision snapping: a smooth 1 µm
//! perturbation of the exact coordinates changes them just as much.
//!
//! **Cost** (release, this machine's 2 shared cores, `cargo bench --bench
//! project`): about 10 ns a vertex for [`BngGrid::get`] and 12–13 ns for
//! [`Projector::to_bng`] including the output rings, against about 400 ns
//! for proj4rs; both layers of England wards → 2024 seats project in about
//! 12 ms instead of 730 ms. The grid builds in about 1.6 ms, once per
//! [`Projector`], sequentially: it is built inside a `OnceLock` that rayon
//! workers may wait on, and rayon work inside it could steal a task that
//! waits on the same lock.
//!
//! **Fallback.** Points outside the grid (data far from the UK, world-wide
//! layers) are projected exactly, point by point; non-finite coordinates are
//! an error, not a panic. The inverse (BNG → WGS84, only used to write BNG
//! inputs back out as GeoJSON) stays exact.

use super::crs::{Crs, BNG, WGS84};
use crate::error::{Error, Result};
use crate::read::Layer;
use geo::{Coord, LineString, MapCoords, MapCoordsInPlace, MultiPolygon, Polygon, Rect};
use proj4rs::proj::Proj;
use proj4rs::transform::{transform, Transform, TransformClosure};
use rayon::prelude::*;
use std::sync::OnceLock;


/// Converts between WGS84 lon/lat and British National Grid: exactly with
/// proj4rs (the EPSG:27700 definition, with its 7-parameter datum shift), and
/// fast through a [`BngGrid`] built on first use (see the [module docs](self)).
///
/// ```
/// use notional::geometry::project::Projector;
/// use geo::{polygon, Area, MultiPolygon};
/// let p = Projector::new();
/// let square = MultiPolygon::new(vec![polygon![(x: -0.2, y: 51.5), (x: -0.19, y: 51.5), (x: -0.19, y: 51.51)]]);
/// let bng = p.to_bng(&square).unwrap();
/// let first = bng.0[0].exterior().0[0];
/// assert!((first.x - 524_000.0).abs() < 2_000.0 && (first.y - 179_000.0).abs() < 2_000.0);
/// let exact = p.to_bng_exact(&square).unwrap();
/// assert!((bng.unsigned_area() / exact.unsigned_area() - 1.0).abs() < 1e-9);
/// ```
pub struct Projector {
    wgs84: Proj,
    bng: Proj,
    /// The plane areas are computed in, and its projection unless it is BNG.
    plane: Plane,
    other: Option<Proj>,
    grid: OnceLock<Option<BngGrid>>,
}

/// The plane geometry is projected to and areas are computed in.
///
/// British National Grid for data in Great Britain and Ireland (what
/// notional was built for, with its fast grid); elsewhere a Lambert
/// azimuthal equal-area projection centred on the data, so that areas stay
/// true (Transverse Mercator centred on 2°W is neither equal-area nor sane
/// 70° away).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Plane {
    /// British National Grid (EPSG:27700).
    Bng,
    /// Lambert azimuthal equal-area on the WGS84 ellipsoid, centred on
    /// (`lon`, `lat`) degrees, metres.
    Laea {
        /// Centre longitude, degrees.
        lon: f64,
        /// Centre latitude, degrees.
        lat: f64,
    },
}

impl std::fmt::Display for Plane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Plane::Bng => f.write_str("British National Grid"),
            Plane::Laea { lon, lat } => write!(f, "Lambert azimuthal equal-area centred on {lon:.2}, {lat:.2} (WGS84)"),
        }
    }
}

impl Default for Projector {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Projector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Projector").field("grid", &self.grid.get()).finish_non_exhaustive()
    }
}

impl Projector {
    /// Builds the two projections (cheap; the grid waits for the first
    /// [`to_bng`](Self::to_bng)).
    pub fn new() -> Self {
        Self::with_plane(Plane::Bng)
    }

    /// A projector to `plane`.
    ///
    /// ```
    /// use geo::{polygon, Area, GeodesicArea, MultiPolygon};
    /// use notional::geometry::project::{Plane, Projector};
    /// // A block in Kansas: its area in the equal-area plane is its area on the ellipsoid.
    /// let p = Projector::with_plane(Plane::Laea { lon: -98.0, lat: 38.5 });
    /// let block = MultiPolygon::new(vec![polygon![(x: -98.0, y: 38.5), (x: -97.9, y: 38.5), (x: -97.9, y: 38.6), (x: -98.0, y: 38.6)]]);
    /// let planar = p.to_bng(&block).unwrap().unsigned_area();
    /// assert!((planar / block.geodesic_area_unsigned() - 1.0).abs() < 1e-4);
    /// ```
    pub fn with_plane(plane: Plane) -> Self {
        let other = match plane {
            Plane::Bng => None,
            Plane::Laea { lon, lat } => Some(
                Proj::from_proj_string(&format!("+proj=laea +lat_0={lat} +lon_0={lon} +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"))
                    .expect("valid LAEA definition"),
            ),
        };
        Projector {
            wgs84: Proj::from_proj_string(WGS84).expect("valid WGS84 definition"),
            bng: Proj::from_proj_string(BNG).expect("valid EPSG:27700 definition"),
            plane,
            other,
            grid: OnceLock::new(),
        }
    }

    /// The projector suited to data with this box of longitudes and latitudes:
    /// British National Grid where it lies within [`GRID_REGION`] (or is
    /// unknown), else an equal-area plane centred on it.
    ///
    /// ```
    /// use geo::{coord, Rect};
    /// use notional::geometry::project::{Plane, Projector};
    /// let london = Rect::new(coord! {x: -0.5, y: 51.3}, coord! {x: 0.3, y: 51.7});
    /// assert_eq!(Projector::suited(Some(london)).plane(), Plane::Bng);
    /// let new_york = Rect::new(coord! {x: -74.3, y: 40.5}, coord! {x: -73.7, y: 40.9});
    /// assert_eq!(Projector::suited(Some(new_york)).plane(), Plane::Laea { lon: -74.0, lat: 40.7 });
    /// ```
    pub fn suited(lonlat: Option<Rect<f64>>) -> Self {
        let (w, s, e, n) = GRID_REGION;
        match lonlat {
            Some(r) if !(r.min().x >= w && r.max().x <= e && r.min().y >= s && r.max().y <= n) => {
                let round = |v: f64| (v * 100.0).round() / 100.0;
                let c = r.center();
                Self::with_plane(Plane::Laea { lon: round(c.x), lat: round(c.y) })
            }
            _ => Self::new(),
        }
    }

    /// The plane it projects to.
    pub fn plane(&self) -> Plane {
        self.plane
    }

    /// The projection of the plane.
    fn target(&self) -> &Proj {
        self.other.as_ref().unwrap_or(&self.bng)
    }

    /// Coordinates in `crs` (neither WGS84, which [`to_bng`](Self::to_bng)
    /// takes, nor BNG when the plane is BNG) → the plane, exactly, with the
    /// source's projection `source` ([`source_proj`]).
    fn from_source(&self, source: &Proj, geographic: bool, mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>> {
        let mut out = mp.clone();
        if geographic {
            out.map_coords_in_place(|c| Coord { x: c.x.to_radians(), y: c.y.to_radians() });
        }
        if out.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).flat_map(|r| &r.0).any(|c| !(c.x.is_finite() && c.y.is_finite())) {
            return Err(Error::Mismatch("coordinate transformation failed: non-finite coordinate".into()));
        }
        transform(source, self.target(), &mut Coords(&mut out)).map_err(|e| Error::Mismatch(format!("coordinate transformation failed: {e}")))?;
        Ok(out)
    }

    /// The interpolation grid ([`BngGrid::new`]), built on the first call;
    /// `None` only if it could not be built (then everything is exact).
    ///
    /// ```
    /// use notional::geometry::project::Projector;
    /// let p = Projector::new();
    /// assert!(p.grid().unwrap().error_estimate() < 1e-3);
    /// ```
    pub fn grid(&self) -> Option<&BngGrid> {
        if self.plane != Plane::Bng {
            return None;
        }
        // Sequential inside: a rayon job here could steal a task that waits on this lock.
        self.grid.get_or_init(|| BngGrid::new(self).ok()).as_ref()
    }

    /// One WGS84 point (degrees) → BNG metres, through the grid where it
    /// covers the point, exactly elsewhere.
    ///
    /// ```
    /// use notional::geometry::project::Projector;
    /// let p = Projector::new();
    /// let c = p.point_to_bng(-3.1883, 55.9533).unwrap(); // Edinburgh
    /// assert!((c.x - 325_900.0).abs() < 1_000.0 && (c.y - 673_900.0).abs() < 1_000.0);
    /// assert!(p.point_to_bng(f64::NAN, 55.0).is_err());
    /// ```
    pub fn point_to_bng(&self, lon: f64, lat: f64) -> Result<Coord> {
        self.point_on(self.grid(), Coord { x: lon, y: lat })
    }

    /// [`point_to_bng`](Self::point_to_bng) with the grid already asked for
    /// (the per-vertex loops ask once per geometry).
    #[inline]
    fn point_on(&self, grid: Option<&BngGrid>, c: Coord) -> Result<Coord> {
        match grid.and_then(|g| g.get(c.x, c.y)) {
            Some(p) => Ok(p),
            None => self.fallback(c),
        }
    }

    /// One WGS84 point (degrees) → BNG metres with proj4rs; an error for
    /// non-finite input or where proj4rs fails.
    ///
    /// ```
    /// use notional::geometry::project::Projector;
    /// let p = Projector::new();
    /// let c = p.point_to_bng_exact(-3.1883, 55.9533).unwrap();
    /// let fast = p.point_to_bng(-3.1883, 55.9533).unwrap();
    /// assert!((c.x - fast.x).hypot(c.y - fast.y) < 1e-3);
    /// assert!(p.point_to_bng_exact(0.0, f64::INFINITY).is_err());
    /// ```
    pub fn point_to_bng_exact(&self, lon: f64, lat: f64) -> Result<Coord> {
        if !(lon.is_finite() && lat.is_finite()) {
            return Err(Error::Mismatch(format!("coordinate transformation failed: non-finite coordinate ({lon}, {lat})")));
        }
        let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
        transform(&self.wgs84, self.target(), &mut p).map_err(|e| Error::Mismatch(format!("coordinate transformation failed: {e}")))?;
        Ok(Coord { x: p.0, y: p.1 })
    }

    /// WGS84 lon/lat degrees → BNG metres, through the grid (see
    /// [`point_to_bng`](Self::point_to_bng)); one allocation per ring.
    pub fn to_bng(&self, mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>> {
        match self.grid() {
            Some(grid) => self.to_bng_on(grid, mp),
            None => self.to_bng_exact(mp),
        }
    }

    /// As [`to_bng`](Self::to_bng), overwriting the coordinates of `mp`
    /// instead of building a copy (no allocation). On an error `mp` is left
    /// partly projected.
    ///
    /// ```
    /// use notional::geometry::project::Projector;
    /// use geo::{polygon, MultiPolygon};
    /// let p = Projector::new();
    /// let ll = MultiPolygon::new(vec![polygon![(x: -0.2, y: 51.5), (x: -0.1, y: 51.5), (x: -0.1, y: 51.6)]]);
    /// let mut g = ll.clone();
    /// p.to_bng_in_place(&mut g).unwrap();
    /// assert_eq!(g, p.to_bng(&ll).unwrap());
    /// ```
    pub fn to_bng_in_place(&self, mp: &mut MultiPolygon<f64>) -> Result<()> {
        let grid = self.grid();
        mp.try_map_coords_in_place(|c| self.point_on(grid, c))
    }

    fn to_bng_on(&self, grid: &BngGrid, mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>> {
        let ring = |ls: &LineString<f64>| -> Result<LineString<f64>> {
            let mut out = Vec::with_capacity(ls.0.len());
            for &c in &ls.0 {
                out.push(self.point_on(Some(grid), c)?);
            }
            Ok(LineString(out))
        };
        mp.iter()
            .map(|poly| Ok(Polygon::new(ring(poly.exterior())?, poly.interiors().iter().map(ring).collect::<Result<_>>()?)))
            .collect()
    }

    /// The exact transform for a point the grid does not cover (rare).
    #[cold]
    #[inline(never)]
    fn fallback(&self, c: Coord) -> Result<Coord> {
        self.point_to_bng_exact(c.x, c.y)
    }

    /// WGS84 lon/lat degrees → BNG metres with proj4rs at every vertex (the
    /// reference [`to_bng`](Self::to_bng) is tested against).
    ///
    /// ```
    /// use notional::geometry::project::Projector;
    /// use geo::{polygon, MultiPolygon};
    /// let p = Projector::new();
    /// let far = MultiPolygon::new(vec![polygon![(x: 20.0, y: 10.0), (x: 20.1, y: 10.0), (x: 20.1, y: 10.1)]]);
    /// // Outside the grid, to_bng is the exact transform.
    /// assert_eq!(p.to_bng(&far).unwrap(), p.to_bng_exact(&far).unwrap());
    /// ```
    pub fn to_bng_exact(&self, mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>> {
        mp.try_map_coords(|c| self.point_to_bng_exact(c.x, c.y))
    }

    /// BNG metres → WGS84 lon/lat degrees, exactly (used rarely: to write
    /// BNG inputs out as GeoJSON).
    ///
    /// ```
    /// use notional::geometry::project::Projector;
    /// use geo::{polygon, MultiPolygon};
    /// let p = Projector::new();
    /// let ll = MultiPolygon::new(vec![polygon![(x: -1.5, y: 53.0), (x: -1.4, y: 53.0), (x: -1.4, y: 53.1)]]);
    /// let back = p.to_wgs84(&p.to_bng(&ll).unwrap()).unwrap();
    /// let (a, b) = (ll.0[0].exterior().0[1], back.0[0].exterior().0[1]);
    /// // proj4rs inverts the Helmert shift by negating it: round trips agree to about 1e-8° (1 mm).
    /// assert!((a.x - b.x).abs() < 1e-7 && (a.y - b.y).abs() < 1e-7);
    /// ```
    pub fn to_wgs84(&self, mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>> {
        let mut out = mp.clone();
        transform(&self.bng, &self.wgs84, &mut Coords(&mut out))
            .map_err(|e| Error::Mismatch(format!("coordinate transformation failed: {e}")))?;
        out.map_coords_in_place(|c| Coord { x: c.x.to_degrees(), y: c.y.to_degrees() });
        Ok(out)
    }
}

/// The region [`BngGrid::new`] covers, degrees `(west, south, east, north)`:
/// Great Britain, Northern Ireland (and all of Ireland), the Isle of Man,
/// Scilly, Shetland and the Channel Islands, with a margin. Points outside it
/// are projected exactly.
pub const GRID_REGION: (f64, f64, f64, f64) = (-11.0, 49.0, 3.0, 62.0);

/// The cell size of [`BngGrid::new`], degrees of longitude and latitude
/// (measured maximum error 5 µm, see the [module docs](self)).
pub const GRID_STEP: f64 = 0.25;

/// Largest span a grid may cover, degrees (either way), and most cells.
const MAX_SPAN: f64 = 30.0;
const MAX_CELLS: usize = 200_000;

/// Bicubic coefficients of one cell: `a[q][p]` multiplies `s^p t^q`
/// (`s`, `t` ∈ [0, 1) across the cell), as an (easting, northing) pair.
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Cell {
    a: [[[f64; 2]; 4]; 4],
}

/// An error-controlled approximation of WGS84 lon/lat → British National
/// Grid: the exact transform at the nodes of a regular lon/lat grid and
/// bicubic Hermite interpolation inside each cell (see the
/// [module docs](self) for the method and its error).
///
/// ```
/// use notional::geometry::project::{BngGrid, Projector};
/// let p = Projector::new();
/// let grid = BngGrid::new(&p).unwrap();
/// let (lon, lat) = (-1.2577, 51.7520); // Oxford
/// let fast = grid.get(lon, lat).unwrap();
/// let exact = p.point_to_bng_exact(lon, lat).unwrap();
/// assert!((fast.x - exact.x).hypot(fast.y - exact.y) < 1e-3);
/// assert!(grid.error_estimate() < 1e-3);
/// assert_eq!(grid.get(10.0, 51.0), None); // outside the grid: use the exact transform
/// ```
#[derive(Clone)]
pub struct BngGrid {
    lon0: f64,
    lat0: f64,
    inv_step: f64,
    /// Cells across and up, as `f64` for the range test.
    nx_f: f64,
    ny_f: f64,
    nx: usize,
    cells: Vec<Cell>,
    estimate: f64,
    /// Per cell, `[k][d]`: a bound on |∂(easting, northing)ₖ/∂(lon, lat)_d|
    /// over the cell, metres a degree ([`BngGrid::bound`]).
    slopes: Vec<[[f64; 2]; 2]>,
}

impl std::fmt::Debug for BngGrid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BngGrid")
            .field("west", &self.lon0)
            .field("south", &self.lat0)
            .field("step", &(1.0 / self.inv_step))
            .field("cells", &(self.nx_f, self.ny_f))
            .field("error_estimate", &self.estimate)
            .finish()
    }
}

impl BngGrid {
    /// The grid over [`GRID_REGION`] with cells of [`GRID_STEP`]
    /// (3,477 exact evaluations; about 1.5 ms).
    pub fn new(projector: &Projector) -> Result<Self> {
        Self::with_step(projector, GRID_REGION, GRID_STEP)
    }

    /// A grid over `region` (`(west, south, east, north)`, degrees) with
    /// square cells of `step` degrees; the east and north edges are rounded
    /// up to whole cells. An error for a region wider or taller than 30°, or
    /// one needing more than 200,000 cells: use the exact transform there.
    ///
    /// ```
    /// use notional::geometry::project::{BngGrid, Projector};
    /// let p = Projector::new();
    /// // Halving the step divides the error by about 16 (h⁴).
    /// let coarse = BngGrid::with_step(&p, (-3.0, 51.0, -1.0, 53.0), 0.5).unwrap();
    /// let fine = BngGrid::with_step(&p, (-3.0, 51.0, -1.0, 53.0), 0.25).unwrap();
    /// assert!(fine.error_estimate() < coarse.error_estimate() / 10.0);
    /// assert!(BngGrid::with_step(&p, (-180.0, -80.0, 180.0, 80.0), 1.0).is_err());
    /// ```
    pub fn with_step(projector: &Projector, region: (f64, f64, f64, f64), step: f64) -> Result<Self> {
        let (west, south, east, north) = region;
        let (nx, ny) = ((east - west) / step, (north - south) / step);
        let sane = [west, south, east, north, step].iter().all(|x| x.is_finite())
            && step > 0.0
            && east > west
            && north > south
            && east - west <= MAX_SPAN
            && north - south <= MAX_SPAN
            && nx.ceil() * ny.ceil() <= MAX_CELLS as f64;
        if !sane {
            return Err(Error::Mismatch(format!(
                "no interpolation grid over {region:?} with {step}° cells (at most {MAX_SPAN}° either way and {MAX_CELLS} cells)"
            )));
        }
        let (nx, ny) = (nx.ceil() as usize, ny.ceil() as usize);
        // Exact node values, with a margin of two nodes each side for the
        // fourth-order differences; in one proj4rs call.
        let (w, h) = (nx + 5, ny + 5);
        let mut v: Vec<[f64; 2]> = (0..w * h)
            .map(|n| {
                let lon = west + ((n % w) as f64 - 2.0) * step;
                let lat = south + ((n / w) as f64 - 2.0) * step;
                [lon.to_radians(), lat.to_radians()]
            })
            .collect();
        transform(&projector.wgs84, &projector.bng, &mut Points(&mut v))
            .map_err(|e| Error::Mismatch(format!("coordinate transformation failed: {e}")))?;
        let at = |i: usize, j: usize| v[j * w + i];
        // First derivative by the five-point central difference (error h⁴f⁽⁵⁾/30),
        // and the fourth difference (h⁴f⁗) for the error estimate; in cell units.
        let d1 = |a: [f64; 2], b: [f64; 2], d: [f64; 2], e: [f64; 2]| [0, 1].map(|k| ((a[k] - e[k]) + 8.0 * (d[k] - b[k])) / 12.0);
        let d4 = |a: [f64; 2], b: [f64; 2], c: [f64; 2], d: [f64; 2], e: [f64; 2]| {
            [0, 1].map(|k| ((a[k] + e[k]) - 4.0 * (b[k] + d[k]) + 6.0 * c[k]).abs())
        };
        // Nodes 0..=nx × 0..=ny (offset by the margin in `v`); ∂/∂u also on the margin rows, for ∂²/∂u∂v.
        let (nw, nh) = (nx + 1, ny + 1);
        let mut fu = vec![[0.0f64; 2]; nw * h];
        let (mut e4u, mut e4v) = ([0.0f64; 2], [0.0f64; 2]);
        for j in 0..h {
            for i in 0..nw {
                fu[j * nw + i] = d1(at(i, j), at(i + 1, j), at(i + 3, j), at(i + 4, j));
            }
        }
        let mut fv = vec![[0.0f64; 2]; nw * nh];
        let mut fuv = vec![[0.0f64; 2]; nw * nh];
        for j in 0..nh {
            for i in 0..nw {
                let (vat, uat) = (|dj: usize| at(i + 2, j + dj), |dj: usize| fu[(j + dj) * nw + i]);
                fv[j * nw + i] = d1(vat(0), vat(1), vat(3), vat(4));
                fuv[j * nw + i] = d1(uat(0), uat(1), uat(3), uat(4));
                let hat = |di: usize| at(i + di, j + 2);
                let (du, dv) = (d4(hat(0), hat(1), hat(2), hat(3), hat(4)), d4(vat(0), vat(1), vat(2), vat(3), vat(4)));
                for k in 0..2 {
                    e4u[k] = e4u[k].max(du[k]);
                    e4v[k] = e4v[k].max(dv[k]);
                }
            }
        }
        // Cubic Hermite error ≤ h⁴ max|f⁗| / 384 along each axis; doubled to
        // cover the tensor-product and differenced-derivative terms.
        let estimate = 2.0 * (e4u[0] + e4v[0]).hypot(e4u[1] + e4v[1]) / 384.0;
        let node = |i: usize, j: usize| j * nw + i;
        let f = |i: usize, j: usize| at(i + 2, j + 2);
        let fu_at = |i: usize, j: usize| fu[(j + 2) * nw + i];
        // p(s, t) = Σ a_pq s^p t^q with A = M F Mᵀ (the bicubic Hermite basis in power form).
        const M: [[f64; 4]; 4] = [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [-3.0, 3.0, -2.0, -1.0], [2.0, -2.0, 1.0, 1.0]];
        let mut cells = Vec::with_capacity(nx * ny);
        for j in 0..ny {
            for i in 0..nx {
                let mut cell = Cell { a: [[[0.0; 2]; 4]; 4] };
                for k in 0..2 {
                    // Rows: value at u = 0, 1, then ∂/∂u at u = 0, 1; columns: the same in v.
                    let fm = [
                        [f(i, j)[k], f(i, j + 1)[k], fv[node(i, j)][k], fv[node(i, j + 1)][k]],
                        [f(i + 1, j)[k], f(i + 1, j + 1)[k], fv[node(i + 1, j)][k], fv[node(i + 1, j + 1)][k]],
                        [fu_at(i, j)[k], fu_at(i, j + 1)[k], fuv[node(i, j)][k], fuv[node(i, j + 1)][k]],
                        [fu_at(i + 1, j)[k], fu_at(i + 1, j + 1)[k], fuv[node(i + 1, j)][k], fuv[node(i + 1, j + 1)][k]],
                    ];
                    let mut mf = [[0.0; 4]; 4];
                    for (p, row) in mf.iter_mut().enumerate() {
                        for (q, x) in row.iter_mut().enumerate() {
                            *x = (0..4).map(|r| M[p][r] * fm[r][q]).sum();
                        }
                    }
                    for (p, row) in mf.iter().enumerate() {
                        for (q, mq) in M.iter().enumerate() {
                            cell.a[q][p][k] = row.iter().zip(mq).map(|(x, m)| x * m).sum();
                        }
                    }
                }
                cells.push(cell);
            }
        }
        // In a cell, ∂p/∂s = Σ p·a_pq s^(p−1) t^q with s, t in [0, 1], so
        // Σ p·|a_pq| bounds it (and Σ q·|a_pq| bounds ∂p/∂t); per degree, × 1/step.
        let slopes = cells
            .iter()
            .map(|cell| {
                [0, 1].map(|k| {
                    let (mut ds, mut dt) = (0.0, 0.0);
                    for (q, row) in cell.a.iter().enumerate() {
                        for (p, a) in row.iter().enumerate() {
                            ds += p as f64 * a[k].abs();
                            dt += q as f64 * a[k].abs();
                        }
                    }
                    [ds / step, dt / step]
                })
            })
            .collect();
        Ok(BngGrid { lon0: west, lat0: south, inv_step: 1.0 / step, nx_f: nx as f64, ny_f: ny as f64, nx, cells, estimate, slopes })
    }

    /// A box in BNG metres holding [`get`](Self::get) of every point of
    /// `lonlat` (degrees), without projecting them; `None` unless the grid
    /// covers all of `lonlat`.
    ///
    /// The grid's transform is continuous and piecewise polynomial, so between
    /// the box's centre `c` and any point `q` of it, each output changes by at
    /// most its largest slope along each axis times the distance along that
    /// axis: |x(q) − x(c)| ≤ sup|∂x/∂λ|·|Δλ| + sup|∂x/∂φ|·|Δφ|, the sups over
    /// the cells the box covers, each bounded from its coefficients. A centimetre more
    /// covers rounding (the patches join to about 1e-9 m). The box is wider
    /// than the projected one by the grid convergence, some 10–25% for a
    /// constituency: good for telling which targets lie far from any unit
    /// ([`crate::geometry::reach`]) before projecting them.
    ///
    /// ```
    /// use geo::{coord, Rect};
    /// use notional::geometry::project::{BngGrid, Projector};
    /// let grid = BngGrid::new(&Projector::new()).unwrap();
    /// let lonlat = Rect::new(coord! {x: -1.3, y: 51.7}, coord! {x: -1.2, y: 51.8}); // about Oxford
    /// let b = grid.bound(lonlat).unwrap();
    /// for (lon, lat) in [(-1.3, 51.7), (-1.2, 51.8), (-1.3, 51.8), (-1.25, 51.75)] {
    ///     let p = grid.get(lon, lat).unwrap();
    ///     assert!(b.min().x <= p.x && p.x <= b.max().x && b.min().y <= p.y && p.y <= b.max().y);
    /// }
    /// assert!(b.width() < 1.3 * 6_900.0 && b.height() < 1.3 * 11_100.0); // not much more than the projected box
    /// assert_eq!(grid.bound(Rect::new(coord! {x: 2.0, y: 51.0}, coord! {x: 4.0, y: 52.0})), None); // past 3°E
    /// ```
    pub fn bound(&self, lonlat: Rect<f64>) -> Option<Rect<f64>> {
        let (lo, hi) = (lonlat.min(), lonlat.max());
        let (u0, v0) = ((lo.x - self.lon0) * self.inv_step, (lo.y - self.lat0) * self.inv_step);
        let (u1, v1) = ((hi.x - self.lon0) * self.inv_step, (hi.y - self.lat0) * self.inv_step);
        // Written so that NaN fails it: as `get`, at both corners (u and v rise with lon and lat).
        if !(u0 >= 0.0 && v0 >= 0.0 && u1 < self.nx_f && v1 < self.ny_f) {
            return None;
        }
        let c = self.get(lo.x + (hi.x - lo.x) / 2.0, lo.y + (hi.y - lo.y) / 2.0)?;
        // In range, the truncations are floors (as in `get`).
        let mut slopes = [[0.0f64; 2]; 2];
        for j in v0 as usize..=v1 as usize {
            for cell in &self.slopes[j * self.nx + u0 as usize..=j * self.nx + u1 as usize] {
                for (s, c) in slopes.iter_mut().flatten().zip(cell.iter().flatten()) {
                    *s = s.max(*c);
                }
            }
        }
        // Half the box each way, rounded up a little for the centre's own rounding.
        let (half_lon, half_lat) = ((hi.x - lo.x) * (0.5 + 1e-12), (hi.y - lo.y) * (0.5 + 1e-12));
        let reach = |k: usize| slopes[k][0] * half_lon + slopes[k][1] * half_lat + 0.01;
        let (dx, dy) = (reach(0), reach(1));
        Some(Rect::new(Coord { x: c.x - dx, y: c.y - dy }, Coord { x: c.x + dx, y: c.y + dy }))
    }

    /// The approximate BNG position (metres) of a WGS84 point (degrees), or
    /// `None` outside the grid and for non-finite input.
    ///
    /// ```
    /// use notional::geometry::project::{BngGrid, Projector};
    /// let grid = BngGrid::new(&Projector::new()).unwrap();
    /// let c = grid.get(-2.0, 49.0).unwrap(); // the true origin of the grid
    /// assert!((c.x - 400_000.0).abs() < 150.0 && (c.y + 100_000.0).abs() < 150.0); // OSGB36 vs WGS84
    /// assert_eq!(grid.get(f64::NAN, 51.0), None);
    /// ```
    #[inline]
    pub fn get(&self, lon: f64, lat: f64) -> Option<Coord> {
        let u = (lon - self.lon0) * self.inv_step;
        let v = (lat - self.lat0) * self.inv_step;
        // Written so that NaN fails it.
        if !(u >= 0.0 && v >= 0.0 && u < self.nx_f && v < self.ny_f) {
            return None;
        }
        // In range (so below 2³¹, as `with_step` caps the cells), the truncations are floors.
        let (i, j) = (u as i32, v as i32);
        let (s, t) = (u - f64::from(i), v - f64::from(j));
        let cell = self.cells.get(j as usize * self.nx + i as usize)?;
        // Estrin's scheme on (easting, northing) pairs: short dependency chains,
        // and two-lane SIMD where the target has it.
        let (s2, t2) = (s * s, t * t);
        let h = |c: &[[f64; 2]; 4], x: f64, x2: f64| [0, 1].map(|k| (c[0][k] + c[1][k] * x) + (c[2][k] + c[3][k] * x) * x2);
        let rows = [h(&cell.a[0], s, s2), h(&cell.a[1], s, s2), h(&cell.a[2], s, s2), h(&cell.a[3], s, s2)];
        let r = h(&rows, t, t2);
        Some(Coord { x: r[0], y: r[1] })
    }

    /// An a-priori bound on the position error in metres, from the fourth
    /// differences of the node values: twice `h⁴·max|f⁗|/384` summed over both
    /// axes. The tests check the measured error against it.
    pub fn error_estimate(&self) -> f64 {
        self.estimate
    }
}

/// Adapter: proj4rs transforms a list of points in place.
struct Points<'a>(&'a mut [[f64; 2]]);

impl Transform for Points<'_> {
    fn transform_coordinates<F: TransformClosure>(&mut self, f: &mut F) -> proj4rs::errors::Result<()> {
        for p in self.0.iter_mut() {
            let (x, y, _) = f(p[0], p[1], 0.0)?;
            *p = [x, y];
        }
        Ok(())
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

/// Every feature's geometry in BNG metres, in parallel over features
/// ([`Projector::to_bng`]: the grid, exact outside it). BNG input is copied
/// as is (the layer is borrowed).
///
/// ```
/// use notional::geometry::project::{layer_to_bng, Projector};
/// use notional::geometry::crs::Crs;
/// use notional::read::{read_layer, Input};
/// let text = r#"{"type":"FeatureCollection","features":[
///   {"type":"Feature","properties":{"code":"A"},
///    "geometry":{"type":"Polygon","coordinates":[[[-0.2,51.5],[-0.1,51.5],[-0.1,51.6],[-0.2,51.5]]]}}]}"#;
/// let layer = read_layer(&Input::from_text("a.geojson", text), "code", None).unwrap();
/// let bng = layer_to_bng(&layer, Crs::Wgs84, &Projector::new()).unwrap();
/// assert!((bng[0].0[0].exterior().0[0].x - 524_000.0).abs() < 2_000.0);
/// ```
pub fn layer_to_bng(layer: &Layer, crs: Crs, projector: &Projector) -> Result<Vec<MultiPolygon<f64>>> {
    layer_to_bng_except(layer, crs, projector, &[])
}

/// As [`layer_to_bng`], leaving the features `except` (ascending indices)
/// empty instead of projecting them: for targets no unit can reach
/// ([`crate::geometry::reach`]).
///
/// ```
/// use notional::geometry::project::{layer_to_bng, layer_to_bng_except, Projector};
/// use notional::geometry::crs::Crs;
/// let (_, seats) = notional::demo::inputs();
/// let seats = notional::read::read_layer(&seats, "code", Some("name")).unwrap();
/// let all = layer_to_bng(&seats, Crs::Wgs84, &Projector::new()).unwrap();
/// let some = layer_to_bng_except(&seats, Crs::Wgs84, &Projector::new(), &[0]).unwrap();
/// assert!(some[0].0.is_empty() && some[1..] == all[1..]);
/// ```
pub fn layer_to_bng_except(layer: &Layer, crs: Crs, projector: &Projector, except: &[usize]) -> Result<Vec<MultiPolygon<f64>>> {
    let grid = projector.grid();
    let source = match (crs, projector.plane()) {
        (Crs::Wgs84, _) | (Crs::Bng, Plane::Bng) => None,
        _ => Some(crs.proj().map_err(|e| Error::format(&layer.source_name, e.to_string()))?),
    };
    layer
        .features
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            if except.binary_search(&i).is_ok() {
                return Ok(MultiPolygon::new(Vec::new()));
            }
            let projected = match (crs, grid, &source) {
                (_, _, Some(source)) => projector.from_source(source, crs.is_geographic(), &f.geometry),
                (Crs::Wgs84, Some(grid), None) => projector.to_bng_on(grid, &f.geometry),
                (Crs::Wgs84, None, None) => projector.to_bng_exact(&f.geometry),
                (_, _, None) => return Ok(f.geometry.clone()),
            };
            projected.map_err(|e| feature_error(layer, i, e))
        })
        .collect()
}

/// Each feature's box in BNG metres, sure to hold its geometry as
/// [`layer_to_bng`] projects it, found without projecting it from its box
/// in its own coordinates (`boxes`, [`feature_bounds`]): the grid's
/// [`BngGrid::bound`] of a lon/lat box, a BNG box as it is. `None` for a
/// feature without coordinates, or one the grid does not wholly cover.
///
/// ```
/// use notional::geometry::bbox::geometry_bounds;
/// use notional::geometry::project::{bounds_in_bng, layer_to_bng, Projector};
/// use notional::geometry::crs::{feature_bounds, Crs};
/// let (_, seats) = notional::demo::inputs();
/// let seats = notional::read::read_layer(&seats, "code", Some("name")).unwrap();
/// let p = Projector::new();
/// let projected = layer_to_bng(&seats, Crs::Wgs84, &p).unwrap();
/// for (bound, g) in bounds_in_bng(&feature_bounds(&seats), Crs::Wgs84, &p).into_iter().zip(&projected) {
///     let (bound, exact) = (bound.unwrap(), geometry_bounds(g).unwrap());
///     assert!(bound.min().x <= exact.min().x && exact.max().x <= bound.max().x);
///     assert!(bound.min().y <= exact.min().y && exact.max().y <= bound.max().y);
/// }
/// ```
pub fn bounds_in_bng(boxes: &[Option<Rect<f64>>], crs: Crs, projector: &Projector) -> Vec<Option<Rect<f64>>> {
    match (crs, projector.grid()) {
        (Crs::Bng, _) if projector.plane() == Plane::Bng => boxes.to_vec(),
        (Crs::Wgs84, Some(grid)) => boxes.iter().map(|b| grid.bound((*b)?)).collect(),
        // No bound sure to hold the projected geometry: none is left out unprojected.
        _ => vec![None; boxes.len()],
    }
}

/// The box of `geometry` as [`layer_to_bng`] projects it, without keeping
/// the projected vertices; `None` without coordinates.
///
/// ```
/// use notional::geometry::bbox::geometry_bounds;
/// use notional::geometry::project::{layer_to_bng, projected_bounds, Projector};
/// use notional::geometry::crs::Crs;
/// let (_, seats) = notional::demo::inputs();
/// let seats = notional::read::read_layer(&seats, "code", Some("name")).unwrap();
/// let p = Projector::new();
/// let projected = layer_to_bng(&seats, Crs::Wgs84, &p).unwrap();
/// let b = projected_bounds(&seats.features[0].geometry, Crs::Wgs84, &p).unwrap();
/// assert_eq!(b, geometry_bounds(&projected[0]));
/// ```
pub fn projected_bounds(geometry: &MultiPolygon<f64>, crs: Crs, projector: &Projector) -> Result<Option<Rect<f64>>> {
    let b = super::bbox::geometry_bounds(geometry);
    if (crs == Crs::Bng && projector.plane() == Plane::Bng) || b.is_none() {
        return Ok(b);
    }
    if crs != Crs::Wgs84 {
        let projected = projector.from_source(&crs.proj()?, crs.is_geographic(), geometry)?;
        return Ok(super::bbox::geometry_bounds(&projected));
    }
    let grid = projector.grid();
    let mut out: Option<Rect<f64>> = None;
    for c in geometry.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).flat_map(|r| &r.0) {
        let q = projector.point_on(grid, *c)?;
        out = super::bbox::union_of(out, Some(Rect::new(q, q)));
    }
    Ok(out)
}

/// As [`layer_to_bng`], taking the geometries out of `layer` (left empty,
/// also on an error) and projecting them where they lie
/// ([`Projector::to_bng_in_place`]): no copy, for a layer not needed in its
/// own coordinates afterwards.
///
/// ```
/// use notional::geometry::project::{layer_to_bng, layer_to_bng_in_place, Projector};
/// use notional::geometry::crs::Crs;
/// use notional::read::{read_layer, Input};
/// let text = r#"{"type":"FeatureCollection","features":[
///   {"type":"Feature","properties":{"code":"A"},
///    "geometry":{"type":"Polygon","coordinates":[[[-0.2,51.5],[-0.1,51.5],[-0.1,51.6],[-0.2,51.5]]]}}]}"#;
/// let mut layer = read_layer(&Input::from_text("a.geojson", text), "code", None).unwrap();
/// let copied = layer_to_bng(&layer, Crs::Wgs84, &Projector::new()).unwrap();
/// assert_eq!(layer_to_bng_in_place(&mut layer, Crs::Wgs84, &Projector::new()).unwrap(), copied);
/// assert!(layer.features[0].geometry.0.is_empty());
/// ```
pub fn layer_to_bng_in_place(layer: &mut Layer, crs: Crs, projector: &Projector) -> Result<Vec<MultiPolygon<f64>>> {
    let mut geometries: Vec<MultiPolygon<f64>> =
        layer.features.iter_mut().map(|f| std::mem::replace(&mut f.geometry, MultiPolygon::new(Vec::new()))).collect();
    let layer = &*layer;
    match (crs, projector.plane()) {
        (Crs::Wgs84, _) => {
            geometries.par_iter_mut().enumerate().try_for_each(|(i, g)| projector.to_bng_in_place(g).map_err(|e| feature_error(layer, i, e)))?
        }
        (Crs::Bng, Plane::Bng) => {}
        _ => {
            let source = crs.proj().map_err(|e| Error::format(&layer.source_name, e.to_string()))?;
            geometries.par_iter_mut().enumerate().try_for_each(|(i, g)| {
                *g = projector.from_source(&source, crs.is_geographic(), g).map_err(|e| feature_error(layer, i, e))?;
                Ok::<(), Error>(())
            })?
        }
    }
    Ok(geometries)
}

/// A projection error, placed at feature `i`'s geometry.
fn feature_error(layer: &Layer, i: usize, e: Error) -> Error {
    Error::field(&layer.source_name, layer.place(i), "geometry", e.to_string())
}

/// Every feature's geometry in WGS84 lon/lat, converting BNG input back
/// exactly ([`Projector::to_wgs84`]), in parallel over features.
///
/// ```
/// use notional::geometry::project::{layer_to_wgs84, Projector};
/// use notional::geometry::crs::Crs;
/// use notional::read::{read_layer, Input};
/// let text = r#"{"type":"FeatureCollection","features":[
///   {"type":"Feature","properties":{"code":"A"},
///    "geometry":{"type":"Polygon","coordinates":[[[524000,179000],[525000,179000],[525000,180000],[524000,179000]]]}}]}"#;
/// let layer = read_layer(&Input::from_text("a.geojson", text), "code", None).unwrap();
/// let ll = layer_to_wgs84(&layer, Crs::Bng, &Projector::new()).unwrap();
/// let c = ll[0].0[0].exterior().0[0];
/// assert!((c.x + 0.2).abs() < 0.05 && (c.y - 51.5).abs() < 0.05);
/// ```
pub fn layer_to_wgs84(layer: &Layer, crs: Crs, projector: &Projector) -> Result<Vec<MultiPolygon<f64>>> {
    match crs {
        Crs::Wgs84 => Ok(layer.features.iter().map(|f| f.geometry.clone()).collect()),
        Crs::Bng => layer.features.par_iter().map(|f| projector.to_wgs84(&f.geometry)).collect(),
        Crs::Epsg(_) => {
            let source = crs.proj().map_err(|e| Error::format(&layer.source_name, e.to_string()))?;
            layer
                .features
                .par_iter()
                .enumerate()
                .map(|(i, f)| to_wgs84_from(&source, crs.is_geographic(), &projector.wgs84, &f.geometry).map_err(|e| feature_error(layer, i, e)))
                .collect()
        }
    }
}

/// Geometry in a CRS (projection `source`) → WGS84 degrees, exactly.
fn to_wgs84_from(source: &Proj, geographic: bool, wgs84: &Proj, mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>> {
    let mut out = mp.clone();
    if geographic {
        out.map_coords_in_place(|c| Coord { x: c.x.to_radians(), y: c.y.to_radians() });
    }
    transform(source, wgs84, &mut Coords(&mut out)).map_err(|e| Error::Mismatch(format!("coordinate transformation failed: {e}")))?;
    out.map_coords_in_place(|c| Coord { x: c.x.to_degrees(), y: c.y.to_degrees() });
    Ok(out)
}

//! Boxes: the box around coordinates and geometries, unions of boxes, and
//! the one-comparison `min`/`max` and cell index that box arithmetic uses
//! everywhere. A leaf: it uses nothing else of the crate.

use geo::{Coord, MultiPolygon, Rect};
use rstar::primitives::Rectangle;

/// The box around `coords` (`None` when there are none).
///
/// ```
/// use geo::coord;
/// let b = notional::geometry::bbox::bounds(&[coord! {x: 1., y: 5.}, coord! {x: -2., y: 3.}]).unwrap();
/// assert_eq!((b.min(), b.max()), (coord! {x: -2., y: 3.}, coord! {x: 1., y: 5.}));
/// ```
pub fn bounds(coords: &[Coord<f64>]) -> Option<Rect<f64>> {
    let first = *coords.first()?;
    let (lo, hi) = coords.iter().fold((first, first), |(lo, hi), c| {
        (Coord { x: lesser(lo.x, c.x), y: lesser(lo.y, c.y) }, Coord { x: greater(hi.x, c.x), y: greater(hi.y, c.y) })
    });
    Some(Rect::new(lo, hi))
}

/// The lesser of two finite values, by one comparison (`minsd`): `f64::min`
/// also handles NaN, at several instructions a call. Box arithmetic only
/// meets finite coordinates (the readers refuse the others).
#[inline]
pub(crate) fn lesser(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// The greater of two finite values (see [`lesser`]).
#[inline]
pub(crate) fn greater(a: f64, b: f64) -> f64 {
    if b > a { b } else { a }
}

/// `q.floor().max(0.0) as usize`, a cell index, without a call to libm's
/// `floor` (x86-64's baseline has no instruction for it): the cast truncates,
/// which is the floor of a value not negative, and saturates, taking
/// negative values and NaN to 0. Through i64, one instruction (a cast to
/// u64 takes about a dozen on that baseline); values from 2^63 on give
/// 2^63 − 1, which callers clamp to their grid like any index past its end.
#[inline]
pub(crate) fn floor_index(q: f64) -> usize {
    (q as i64).max(0) as usize
}

/// The box around every ring of `geometry` (`None` when it has none): geo's
/// `bounding_rect`, ring by ring through [`bounds`].
///
/// ```
/// use geo::{polygon, BoundingRect, MultiPolygon};
/// let g = MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 4., y: 1.), (x: 2., y: 3.)], polygon![(x: -1., y: 5.), (x: 0., y: 6.), (x: -2., y: 7.)]]);
/// assert_eq!(notional::geometry::bbox::geometry_bounds(&g), g.bounding_rect());
/// assert_eq!(notional::geometry::bbox::geometry_bounds(&MultiPolygon::new(vec![])), None);
/// ```
pub fn geometry_bounds(geometry: &MultiPolygon<f64>) -> Option<Rect<f64>> {
    geometry.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).filter_map(|r| bounds(&r.0)).reduce(union)
}

/// The box around both `a` and `b`.
///
/// ```
/// use geo::{coord, Rect};
/// let u = notional::geometry::bbox::union(Rect::new(coord! {x: 0., y: 0.}, coord! {x: 1., y: 1.}), Rect::new(coord! {x: 2., y: -1.}, coord! {x: 3., y: 0.}));
/// assert_eq!((u.min(), u.max()), (coord! {x: 0., y: -1.}, coord! {x: 3., y: 1.}));
/// ```
pub fn union(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        Coord { x: lesser(a.min().x, b.min().x), y: lesser(a.min().y, b.min().y) },
        Coord { x: greater(a.max().x, b.max().x), y: greater(a.max().y, b.max().y) },
    )
}

/// The box around both, where either may be missing.
///
/// ```
/// use geo::{coord, Rect};
/// use notional::geometry::bbox::union_of;
/// let r = Rect::new(coord! {x: 0., y: 0.}, coord! {x: 1., y: 1.});
/// assert_eq!(union_of(None, Some(r)), Some(r));
/// assert_eq!(union_of(None, None), None);
/// ```
pub fn union_of(a: Option<Rect<f64>>, b: Option<Rect<f64>>) -> Option<Rect<f64>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(union(a, b)),
        (a, b) => a.or(b),
    }
}

/// An rstar rectangle from a geo rect.
pub fn rect_to_rectangle(r: Rect<f64>) -> Rectangle<[f64; 2]> {
    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y])
}

#[cfg(test)]
mod tests {
    use super::floor_index;

    #[test]
    fn cell_indices_are_floors_not_below_zero() {
        assert_eq!(floor_index(3.99), 3);
        assert_eq!(floor_index(0.0), 0);
        assert_eq!(floor_index(-0.5), 0);
        assert_eq!(floor_index(-1e300), 0);
        assert_eq!(floor_index(f64::NAN), 0);
        assert_eq!(floor_index(4_503_599_627_370_495.0), 4_503_599_627_370_495);
        // Past i64: the largest index, which callers clamp to their grid.
        assert_eq!(floor_index(1e300), i64::MAX as usize);
        assert_eq!(floor_index(f64::INFINITY), i64::MAX as usize);
    }
}

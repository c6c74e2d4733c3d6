//! The fast GeoJSON reader: a FeatureCollection of Polygons and
//! MultiPolygons scanned in parallel straight into geo types ([`stream`]
//! cuts the text into ranges of features and assembles the layer; [`scan`]
//! reads one feature without an intermediate tree). Anything it does not
//! take, it hands back (`None`) to the reference reader, whose messages say
//! what is wrong. Every path here is tested against that reader.

pub(crate) mod scan;
pub(crate) mod stream;

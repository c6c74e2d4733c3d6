//! Repeated property names in a GeoJSON feature (`"con":850,"con":9999`).
//!
//! JSON parsers keep one of the values (serde_json, like Python, the last)
//! without a word; which one the file's author meant cannot be told, so the
//! reader refuses the file instead. The fast reader sees a repeat as it
//! parses and hands the file to the reference reader, which finds the
//! feature with this walk over the text (nothing but keys is kept).

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

/// The first feature (by index) of a FeatureCollection text whose
/// `properties` name a member twice, and that name (tested below).
pub(crate) fn first_repeated_property(text: &str) -> Option<(usize, String)> {
    let mut found = None;
    let mut de = serde_json::Deserializer::from_str(text);
    // Errors are the main parser's to report; here they only end the walk.
    let _ = Collection(&mut found).deserialize(&mut de);
    found
}

type Found<'a> = &'a mut Option<(usize, String)>;

struct Collection<'a>(Found<'a>);
struct Features<'a>(Found<'a>);
struct Feature<'a>(usize, Found<'a>);
struct Properties<'a>(usize, Found<'a>);

impl<'de> DeserializeSeed<'de> for Collection<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Collection<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a FeatureCollection")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "features" && self.0.is_none() {
                map.next_value_seed(Features(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Features<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Features<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of features")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while self.0.is_none() && seq.next_element_seed(Feature(index, &mut *self.0))?.is_some() {
            index += 1;
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Feature<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Feature<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a feature")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "properties" && self.1.is_none() {
                map.next_value_seed(Properties(self.0, &mut *self.1))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Properties<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Properties<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("properties")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(()) // `"properties": null`
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            map.next_value::<IgnoredAny>()?;
            if !seen.insert(key.clone()) && self.1.is_none() {
                *self.1 = Some((self.0, key));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::first_repeated_property;

    #[test]
    fn finds_the_first_feature_with_a_repeated_name() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"code":"A","con":1},"geometry":null},
            {"type":"Feature","properties":null,"geometry":null},
            {"type":"Feature","properties":{"code":"B","con":850,"con":9999},"geometry":null}]}"#;
        assert_eq!(first_repeated_property(text), Some((2, "con".to_string())));
        assert_eq!(first_repeated_property(&text.replace(r#""con":9999"#, r#""lab":9999"#)), None);
        assert_eq!(first_repeated_property("[1, 2"), None);
    }
}

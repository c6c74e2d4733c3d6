use crate::parties::party_key;

/// A map colour for a party, recognised by common names and abbreviations
/// through [`party_key`]; a neutral grey otherwise.
///
/// ```
/// use notional::export::party_colour;
/// assert_eq!(party_colour("Lab"), "#E4003B");
/// assert_eq!(party_colour("Liberal Democrats"), "#FAA61A");
/// assert_eq!(party_colour("RUK"), "#12B6CF");
/// assert_eq!(party_colour("Monster Raving Loony"), "#B0B0B0");
/// ```
pub fn party_colour(party: &str) -> &'static str {
    match party_key(party).as_str() {
        "con" => "#0087DC",
        "lab" => "#E4003B",
        "ld" => "#FAA61A",
        "green" => "#02A95B",
        "snp" => "#FDF38E",
        "pc" => "#005B54",
        "reform" => "#12B6CF",
        "ukip" => "#6D3177",
        "dup" => "#D46A4C",
        "sf" => "#326760",
        "sdlp" => "#2AA82C",
        "uup" => "#48A5EE",
        "apni" => "#F6CB2F",
        "speaker" => "#FFFFFF",
        "ind" => "#DDDDDD",
        _ => "#B0B0B0",
    }
}

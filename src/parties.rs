//! Party names: real files spell the same party many ways ("Lab", "Labour",
//! "Labour Party Candiate", "Labour and Co-operative"). [`party_key`] maps a
//! label to a canonical key so results from different files can be compared.

/// The canonical key of a party label, or the label itself, lower-cased and
/// without punctuation, when it is not recognised.
///
/// Brexit Party and Reform UK share a key: Reform UK is the Brexit Party
/// renamed (January 2021), and the Commons Library compares them as one.
///
/// ```
/// use notional::parties::party_key;
/// assert_eq!(party_key("Lab"), "lab");
/// assert_eq!(party_key("Labour Party Candiate"), "lab");
/// assert_eq!(party_key("Local Conservatives"), "con");
/// assert_eq!(party_key("C"), "con"); // the Local Elections Archive Project's code
/// assert_eq!(party_key("Liberal Democrats"), "ld");
/// assert_eq!(party_key("BRX"), party_key("RUK"));
/// assert_eq!(party_key("Conservative and Unionist Party"), "con");
/// assert_eq!(party_key("Christian Peoples Alliance"), "christianpeoplesalliance");
/// assert_eq!(party_key("LIB"), "lib"); // the Liberal Party, not the Liberal Democrats
/// assert_eq!(party_key("All other candidates"), "oth");
/// assert_eq!(party_key("Monster Raving Loony"), "monsterravingloony");
/// ```
pub fn party_key(label: &str) -> String {
    let key = squash(label);
    known_key(&key).map_or(key.clone(), str::to_string)
}

/// Whether `label` names a party the alias table knows (so a column so named
/// holds votes, whatever is in it).
///
/// ```
/// use notional::parties::is_known;
/// assert!(is_known("Lab") && is_known("Liberal Democrats") && is_known("All other candidates"));
/// assert!(!is_known("ward") && !is_known("Christian Peoples Alliance"));
/// ```
pub fn is_known(label: &str) -> bool {
    known_key(&squash(label)).is_some()
}

/// A label lower-cased, without punctuation or spaces.
fn squash(label: &str) -> String {
    label.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase()
}

/// The canonical key of a squashed label, if the alias table knows it.
fn known_key(k: &str) -> Option<&'static str> {
    let canonical = if k.contains("conservative") || matches!(k, "con" | "tory" | "cons" | "c") {
        "con"
    } else if k.contains("labour") || matches!(k, "lab" | "labcoop") {
        "lab"
    } else if k.contains("liberaldemocrat") || matches!(k, "ld" | "libdem" | "libdems") {
        "ld"
    } else if k.contains("green") || matches!(k, "grn" | "gp") {
        "green"
    } else if k.contains("scottishnational") || k == "snp" {
        "snp"
    } else if k.contains("plaid") || k == "pc" {
        "pc"
    } else if k.contains("brexit") || k.contains("reform") || matches!(k, "brx" | "ruk" | "ref") {
        "reform"
    } else if k.contains("democraticunionist") || k == "dup" {
        "dup"
    } else if k.contains("sinnfein") || k == "sf" {
        "sf"
    } else if k.contains("socialdemocraticandlabour") || k == "sdlp" {
        "sdlp"
    } else if k.contains("ulsterunionist") || k == "uup" {
        "uup"
    } else if k.starts_with("allianceparty") || matches!(k, "alliance" | "apni") {
        "apni"
    } else if matches!(k, "ind" | "independent" | "independents") {
        "ind"
    } else if k == "speaker" || k == "spk" {
        "speaker"
    } else if matches!(k, "oth" | "other" | "others" | "allothercandidates") {
        "oth"
    } else {
        return None;
    };
    Some(canonical)
}

/// A map colour for a party, recognised by common names and abbreviations
/// (case and punctuation ignored); a neutral grey otherwise.
///
/// ```
/// use notional::export::party_colour;
/// assert_eq!(party_colour("Lab"), "#E4003B");
/// assert_eq!(party_colour("Liberal Democrats"), "#FAA61A");
/// assert_eq!(party_colour("Monster Raving Loony"), "#B0B0B0");
/// ```
pub fn party_colour(party: &str) -> &'static str {
    let key: String = party.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    match key.as_str() {
        "con" | "conservative" | "conservatives" | "conservativeparty" | "tory" => "#0087DC",
        "lab" | "labour" | "labourparty" | "labourcoop" | "labcoop" => "#E4003B",
        "ld" | "lib" | "libdem" | "libdems" | "liberaldemocrat" | "liberaldemocrats" => "#FAA61A",
        "green" | "greens" | "grn" | "gp" | "greenparty" => "#02A95B",
        "snp" | "scottishnationalparty" => "#FDF38E",
        "pc" | "plaid" | "plaidcymru" => "#005B54",
        "brx" | "brexit" | "brexitparty" | "reform" | "reformuk" | "ruk" | "ref" => "#12B6CF",
        "ukip" => "#6D3177",
        "dup" => "#D46A4C",
        "sf" | "sinnfein" => "#326760",
        "sdlp" => "#2AA82C",
        "uup" => "#48A5EE",
        "apni" | "alliance" | "all" => "#F6CB2F",
        "spk" | "speaker" => "#FFFFFF",
        "ind" | "independent" => "#DDDDDD",
        _ => "#B0B0B0",
    }
}

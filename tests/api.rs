//! The data-in API: layers and votes built in memory give what the same data
//! read from files gives.

use notional::apportion::{apportion, apportion_layers, Options};
use notional::export::{crosswalk_csv, ledger_csv, results_csv};
use notional::progress::Silent;
use notional::read::{read_layer, Layer, VoteTable};

fn outputs(o: &notional::apportion::Outcome) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let (mut r, mut c, mut l) = (Vec::new(), Vec::new(), Vec::new());
    results_csv(&o.results, &[], &mut r).unwrap();
    crosswalk_csv(&o.crosswalk, &o.unit_ids(), &o.target_ids(), &mut c).unwrap();
    ledger_csv(&o.votes, &o.crosswalk, &o.unit_ids(), &mut l).unwrap();
    (r, c, l)
}

/// A layer rebuilt from the parts of one read from a file.
fn rebuilt(layer: &Layer, with_names: bool) -> Layer {
    let ids = layer.features.iter().map(|f| f.id.clone()).collect();
    let names = with_names.then(|| layer.features.iter().map(|f| f.name.clone().unwrap_or_default()).collect());
    let geometries = layer.features.iter().map(|f| f.geometry.clone()).collect();
    Layer::from_parts(&layer.source_name, ids, names, geometries, layer.crs_member.as_deref()).unwrap()
}

#[test]
fn the_demo_in_memory_gives_what_its_files_give() {
    let (wards, seats) = notional::demo::inputs();
    let options = Options::default();
    let from_files = apportion(&wards, &seats, None, &options, &Silent).unwrap();

    let units = read_layer(&wards, "code", None).unwrap();
    let targets = read_layer(&seats, "code", Some("name")).unwrap();
    let read = VoteTable::from_properties(&units, "code", None).unwrap();
    let columns = read
        .parties()
        .iter()
        .enumerate()
        .map(|(j, p)| (p.clone(), (0..read.len()).map(|u| read.row(u)[j]).collect()))
        .collect();
    let electorate = read.has_electorate().then(|| (0..read.len()).map(|u| read.row(u)[read.width() - 1]).collect());
    let votes = VoteTable::from_columns(columns, electorate).unwrap();
    let in_memory = apportion_layers(rebuilt(&units, false), rebuilt(&targets, true), votes, &options, &Silent).unwrap();

    assert_eq!(outputs(&from_files), outputs(&in_memory));
    assert_eq!(from_files.summary().votes_in, in_memory.summary().votes_in);
}

#[test]
fn votes_of_the_wrong_length_are_refused() {
    let (wards, seats) = notional::demo::inputs();
    let units = read_layer(&wards, "code", None).unwrap();
    let targets = read_layer(&seats, "code", Some("name")).unwrap();
    let votes = VoteTable::from_columns(vec![("lab".into(), vec![1, 2])], None).unwrap();
    let err = apportion_layers(units, targets, votes, &Options::default(), &Silent).err().unwrap();
    assert!(err.to_string().contains("units but 2 rows of votes"), "{err}");
}

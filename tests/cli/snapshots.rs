//! Snapshots of representative queries against the seed post, in JSON and
//! in text without colour: exit code, stdout and stderr. Review changes
//! with `cargo insta review`; CI fails on any mismatch.

use crate::harness::TestEnv;

/// Query arguments, named for their snapshot.
const JSON_QUERIES: &[(&str, &[&str])] = &[
    ("medias_sociaux", &["médias sociaux"]),
    ("medias_without_accent", &["medias"]),
    ("narcissiques", &["narcissiques"]),
    ("phrase_sourde_oreille", &["\"sourde oreille\""]),
    ("authenticite_finds_authentique", &["authenticité"]),
    ("insecurite_without_accents", &["insecurite"]),
    ("dirigeant_singular", &["dirigeant", "--limit", "5"]),
    ("elided_information", &["l'information"]),
    ("comment_posted_twice", &["LinkedIn"]),
    ("author_milouse", &["--author", "milouse"]),
    ("kind_comment_person", &["kind:comment", "Enderlin"]),
    (
        "required_and_excluded",
        &["+cadres -dirigeants", "--limit", "5"],
    ),
    ("publiee_finds_publie", &["publiée"]),
    ("homogeneise", &["homogénéisé"]),
    (
        "phrase_and_word",
        &["\"médias sociaux\" Twitter", "--limit", "3"],
    ),
    ("person_deming_hill", &["Deming Hill"]),
    ("pingback_kind", &["--kind", "pingback"]),
    ("context_seven_arguments", &["arguments", "--limit", "3"]),
    (
        "speed_and_costs",
        &["vitesse réduction coûts", "--limit", "3"],
    ),
    ("bio_rennes", &["Rennes Bretagne"]),
    ("no_hit", &["ornithorynque"]),
    ("typo_narcisique", &["narcisique"]),
    ("typo_dirigents", &["dirigents", "--limit", "3"]),
    ("prefix_homogen", &["homogen*"]),
    ("completion_last_word", &["médias soc", "--limit", "3"]),
    (
        "phrase_with_slop",
        &["\"médias sociaux\"~2", "--kind", "bio"],
    ),
];

#[test]
fn json_results_of_representative_queries() {
    let env = TestEnv::seed_indexed();
    for (name, args) in JSON_QUERIES {
        let mut all = vec!["search", "--json", "--no-refresh"];
        all.extend_from_slice(args);
        let run = env.run(&all);
        insta::assert_snapshot!(format!("json_{name}"), run.transcript());
    }
}

const TEXT_QUERIES: &[(&str, &[&str])] = &[
    ("medias_sociaux", &["médias sociaux", "--limit", "4"]),
    ("comment_posted_twice", &["LinkedIn"]),
    ("phrase_sourde_oreille", &["\"sourde oreille\""]),
    ("dash_items_stay_together", &["TIC"]),
];

#[test]
fn text_results_of_representative_queries() {
    let env = TestEnv::seed_indexed();
    for (name, args) in TEXT_QUERIES {
        let mut all = vec!["search", "--color", "never", "--no-refresh"];
        all.extend_from_slice(args);
        let run = env.run(&all);
        insta::assert_snapshot!(format!("text_{name}"), run.transcript());
    }
}

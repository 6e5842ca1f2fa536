//! SCORM 2004 navigation with exit and post-condition rules, retries and random draws, worked
//! by hand through the golf samples of the corpus (simple remediation, random test) as their
//! manifests describe them; and on SQLite and PostgreSQL, the same through the run-time: a
//! retry sets the replaced attempt aside, the learner's memory is kept, the exit settles the
//! item, and an instructor's reset forgets it all.

use crate::support::{self, ClassSpec};
use lyceum::db_test;
use lyceum::scorm::manifest;
use lyceum::scorm::model::Structure;
use lyceum::scorm::navigation::{self, Move, Outcome};
use lyceum::scorm::sequencing::{Activity, Availability, Learner, Memory, Report, evaluate};
use std::collections::BTreeMap;

fn sample(name: &str) -> Option<Structure> {
    let root = support::corpus("scorm")?;
    let bytes = std::fs::read(root.join("scorm2004").join(name).join("imsmanifest.xml")).ok()?;
    Some(manifest::parse(&manifest::decode(&bytes)).unwrap())
}

/// A learner's SCO reports by identifier, with what sequencing remembers for them.
#[derive(Clone, Default)]
pub(crate) struct Run {
    pub(crate) reports: BTreeMap<String, Report>,
    pub(crate) memory: Memory,
    pub(crate) seed: u64,
}

impl Run {
    fn activities<'s>(&self, s: &'s Structure) -> Vec<Activity<'s>> {
        s.items
            .iter()
            .map(|i| Activity {
                identifier: &i.identifier,
                depth: i.depth,
                leaf: i.launch.is_some(),
                sequencing: &i.sequencing,
                report: self.reports.get(&i.identifier).cloned().unwrap_or_default(),
            })
            .collect()
    }

    fn learner(&self) -> Learner {
        Learner {
            memory: self.memory.clone(),
            seed: self.seed,
        }
    }

    pub(crate) fn state(&self, s: &Structure) -> Availability {
        evaluate(&self.activities(s), &s.sequencing, &self.learner())
    }

    /// The SCO ends with `completed` and `satisfied` (a new attempt on it when it was set aside).
    fn report(&mut self, sco: &str, completed: bool, satisfied: Option<bool>) {
        let attempts = self.reports.get(sco).map_or(0, |r| r.attempts);
        self.reports.insert(
            sco.to_string(),
            Report {
                attempts: attempts.max(1),
                completed: Some(completed),
                satisfied,
                measure: satisfied.map(|s| if s { 0.9 } else { 0.4 }),
                ..Report::default()
            },
        );
    }

    /// The learner leaves `from` asking for `request`; the run keeps what the server would.
    fn leave(&mut self, s: &Structure, from: &str, request: &str) -> Outcome {
        let outcome = navigation::request(
            &self.activities(s),
            &s.sequencing,
            &self.learner(),
            from,
            request,
        );
        for sco in &outcome.set_aside {
            self.reports.remove(sco);
        }
        self.memory = outcome.memory.clone();
        outcome
    }
}

fn deliver(id: &str) -> Move {
    Move::Deliver(id.to_string())
}

/// Simple remediation: flow only; content and tests whose objective is met are skipped; the
/// last test exits the wrapper, which retries until every objective is met, then exits all.
#[test]
fn simple_remediation_retries_the_wrapper_until_every_objective_is_met() {
    let Some(s) = sample("SequencingSimpleRemediation_SCORM20043rdEdition") else {
        return;
    };
    let mut run = Run::default();
    let fresh = run.state(&s);
    assert_eq!(
        fresh.order,
        [
            "playing_item",
            "etuqiette_item",
            "handicapping_item",
            "havingfun_item",
            "test_1",
            "test_2",
            "test_3",
            "test_4"
        ]
    );
    assert!(fresh.part("test_4").unwrap().ruled, "the wrapper has rules");
    for (sco, next) in [
        ("playing_item", "etuqiette_item"),
        ("etuqiette_item", "handicapping_item"),
        ("handicapping_item", "havingfun_item"),
        ("havingfun_item", "test_1"),
    ] {
        run.report(sco, true, None);
        assert_eq!(run.leave(&s, sco, "continue").next, deliver(next));
    }
    // Three tests passed, the fourth failed.
    for (sco, next) in [
        ("test_1", "test_2"),
        ("test_2", "test_3"),
        ("test_3", "test_4"),
    ] {
        run.report(sco, true, Some(true));
        assert_eq!(run.leave(&s, sco, "continue").next, deliver(next));
    }
    run.report("test_4", true, Some(false));
    let retried = run.leave(&s, "test_4", "continue");
    // Exit parent, then retry: everything is set aside, and the mastered content and tests
    // are skipped through the global objectives, which outlive the attempts that wrote them.
    assert_eq!(retried.next, deliver("havingfun_item"));
    assert_eq!(retried.set_aside.len(), 8);
    assert_eq!(retried.memory.retries.get("content_wrapper"), Some(&1));
    let again = run.state(&s);
    assert!(again.part("playing_item").unwrap().skipped);
    assert!(again.part("test_1").unwrap().skipped);
    assert!(!again.part("test_4").unwrap().skipped);
    assert_ne!(again.completed, Some(true));
    run.report("havingfun_item", true, None);
    assert_eq!(
        run.leave(&s, "havingfun_item", "continue").next,
        deliver("test_4"),
        "the passed tests are passed over"
    );
    run.report("test_4", true, Some(true));
    assert_eq!(run.leave(&s, "test_4", "continue").next, Move::Exit);
    // Every objective met: the skipped tests are not required for completion (ifNotSkipped).
    let done = run.state(&s);
    assert_eq!((done.completed, done.satisfied), (Some(true), Some(true)));
}

/// Random test: two attempts at the post-test, each a test drawn at random from four; a failed
/// test retries the post-test with another draw, a pass or a second failure exits all.
#[test]
fn the_random_test_draws_a_test_per_attempt_and_allows_two() {
    let Some(s) = sample("SequencingRandomTest_SCORM20043rdEdition") else {
        return;
    };
    let tests = ["test_1", "test_2", "test_3", "test_4"];
    let content = [
        "playing_item",
        "etuqiette_item",
        "handicapping_item",
        "havingfun_item",
    ];
    let studied = |seed: u64| {
        let mut run = Run {
            seed,
            ..Run::default()
        };
        for sco in content {
            run.report(sco, true, None);
        }
        run
    };
    // Each learner gets the tests in an order of their own, the same every time it is asked.
    let firsts: std::collections::BTreeSet<String> = (0..16)
        .map(|seed| studied(seed).state(&s).order[4].clone())
        .collect();
    assert!(firsts.len() > 1, "the order is shuffled: {firsts:?}");
    let mut run = studied(7);
    let order = run.state(&s).order;
    assert_eq!(order, run.state(&s).order);
    assert_eq!(&order[..4], content);
    let first = order[4].clone();
    assert!(tests.contains(&first.as_str()));
    assert_eq!(
        run.leave(&s, "havingfun_item", "continue").next,
        deliver(&first)
    );

    // The first test failed: exit parent, then a retry with a new draw.
    run.report(&first, true, Some(false));
    let retried = run.leave(&s, &first, "continue");
    assert_eq!(retried.set_aside, vec![first.clone()]);
    assert_eq!(retried.memory.retries.get("posttest_item"), Some(&1));
    let Move::Deliver(second) = retried.next else {
        panic!("a second test: {:?}", retried.next);
    };
    assert!(tests.contains(&second.as_str()));
    assert_eq!(run.state(&s).order[4], second);
    assert!(!run.state(&s).part("posttest_item").unwrap().disabled);

    // Failed again: the limit of two is reached, everything exits, and the course is
    // completed (not passed); the post-test is closed.
    let mut failed = run.clone();
    failed.report(&second, true, Some(false));
    assert_eq!(failed.leave(&s, &second, "continue").next, Move::Exit);
    let over = failed.state(&s);
    assert_eq!((over.completed, over.satisfied), (Some(true), Some(false)));
    assert!(over.part("posttest_item").unwrap().disabled);

    // Passed instead: exit all, completed and passed.
    run.report(&second, true, Some(true));
    assert_eq!(run.leave(&s, &second, "continue").next, Move::Exit);
    let passed = run.state(&s);
    assert_eq!(
        (passed.completed, passed.satisfied),
        (Some(true), Some(true))
    );
    assert!(passed.part("posttest_item").unwrap().disabled);
}

db_test!(
    a_retry_sets_the_attempt_aside_and_the_exit_settles_the_item,
    |state| {
        use lyceum::scorm::runtime;
        let c = support::class(&state, ClassSpec::default()).await;
        let sample = "scorm2004/SequencingRandomTest_SCORM20043rdEdition";
        let Some(item) = crate::scorm::golf_item(&state, &c, "Golf, random test", sample).await
        else {
            return;
        };
        let ada = c.learners[0].clone();
        let end = |sco: &str, success: &str| {
            let sco = sco.to_string();
            let success = success.to_string();
            let state = state.clone();
            let ada = ada.clone();
            async move {
                runtime::launch(&state, &ada, item, &sco).await.unwrap();
                let changes: BTreeMap<String, String> = [
                    ("cmi.completion_status", "completed"),
                    ("cmi.success_status", success.as_str()),
                ]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
                runtime::commit(&state, &ada, item, &sco, 1, &changes, true)
                    .await
                    .unwrap();
            }
        };
        for sco in [
            "playing_item",
            "etuqiette_item",
            "handicapping_item",
            "havingfun_item",
        ] {
            end(sco, "unknown").await;
        }
        let open = runtime::availability(&state, &ada, item).await.unwrap();
        let first = open.order[4].clone();
        assert_eq!(
            runtime::navigate(&state, &ada, item, "havingfun_item", "continue")
                .await
                .unwrap(),
            Move::Deliver(first.clone())
        );
        end(&first, "failed").await;
        let Move::Deliver(second) = runtime::navigate(&state, &ada, item, &first, "continue")
            .await
            .unwrap()
        else {
            panic!("a second test");
        };
        // The failed attempt is kept on record, and the next launch of it starts afresh.
        let fresh = runtime::launch(&state, &ada, item, &first).await.unwrap();
        assert_eq!(fresh.launch.entry, "ab-initio");
        let done = || async {
            lyceum::completion::store::completed_items(&state.db, c.course_id, ada.id)
                .await
                .unwrap()
        };
        assert!(done().await.is_empty());
        end(&second, "failed").await;
        assert_eq!(
            runtime::navigate(&state, &ada, item, &second, "continue")
                .await
                .unwrap(),
            Move::Exit
        );
        // Two attempts used: the package is completed, and the item with it.
        assert_eq!(done().await, vec![item]);
        let over = runtime::availability(&state, &ada, item).await.unwrap();
        assert!(over.part("posttest_item").unwrap().disabled);
        // Staff move by flow alone and keep nothing.
        assert_eq!(
            runtime::navigate(&state, &c.teacher, item, "havingfun_item", "continue")
                .await
                .unwrap(),
            Move::Deliver("test_1".into())
        );
        // An instructor's reset forgets what sequencing kept: the post-test opens again once
        // the content is done.
        lyceum::scorm::report::reset(&state, &c.teacher, item, ada.id)
            .await
            .unwrap();
        let reset = runtime::availability(&state, &ada, item).await.unwrap();
        assert!(
            reset.part("posttest_item").unwrap().disabled,
            "content first"
        );
        assert_ne!(reset.completed, Some(true));
    }
);

//! Closing validation (every field named) and follow-up template rendering.

use super::*;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn today() -> Date {
    d("2026-06-10")
}

fn good() -> CloseInput {
    CloseInput {
        checkpoint: "reached".into(),
        evidence: "Said the walk-away number out loud.".into(),
        followup: "Hi Ana, well done.".into(),
        tasks: vec![TaskInput {
            title: "Send the counter".into(),
            due: "2026-06-12".into(),
        }],
    }
}

#[test]
fn checkpoint_results_round_trip_with_labels() {
    let labels: Vec<(&str, &str)> = CheckpointResult::ALL
        .iter()
        .map(|c| (c.as_str(), c.label()))
        .collect();
    assert_eq!(
        labels,
        vec![
            ("reached", "Yes"),
            ("partly", "Partly"),
            ("not_reached", "No")
        ]
    );
    for c in CheckpointResult::ALL {
        assert_eq!(CheckpointResult::parse(c.as_str()), Some(c));
    }
    assert_eq!(CheckpointResult::parse("yes"), None);
}

#[test]
fn a_good_closing_validates() {
    let c = good().validate(today()).unwrap();
    assert_eq!(c.checkpoint, CheckpointResult::Reached);
    assert_eq!(
        c.tasks,
        vec![Task {
            title: "Send the counter".into(),
            due: d("2026-06-12"),
        }]
    );
}

#[test]
fn every_bad_field_is_named() {
    let e = CloseInput {
        checkpoint: "maybe".into(),
        evidence: " ".into(),
        followup: "x".repeat(FOLLOWUP_MAX + 1),
        tasks: vec![
            TaskInput {
                title: String::new(),
                due: "2026-06-09".into(),
            },
            TaskInput {
                title: "ok".into(),
                due: "10/06/2026".into(),
            },
            TaskInput {
                title: "line\nbreak".into(),
                due: "2027-06-11".into(),
            },
            TaskInput {
                title: "fourth".into(),
                due: "2026-06-10".into(),
            },
        ],
    }
    .validate(today())
    .err()
    .unwrap_or_default();
    assert_eq!(e.get("checkpoint"), Some("choose Yes, Partly or No"));
    assert_eq!(e.get("evidence"), Some("is required"));
    assert_eq!(e.get("followup"), Some("must be at most 10000 characters"));
    assert_eq!(e.get("tasks"), Some("must have at most 3 tasks"));
    assert_eq!(e.get("tasks.0.title"), Some("is required"));
    assert_eq!(e.get("tasks.0.due"), Some("is in the past"));
    assert!(e.get("tasks.1.title").is_none());
    assert_eq!(e.get("tasks.1.due"), Some("must be a date (YYYY-MM-DD)"));
    assert_eq!(e.get("tasks.2.title"), Some("must be a single line"));
    assert_eq!(e.get("tasks.2.due"), Some("must be within 365 days"));
    assert!(e.get("tasks.3.due").is_none());
    assert_eq!(e.0.len(), 9);
}

#[test]
fn evidence_is_bounded_at_500_and_due_dates_at_today_and_a_year() {
    let at = |evidence: String, due: &str| {
        CloseInput {
            evidence,
            tasks: vec![TaskInput {
                title: "t".into(),
                due: due.into(),
            }],
            ..good()
        }
        .validate(today())
    };
    assert!(at("e".repeat(500), "2026-06-10").is_ok());
    assert!(at("e".repeat(500), "2027-06-10").is_ok());
    let e = at("e".repeat(501), "2027-06-11").err().unwrap_or_default();
    assert!(e.get("evidence").is_some());
    assert!(e.get("tasks.0.due").is_some());
    assert!(at("e".into(), "2026-06-10T09:00").is_err());
    assert!(at("e".into(), "2026-02-30").is_err());
}

#[test]
fn no_tasks_is_fine() {
    let c = CloseInput {
        tasks: vec![],
        checkpoint: "not_reached".into(),
        ..good()
    };
    assert_eq!(
        c.validate(today()).unwrap().checkpoint,
        CheckpointResult::NotReached
    );
}

fn ctx() -> FollowupContext {
    FollowupContext {
        mentee: "Ana".into(),
        mentor: "Maya".into(),
        sku: "45-min negotiation clinic".into(),
        checkpoint: "Has a walk-away number".into(),
        artifacts: vec!["Worksheet".into(), "Script".into()],
        next_steps: vec![
            Task {
                title: "Send the counter".into(),
                due: d("2026-06-12"),
            },
            Task {
                title: "Rehearse".into(),
                due: d("2026-06-11"),
            },
        ],
    }
}

#[test]
fn placeholders_are_filled_and_unknown_ones_kept() {
    let out = render_followup(
        "Hi {{mentee}}, {{ sku }} / {{session}} aimed at {{checkpoint}}.\n{{artifacts}}\n{{next_steps}}\n{{unknown}} {{mentor}}",
        &ctx(),
    );
    assert_eq!(
        out,
        "Hi Ana, 45-min negotiation clinic / 45-min negotiation clinic aimed at Has a walk-away number.\n\
         - Worksheet\n- Script\n\
         - Send the counter (by 2026-06-12)\n- Rehearse (by 2026-06-11)\n\
         {{unknown}} Maya"
    );
}

#[test]
fn values_are_not_expanded_again_and_unclosed_braces_stay() {
    let c = FollowupContext {
        mentee: "{{mentor}}".into(),
        ..ctx()
    };
    assert_eq!(
        render_followup("Hi {{mentee}} {{mentor", &c),
        "Hi {{mentor}} {{mentor"
    );
    assert_eq!(render_followup("no placeholders", &c), "no placeholders");
    assert_eq!(render_followup("{{}}x", &c), "{{}}x");
}

#[test]
fn empty_lists_say_none() {
    let c = FollowupContext {
        artifacts: vec![],
        next_steps: vec![],
        ..ctx()
    };
    assert_eq!(
        render_followup("{{artifacts}}|{{next_steps}}", &c),
        "- none|- none"
    );
}

#[test]
fn a_blank_template_uses_the_default() {
    let out = render_followup("  \n", &ctx());
    assert_eq!(out, render_followup(DEFAULT_FOLLOWUP_TEMPLATE, &ctx()));
    assert!(out.starts_with("Hi Ana,"));
    assert!(out.contains("- Send the counter (by 2026-06-12)"));
    assert!(out.ends_with("— Maya"));
    assert!(!out.contains("{{"));
}

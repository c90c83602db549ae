//! Metrics on known data: gains, mini-wins, Wilson intervals, the public threshold, progress.

use super::*;

fn lv(n: i64) -> Option<Level> {
    Some(Level::parse(n).unwrap())
}

fn close(a: (f64, f64), b: (f64, f64)) -> bool {
    (a.0 - b.0).abs() < 1e-3 && (a.1 - b.1).abs() < 1e-3
}

fn outcome(
    id: i64,
    mentee: i64,
    competency: i64,
    day: i64,
    checkpoint: CheckpointResult,
    baseline: Option<Level>,
    followup: Option<Level>,
) -> SessionOutcome {
    SessionOutcome {
        booking_id: BookingId(id),
        mentor_id: UserId(100),
        mentee_id: UserId(mentee),
        sku_id: SkuId(1),
        competency_id: CompetencyId(competency),
        closed_at: Timestamp::from_second(1_780_000_000 + day * 86_400).unwrap(),
        checkpoint,
        baseline,
        followup,
        tasks_total: 2,
        tasks_done: u32::try_from(id % 3).unwrap(),
    }
}

#[test]
fn every_metric_has_a_plain_definition() {
    for name in [
        "skill gain",
        "mini-win",
        "mini-win rate",
        "mean gain",
        "Wilson interval",
        "sample size",
    ] {
        assert!(
            definition(name).is_some_and(|d| d.len() > 20),
            "{name} undefined"
        );
    }
    assert_eq!(
        definition("skill gain"),
        Some(
            "follow-up level minus baseline level, on the competency's 1–5 rubric; only when both were taken"
        )
    );
    assert_eq!(definition("nps"), None);
}

#[test]
fn gain_needs_both_assessments() {
    assert_eq!(skill_gain(lv(2), lv(4)), Some(2));
    assert_eq!(skill_gain(lv(4), lv(3)), Some(-1));
    assert_eq!(skill_gain(lv(3), lv(3)), Some(0));
    assert_eq!(skill_gain(None, lv(3)), None);
    assert_eq!(skill_gain(lv(3), None), None);
}

#[test]
fn mini_win_is_checkpoint_reached_or_a_level_gained() {
    use CheckpointResult::*;
    assert!(is_mini_win(Reached, None));
    assert!(is_mini_win(Reached, Some(-1)));
    assert!(is_mini_win(Partly, Some(1)));
    assert!(is_mini_win(NotReached, Some(2)));
    assert!(!is_mini_win(Partly, Some(0)));
    assert!(!is_mini_win(NotReached, None));
    assert!(!is_mini_win(Partly, Some(-2)));
}

#[test]
fn wilson_interval_on_known_data() {
    let i = wilson_interval(8, 10).unwrap();
    assert!(close(i, (0.490, 0.943)), "{i:?}");
    let i = wilson_interval(0, 5).unwrap();
    assert!(close(i, (0.0, 0.434)), "{i:?}");
    assert!(i.0 >= 0.0);
    let i = wilson_interval(5, 5).unwrap();
    assert!(close(i, (0.566, 1.0)), "{i:?}");
    assert!(i.1 <= 1.0);
    let i = wilson_interval(3, 6).unwrap();
    assert!(close(i, (0.188, 0.812)), "{i:?}");
    assert_eq!(wilson_interval(0, 0), None);
    assert_eq!(wilson_interval(3, 2), None);
}

fn sample() -> Vec<SessionOutcome> {
    use CheckpointResult::*;
    vec![
        // win (checkpoint), gain 1
        outcome(1, 7, 1, 0, Reached, lv(2), lv(3)),
        // win (gain 2)
        outcome(2, 7, 1, 10, NotReached, lv(1), lv(3)),
        // no win, gain -1
        outcome(3, 8, 1, 5, Partly, lv(4), lv(3)),
        // win (checkpoint), no follow-up
        outcome(4, 8, 2, 3, Reached, lv(2), None),
        // no win, nothing measured
        outcome(5, 7, 2, 1, Partly, None, None),
        // no win, gain 0
        outcome(6, 9, 2, 2, NotReached, lv(3), lv(3)),
    ]
}

#[test]
fn stats_on_known_data() {
    let s = OutcomeStats::of(&sample());
    assert_eq!(s.sessions, 6);
    assert_eq!(s.mini_wins, 3);
    assert_eq!(s.mini_win_rate, Some(0.5));
    assert!(close(s.interval.unwrap(), (0.188, 0.812)));
    assert_eq!(s.gains_measured, 4);
    assert_eq!(s.mean_gain, Some(0.5)); // (1 + 2 - 1 + 0) / 4
    assert_eq!(s.checkpoints_reached, 2);
    assert_eq!(s.tasks_total, 12);
    assert_eq!(s.tasks_done, 6); // ids 1..=6 modulo 3
}

#[test]
fn no_sessions_means_no_rates() {
    let s = OutcomeStats::of(&[]);
    assert_eq!(s.sessions, 0);
    assert_eq!(s.mini_win_rate, None);
    assert_eq!(s.interval, None);
    assert_eq!(s.mean_gain, None);
}

#[test]
fn stats_are_hidden_below_five_sessions() {
    let all = sample();
    assert_eq!(public_stats(&all[..4]), None);
    let five = public_stats(&all[..5]).unwrap();
    assert_eq!(five.sessions, 5);
    assert_eq!(five.mini_wins, 3);
    assert!(public_stats(&all).is_some());
}

#[test]
fn progress_is_per_competency_in_time_order_and_only_the_mentees() {
    let p = CompetencyProgress::of(UserId(7), &sample());
    assert_eq!(p.len(), 2);
    let first = &p[0];
    assert_eq!(first.competency_id, CompetencyId(1));
    let points: Vec<(i64, AssessmentKind, i64)> = first
        .points
        .iter()
        .map(|x| (x.booking_id.0, x.kind, x.level.get()))
        .collect();
    assert_eq!(
        points,
        vec![
            (1, AssessmentKind::Baseline, 2),
            (1, AssessmentKind::Followup, 3),
            (2, AssessmentKind::Baseline, 1),
            (2, AssessmentKind::Followup, 3),
        ]
    );
    assert!(first.points.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(first.sessions, 2);
    assert_eq!(first.mini_wins, 2);
    assert_eq!(first.checkpoints_reached, 1);
    assert_eq!((first.tasks_done, first.tasks_total), (1 + 2, 4));
    assert_eq!(first.latest(), lv(3));
    let second = &p[1];
    assert_eq!(second.competency_id, CompetencyId(2));
    assert!(second.points.is_empty());
    assert_eq!((second.sessions, second.mini_wins), (1, 0));
    assert_eq!(second.latest(), None);
    assert!(CompetencyProgress::of(UserId(99), &sample()).is_empty());
}

#[test]
fn progress_orders_sessions_by_close_time_not_input_order() {
    use CheckpointResult::*;
    let later = outcome(1, 7, 1, 9, Reached, lv(4), None);
    let earlier = outcome(2, 7, 1, 1, Partly, lv(2), None);
    let p = CompetencyProgress::of(UserId(7), &[later, earlier]);
    let levels: Vec<i64> = p[0].points.iter().map(|x| x.level.get()).collect();
    assert_eq!(levels, vec![2, 4]);
    assert_eq!(p[0].latest(), lv(4));
}

#[test]
fn tallies_of_alike_sessions_give_the_figures_of_the_sessions_one_by_one() {
    let l = |n| Level::parse(n).ok();
    let mut sessions = Vec::new();
    let kinds = [
        (CheckpointResult::Reached, l(2), l(3)),
        (CheckpointResult::NotReached, l(2), l(4)),
        (CheckpointResult::NotReached, l(3), l(3)),
        (CheckpointResult::Partly, None, l(2)),
        (CheckpointResult::Reached, None, None),
    ];
    for (i, (c, b, f)) in kinds.iter().cycle().take(23).enumerate() {
        let mut o = outcome(i as i64, 1, 1, i as i64, *c, *b, *f);
        o.tasks_total = (i % 3) as u32;
        o.tasks_done = (i % 2) as u32 * o.tasks_total;
        sessions.push(o);
    }
    // The same sessions folded by kind, as the database counts them.
    let mut tallies: Vec<OutcomeTally> = Vec::new();
    for o in &sessions {
        let t = OutcomeTally::from(o);
        match tallies.iter_mut().find(|x| {
            (x.checkpoint, x.baseline, x.followup) == (t.checkpoint, t.baseline, t.followup)
        }) {
            Some(x) => {
                x.sessions += 1;
                x.tasks_total += t.tasks_total;
                x.tasks_done += t.tasks_done;
            }
            None => tallies.push(t),
        }
    }
    assert_eq!(tallies.len(), kinds.len());
    assert_eq!(
        OutcomeStats::of_tallies(tallies),
        OutcomeStats::of(&sessions)
    );
}

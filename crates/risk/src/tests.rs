//! The model on synthetic histories: it finds a planted cause and says so by AUC and
//! calibration on later held-out sessions; it finds nothing where there is nothing; it is
//! never fitted below the minimum.

use super::*;
use crate::synthetic::{history, planted_probability};
use stint_domain::risk::Risk;

fn at() -> Timestamp {
    "2026-01-05T00:00:00Z".parse().unwrap()
}

#[test]
fn a_planted_cause_is_found_on_held_out_sessions() {
    let sessions = history(4000, 7, true, at());
    let e = evaluate(&sessions, at()).unwrap();
    assert_eq!((e.trained_on, e.held_out), (3200, 800));
    // The planted probabilities themselves rank the held-out sessions this well; the
    // model, fitted on other sessions, must come close.
    let truth: Vec<(f64, bool)> = sessions[3200..]
        .iter()
        .map(|s| (planted_probability(s), s.no_show))
        .collect();
    let best = auc(&truth).unwrap();
    assert!(
        e.auc > 0.70,
        "AUC {:.3} (the truth scores {best:.3})",
        e.auc
    );
    assert!(e.auc > best - 0.05, "AUC {:.3} against {best:.3}", e.auc);
    // Calibrated: in every fifth of the held-out sessions, the mean prediction is within
    // 7 points of what happened.
    assert_eq!(e.calibration.len(), 5);
    for bin in &e.calibration {
        assert!(
            (bin.predicted - bin.observed).abs() < 0.07,
            "predicted {:.3}, observed {:.3}",
            bin.predicted,
            bin.observed
        );
    }
    assert!(e.calibration[4].observed > 2.0 * e.calibration[0].observed);
}

#[test]
fn nothing_is_found_where_nothing_was_planted() {
    let sessions = history(4000, 11, false, at());
    let e = evaluate(&sessions, at()).unwrap();
    assert!((e.auc - 0.5).abs() < 0.07, "AUC {:.3}", e.auc);
    let model = train(&sessions, at()).unwrap();
    // With no cause, every session scores near the 8 % base rate: never high risk.
    for s in &sessions[..400] {
        let r = model.risk(s);
        assert!((0.04..0.14).contains(&r.probability), "{}", r.probability);
        assert_ne!(r.level, Risk::High);
    }
}

#[test]
fn trained_weights_point_the_planted_way() {
    let model = train(&history(4000, 3, true, at()), at()).unwrap();
    // Prep done and baseline taken lower the risk; past no-shows and an early slot raise it.
    assert!(model.weights[1] < 0.0 && model.weights[2] < 0.0);
    assert!(model.weights[3] > 0.0);
    assert!(model.weights[0] > 0.0);
    assert_eq!((model.sessions, model.trained_at), (4000, at()));
}

#[test]
fn no_model_below_the_minimum_of_data() {
    let few = history(MIN_SESSIONS - 1, 5, true, at());
    assert!(matches!(
        train(&few, at()),
        Err(TrainError::TooLittle { sessions, .. }) if sessions == MIN_SESSIONS - 1
    ));
    let mut rare = history(1000, 5, true, at());
    for s in rare.iter_mut().skip(MIN_NO_SHOWS - 1) {
        s.no_show = false;
    }
    assert!(matches!(
        train(&rare, at()),
        Err(TrainError::TooLittle { no_shows, .. }) if no_shows < MIN_NO_SHOWS
    ));
}

#[test]
fn auc_counts_ties_half_and_needs_both_kinds() {
    assert_eq!(auc(&[(0.1, false), (0.9, true)]), Some(1.0));
    assert_eq!(auc(&[(0.9, false), (0.1, true)]), Some(0.0));
    assert_eq!(auc(&[(0.5, false), (0.5, true)]), Some(0.5));
    assert_eq!(
        auc(&[(0.1, false), (0.4, true), (0.5, false), (0.8, true)]),
        Some(0.75)
    );
    assert_eq!(auc(&[(0.5, true)]), None);
}

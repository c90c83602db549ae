//! Judging a model on sessions it was not trained on: the history is split in time (the
//! first 80 % trains, the last 20 % is scored, as the model will be used: on what comes
//! next), then AUC says how well it ranks and the calibration table whether its
//! probabilities mean what they say.

use crate::{TrainError, train};
use jiff::Timestamp;
use stint_domain::risk::{CalibrationBin, Evaluation, SessionFacts};

/// The share of the history, oldest first, a model is trained on when it is evaluated.
const TRAIN_SHARE: f64 = 0.8;
/// Calibration bins: held-out sessions in equal groups by predicted probability.
const BINS: usize = 5;

/// Trains on the earlier sessions and scores the later ones.
pub fn evaluate(sessions: &[SessionFacts], now: Timestamp) -> Result<Evaluation, TrainError> {
    let mut ordered: Vec<&SessionFacts> = sessions.iter().collect();
    ordered.sort_by_key(|s| (s.start, s.booking));
    let cut = ((ordered.len() as f64) * TRAIN_SHARE).round() as usize;
    let (earlier, later) = ordered.split_at(cut.min(ordered.len()));
    let earlier: Vec<SessionFacts> = earlier.iter().map(|s| (*s).clone()).collect();
    let model = train(&earlier, now)?;
    let scored: Vec<(f64, bool)> = later
        .iter()
        .map(|s| (model.risk(s).probability, s.no_show))
        .collect();
    let held_out_no_shows = scored.iter().filter(|(_, y)| *y).count();
    let auc = auc(&scored).ok_or(TrainError::TooLittle {
        sessions: scored.len(),
        no_shows: held_out_no_shows,
    })?;
    Ok(Evaluation {
        trained_on: earlier.len(),
        held_out: scored.len(),
        held_out_no_shows,
        auc,
        calibration: calibration(&scored),
    })
}

/// The area under the ROC curve of `(score, no_show)` pairs (Mann–Whitney, ties counted
/// half); `None` without both kinds of session.
pub fn auc(scored: &[(f64, bool)]) -> Option<f64> {
    let mut sorted: Vec<(f64, bool)> = scored.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = sorted.iter().filter(|(_, y)| *y).count();
    let negatives = sorted.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    // Sum of the positives' ranks (1-based, ties given their mean rank).
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j < sorted.len() && sorted[j].0 == sorted[i].0 {
            j += 1;
        }
        let mean_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += mean_rank * sorted[i..j].iter().filter(|(_, y)| *y).count() as f64;
        i = j;
    }
    let p = positives as f64;
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * negatives as f64))
}

/// `scored` in [`BINS`] equal groups by predicted probability: each group's range, mean
/// prediction and observed rate.
pub fn calibration(scored: &[(f64, bool)]) -> Vec<CalibrationBin> {
    let mut sorted: Vec<(f64, bool)> = scored.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = sorted.len();
    (0..BINS)
        .filter_map(|b| {
            let group = &sorted[b * n / BINS..(b + 1) * n / BINS];
            let first = group.first()?;
            let last = group.last()?;
            let len = group.len() as f64;
            Some(CalibrationBin {
                lowest: first.0,
                highest: last.0,
                sessions: group.len(),
                predicted: group.iter().map(|(p, _)| p).sum::<f64>() / len,
                observed: group.iter().filter(|(_, y)| *y).count() as f64 / len,
            })
        })
        .collect()
}

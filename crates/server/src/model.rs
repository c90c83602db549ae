//! `stint model`: the no-show risk model from the command line. `evaluate` trains on the
//! earlier 80 % of past sessions and prints how it scores the later 20 % (AUC and a
//! calibration table); `train` does what the daily `insights.risk` job does, now.

use std::io::Write;
use stint_app::App;
use stint_app::insights::risk::{self, TrainError, Trained};
use stint_domain::risk::Evaluation;

pub async fn evaluate(app: &App, out: &mut impl Write) -> anyhow::Result<()> {
    match risk::evaluate(app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        Ok(e) => Ok(write_evaluation(&e, out)?),
        Err(TrainError::TooLittle { sessions, no_shows }) => anyhow::bail!(
            "too little history to evaluate: the earlier 80% of past sessions (trained on) has {sessions} sessions with {no_shows} no-shows, and a model needs {} and {}",
            risk::MIN_SESSIONS,
            risk::MIN_NO_SHOWS
        ),
        Err(e) => anyhow::bail!("{e}"),
    }
}

pub async fn train(app: &App, out: &mut impl Write) -> anyhow::Result<()> {
    match risk::retrain(app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        Trained::Model(m) => {
            writeln!(
                out,
                "Trained on {} sessions ({} no-shows); sessions are scored with it from now.",
                m.sessions, m.no_shows
            )?;
            if let Some(e) = &m.evaluation {
                write_evaluation(e, out)?;
            }
        }
        Trained::TooLittle { sessions, no_shows } => writeln!(
            out,
            "Too little history: {sessions} sessions with {no_shows} no-shows (a model needs {} and {}). No session is scored.",
            risk::MIN_SESSIONS,
            risk::MIN_NO_SHOWS
        )?,
    }
    Ok(())
}

/// The evaluation as a person reads it.
pub fn write_evaluation(e: &Evaluation, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "Trained on the {} earlier sessions, scored on the {} later ones ({} no-shows).",
        e.trained_on, e.held_out, e.held_out_no_shows
    )?;
    writeln!(
        out,
        "AUC {:.3} (0.5 is chance; 1 scores every no-show above every held session)",
        e.auc
    )?;
    writeln!(
        out,
        "\nCalibration: the held-out sessions in five equal groups by predicted risk"
    )?;
    writeln!(
        out,
        "{:>17}  {:>8}  {:>9}  {:>8}",
        "predicted range", "sessions", "predicted", "observed"
    )?;
    for b in &e.calibration {
        writeln!(
            out,
            "{:>7.1}% – {:>5.1}%  {:>8}  {:>8.1}%  {:>7.1}%",
            b.lowest * 100.0,
            b.highest * 100.0,
            b.sessions,
            b.predicted * 100.0,
            b.observed * 100.0
        )?;
    }
    Ok(())
}

//! The worst notes known for the Markdown renderer, 20 KB each: nested quotes, nested lists,
//! and long runs of brackets, emphasis, code and HTML. Prints each one's time (best of five)
//! and the worst, against the goal of 10 ms. Run: `cargo bench -p stint-app --bench markdown`.

use std::time::Instant;

const SIZE: usize = 20 * 1024;
const GOAL_MS: f64 = 10.0;

fn repeat_to(piece: &str) -> String {
    piece.repeat(SIZE / piece.len())
}

fn main() {
    let cases = [
        ("nested quotes on one line", repeat_to(">")),
        ("nested quotes, a line each", {
            let mut s = String::new();
            let mut depth = 1;
            while s.len() < SIZE {
                s.push_str(&">".repeat(depth));
                s.push_str(" x\n");
                depth += 1;
            }
            s
        }),
        ("nested lists on one line", repeat_to("- ")),
        ("nested ordered lists", repeat_to("1. ")),
        ("quotes and lists mixed", repeat_to("> - ")),
        ("open brackets", repeat_to("[")),
        ("link openers", repeat_to("[a](")),
        ("emphasis runs", repeat_to("*a **")),
        ("underscores", repeat_to("_a __")),
        ("backticks", repeat_to("`a ``")),
        ("html openers", repeat_to("<a ")),
        ("table pipes", repeat_to("|a")),
        (
            "ordinary prose",
            repeat_to(
                "A plain sentence about a negotiation, with **one** [link](https://example.com).\n",
            ),
        ),
    ];
    let mut worst: (f64, &str) = (0.0, "");
    for (name, input) in &cases {
        let mut best = f64::MAX;
        for _ in 0..5 {
            let started = Instant::now();
            let html = stint_app::markdown::to_safe_html(input);
            best = best.min(started.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(html);
        }
        println!(
            "markdown: {name:<28} {:>6} bytes  {best:>8.2} ms",
            input.len()
        );
        if best > worst.0 {
            worst = (best, name);
        }
    }
    println!(
        "markdown: worst {:.2} ms ({}) against a goal of {GOAL_MS} ms: {}",
        worst.0,
        worst.1,
        if worst.0 <= GOAL_MS { "met" } else { "MISSED" }
    );
}

//! The contribution framework: recognition a mentor earns from what they did, counted the
//! same way for everyone and shown as a level on their profile with what each level asks.
//! There is no ranking between mentors: a level says what one mentor has done, never who did
//! more. Pure: the counts come in.

use serde::{Deserialize, Serialize};

/// What a mentor has contributed, all time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contributions {
    /// Sessions held and closed.
    pub delivered: u32,
    /// Closed sessions whose checkpoint was reached.
    pub mini_wins: u32,
    /// Closed within a day of their end.
    pub closed_on_time: u32,
    /// Reviews mentees wrote of them.
    pub reviews: u32,
    /// Posts and replies in their circles.
    pub circle_posts: u32,
}

impl Contributions {
    /// The share of closed sessions closed on time, 0 to 100 (100 with none closed).
    pub fn on_time_percent(&self) -> u32 {
        (self.closed_on_time.min(self.delivered) * 100)
            .checked_div(self.delivered)
            .unwrap_or(100)
    }
}

/// A level and what it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    pub name: &'static str,
    pub meaning: &'static str,
    pub delivered: u32,
    pub mini_wins: u32,
    pub on_time_percent: u32,
    pub reviews: u32,
    pub circle_posts: u32,
}

/// The levels, first to last.
pub const LEVELS: [Level; 4] = [
    Level {
        name: "Vetted mentor",
        meaning: "Approved by Stint's reviewers after an application and a sample session plan.",
        delivered: 0,
        mini_wins: 0,
        on_time_percent: 0,
        reviews: 0,
        circle_posts: 0,
    },
    Level {
        name: "Established",
        meaning: "Has delivered 10 sessions and closed at least 80% of them within a day.",
        delivered: 10,
        mini_wins: 0,
        on_time_percent: 80,
        reviews: 0,
        circle_posts: 0,
    },
    Level {
        name: "Proven",
        meaning: "30 sessions, 10 of them ending with the checkpoint reached, 85% closed within a day, and 3 reviews from mentees.",
        delivered: 30,
        mini_wins: 10,
        on_time_percent: 85,
        reviews: 3,
        circle_posts: 0,
    },
    Level {
        name: "Mentor of mentors",
        meaning: "75 sessions, 25 mini-wins, 90% closed within a day, 8 reviews, and 10 posts or replies helping other mentors in a circle.",
        delivered: 75,
        mini_wins: 25,
        on_time_percent: 90,
        reviews: 8,
        circle_posts: 10,
    },
];

impl Level {
    /// What `c` still lacks for this level, in words; empty when it is reached.
    pub fn missing(&self, c: &Contributions) -> Vec<String> {
        let mut out = Vec::new();
        let mut more = |have: u32, need: u32, what: &str| {
            if have < need {
                out.push(format!("{} more {what}", need - have));
            }
        };
        more(c.delivered, self.delivered, "sessions delivered");
        more(c.mini_wins, self.mini_wins, "mini-wins");
        more(c.reviews, self.reviews, "reviews");
        more(c.circle_posts, self.circle_posts, "circle posts or replies");
        if c.on_time_percent() < self.on_time_percent {
            out.push(format!(
                "{}% of sessions closed within a day (now {}%)",
                self.on_time_percent,
                c.on_time_percent()
            ));
        }
        out
    }
}

/// The highest level `c` has reached (levels build on each other), and its index.
pub fn level_of(c: &Contributions) -> (usize, &'static Level) {
    let mut reached = 0;
    for (i, l) in LEVELS.iter().enumerate() {
        if l.missing(c).is_empty() {
            reached = i;
        } else {
            break;
        }
    }
    (reached, &LEVELS[reached])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_earned_in_order_and_say_what_is_missing() {
        let new = Contributions::default();
        assert_eq!(level_of(&new).1.name, "Vetted mentor");
        let busy = Contributions {
            delivered: 12,
            closed_on_time: 11,
            ..Contributions::default()
        };
        assert_eq!(level_of(&busy).1.name, "Established");
        let late = Contributions {
            delivered: 12,
            closed_on_time: 6,
            ..Contributions::default()
        };
        assert_eq!(level_of(&late).1.name, "Vetted mentor");
        assert_eq!(
            LEVELS[1].missing(&late),
            vec!["80% of sessions closed within a day (now 50%)".to_string()]
        );
        // Circle help alone lifts no one past the levels before it.
        let helper = Contributions {
            circle_posts: 50,
            ..Contributions::default()
        };
        assert_eq!(level_of(&helper).0, 0);
        let top = Contributions {
            delivered: 80,
            mini_wins: 30,
            closed_on_time: 75,
            reviews: 9,
            circle_posts: 12,
        };
        assert_eq!(level_of(&top).1.name, "Mentor of mentors");
        assert_eq!(
            LEVELS[2].missing(&busy),
            vec![
                "18 more sessions delivered",
                "10 more mini-wins",
                "3 more reviews"
            ]
        );
    }
}

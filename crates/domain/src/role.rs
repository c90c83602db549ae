//! Roles an account may hold; one account may hold several.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Mentee,
    Mentor,
    SponsorAdmin,
    Operator,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Mentee,
        Role::Mentor,
        Role::SponsorAdmin,
        Role::Operator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Mentee => "mentee",
            Role::Mentor => "mentor",
            Role::SponsorAdmin => "sponsor_admin",
            Role::Operator => "operator",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Mentee => "Mentee",
            Role::Mentor => "Mentor",
            Role::SponsorAdmin => "Sponsor admin",
            Role::Operator => "Operator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s || (s == "sponsor" && *r == Role::SponsorAdmin))
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_name() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("sponsor"), Some(Role::SponsorAdmin));
        assert_eq!(Role::parse("admin"), None);
    }
}

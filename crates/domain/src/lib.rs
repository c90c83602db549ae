//! Stint's domain: the words of the product as types, and the rules over them.
//!
//! Nothing here does I/O, awaits, or reads the clock: time arrives as a parameter
//! (see [`clock::Clock`]) so every rule can be tested at any instant.

pub mod access;
pub mod account;
pub mod application;
pub mod booking;
pub mod catalog;
pub mod chat;
pub mod circle;
pub mod clock;
pub mod contribution;
pub mod credential;
pub mod erasure;
pub mod experiment;
pub mod ids;
pub mod insights;
pub mod ledger;
pub mod load;
pub mod mentor;
pub mod nudge;
pub mod outcome;
pub mod pilot;
pub mod retention;
pub mod review;
pub mod risk;
pub mod role;
pub mod schedule;
pub mod sponsor;
pub mod standing;
pub mod validate;
pub mod value;

pub use validate::FieldErrors;

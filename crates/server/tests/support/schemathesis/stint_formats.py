"""Generators for the string formats Stint's OpenAPI document names beyond JSON Schema's own
(the document's description says what each means), so Schemathesis's schema-valid requests
are valid in the server's eyes too and its positive-data check can hold the server to them.
Loaded through SCHEMATHESIS_HOOKS by crates/server/tests/openapi_fuzz.rs."""

import schemathesis
from hypothesis import strategies as st

# Printable characters that are neither control characters nor white space, which the server
# trims away (Rust's `trim` is Unicode White_Space: categories Zs, Zl, Zp and some Cc).
_WORD = st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=12,
)
_LINE = st.lists(_WORD, min_size=1, max_size=8).map(" ".join)

# One line of text: no line breaks or control characters, nothing to trim.
schemathesis.openapi.format("line", _LINE)
# Text that may span lines.
schemathesis.openapi.format("text", st.lists(_LINE, min_size=1, max_size=4).map("\n".join))
# Zones every tz database has (the server resolves names with its bundled one).
schemathesis.openapi.format(
    "iana-time-zone",
    st.sampled_from(
        [
            "UTC",
            "Europe/Berlin",
            "Europe/London",
            "America/New_York",
            "America/Sao_Paulo",
            "Asia/Kolkata",
            "Asia/Tokyo",
            "Australia/Lord_Howe",
            "Pacific/Chatham",
            "Africa/Nairobi",
        ]
    ),
)
# A password the policy takes: several words and a number, never a common password.
_WORDS = ["amber", "harbor", "violet", "granite", "meadow", "lantern", "copper", "orbit", "thistle", "quartz"]
schemathesis.openapi.format(
    "passphrase",
    st.tuples(
        st.lists(st.sampled_from(_WORDS), min_size=3, max_size=5),
        st.integers(min_value=10, max_value=9999),
    ).map(lambda t: " ".join(t[0]) + f" {t[1]}"),
)

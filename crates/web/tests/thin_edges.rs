//! The edges stay thin: no API or page handler reaches storage except through a use case
//! of `stint_app`. (`AppState` holds no store and the application's store is private to it,
//! so this mostly guards against a store being smuggled back in.)

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.map(|e| e.path()).unwrap_or_default();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_handler_calls_the_store() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for part in ["api", "pages", "auth"] {
        rust_files(&src.join(part), &mut files);
    }
    files.push(src.join("state.rs"));
    files.push(src.join("lib.rs"));
    assert!(files.len() > 20, "the handlers were found: {}", files.len());
    let forbidden = [
        ".store.",
        ".store\n",
        "stint_store::Store",
        "dyn Store",
        "StoreError",
    ];
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let line_nl = format!("{line}\n");
            if forbidden.iter().any(|f| line_nl.contains(f)) && !line.trim_start().starts_with("//")
            {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "handlers must call a use case of stint_app, not the store:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_application_crate_knows_no_http() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap_or_default();
    assert!(text.contains("stint-app"), "read {}", manifest.display());
    for http in ["axum", "askama", "stint-web"] {
        assert!(
            !text.lines().any(|l| {
                let key = l.trim_start().split([' ', '.', '=']).next();
                key == Some(http)
            }),
            "crates/app must not depend on {http}"
        );
    }
}

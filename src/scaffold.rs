//! `genk8s init [DIR]`: a commented starter platform that builds as-is.
//!
//! The JSON Schemas editors validate against are written into the platform folder
//! (`schema/`), from this binary: no repository URL to keep in step, and the schema is
//! always the one of the genk8s that builds the platform.

use crate::Error;
use std::path::Path;

const FILES: &[(&str, &str)] = &[
    ("platform.yaml", include_str!("../templates/init/platform.yaml")),
    ("environments/dev.yaml", include_str!("../templates/init/environments/dev.yaml")),
    ("environments/staging.yaml", include_str!("../templates/init/environments/staging.yaml")),
    ("environments/prod.yaml", include_str!("../templates/init/environments/prod.yaml")),
];

/// Writes the starter platform into `dir`, named after the folder; refuses to overwrite.
pub fn init(dir: &Path) -> Result<Vec<String>, Error> {
    let abs = std::path::absolute(dir).map_err(|e| Error::Output(format!("cannot resolve {}: {e}", dir.display())))?;
    let raw = abs.file_name().and_then(|n| n.to_str()).unwrap_or("my-platform").to_ascii_lowercase();
    let mut name: String = raw.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    name = name.trim_matches('-').chars().take(40).collect();
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name = format!("p-{name}");
    }
    for (file, _) in FILES {
        if dir.join(file).exists() {
            return Err(Error::Usage(format!(
                "{} exists; genk8s init writes only into a folder without a platform",
                dir.join(file).display()
            )));
        }
    }
    let schemas = [
        ("schema/platform.schema.json", crate::schema::to_text(&crate::schema::platform())),
        ("schema/overlay.schema.json", crate::schema::to_text(&crate::schema::overlay())),
    ];
    let files = FILES.iter().map(|(f, t)| (*f, t.replace("PLATFORM_NAME", &name))).chain(schemas);
    let mut written = Vec::new();
    for (file, text) in files {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::Output(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::Output(format!("cannot write {}: {e}", path.display())))?;
        written.push(path.display().to_string());
    }
    Ok(written)
}

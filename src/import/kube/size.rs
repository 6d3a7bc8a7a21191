//! Sizes for the import's summary: lines of YAML structure, not counting blank
//! lines, comments, document markers or the content of block scalars (config
//! files held in ConfigMaps are data, counted on neither side).

/// Lines of YAML structure in `text`.
pub fn structure_lines(text: &str) -> usize {
    let mut n = 0;
    // Indentation of the line that opened the block scalar being skipped.
    let mut block: Option<usize> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        let indent = line.len() - line.trim_start().len();
        if let Some(open) = block {
            if trimmed.is_empty() || indent > open {
                continue;
            }
            block = None;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed == "---" {
            continue;
        }
        n += 1;
        let value = trimmed.split(" #").next().unwrap_or(trimmed).trim_end();
        if ["|", "|-", "|+", ">", ">-", ">+"].iter().any(|m| value.ends_with(&format!(" {m}")) || value == *m) {
            block = Some(indent);
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_scalars_comments_and_markers_are_not_structure() {
        let text =
            "# c\napiVersion: v1\n---\ndata:\n  a.yaml: |\n    x: 1\n\n    y: 2\n  b: c\nlist:\n- |-\n  text\n- d\n";
        assert_eq!(structure_lines(text), 7);
    }
}

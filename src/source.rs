//! Source files and positions: every value genk8s reads keeps a [`Span`] that
//! points back to the file, line and column it came from.

use std::fmt;
use std::path::{Path, PathBuf};

/// Index of a file inside a [`SourceMap`].
pub type FileId = u32;

/// A position in a source file (line and column are 1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub line: u32,
    pub col: u32,
}

impl Span {
    pub fn new(file: FileId, line: usize, col: usize) -> Span {
        Span { file, line: line.max(1) as u32, col: col.max(1) as u32 }
    }
}

/// One file read by genk8s: its path as shown to users and its text.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

/// All files of one run, so diagnostics can show the offending line.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, path: &Path, text: String) -> FileId {
        self.files.push(SourceFile { path: path.to_path_buf(), text });
        (self.files.len() - 1) as FileId
    }

    /// The path of every file, by file id.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|f| f.path.as_path())
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id as usize]
    }

    /// The text of a 1-based line of a file, without its line break.
    pub fn line(&self, span: Span) -> Option<&str> {
        let f = self.files.get(span.file as usize)?;
        f.text.lines().nth(span.line as usize - 1)
    }

    pub fn locate(&self, span: Span) -> Location<'_> {
        Location { map: self, span }
    }
}

/// `file:line:col`, for messages.
pub struct Location<'a> {
    map: &'a SourceMap,
    span: Span,
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.map.files.get(self.span.file as usize);
        let path = file.map(|f| f.path.display().to_string()).unwrap_or_default();
        write!(f, "{}:{}:{}", path, self.span.line, self.span.col)
    }
}

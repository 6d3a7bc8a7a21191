//! Source files and positions: every value genk8s reads keeps a [`Span`] that
//! points back to the file, line and column it came from.

use std::fmt;
use std::path::{Path, PathBuf};

/// Files larger than this are refused before they are read or parsed.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;

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

/// Why a file could not be read as text.
#[derive(Debug)]
pub enum ReadError {
    /// A directory, device or FIFO: reading it would fail or never end.
    NotAFile(PathBuf),
    /// Over [`MAX_BYTES`]; the size found.
    TooLarge(PathBuf, u64),
    Io(PathBuf, std::io::Error),
    /// Not UTF-8: line, column and value of the first invalid byte.
    NotUtf8(PathBuf, usize, usize, u8),
}

impl ReadError {
    pub fn path(&self) -> &Path {
        match self {
            ReadError::NotAFile(p) | ReadError::TooLarge(p, _) | ReadError::Io(p, _) | ReadError::NotUtf8(p, ..) => p,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path().display();
        match self {
            ReadError::NotAFile(_) => write!(f, "{path} is not a regular file"),
            ReadError::TooLarge(_, len) => {
                write!(f, "{path} is {len} bytes; genk8s reads files up to {MAX_BYTES} bytes")
            }
            ReadError::Io(_, e) => write!(f, "cannot read {path}: {e}"),
            ReadError::NotUtf8(_, line, col, byte) => {
                write!(f, "{path}:{line}:{col}: not UTF-8 text (byte 0x{byte:02x})")
            }
        }
    }
}

/// Reads a UTF-8 file of at most [`MAX_BYTES`].
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    // Check before reading: a device or FIFO would never end, a huge file would exhaust memory.
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() {
            return Err(ReadError::NotAFile(path.to_path_buf()));
        }
        if meta.len() > MAX_BYTES as u64 {
            return Err(ReadError::TooLarge(path.to_path_buf(), meta.len()));
        }
    }
    let bytes = std::fs::read(path).map_err(|e| ReadError::Io(path.to_path_buf(), e))?;
    if bytes.len() > MAX_BYTES {
        return Err(ReadError::TooLarge(path.to_path_buf(), bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| not_utf8(path, e.as_bytes(), e.utf8_error().valid_up_to()))
}

/// Where the first invalid byte of a file sits, as its line and column (characters).
fn not_utf8(path: &Path, bytes: &[u8], offset: usize) -> ReadError {
    let before = String::from_utf8_lossy(&bytes[..offset]);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    ReadError::NotUtf8(path.to_path_buf(), line, col, bytes[offset])
}

#[cfg(test)]
mod utf8_tests {
    #[test]
    fn invalid_utf8_is_located_by_line_and_column() {
        let e = super::not_utf8(std::path::Path::new("p.yaml"), b"a: 1\nb: \xc3\xa9\xff\n", 10);
        assert_eq!(e.to_string(), "p.yaml:2:5: not UTF-8 text (byte 0xff)");
    }
}

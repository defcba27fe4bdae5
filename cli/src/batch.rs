//! JSON Lines input shared by `check --batch` and `equiv --batch`: one case a
//! line in, one JSON result a line out, in the same order.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

/// A failure to open or read a batch file.
#[derive(Debug, Error)]
pub enum InputError {
    #[error("failed to open batch file {path}: {source}; check the path, or pass `-` to read standard input")]
    Open { path: PathBuf, source: io::Error },
    #[error("failed to read batch file {path} at line {line}: {source}; the file must be UTF-8 JSON Lines")]
    Read {
        path: PathBuf,
        line: usize,
        source: io::Error,
    },
}

/// An opened batch input and the name it is reported under.
pub struct BatchInput {
    path: PathBuf,
    reader: Box<dyn BufRead>,
}

/// Opens `path` for reading, or standard input when `path` is `-`.
pub fn open(path: &Path) -> Result<BatchInput, InputError> {
    let reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(BufReader::new(io::stdin()))
    } else {
        let file = File::open(path).map_err(|source| InputError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Box::new(BufReader::new(file))
    };
    Ok(BatchInput {
        path: path.to_path_buf(),
        reader,
    })
}

/// Errors of a batch run: reading the input, or writing the output.
#[derive(Debug, Error)]
pub enum BatchError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("failed to write a batch result: {0}; check that standard output is still open")]
    Output(#[from] io::Error),
}

/// Runs `process` on every line of `input` and writes its result as one JSON
/// line. A line that `process` rejects gets `{"error": "line N: ..."}`.
/// Returns the number of rejected lines.
pub fn run<T, F>(
    input: BatchInput,
    out: &mut dyn Write,
    mut process: F,
) -> Result<usize, BatchError>
where
    T: Serialize,
    F: FnMut(&str) -> Result<T, String>,
{
    let BatchInput { path, reader } = input;
    let mut rejected = 0;
    for (index, line) in reader.lines().enumerate() {
        let number = index + 1;
        let line = line.map_err(|source| InputError::Read {
            path: path.clone(),
            line: number,
            source,
        })?;
        let json = match process(&line) {
            Ok(result) => serde_json::to_string(&result),
            Err(message) => {
                rejected += 1;
                tracing::debug!(line = number, %message, "rejected batch line");
                serde_json::to_string(&ErrorLine {
                    error: format!("line {number}: {message}"),
                })
            }
        }
        .map_err(io::Error::other)?;
        writeln!(out, "{json}")?;
        out.flush()?;
    }
    Ok(rejected)
}

#[derive(Serialize)]
struct ErrorLine {
    error: String,
}

//! Formatting of syntax trees as plain text, LaTeX and spoken English. (Being written.)

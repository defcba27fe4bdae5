//! Question templates to questions. (Being written.)

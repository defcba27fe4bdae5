-- Pushed events, what they build (attempts and lines), assignments,
-- comments, and the per-student change feed that pull reads by cursor.
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    student_id TEXT NOT NULL REFERENCES users(id),
    at_ms BIGINT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    received_ms BIGINT NOT NULL
);
CREATE INDEX events_student ON events(student_id, at_ms);
CREATE TABLE attempts (
    id TEXT PRIMARY KEY,
    student_id TEXT NOT NULL REFERENCES users(id),
    question_id TEXT NOT NULL,
    question_text TEXT NOT NULL,
    assignment_id TEXT,
    started_ms BIGINT NOT NULL,
    finished_ms BIGINT,
    outcome TEXT,
    time_spent_ms BIGINT
);
CREATE INDEX attempts_student ON attempts(student_id, started_ms);
CREATE TABLE lines (
    attempt_id TEXT NOT NULL,
    idx BIGINT NOT NULL,
    student_id TEXT NOT NULL REFERENCES users(id),
    input TEXT NOT NULL,
    verdict TEXT NOT NULL,
    diagnosis TEXT,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (attempt_id, idx)
);
CREATE INDEX lines_student ON lines(student_id, at_ms);
CREATE TABLE assignments (
    id TEXT PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools(id),
    class_id TEXT,
    title TEXT NOT NULL,
    skills TEXT NOT NULL,
    questions BIGINT NOT NULL,
    videos TEXT NOT NULL,
    due_ms BIGINT,
    cancelled BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_ms BIGINT NOT NULL
);
CREATE TABLE assignment_targets (
    assignment_id TEXT NOT NULL REFERENCES assignments(id),
    student_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (assignment_id, student_id)
);
CREATE INDEX assignment_targets_student ON assignment_targets(student_id);
CREATE TABLE comments (
    id TEXT PRIMARY KEY,
    attempt_id TEXT NOT NULL REFERENCES attempts(id),
    line_index BIGINT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users(id),
    author_name TEXT NOT NULL,
    text TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE TABLE changes (
    seq {serial},
    student_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    ref_id TEXT NOT NULL
);
CREATE INDEX changes_student ON changes(student_id, seq);

-- Event and attempt ids are made by the devices, so they are unique within
-- one student's account only. Keyed by id alone, a student who learnt
-- another's attempt id could push under it first, and the owner's own push
-- would then be dropped as a repeat. Events, attempts, lines and comments
-- are keyed by (student_id, id) from this version on.
--
-- Each table is rebuilt, because SQLite cannot change a primary key in
-- place. The old tables are renamed first and their named indexes dropped,
-- so that the new ones can take the names. Comments reference the old
-- attempts, so they are dropped before them.
DROP INDEX events_student;
DROP INDEX attempts_student;
DROP INDEX lines_student;
ALTER TABLE comments RENAME TO comments_v2;
ALTER TABLE lines RENAME TO lines_v2;
ALTER TABLE events RENAME TO events_v2;
ALTER TABLE attempts RENAME TO attempts_v2;

CREATE TABLE events (
    student_id TEXT NOT NULL REFERENCES users(id),
    id TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    received_ms BIGINT NOT NULL,
    PRIMARY KEY (student_id, id)
);
CREATE INDEX events_student ON events(student_id, at_ms);
INSERT INTO events (student_id, id, at_ms, kind, body, received_ms)
    SELECT student_id, id, at_ms, kind, body, received_ms FROM events_v2;

CREATE TABLE attempts (
    student_id TEXT NOT NULL REFERENCES users(id),
    id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    question_text TEXT NOT NULL,
    assignment_id TEXT,
    started_ms BIGINT NOT NULL,
    finished_ms BIGINT,
    outcome TEXT,
    time_spent_ms BIGINT,
    PRIMARY KEY (student_id, id)
);
CREATE INDEX attempts_student ON attempts(student_id, started_ms);
INSERT INTO attempts (student_id, id, question_id, question_text, assignment_id,
                      started_ms, finished_ms, outcome, time_spent_ms)
    SELECT student_id, id, question_id, question_text, assignment_id,
           started_ms, finished_ms, outcome, time_spent_ms FROM attempts_v2;

CREATE TABLE lines (
    student_id TEXT NOT NULL REFERENCES users(id),
    attempt_id TEXT NOT NULL,
    idx BIGINT NOT NULL,
    input TEXT NOT NULL,
    verdict TEXT NOT NULL,
    diagnosis TEXT,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (student_id, attempt_id, idx)
);
CREATE INDEX lines_student ON lines(student_id, at_ms);
CREATE INDEX lines_attempt ON lines(attempt_id, idx);
INSERT INTO lines (student_id, attempt_id, idx, input, verdict, diagnosis, at_ms)
    SELECT student_id, attempt_id, idx, input, verdict, diagnosis, at_ms FROM lines_v2;

CREATE TABLE comments (
    id TEXT PRIMARY KEY,
    student_id TEXT NOT NULL,
    attempt_id TEXT NOT NULL,
    line_index BIGINT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users(id),
    author_name TEXT NOT NULL,
    text TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    FOREIGN KEY (student_id, attempt_id) REFERENCES attempts(student_id, id)
);
INSERT INTO comments (id, student_id, attempt_id, line_index, author_id, author_name, text, at_ms)
    SELECT c.id, a.student_id, c.attempt_id, c.line_index, c.author_id, c.author_name, c.text, c.at_ms
    FROM comments_v2 c JOIN attempts_v2 a ON a.id = c.attempt_id;

DROP TABLE comments_v2;
DROP TABLE lines_v2;
DROP TABLE events_v2;
DROP TABLE attempts_v2;

-- Schools, accounts, sessions, classes and parent links.
CREATE TABLE schools (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools(id),
    role TEXT NOT NULL,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_ms BIGINT NOT NULL,
    revoked_ms BIGINT
);
CREATE TABLE classes (
    id TEXT PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools(id),
    name TEXT NOT NULL,
    teacher_id TEXT NOT NULL REFERENCES users(id)
);
CREATE TABLE enrolments (
    class_id TEXT NOT NULL REFERENCES classes(id),
    student_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (class_id, student_id)
);
CREATE INDEX enrolments_student ON enrolments(student_id);
CREATE TABLE link_codes (
    code_hash TEXT PRIMARY KEY,
    student_id TEXT NOT NULL REFERENCES users(id),
    created_ms BIGINT NOT NULL,
    used_by TEXT
);
CREATE TABLE parent_links (
    parent_id TEXT NOT NULL REFERENCES users(id),
    student_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (parent_id, student_id)
);

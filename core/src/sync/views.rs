//! The protocol's account, teacher and parent messages, shared by the server
//! and the clients. Paths are under [`super::protocol::API_PREFIX`].

use serde::{Deserialize, Serialize};

/// `POST /v2/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// A new session. The token goes in `Authorization: Bearer …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    pub token: String,
    pub user_id: String,
    pub school_id: String,
    /// `admin`, `teacher`, `student` or `parent`.
    pub role: String,
    pub name: String,
}

/// `POST /v2/teacher/assignments`: work for a whole class or for some of its students.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignRequest {
    pub class_id: String,
    /// Empty: every student of the class.
    #[serde(default)]
    pub student_ids: Vec<String>,
    pub title: String,
    pub skills: Vec<String>,
    pub questions: u32,
    #[serde(default)]
    pub videos: Vec<String>,
    pub due_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignResponse {
    pub assignment_id: String,
    pub students: u32,
}

/// `GET /v2/teacher/classes/{id}/summary`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassSummary {
    pub class_id: String,
    pub name: String,
    pub students: Vec<StudentSummary>,
    /// Diagnoses of wrong lines across the class, most common first.
    pub common_mistakes: Vec<MistakeCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentSummary {
    pub student_id: String,
    pub name: String,
    pub attempts: u32,
    pub finished: u32,
    pub correct: u32,
    pub time_spent_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MistakeCount {
    pub diagnosis: String,
    pub count: u32,
}

/// `GET /v2/teacher/students/{id}/attempts`: every attempt with its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentWork {
    pub student_id: String,
    pub name: String,
    pub attempts: Vec<AttemptView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptView {
    pub attempt_id: String,
    pub question_id: String,
    pub question_text: String,
    pub assignment_id: Option<String>,
    pub started_ms: i64,
    pub outcome: Option<String>,
    pub time_spent_ms: Option<i64>,
    pub lines: Vec<LineView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub index: u32,
    pub input: String,
    pub verdict: String,
    pub diagnosis: Option<String>,
    pub at_ms: i64,
}

/// `GET /v2/teacher/students/{id}/live`: one stored line, as the `data` of
/// a server-sent event named `line`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveLine {
    pub student_id: String,
    pub attempt_id: String,
    pub index: u32,
    pub input: String,
    pub verdict: String,
    pub diagnosis: Option<String>,
    pub at_ms: i64,
}

/// `POST /v2/teacher/comments`: a comment on one line of an attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentRequest {
    pub attempt_id: String,
    pub line_index: u32,
    pub text: String,
    /// The student whose attempt it is. Attempt ids are unique per student
    /// only, so the server needs it when students the teacher teaches share
    /// an attempt id; without it, the one such student is meant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub student_id: Option<String>,
}

/// `POST /v2/parent/link`: a parent redeems the code the school gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRequest {
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkResponse {
    pub student_id: String,
    pub name: String,
}

/// `GET /v2/parent/children/{id}/report`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentReport {
    pub student_id: String,
    pub name: String,
    pub attempts: u32,
    pub correct: u32,
    pub time_spent_ms: i64,
    /// Assignments not past their due time, with how many questions are done.
    pub due: Vec<WorkStatus>,
    /// Assignments past their due time with questions still to do.
    pub overdue: Vec<WorkStatus>,
    /// The latest wrong lines, newest first.
    pub recent_mistakes: Vec<MistakeView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkStatus {
    pub assignment_id: String,
    pub title: String,
    pub due_ms: Option<i64>,
    pub questions: u32,
    pub done: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MistakeView {
    pub question_text: String,
    pub input: String,
    pub diagnosis: Option<String>,
    pub at_ms: i64,
}

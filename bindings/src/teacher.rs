//! The teacher console: set work, read a class's summary and a student's
//! working, comment on a line, and watch a student's lines arrive live.

use std::sync::Arc;

use stepwise_core::sync::remote::{ClassEntry, LiveEvent};
use stepwise_core::sync::views::{
    AssignRequest, AssignResponse, AttemptView, ClassSummary, CommentRequest, LineView, LiveLine,
    MistakeCount, StudentSummary, StudentWork,
};
use tokio::task::JoinHandle;

use crate::runtime;
use crate::sync::{retry_rng, RemoteError, SyncAccount};
use crate::tasks::CallbackError;

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClassRecord {
    pub class_id: String,
    pub name: String,
}

impl From<ClassEntry> for ClassRecord {
    fn from(entry: ClassEntry) -> Self {
        ClassRecord {
            class_id: entry.class_id,
            name: entry.name,
        }
    }
}

/// Work to set for a class, or for some of its students.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AssignmentRequest {
    pub class_id: String,
    /// Empty: every student of the class.
    pub student_ids: Vec<String>,
    pub title: String,
    pub skills: Vec<String>,
    /// Questions to answer per skill.
    pub questions: u32,
    pub videos: Vec<String>,
    /// Milliseconds since the Unix epoch.
    pub due_ms: Option<i64>,
}

impl From<AssignmentRequest> for AssignRequest {
    fn from(request: AssignmentRequest) -> Self {
        AssignRequest {
            class_id: request.class_id,
            student_ids: request.student_ids,
            title: request.title,
            skills: request.skills,
            questions: request.questions,
            videos: request.videos,
            due_ms: request.due_ms,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AssignmentCreated {
    pub assignment_id: String,
    /// Students the work was set for.
    pub students: u32,
}

impl From<AssignResponse> for AssignmentCreated {
    fn from(response: AssignResponse) -> Self {
        AssignmentCreated {
            assignment_id: response.assignment_id,
            students: response.students,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StudentSummaryRecord {
    pub student_id: String,
    pub name: String,
    pub attempts: u32,
    pub finished: u32,
    pub correct: u32,
    pub time_spent_ms: i64,
}

impl From<StudentSummary> for StudentSummaryRecord {
    fn from(summary: StudentSummary) -> Self {
        StudentSummaryRecord {
            student_id: summary.student_id,
            name: summary.name,
            attempts: summary.attempts,
            finished: summary.finished,
            correct: summary.correct,
            time_spent_ms: summary.time_spent_ms,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MistakeCountRecord {
    pub diagnosis: String,
    pub count: u32,
}

impl From<MistakeCount> for MistakeCountRecord {
    fn from(mistake: MistakeCount) -> Self {
        MistakeCountRecord {
            diagnosis: mistake.diagnosis,
            count: mistake.count,
        }
    }
}

/// A class's work at a glance.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClassSummaryRecord {
    pub class_id: String,
    pub name: String,
    pub students: Vec<StudentSummaryRecord>,
    /// Diagnoses of wrong lines across the class, most common first.
    pub common_mistakes: Vec<MistakeCountRecord>,
}

impl From<ClassSummary> for ClassSummaryRecord {
    fn from(summary: ClassSummary) -> Self {
        ClassSummaryRecord {
            class_id: summary.class_id,
            name: summary.name,
            students: summary.students.into_iter().map(Into::into).collect(),
            common_mistakes: summary
                .common_mistakes
                .into_iter()
                .map(Into::into)
                .collect(),
        }
    }
}

/// One line a student typed, with the checker's verdict.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LineViewRecord {
    /// Counted from 0.
    pub index: u32,
    pub input: String,
    pub verdict: String,
    pub diagnosis: Option<String>,
    pub at_ms: i64,
}

impl From<LineView> for LineViewRecord {
    fn from(line: LineView) -> Self {
        LineViewRecord {
            index: line.index,
            input: line.input,
            verdict: line.verdict,
            diagnosis: line.diagnosis,
            at_ms: line.at_ms,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AttemptViewRecord {
    pub attempt_id: String,
    pub question_id: String,
    pub question_text: String,
    pub assignment_id: Option<String>,
    pub started_ms: i64,
    /// `correct`, `abandoned`, or for a skipped attempt the checker's last
    /// final verdict (such as `incorrect`). Null while in progress.
    pub outcome: Option<String>,
    pub time_spent_ms: Option<i64>,
    pub lines: Vec<LineViewRecord>,
}

impl From<AttemptView> for AttemptViewRecord {
    fn from(attempt: AttemptView) -> Self {
        AttemptViewRecord {
            attempt_id: attempt.attempt_id,
            question_id: attempt.question_id,
            question_text: attempt.question_text,
            assignment_id: attempt.assignment_id,
            started_ms: attempt.started_ms,
            outcome: attempt.outcome,
            time_spent_ms: attempt.time_spent_ms,
            lines: attempt.lines.into_iter().map(Into::into).collect(),
        }
    }
}

/// Every attempt of one student, with every line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StudentWorkRecord {
    pub student_id: String,
    pub name: String,
    pub attempts: Vec<AttemptViewRecord>,
}

impl From<StudentWork> for StudentWorkRecord {
    fn from(work: StudentWork) -> Self {
        StudentWorkRecord {
            student_id: work.student_id,
            name: work.name,
            attempts: work.attempts.into_iter().map(Into::into).collect(),
        }
    }
}

/// A line as it arrives on the live stream.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LiveLineRecord {
    pub student_id: String,
    pub attempt_id: String,
    pub index: u32,
    pub input: String,
    pub verdict: String,
    pub diagnosis: Option<String>,
    pub at_ms: i64,
}

impl From<LiveLine> for LiveLineRecord {
    fn from(line: LiveLine) -> Self {
        LiveLineRecord {
            student_id: line.student_id,
            attempt_id: line.attempt_id,
            index: line.index,
            input: line.input,
            verdict: line.verdict,
            diagnosis: line.diagnosis,
            at_ms: line.at_ms,
        }
    }
}

/// One event of a live watch.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum LiveEventRecord {
    /// The stream is open; lines follow as the student types them.
    Open,
    /// The server dropped lines because the app read too slowly; fetch the
    /// student's working again to see them all.
    Lagged,
    Line {
        line: LiveLineRecord,
    },
    /// The watch ended: the server closed the stream, the connection broke,
    /// or the listener failed. A cancelled watch ends with no event.
    Ended {
        reason: String,
    },
}

impl From<LiveEvent> for LiveEventRecord {
    fn from(event: LiveEvent) -> Self {
        match event {
            LiveEvent::Open => LiveEventRecord::Open,
            LiveEvent::Lagged => LiveEventRecord::Lagged,
            LiveEvent::Line(line) => LiveEventRecord::Line { line: line.into() },
        }
    }
}

/// Receives the events of a live watch, from a worker thread.
#[uniffi::export(with_foreign)]
pub trait LiveListener: Send + Sync {
    /// An error returned here ends the watch.
    fn on_event(&self, event: LiveEventRecord) -> Result<(), CallbackError>;
}

/// A running live watch; `cancel` or dropping it stops the stream.
#[derive(Debug, uniffi::Object)]
pub struct LiveWatch {
    task: JoinHandle<()>,
}

#[uniffi::export]
impl LiveWatch {
    pub fn cancel(&self) {
        self.task.abort();
    }

    /// True once the watch has ended, by cancellation or otherwise.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl Drop for LiveWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads the stream until it ends, handing each event to `listener`.
async fn run_watch(
    client: stepwise_core::sync::client::SyncClient,
    student_id: String,
    listener: Arc<dyn LiveListener>,
) {
    let ended = |reason: String| {
        tracing::debug!(student = %student_id, %reason, "live watch ended");
        let _ = listener.on_event(LiveEventRecord::Ended { reason });
    };
    let mut stream = match client.open_live(&student_id).await {
        Ok(stream) => stream,
        Err(error) => return ended(RemoteError::from(error).to_string()),
    };
    loop {
        let events = match stream.next_events().await {
            Ok(Some(events)) => events,
            Ok(None) => return ended("the server closed the stream".to_string()),
            Err(error) => return ended(RemoteError::from(error).to_string()),
        };
        for event in events {
            if let Err(error) = listener.on_event(event.into()) {
                return ended(format!("the listener failed: {error}"));
            }
        }
    }
}

/// The teacher's requests, made with a logged-in teacher account.
#[derive(Debug, uniffi::Object)]
pub struct TeacherConsole {
    account: Arc<SyncAccount>,
}

#[uniffi::export]
impl TeacherConsole {
    #[uniffi::constructor]
    pub fn new(account: Arc<SyncAccount>) -> Arc<Self> {
        Arc::new(TeacherConsole { account })
    }

    /// The classes the account teaches.
    pub async fn classes(&self) -> Result<Vec<ClassRecord>, RemoteError> {
        let client = self.account.client()?;
        let work = runtime::spawn(async move { client.teacher_classes(&mut retry_rng()).await });
        let classes = self.account.checked(work.await)?;
        Ok(classes.into_iter().map(Into::into).collect())
    }

    pub async fn assign(
        &self,
        request: AssignmentRequest,
    ) -> Result<AssignmentCreated, RemoteError> {
        let client = self.account.client()?;
        let request = AssignRequest::from(request);
        let work = runtime::spawn(async move { client.assign(&request, &mut retry_rng()).await });
        Ok(self.account.checked(work.await)?.into())
    }

    pub async fn class_summary(&self, class_id: String) -> Result<ClassSummaryRecord, RemoteError> {
        let client = self.account.client()?;
        let work =
            runtime::spawn(async move { client.class_summary(&class_id, &mut retry_rng()).await });
        Ok(self.account.checked(work.await)?.into())
    }

    /// Every attempt of a student, with every line typed.
    pub async fn student_work(&self, student_id: String) -> Result<StudentWorkRecord, RemoteError> {
        let client = self.account.client()?;
        let work =
            runtime::spawn(async move { client.student_work(&student_id, &mut retry_rng()).await });
        Ok(self.account.checked(work.await)?.into())
    }

    /// Comments on line `line_index` (counted from 0) of an attempt of the
    /// student `student_id`. Attempt ids are unique per student only, so
    /// without the student the call fails when two of the teacher's
    /// students use the attempt id.
    pub async fn comment(
        &self,
        student_id: Option<String>,
        attempt_id: String,
        line_index: u32,
        text: String,
    ) -> Result<(), RemoteError> {
        let client = self.account.client()?;
        let request = CommentRequest {
            attempt_id,
            line_index,
            text,
            student_id,
        };
        let work = runtime::spawn(async move { client.comment(&request, &mut retry_rng()).await });
        self.account.checked(work.await).map(drop)
    }

    /// Starts watching a student's lines as they are typed. Events go to
    /// `listener` from a worker thread until the returned watch is cancelled
    /// or dropped, or the stream ends.
    pub fn watch(
        &self,
        student_id: String,
        listener: Arc<dyn LiveListener>,
    ) -> Result<Arc<LiveWatch>, RemoteError> {
        let client = self.account.client()?;
        let task = runtime::spawn(run_watch(client, student_id, listener));
        Ok(Arc::new(LiveWatch { task }))
    }
}

//! The parent view: link a child with the school's code and read the
//! child's report. The server shows a parent their own children only.

use std::sync::Arc;

use stepwise_core::sync::views::{LinkResponse, MistakeView, ParentReport, WorkStatus};

use crate::runtime;
use crate::sync::{retry_rng, RemoteError, SyncAccount};

/// A child linked to the parent's account.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChildRecord {
    pub student_id: String,
    pub name: String,
}

impl From<LinkResponse> for ChildRecord {
    fn from(child: LinkResponse) -> Self {
        ChildRecord {
            student_id: child.student_id,
            name: child.name,
        }
    }
}

/// An assignment and how many of its questions are done.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WorkStatusRecord {
    pub assignment_id: String,
    pub title: String,
    pub due_ms: Option<i64>,
    pub questions: u32,
    pub done: u32,
}

impl From<WorkStatus> for WorkStatusRecord {
    fn from(status: WorkStatus) -> Self {
        WorkStatusRecord {
            assignment_id: status.assignment_id,
            title: status.title,
            due_ms: status.due_ms,
            questions: status.questions,
            done: status.done,
        }
    }
}

/// A wrong line the child typed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MistakeRecord {
    pub question_text: String,
    pub input: String,
    pub diagnosis: Option<String>,
    pub at_ms: i64,
}

impl From<MistakeView> for MistakeRecord {
    fn from(mistake: MistakeView) -> Self {
        MistakeRecord {
            question_text: mistake.question_text,
            input: mistake.input,
            diagnosis: mistake.diagnosis,
            at_ms: mistake.at_ms,
        }
    }
}

/// A child's progress, time spent, work due and recent mistakes.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ParentReportRecord {
    pub student_id: String,
    pub name: String,
    pub attempts: u32,
    pub correct: u32,
    pub time_spent_ms: i64,
    /// Assignments not past their due time.
    pub due: Vec<WorkStatusRecord>,
    /// Assignments past their due time with questions still to do.
    pub overdue: Vec<WorkStatusRecord>,
    /// The latest wrong lines, newest first.
    pub recent_mistakes: Vec<MistakeRecord>,
}

impl From<ParentReport> for ParentReportRecord {
    fn from(report: ParentReport) -> Self {
        ParentReportRecord {
            student_id: report.student_id,
            name: report.name,
            attempts: report.attempts,
            correct: report.correct,
            time_spent_ms: report.time_spent_ms,
            due: report.due.into_iter().map(Into::into).collect(),
            overdue: report.overdue.into_iter().map(Into::into).collect(),
            recent_mistakes: report.recent_mistakes.into_iter().map(Into::into).collect(),
        }
    }
}

/// The parent's requests, made with a logged-in parent account.
#[derive(Debug, uniffi::Object)]
pub struct ParentView {
    account: Arc<SyncAccount>,
}

#[uniffi::export]
impl ParentView {
    #[uniffi::constructor]
    pub fn new(account: Arc<SyncAccount>) -> Arc<Self> {
        Arc::new(ParentView { account })
    }

    /// Redeems the link code the school gave, and returns the child it names.
    pub async fn link_child(&self, code: String) -> Result<ChildRecord, RemoteError> {
        let client = self.account.client()?;
        let work = runtime::spawn(async move { client.link_child(&code, &mut retry_rng()).await });
        Ok(self.account.checked(work.await)?.into())
    }

    pub async fn children(&self) -> Result<Vec<ChildRecord>, RemoteError> {
        let client = self.account.client()?;
        let work = runtime::spawn(async move { client.children(&mut retry_rng()).await });
        let children = self.account.checked(work.await)?;
        Ok(children.into_iter().map(Into::into).collect())
    }

    pub async fn report(&self, student_id: String) -> Result<ParentReportRecord, RemoteError> {
        let client = self.account.client()?;
        let work =
            runtime::spawn(
                async move { client.parent_report(&student_id, &mut retry_rng()).await },
            );
        Ok(self.account.checked(work.await)?.into())
    }
}

//! The skills catalogue: the skills built into the library.

use std::sync::Arc;

use stepwise_core::generate::{self, Skill, Tier};

/// A failure to load the catalogue or to find a skill in it.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum CatalogueError {
    #[error("failed to load the built-in skills: {reason}")]
    LoadFailed { reason: String },
    #[error("skill `{id}` not found; check the id against the catalogue")]
    NotFound { id: String },
}

/// A skill as the skill list shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SkillSummary {
    pub id: String,
    pub title: String,
    /// `KS3`, `F` (GCSE Foundation), `H` (GCSE Higher) or `A` (A level).
    pub tier: String,
    pub strand: String,
    pub prerequisites: Vec<String>,
    /// The id of the skill's video, when it has one.
    pub video_id: Option<String>,
}

impl From<&Skill> for SkillSummary {
    fn from(skill: &Skill) -> Self {
        let tier = match skill.tier {
            Tier::KeyStage3 => "KS3",
            Tier::Foundation => "F",
            Tier::Higher => "H",
            Tier::ALevel => "A",
        };
        SkillSummary {
            id: skill.id.clone(),
            title: skill.title.clone(),
            tier: tier.to_string(),
            strand: skill.strand.clone(),
            prerequisites: skill.prerequisites.clone(),
            video_id: skill.video.as_ref().map(|video| video.id.clone()),
        }
    }
}

/// The skills the library can generate questions for.
#[derive(Debug, uniffi::Object)]
pub struct SkillCatalogue {
    skills: Vec<Skill>,
}

impl SkillCatalogue {
    pub(crate) fn skills_slice(&self) -> &[Skill] {
        &self.skills
    }
}

#[uniffi::export]
impl SkillCatalogue {
    /// Loads the skills built into the library.
    #[uniffi::constructor]
    pub fn builtin() -> Result<Arc<Self>, CatalogueError> {
        let skills = generate::builtin::builtin().map_err(|error| CatalogueError::LoadFailed {
            reason: error.to_string(),
        })?;
        Ok(Arc::new(SkillCatalogue { skills }))
    }

    /// Every skill, in catalogue order.
    pub fn skills(&self) -> Vec<SkillSummary> {
        self.skills.iter().map(Into::into).collect()
    }

    pub fn skill(&self, id: String) -> Result<SkillSummary, CatalogueError> {
        self.skills
            .iter()
            .find(|skill| skill.id == id)
            .map(Into::into)
            .ok_or(CatalogueError::NotFound { id })
    }
}

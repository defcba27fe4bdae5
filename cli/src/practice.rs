//! `stepwise practice`: the interactive practice session.
//!
//! The student picks a skill, gets a generated question and types working a
//! line at a time; every line is checked at once and stored with its verdict
//! and the time it was typed. An unfinished question stays in the database
//! as the draft and is offered again at the next start.
//!
//! Questions come through [`QuestionSource`], so that the generator can be
//! swapped in without touching the session. Input comes through [`Prompter`]:
//! rustyline with line editing and history on a terminal, plain lines from
//! standard input otherwise, so that a test can pipe a session in.

use std::collections::HashSet;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;
use stepwise_core::check::{
    check_working, hint, FinalVerdict, HintLevel, LineReport, Report, Task,
};
use stepwise_core::generate;
use thiserror::Error;

use crate::check_cmd::{format_line, verdict_mark};
use crate::profiles_cmd::{self, now_ms, ProfileError};
use stepwise_core::store::attempts::{self, AttemptId, AttemptStatus, NewAttempt, StoredLine};
use stepwise_core::store::{drafts, ProfileId, Store, StoreError};

/// File name of the line history inside the data folder.
/// The longest line of working accepted, in characters: the parser's own
/// limit, so that a longer line is refused before it is stored.
fn max_line_chars() -> usize {
    stepwise_core::maths::Limits::default().max_chars
}

const HISTORY_FILE: &str = "history.txt";

const HELP: &str = "\
Type one line of working at a time and press Enter; each line is checked at once.
Commands:
  :hint     a hint from where you are (ask again for a stronger one, up to level 3)
  :example  a worked example of this skill
  :skip     give up this question, see its answer, and go on to the next
  :quit     stop; your working is saved and offered again next time
  :help     this list";

/// A failure of the practice session.
#[derive(Debug, Error)]
pub enum PracticeError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("failed to read input: {0}")]
    Input(String),
    #[error("failed to write output: {0}; check that standard output is still open")]
    Output(#[from] io::Error),
    #[error("skill `{id}` not found; use one of: {available}")]
    UnknownSkill { id: String, available: String },
    #[error("failed to generate question {what}: {reason}")]
    Generate { what: String, reason: String },
    #[error(transparent)]
    Pack(#[from] crate::pack_cmd::PackCmdError),
}

/// The command-line options of `stepwise practice`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub data_dir: Option<PathBuf>,
    pub profile: Option<String>,
    pub pin: Option<String>,
    pub skill: Option<String>,
    pub seed: Option<u64>,
    /// A content pack to practise from instead of the built-in skills.
    pub pack: Option<PathBuf>,
}

/// A skill as the menu shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillInfo {
    pub id: String,
    pub title: String,
    pub tier: String,
    pub strand: String,
    /// Canned hints by level, used when the checker has none for the line.
    pub hints: Vec<String>,
}

/// A question ready to practise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeQuestion {
    /// `skill/version/seed`, which regenerates the question.
    pub id: String,
    pub skill_id: String,
    /// The instruction shown to the student.
    pub text: String,
    /// The first line for the checker.
    pub start: String,
    pub answer: String,
    /// The model solution after `start`; the last line is `answer`.
    pub solution: Vec<String>,
    pub task: Task,
}

/// A provider of skills and generated questions.
pub trait QuestionSource {
    fn skills(&self) -> Vec<SkillInfo>;
    /// Generates the question of `skill_id` for `seed`.
    fn generate(&self, skill_id: &str, seed: u64) -> Result<PracticeQuestion, PracticeError>;
    /// Generates the question that `question_id` (`skill/version/seed`) names.
    fn regenerate(&self, question_id: &str) -> Result<PracticeQuestion, PracticeError>;
    fn worked_example(&self, skill_id: &str) -> Result<PracticeQuestion, PracticeError>;
}

/// The skills and templates built into the binary from `content/`, or
/// loaded from a content pack.
pub struct BuiltinSource {
    skills: Vec<generate::Skill>,
}

impl BuiltinSource {
    pub fn load() -> Result<BuiltinSource, PracticeError> {
        let skills = generate::builtin::builtin().map_err(|error| PracticeError::Generate {
            what: "the built-in skills".into(),
            reason: error.to_string(),
        })?;
        Ok(BuiltinSource { skills })
    }

    /// Loads the skills of a verified content pack file.
    pub fn from_pack(path: &Path) -> Result<BuiltinSource, PracticeError> {
        let skills = crate::pack_cmd::load_file(path)?;
        tracing::info!(file = %path.display(), skills = skills.len(), "content pack loaded");
        Ok(BuiltinSource { skills })
    }

    fn skill(&self, skill_id: &str) -> Result<&generate::Skill, PracticeError> {
        self.skills
            .iter()
            .find(|skill| skill.id == skill_id)
            .ok_or_else(|| unknown_skill(self, skill_id))
    }
}

/// Tier names as the menu shows them, in teaching order.
const TIER_NAMES: [&str; 4] = ["Key Stage 3", "GCSE Foundation", "GCSE Higher", "A level"];

/// Returns the position of a tier name in teaching order. Names not in
/// [`TIER_NAMES`], which another [`QuestionSource`] could return, go last.
fn tier_rank(tier: &str) -> usize {
    TIER_NAMES
        .iter()
        .position(|name| *name == tier)
        .unwrap_or(TIER_NAMES.len())
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn practice_question(question: generate::Question) -> PracticeQuestion {
    PracticeQuestion {
        id: question.id.to_string(),
        task: question.check_task(),
        skill_id: question.skill,
        text: question.text,
        start: question.start,
        answer: question.answer,
        solution: question.solution,
    }
}

fn generate_failed(what: String) -> impl FnOnce(generate::GenerateError) -> PracticeError {
    move |error| PracticeError::Generate {
        what,
        reason: error.to_string(),
    }
}

impl QuestionSource for BuiltinSource {
    fn skills(&self) -> Vec<SkillInfo> {
        self.skills
            .iter()
            .map(|skill| SkillInfo {
                id: skill.id.clone(),
                title: skill.title.clone(),
                tier: TIER_NAMES[match skill.tier {
                    generate::Tier::KeyStage3 => 0,
                    generate::Tier::Foundation => 1,
                    generate::Tier::Higher => 2,
                    generate::Tier::ALevel => 3,
                }]
                .to_string(),
                strand: capitalised(&skill.strand),
                hints: skill.hints.clone(),
            })
            .collect()
    }

    fn generate(&self, skill_id: &str, seed: u64) -> Result<PracticeQuestion, PracticeError> {
        let skill = self.skill(skill_id)?;
        // Spread seeds over the skill's templates, easiest first.
        let versions: Vec<u32> = skill.templates.iter().map(|t| t.version).collect();
        let version = versions[(seed % versions.len().max(1) as u64) as usize];
        generate::generate(skill, version, seed)
            .map(practice_question)
            .map_err(generate_failed(format!("{skill_id}/{version}/{seed}")))
    }

    fn regenerate(&self, question_id: &str) -> Result<PracticeQuestion, PracticeError> {
        let id = generate::QuestionId::parse(question_id)
            .map_err(generate_failed(question_id.to_string()))?;
        generate::generate_by_id(&self.skills, &id)
            .map(practice_question)
            .map_err(generate_failed(question_id.to_string()))
    }

    fn worked_example(&self, skill_id: &str) -> Result<PracticeQuestion, PracticeError> {
        let skill = self.skill(skill_id)?;
        generate::worked_example(skill)
            .map(practice_question)
            .map_err(generate_failed(format!("the worked example of {skill_id}")))
    }
}

fn unknown_skill(source: &dyn QuestionSource, id: &str) -> PracticeError {
    let available = source
        .skills()
        .iter()
        .map(|skill| skill.id.clone())
        .collect::<Vec<_>>()
        .join(", ");
    PracticeError::UnknownSkill {
        id: id.to_string(),
        available,
    }
}

/// A source of typed lines. `read` returns `None` at the end of input, and
/// on Ctrl-C or Ctrl-D at a terminal.
pub trait Prompter {
    fn read(&mut self, prompt: &str) -> Result<Option<String>, PracticeError>;
    /// Returns whether a person reads the prompt at a terminal. When not, the
    /// session echoes prompt and line, so the transcript reads as a dialogue.
    fn is_interactive(&self) -> bool;
}

/// Line editing and history at a terminal.
struct TerminalPrompter {
    editor: DefaultEditor,
    history: PathBuf,
}

impl TerminalPrompter {
    fn new(history: PathBuf) -> Result<TerminalPrompter, PracticeError> {
        let mut editor =
            DefaultEditor::new().map_err(|error| PracticeError::Input(error.to_string()))?;
        if history.exists() {
            if let Err(error) = editor.load_history(&history) {
                tracing::warn!(path = %history.display(), %error, "failed to load line history");
            }
        }
        Ok(TerminalPrompter { editor, history })
    }
}

impl Prompter for TerminalPrompter {
    fn read(&mut self, prompt: &str) -> Result<Option<String>, PracticeError> {
        match self.editor.readline(prompt) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    if let Err(error) = self.editor.add_history_entry(line.as_str()) {
                        tracing::warn!(%error, "failed to add a line to the history");
                    }
                }
                Ok(Some(line))
            }
            Err(ReadlineError::Eof | ReadlineError::Interrupted) => Ok(None),
            Err(error) => Err(PracticeError::Input(error.to_string())),
        }
    }

    fn is_interactive(&self) -> bool {
        true
    }
}

impl Drop for TerminalPrompter {
    fn drop(&mut self) {
        if let Err(error) = self.editor.save_history(&self.history) {
            tracing::warn!(path = %self.history.display(), %error, "failed to save line history");
        }
    }
}

/// Lines from a reader, such as standard input when it is not a terminal.
pub struct ReaderPrompter<R> {
    reader: R,
}

impl<R: BufRead> ReaderPrompter<R> {
    pub fn new(reader: R) -> Self {
        ReaderPrompter { reader }
    }
}

impl<R: BufRead> Prompter for ReaderPrompter<R> {
    fn read(&mut self, _prompt: &str) -> Result<Option<String>, PracticeError> {
        let mut line = String::new();
        let count = self
            .reader
            .read_line(&mut line)
            .map_err(|error| PracticeError::Input(error.to_string()))?;
        if count == 0 {
            return Ok(None);
        }
        Ok(Some(line.trim_end_matches(['\n', '\r']).to_string()))
    }

    fn is_interactive(&self) -> bool {
        false
    }
}

/// Runs a practice session on standard input and output.
pub fn run(options: &Options) -> Result<(), PracticeError> {
    let dir = profiles_cmd::data_dir(options.data_dir.as_deref())?;
    let source = match &options.pack {
        Some(path) => BuiltinSource::from_pack(path)?,
        None => BuiltinSource::load()?,
    };
    let mut store = Store::open(&dir)?;
    let profile = profiles_cmd::resolve(
        &mut store,
        options.profile.as_deref(),
        options.pin.as_deref(),
        now_ms(),
    )?;
    let mut prompter: Box<dyn Prompter> = if io::stdin().is_terminal() {
        Box::new(TerminalPrompter::new(dir.join(HISTORY_FILE))?)
    } else {
        Box::new(ReaderPrompter::new(io::stdin().lock()))
    };
    let mut out = io::stdout();
    let seed = options.seed.unwrap_or_else(|| now_ms().unsigned_abs());
    let mut session = Session {
        source: &source,
        store: &mut store,
        profile,
        input: prompter.as_mut(),
        out: &mut out,
        clock: &now_ms,
        next_seed: seed,
        served: HashSet::new(),
    };
    tracing::info!(data = %dir.display(), seed, "practice session started");
    session.run(options.skill.as_deref())?;
    tracing::info!("practice session ended");
    Ok(())
}

/// The end of work on one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuestionEnd {
    /// Correct or skipped: go on to the next question.
    Next,
    /// The student stopped; the question stays as the draft.
    Quit,
}

/// A question being worked on.
struct Work {
    question: PracticeQuestion,
    attempt: AttemptId,
    lines: Vec<String>,
    hint_level: u8,
    last_final: Option<FinalVerdict>,
}

/// One practice session over a store, an input and an output.
pub struct Session<'a> {
    pub source: &'a dyn QuestionSource,
    pub store: &'a mut Store,
    /// The learner whose work this is.
    pub profile: ProfileId,
    pub input: &'a mut dyn Prompter,
    pub out: &'a mut dyn Write,
    pub clock: &'a dyn Fn() -> i64,
    /// Seed of the next generated question.
    pub next_seed: u64,
    /// Start lines of the questions shown in this run, the resumed draft
    /// included, so that none is served twice.
    pub served: HashSet<String>,
}

/// The number of seeds in a row that [`Session::next_question`] passes over
/// before it serves a repeat, for a skill with few distinct questions.
const MAX_SEEDS_PASSED: usize = 64;

impl Session<'_> {
    /// Offers the draft, then practises `skill` (or one chosen from the
    /// menu) until the student quits or input ends.
    pub fn run(&mut self, skill: Option<&str>) -> Result<(), PracticeError> {
        if let Some(skill) = skill {
            if !self.source.skills().iter().any(|known| known.id == skill) {
                return Err(unknown_skill(self.source, skill));
            }
        }
        let mut resumed_skill = None;
        match self.offer_draft()? {
            DraftChoice::Quit => return Ok(()),
            DraftChoice::Resumed { skill_id } => resumed_skill = Some(skill_id),
            DraftChoice::None => {}
        }
        let skill_id = match (skill, resumed_skill) {
            (Some(skill), _) => skill.to_string(),
            (None, Some(skill)) => skill,
            (None, None) => match self.choose_skill()? {
                Some(skill) => skill,
                None => return Ok(()),
            },
        };
        loop {
            let question = self.next_question(&skill_id)?;
            let work = self.start(question)?;
            if self.work_on(work)? == QuestionEnd::Quit {
                return Ok(());
            }
        }
    }

    /// Generates the question of the next seed, passing over seeds whose
    /// question this run has already shown.
    fn next_question(&mut self, skill_id: &str) -> Result<PracticeQuestion, PracticeError> {
        let mut passed = 0;
        loop {
            let seed = self.next_seed;
            self.next_seed = self.next_seed.wrapping_add(1);
            let question = self.source.generate(skill_id, seed)?;
            if self.served.insert(question.start.clone()) {
                return Ok(question);
            }
            passed += 1;
            if passed >= MAX_SEEDS_PASSED {
                tracing::warn!(
                    skill = skill_id,
                    passed,
                    "every recent seed gave a question already shown; serving a repeat"
                );
                return Ok(question);
            }
            tracing::debug!(question = %question.id, "passed over a question already shown in this run");
        }
    }

    fn say(&mut self, text: &str) -> Result<(), PracticeError> {
        writeln!(self.out, "{text}")?;
        Ok(())
    }

    /// Reads a line, echoing prompt and line when input is not interactive.
    /// A very long line is echoed cut short.
    fn prompt(&mut self, prompt: &str) -> Result<Option<String>, PracticeError> {
        self.out.flush()?;
        let line = self.input.read(prompt)?;
        if let Some(line) = &line {
            if !self.input.is_interactive() {
                if line.chars().count() > max_line_chars() {
                    let start: String = line.chars().take(40).collect();
                    writeln!(self.out, "{prompt}{start}...")?;
                } else {
                    writeln!(self.out, "{prompt}{line}")?;
                }
            }
        }
        Ok(line)
    }

    fn offer_draft(&mut self) -> Result<DraftChoice, PracticeError> {
        let Some(draft) = drafts::load(self.store.connection(), self.profile)? else {
            return Ok(DraftChoice::None);
        };
        self.say(&format!(
            "You have an unfinished question ({}): {}",
            draft.attempt.question_id, draft.attempt.question_text
        ))?;
        self.say(&format!("  {}", draft.attempt.start_line))?;
        for line in &draft.lines {
            self.say(&format!(
                "  {} {}",
                verdict_mark(line.report.verdict),
                line.report.input
            ))?;
        }
        let resume = loop {
            let Some(answer) = self.prompt("Carry on with it? [Y/n] ")? else {
                return Ok(DraftChoice::Quit);
            };
            match answer.trim().to_lowercase().as_str() {
                "" | "y" | "yes" => break true,
                "n" | "no" => break false,
                ":quit" | ":q" => return Ok(DraftChoice::Quit),
                _ => self.say("Please answer y or n.")?,
            }
        };
        if !resume {
            self.finish(draft.id, AttemptStatus::Abandoned, None)?;
            self.say("Put aside; it stays in your history.")?;
            return Ok(DraftChoice::None);
        }
        let question = match self.source.regenerate(&draft.attempt.question_id) {
            Ok(question) if question.start == draft.attempt.start_line => question,
            Ok(question) => {
                tracing::warn!(
                    id = %draft.attempt.question_id,
                    stored = %draft.attempt.start_line,
                    generated = %question.start,
                    "draft question changed since it was saved"
                );
                self.finish(draft.id, AttemptStatus::Abandoned, None)?;
                self.say("That question has changed since you saved it, so it was put aside.")?;
                return Ok(DraftChoice::None);
            }
            Err(error) => {
                tracing::warn!(id = %draft.attempt.question_id, %error, "failed to regenerate the draft question");
                self.finish(draft.id, AttemptStatus::Abandoned, None)?;
                self.say(&format!(
                    "That question could not be loaded ({error}), so it was put aside."
                ))?;
                return Ok(DraftChoice::None);
            }
        };
        let skill_id = question.skill_id.clone();
        self.served.insert(question.start.clone());
        let work = Work {
            question,
            attempt: draft.id,
            lines: draft
                .lines
                .into_iter()
                .map(|line| line.report.input)
                .collect(),
            hint_level: draft.hint_level,
            last_final: None,
        };
        self.show_question(&work)?;
        match self.work_on(work)? {
            QuestionEnd::Quit => Ok(DraftChoice::Quit),
            QuestionEnd::Next => Ok(DraftChoice::Resumed { skill_id }),
        }
    }

    /// Shows the skills by strand, then by tier within a strand, and reads a
    /// choice, by number or id.
    fn choose_skill(&mut self) -> Result<Option<String>, PracticeError> {
        let mut skills = self.source.skills();
        // Stable sort: skills keep the source's order within a strand and tier.
        skills.sort_by_key(|skill| (skill.strand.clone(), tier_rank(&skill.tier)));
        let mut strand = None;
        let mut tier = None;
        for (index, skill) in skills.iter().enumerate() {
            if strand != Some(&skill.strand) {
                self.say(&skill.strand)?;
                strand = Some(&skill.strand);
                tier = None;
            }
            if tier != Some(&skill.tier) {
                self.say(&format!("  {}", skill.tier))?;
                tier = Some(&skill.tier);
            }
            self.say(&format!(
                "    {:>3}. {} ({})",
                index + 1,
                skill.title,
                skill.id
            ))?;
        }
        loop {
            let Some(answer) = self.prompt("Skill number or id (:quit to stop): ")? else {
                return Ok(None);
            };
            let answer = answer.trim();
            if answer == ":quit" || answer == ":q" {
                return Ok(None);
            }
            let by_number = answer
                .parse::<usize>()
                .ok()
                .and_then(|number| number.checked_sub(1))
                .and_then(|index| skills.get(index));
            let chosen = by_number.or_else(|| skills.iter().find(|skill| skill.id == answer));
            match chosen {
                Some(skill) => return Ok(Some(skill.id.clone())),
                None => self.say(&format!(
                    "No skill `{answer}`; type a number from 1 to {}, or a skill id.",
                    skills.len()
                ))?,
            }
        }
    }

    /// Records a new attempt as the draft and shows the question.
    fn start(&mut self, question: PracticeQuestion) -> Result<Work, PracticeError> {
        let attempt = NewAttempt {
            question_id: question.id.clone(),
            skill_id: question.skill_id.clone(),
            question_text: question.text.clone(),
            start_line: question.start.clone(),
            started_at_ms: (self.clock)(),
            assignment_id: None,
        };
        let tx = self.store.transaction()?;
        let id = attempts::start(&tx, self.profile, &attempt)?;
        tx.commit().map_err(StoreError::from)?;
        tracing::debug!(question = %question.id, attempt = id.0, "question started");
        let work = Work {
            question,
            attempt: id,
            lines: Vec::new(),
            hint_level: 0,
            last_final: None,
        };
        self.show_question(&work)?;
        Ok(work)
    }

    fn show_question(&mut self, work: &Work) -> Result<(), PracticeError> {
        self.say("")?;
        self.say(&format!(
            "Question {}: {}",
            work.question.id, work.question.text
        ))?;
        self.say(&format!("  {}", work.question.start))?;
        if !work.lines.is_empty() {
            let report = self.check(work);
            for line in report.lines.iter().skip(1) {
                self.say(&format!("  {}", format_line(line, 0)))?;
            }
        }
        self.say("Type your working one line at a time (:help lists the commands).")
    }

    fn check(&self, work: &Work) -> Report {
        let mut lines: Vec<&str> = Vec::with_capacity(work.lines.len() + 1);
        lines.push(&work.question.start);
        lines.extend(work.lines.iter().map(String::as_str));
        check_working(&work.question.task, &lines)
    }

    /// Reads lines and commands for one question until it is finished or the
    /// student stops.
    fn work_on(&mut self, mut work: Work) -> Result<QuestionEnd, PracticeError> {
        loop {
            let Some(input) = self.prompt("> ")? else {
                self.say("")?;
                self.say("Your working is saved; run `stepwise practice` again to carry on.")?;
                return Ok(QuestionEnd::Quit);
            };
            let input = input.trim();
            if input.is_empty() {
                continue;
            }
            match input {
                ":quit" | ":q" => {
                    self.say("Your working is saved; run `stepwise practice` again to carry on.")?;
                    return Ok(QuestionEnd::Quit);
                }
                ":help" | ":h" => self.say(HELP)?,
                ":hint" => self.give_hint(&mut work)?,
                ":example" => self.show_example(&work.question.skill_id)?,
                ":skip" => {
                    self.finish(work.attempt, AttemptStatus::Skipped, work.last_final)?;
                    self.say(&format!("Skipped. The answer was {}", work.question.answer))?;
                    return Ok(QuestionEnd::Next);
                }
                command if command.starts_with(':') => self.say(&format!(
                    "Unknown command `{command}`; type :help to see the commands."
                ))?,
                line if line.chars().count() > max_line_chars() => self.say(&format!(
                    "That line is too long to check ({} characters; at most {}). Type it again, shorter.",
                    line.chars().count(),
                    max_line_chars()
                ))?,
                line => {
                    if self.enter_line(&mut work, line)? {
                        return Ok(QuestionEnd::Next);
                    }
                }
            }
        }
    }

    /// Checks and stores a line of working, and shows its verdict. Returns
    /// true when the question is answered correctly.
    fn enter_line(&mut self, work: &mut Work, line: &str) -> Result<bool, PracticeError> {
        let typed_at_ms = (self.clock)();
        work.lines.push(line.to_string());
        let report = self.check(work);
        let line_report = report.lines.last().cloned().unwrap_or_else(|| LineReport {
            input: line.to_string(),
            verdict: stepwise_core::check::Verdict::Unreadable,
            diagnosis: None,
            message: "the checker returned no report for this line".to_string(),
            ecf: false,
        });
        self.say(&format!("  {}", format_line(&line_report, 0)))?;

        let verdict = report.final_answer.verdict;
        work.last_final = Some(verdict);
        let tx = self.store.transaction()?;
        attempts::add_line(
            &tx,
            self.profile,
            work.attempt,
            &StoredLine {
                report: line_report,
                typed_at_ms,
            },
        )?;
        if verdict == FinalVerdict::Correct {
            attempts::finish(
                &tx,
                self.profile,
                work.attempt,
                AttemptStatus::Correct,
                Some(verdict),
                typed_at_ms,
            )?;
        }
        tx.commit().map_err(StoreError::from)?;

        match verdict {
            FinalVerdict::Correct => {
                let message = report.final_answer.message.trim();
                if message.is_empty() || message.eq_ignore_ascii_case("correct") {
                    self.say("Correct.")?;
                } else {
                    self.say(&format!("Correct. {message}"))?;
                }
                Ok(true)
            }
            FinalVerdict::Incorrect | FinalVerdict::WrongForm => {
                let message = report.final_answer.message.trim();
                if !message.is_empty() {
                    self.say(&format!("  {message}"))?;
                }
                Ok(false)
            }
            FinalVerdict::Unfinished => Ok(false),
        }
    }

    /// Shows the next hint level (1 to 3) from the student's current lines,
    /// or the skill's own hint at that level when the checker has none.
    fn give_hint(&mut self, work: &mut Work) -> Result<(), PracticeError> {
        work.hint_level = (work.hint_level + 1).min(3);
        let level = match work.hint_level {
            1 => HintLevel::Nudge,
            2 => HintLevel::NextStep,
            _ => HintLevel::NextLine,
        };
        let mut lines: Vec<&str> = vec![&work.question.start];
        lines.extend(work.lines.iter().map(String::as_str));
        let text = match hint(&work.question.task, &lines, level) {
            Some(found) => match found.next_line {
                Some(next) => format!("the next line could be: {next}"),
                None => found.text,
            },
            None => self
                .source
                .skills()
                .into_iter()
                .find(|skill| skill.id == work.question.skill_id)
                .and_then(|skill| skill.hints.get(usize::from(work.hint_level) - 1).cloned())
                .unwrap_or_else(|| "No hint is available for this step yet.".to_string()),
        };
        let tx = self.store.transaction()?;
        attempts::record_hint(
            &tx,
            self.profile,
            work.attempt,
            work.hint_level,
            (self.clock)(),
        )?;
        tx.commit().map_err(StoreError::from)?;
        self.say(&format!("Hint {} of 3: {text}", work.hint_level))
    }

    fn show_example(&mut self, skill_id: &str) -> Result<(), PracticeError> {
        let example = self.source.worked_example(skill_id)?;
        self.say(&format!("Worked example: {}", example.text))?;
        self.say(&format!("  {}", example.start))?;
        for line in &example.solution {
            self.say(&format!("  {line}"))?;
        }
        Ok(())
    }

    fn finish(
        &mut self,
        attempt: AttemptId,
        status: AttemptStatus,
        final_verdict: Option<FinalVerdict>,
    ) -> Result<(), PracticeError> {
        let tx = self.store.transaction()?;
        attempts::finish(
            &tx,
            self.profile,
            attempt,
            status,
            final_verdict,
            (self.clock)(),
        )?;
        tx.commit().map_err(StoreError::from)?;
        tracing::debug!(attempt = attempt.0, ?status, "attempt finished");
        Ok(())
    }
}

/// The outcome of offering the draft at the start.
enum DraftChoice {
    /// There was none, or it was put aside.
    None,
    /// It was worked on and finished; practice goes on with its skill.
    Resumed { skill_id: String },
    /// The student stopped.
    Quit,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_profile(store: &mut Store) -> ProfileId {
        crate::profiles_cmd::resolve(store, None, None, 0).expect("profile")
    }

    fn run_script(dir: &std::path::Path, script: &str, skill: Option<&str>) -> String {
        let mut store = Store::open(dir).expect("open store");
        let profile = test_profile(&mut store);
        let mut input = ReaderPrompter::new(script.as_bytes());
        let mut out = Vec::new();
        let mut session = Session {
            source: &BuiltinSource::load().expect("built-in skills load"),
            store: &mut store,
            profile,
            input: &mut input,
            out: &mut out,
            clock: &|| 1_700_000_000_000,
            next_seed: 7,
            served: HashSet::new(),
        };
        session.run(skill).expect("session runs");
        String::from_utf8(out).expect("UTF-8 output")
    }

    #[test]
    fn overlong_line_refused_not_stored() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let long = "x".repeat(max_line_chars() + 1);
        let out = run_script(
            dir.path(),
            &format!("{long}\n:quit\n"),
            Some("alg.linear.solve-two-step"),
        );
        assert!(out.contains("That line is too long to check"), "{out}");
        assert!(!out.contains(&long), "the whole line was echoed");
        let store = Store::open(dir.path()).expect("open store");
        let stored: i64 = store
            .connection()
            .query_row("SELECT COUNT(*) FROM attempt_lines", [], |row| row.get(0))
            .expect("count lines");
        assert_eq!(stored, 0);
    }

    #[test]
    fn menu_groups_by_strand() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let out = run_script(dir.path(), ":quit\n", None);
        let algebra = out.find("Algebra").expect("Algebra heading");
        let number = out.find("Number").expect("Number heading");
        assert!(algebra < number, "{out}");
        assert!(
            out.contains("  1. Expanding single brackets (alg.brackets.expand-single)"),
            "{out}"
        );
    }

    #[test]
    fn menu_lists_every_skill_by_strand_and_tier() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let out = run_script(dir.path(), ":quit\n", None);
        let mut strands: Vec<String> = Vec::new();
        let mut tiers: Vec<(String, String)> = Vec::new();
        let mut listed: Vec<(String, String, String)> = Vec::new();
        for line in out
            .lines()
            .take_while(|line| !line.starts_with("Skill number"))
        {
            if let Some(item) = line.strip_prefix("    ") {
                let id = item
                    .rsplit_once('(')
                    .and_then(|(_, rest)| rest.strip_suffix(')'))
                    .expect("menu item ends with its id");
                let strand = strands.last().expect("item under a strand").clone();
                let tier = tiers.last().expect("item under a tier").1.clone();
                listed.push((strand, tier, id.to_string()));
            } else if let Some(tier) = line.strip_prefix("  ") {
                let strand = strands.last().expect("tier under a strand").clone();
                tiers.push((strand, tier.to_string()));
            } else if !line.is_empty() {
                strands.push(line.to_string());
            }
        }

        let skills = BuiltinSource::load()
            .expect("built-in skills load")
            .skills();
        assert_eq!(listed.len(), skills.len(), "{out}");
        for skill in &skills {
            let entry = (skill.strand.clone(), skill.tier.clone(), skill.id.clone());
            assert!(listed.contains(&entry), "{} missing or misplaced", skill.id);
        }
        let mut unique_strands = strands.clone();
        unique_strands.dedup();
        assert_eq!(
            unique_strands.len(),
            strands.len(),
            "a strand repeats: {out}"
        );
        for pair in tiers.windows(2) {
            if pair[0].0 == pair[1].0 {
                assert!(
                    tier_rank(&pair[0].1) < tier_rank(&pair[1].1),
                    "tiers out of order in {}: {out}",
                    pair[0].0
                );
            }
        }
        let numbers: Vec<usize> = out
            .lines()
            .filter_map(|line| line.strip_prefix("    "))
            .map(|item| {
                item.trim_start()
                    .split_once('.')
                    .and_then(|(number, _)| number.parse().ok())
                    .expect("numbered item")
            })
            .collect();
        assert_eq!(numbers, (1..=skills.len()).collect::<Vec<_>>());
    }

    #[test]
    fn quit_keeps_draft_and_resume_offers_it() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let first = run_script(
            dir.path(),
            "2x = 8\n:quit\n",
            Some("alg.linear.solve-two-step"),
        );
        assert!(
            first.contains("Question alg.linear.solve-two-step/2/7"),
            "{first}"
        );
        let second = run_script(dir.path(), "y\n:quit\n", None);
        assert!(
            second.contains("You have an unfinished question"),
            "{second}"
        );
        assert!(second.contains("2x = 8"), "{second}");
    }

    #[test]
    fn declined_draft_is_abandoned() {
        let dir = tempfile::tempdir().expect("temporary folder");
        run_script(dir.path(), "1\nx = 4\n:quit\n", None);
        let second = run_script(dir.path(), "n\n:quit\n", None);
        assert!(second.contains("Put aside"), "{second}");
        let mut store = Store::open(dir.path()).expect("open store");
        let profile = test_profile(&mut store);
        assert!(drafts::load(store.connection(), profile)
            .expect("load")
            .is_none());
    }

    #[test]
    fn hints_escalate_and_stop_at_three() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let out = run_script(
            dir.path(),
            ":hint\n:hint\n:hint\n:hint\n:quit\n",
            Some("alg.linear.solve-two-step"),
        );
        for level in 1..=3 {
            assert!(out.contains(&format!("Hint {level} of 3")), "{out}");
        }
        assert_eq!(out.matches("Hint 3 of 3").count(), 2, "{out}");
    }

    #[test]
    fn skip_moves_to_next_seed() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let out = run_script(dir.path(), ":skip\n:quit\n", Some("num.frac.add-subtract"));
        assert!(out.contains("Skipped. The answer was"), "{out}");
        assert!(out.contains("Question num.frac.add-subtract/2/7"), "{out}");
        assert!(out.contains("Question num.frac.add-subtract/3/8"), "{out}");
    }

    #[test]
    fn unknown_command_explained() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let out = run_script(
            dir.path(),
            ":frobnicate\n:quit\n",
            Some("num.frac.add-subtract"),
        );
        assert!(out.contains("Unknown command `:frobnicate`"), "{out}");
    }

    #[test]
    fn unknown_skill_rejected() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut store = Store::open(dir.path()).expect("open store");
        let profile = test_profile(&mut store);
        let mut input = ReaderPrompter::new(&b""[..]);
        let mut out = Vec::new();
        let mut session = Session {
            source: &BuiltinSource::load().expect("built-in skills load"),
            store: &mut store,
            profile,
            input: &mut input,
            out: &mut out,
            clock: &|| 0,
            next_seed: 1,
            served: HashSet::new(),
        };
        let error = session.run(Some("no.such.skill")).expect_err("rejected");
        assert!(error.to_string().contains("no.such.skill"), "{error}");
    }
}

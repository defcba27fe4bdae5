//! Drives the real `stepwise` binary the way a user or a tool does: with
//! arguments, files and piped standard input.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const VERDICTS: [&str; 5] = ["start", "follows", "warning", "wrong", "unreadable"];
const FINAL_VERDICTS: [&str; 4] = ["correct", "incorrect", "wrong_form", "unfinished"];

/// Runs `stepwise` with `args`, feeding `stdin`, and returns what it printed.
fn stepwise(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(args)
        .env_remove("STEPWISE_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start stepwise");
    let written = child
        .stdin
        .take()
        .expect("stdin pipe")
        .write_all(stdin.as_bytes());
    // A command that fails before reading its input closes the pipe early.
    if let Err(error) = written {
        assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "{error}");
    }
    child.wait_with_output().expect("wait for stepwise")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

/// Asserts that the command failed cleanly: status 2, an `error:` message,
/// and no panic.
fn assert_clean_error(output: &Output, expected: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains(expected), "expected `{expected}` in: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
}

/// Asserts that `value` has the shape of a checker report for `inputs`.
fn assert_report_shape(value: &Value, inputs: &[&str]) {
    let lines = value["lines"].as_array().expect("lines array");
    assert_eq!(lines.len(), inputs.len(), "{value}");
    for (line, input) in lines.iter().zip(inputs) {
        assert_eq!(line["input"], *input, "{line}");
        let verdict = line["verdict"].as_str().expect("verdict string");
        assert!(VERDICTS.contains(&verdict), "unexpected verdict {verdict}");
        assert!(
            line["diagnosis"].is_null() || line["diagnosis"].is_string(),
            "{line}"
        );
        assert!(line["message"].is_string(), "{line}");
        assert!(line["ecf"].is_boolean(), "{line}");
    }
    let final_verdict = value["final"]["verdict"].as_str().expect("final verdict");
    assert!(
        FINAL_VERDICTS.contains(&final_verdict),
        "unexpected final verdict {final_verdict}"
    );
    assert!(value["final"]["message"].is_string(), "{value}");
}

const LINEAR: [&str; 3] = ["2x + 3 = 11", "2x = 8", "x = 4"];

#[test]
fn check_human_rows() {
    let mut args = vec!["check", "--task", "solve", "--for", "x", "--"];
    args.extend(LINEAR);
    let output = stepwise(&args, "");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), LINEAR.len() + 1, "{out}");
    for (row, input) in rows.iter().zip(LINEAR) {
        assert!(row.contains(input), "row `{row}` lacks `{input}`");
    }
    assert!(rows[LINEAR.len()].starts_with("Final: "), "{out}");
    assert!(rows[0].contains('•'), "{out}");
    assert!(rows[1].contains('✓') && rows[2].contains('✓'), "{out}");
    assert!(rows[LINEAR.len()].contains("correct"), "{out}");
}

#[test]
fn check_json_shape() {
    let mut args = vec!["check", "--task", "solve", "--for", "x", "--json", "--"];
    args.extend(LINEAR);
    let output = stepwise(&args, "");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert_eq!(out.lines().count(), 1, "one JSON object on one line: {out}");
    let value: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_report_shape(&value, &LINEAR);
    let verdicts: Vec<&str> = value["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|line| line["verdict"].as_str().expect("verdict"))
        .collect();
    assert_eq!(verdicts, ["start", "follows", "follows"]);
    assert_eq!(value["final"]["verdict"], "correct");
}

#[test]
fn check_leading_minus_line() {
    let output = stepwise(
        &[
            "check", "--task", "simplify", "--json", "--", "-3x + x", "-2x",
        ],
        "",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert_report_shape(&value, &["-3x + x", "-2x"]);
}

#[test]
fn check_rounding_options_accepted() {
    for rounding in [["--dp", "2"], ["--sf", "3"]] {
        let mut args = vec!["check", "--task", "evaluate", "--json"];
        args.extend(rounding);
        args.extend(["--", "1/3", "0.33"]);
        let output = stepwise(&args, "");
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
}

#[test]
fn check_bad_input_rejected() {
    let cases: [(&[&str], &str); 6] = [
        (&["check", "--task", "integrate", "--", "x"], "integrate"),
        (
            &[
                "check", "--task", "solve", "--dp", "2", "--sf", "3", "--", "x = 1",
            ],
            "cannot be used with",
        ),
        (&["check", "--task", "solve"], "no lines given"),
        (&["check", "--", "x = 1"], "--task"),
        (
            &["check", "--task", "solve", "--for", "2x", "--", "x = 1"],
            "invalid unknown `2x`",
        ),
        (
            &["check", "--task", "evaluate", "--sf", "0", "--", "1/3"],
            "significant figures",
        ),
    ];
    for (args, expected) in cases {
        let output = stepwise(args, "");
        assert_clean_error(&output, expected);
    }
}

#[test]
fn batch_bad_line_reported() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("cases.jsonl");
    std::fs::write(
        &path,
        concat!(
            r#"{"task":"solve","for":"x","lines":["2x + 3 = 11","2x = 8","x = 4"]}"#,
            "\n",
            "not json\n",
            r#"{"task":"evaluate","sf":3,"lines":["1/3","0.333"]}"#,
            "\n",
            r#"{"task":"solve","for":["x","y"],"lines":["x + y = 5, x - y = 1"]}"#,
            "\n",
        ),
    )
    .expect("write cases");
    let path = path.to_str().expect("UTF-8 path");
    let output = stepwise(&["check", "--batch", path], "");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    let results: Vec<Value> = out
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert_eq!(results.len(), 4, "{out}");
    assert_report_shape(&results[0], &LINEAR);
    let error = results[1]["error"].as_str().expect("error string");
    assert!(error.starts_with("line 2: "), "{error}");
    assert_report_shape(&results[2], &["1/3", "0.333"]);
    assert_report_shape(&results[3], &["x + y = 5, x - y = 1"]);
}

#[test]
fn batch_from_stdin() {
    let input = concat!(
        r#"{"task":"expand","lines":["(x+2)^2","x^2 + 4x + 4"]}"#,
        "\n",
        r#"{"task":"solve","lines":[]}"#,
        "\n"
    );
    let output = stepwise(&["check", "--batch", "-"], input);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    let results: Vec<Value> = out
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert_eq!(results.len(), 2, "{out}");
    assert_report_shape(&results[0], &["(x+2)^2", "x^2 + 4x + 4"]);
    let error = results[1]["error"].as_str().expect("error string");
    assert!(error.contains("no lines given"), "{error}");
}

#[test]
fn batch_missing_file_rejected() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("absent.jsonl");
    let output = stepwise(&["check", "--batch", path.to_str().expect("UTF-8")], "");
    assert_clean_error(&output, "failed to open batch file");
    assert!(stderr(&output).contains("absent.jsonl"));
}

#[test]
fn equiv_exit_codes() {
    let output = stepwise(&["equiv", "2(x+1)", "2x+2"], "");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let output = stepwise(&["equiv", "(a+b)^2", "a^2+b^2"], "");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));

    let output = stepwise(&["equiv", "--json", "x^3 = 8", "x = 2"], "");
    assert_eq!(output.status.code(), Some(0));
    let value: Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert_eq!(value["equivalent"], true);
    assert!(value["error"].is_null(), "{value}");

    let output = stepwise(&["equiv", "--json", "2x +", "2x"], "");
    assert_eq!(output.status.code(), Some(2));
    let value: Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert!(value["error"].is_string(), "{value}");
}

#[test]
fn equiv_missing_argument_rejected() {
    let output = stepwise(&["equiv", "x"], "");
    assert_eq!(output.status.code(), Some(2));
    assert!(!stderr(&output).contains("panicked"));
}

#[test]
fn equiv_batch_lines() {
    let input = concat!(
        r#"{"a":"2(x+1)","b":"2x+2"}"#,
        "\n",
        r#"{"a":"x"}"#,
        "\n",
        r#"{"a":"x^2","b":"x*x"}"#,
        "\n"
    );
    let output = stepwise(&["equiv", "--batch", "-"], input);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    let results: Vec<Value> = out
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert_eq!(results.len(), 3, "{out}");
    for index in [0, 2] {
        assert!(results[index]["equivalent"].is_boolean(), "{out}");
        assert!(results[index].get("error").is_some(), "{out}");
    }
    let error = results[1]["error"].as_str().expect("error string");
    assert!(error.starts_with("line 2: "), "{error}");
}

/// Reads `(input, verdict, typed_at_ms)` of every stored attempt line.
fn stored_lines(data: &Path) -> Vec<(String, String, i64)> {
    let conn = rusqlite::Connection::open(data.join("stepwise.db")).expect("open database");
    let mut statement = conn
        .prepare(
            "SELECT input, verdict, typed_at_ms FROM attempt_lines ORDER BY attempt_id, position",
        )
        .expect("prepare");
    let rows = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .expect("query");
    rows.map(|row| row.expect("row")).collect()
}

#[test]
fn practice_piped_then_resumed() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let data = dir.path().to_str().expect("UTF-8 path");
    let args = [
        "practice",
        "--data",
        data,
        "--seed",
        "7",
        "--skill",
        "alg.linear.solve-two-step",
    ];

    let first = stepwise(&args, "2x = 8\n:hint\n:example\n:help\n:quit\n");
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let out = stdout(&first);
    assert!(out.contains("Question "), "{out}");
    assert!(out.contains("/7: "), "question id ends in the seed: {out}");
    assert!(out.contains("Hint 1 of 3"), "{out}");
    assert!(out.contains("Worked example"), "{out}");
    assert!(out.contains(":skip"), "help lists the commands: {out}");
    assert!(out.contains("Your working is saved"), "{out}");

    // Finish with the model solution of the question that was asked.
    let id = out
        .split("Question ")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .expect("question id");
    let skills = stepwise_core::generate::builtin::builtin().expect("skills");
    let question_id = stepwise_core::generate::QuestionId::parse(id).expect("id");
    let question =
        stepwise_core::generate::generate_by_id(&skills, &question_id).expect("question");
    let answer = question.solution.last().expect("answer").clone();
    let second = stepwise(&args, &format!("y\n{answer}\n:quit\n"));
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let out = stdout(&second);
    assert!(out.contains("You have an unfinished question"), "{out}");
    assert!(out.contains("2x = 8"), "earlier line shown again: {out}");
    assert!(out.contains("correct"), "{out}");

    let lines = stored_lines(dir.path());
    let inputs: Vec<&str> = lines.iter().map(|(input, _, _)| input.as_str()).collect();
    assert_eq!(inputs, ["2x = 8", answer.as_str()]);
    for (_, verdict, typed_at_ms) in &lines {
        assert!(VERDICTS.contains(&verdict.as_str()), "{verdict}");
        // After 2020-01-01: the CLI stamped it from the clock.
        assert!(*typed_at_ms > 1_577_836_800_000, "{typed_at_ms}");
    }
    assert!(lines[0].2 <= lines[1].2, "lines stamped in typed order");

    let conn = rusqlite::Connection::open(dir.path().join("stepwise.db")).expect("open");
    let (status, hint_level): (String, i64) = conn
        .query_row(
            "SELECT status, hint_level FROM attempts ORDER BY id LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("one attempt");
    assert_eq!(status, "correct");
    assert_eq!(hint_level, 1);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .expect("journal mode");
    assert_eq!(mode, "wal");
}

#[test]
fn practice_skip_records_attempt() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let data = dir.path().to_str().expect("UTF-8 path");
    let output = stepwise(&["practice", "--data", data, "--seed", "3"], "1\n:skip\n");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("The answer was"), "{out}");
    assert!(
        out.contains("/4: "),
        "the next question takes the next seed: {out}"
    );

    let conn = rusqlite::Connection::open(dir.path().join("stepwise.db")).expect("open");
    let statuses: Vec<String> = conn
        .prepare("SELECT status FROM attempts ORDER BY id")
        .expect("prepare")
        .query_map([], |row| row.get(0))
        .expect("query")
        .map(|row| row.expect("row"))
        .collect();
    assert_eq!(statuses, ["skipped", "in_progress"]);
}

#[test]
fn practice_resume_then_skip_serves_new_question() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let data = dir.path().to_str().expect("UTF-8 path");
    let args = [
        "practice",
        "--data",
        data,
        "--seed",
        "7",
        "--skill",
        "alg.linear.solve-two-step",
    ];
    let first = stepwise(&args, "2x = 8\n:quit\n");
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));

    let second = stepwise(&args, "y\n:skip\n:skip\n:quit\n");
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let out = stdout(&second);
    assert!(out.contains("You have an unfinished question"), "{out}");
    // Each shown question is a `Question ID: TEXT` line followed by its
    // start line.
    let lines: Vec<&str> = out.lines().collect();
    let questions_shown: Vec<(&str, &str)> = lines
        .windows(2)
        .filter_map(|pair| {
            let id = pair[0].strip_prefix("Question ")?.split(':').next()?;
            Some((id, pair[1].trim()))
        })
        .collect();
    assert_eq!(
        questions_shown.len(),
        3,
        "resumed draft and two new questions: {out}"
    );
    assert!(
        questions_shown[0].0.ends_with("/7"),
        "the draft is seed 7: {out}"
    );
    for (index, (id, start)) in questions_shown.iter().enumerate() {
        for (other_id, other_start) in &questions_shown[..index] {
            assert_ne!(id, other_id, "question id served twice: {out}");
            assert_ne!(start, other_start, "question served twice: {out}");
        }
    }
}

#[test]
fn sync_server_down_explains_once() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let data = dir.path().to_str().expect("UTF-8 path");
    // A port that was just free: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let session = serde_json::json!({
        "server": format!("http://{address}"),
        "username": "amy",
        "user_id": "u1",
        "school_id": "s1",
        "role": "student",
        "name": "Amy",
        "token": "token",
    });
    std::fs::write(dir.path().join("session.json"), session.to_string()).expect("write session");

    let output = stepwise(&["sync", "--data", data, "--tries", "3"], "");
    let err = stderr(&output);
    assert_ne!(output.status.code(), Some(0), "{err}");
    assert!(!err.contains("WARN"), "retries are not warnings: {err}");
    assert!(err.contains("failed to reach the server"), "{err}");
    assert!(
        err.to_lowercase().contains("connection refused"),
        "the real cause is shown: {err}"
    );
    assert!(!err.contains("error sending request"), "{err}");
    assert!(err.contains("kept on this device"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line of error: {err}");
}

#[test]
fn practice_unwritable_data_rejected() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"").expect("write file");
    let data = file.join("data");
    let output = stepwise(
        &["practice", "--data", data.to_str().expect("UTF-8 path")],
        ":quit\n",
    );
    assert_clean_error(&output, "failed to create data folder");
}

#[test]
fn practice_unknown_skill_rejected() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let data = dir.path().to_str().expect("UTF-8 path");
    let output = stepwise(
        &["practice", "--data", data, "--skill", "no.such.skill"],
        "",
    );
    assert_clean_error(&output, "skill `no.such.skill` not found");
}

#[test]
fn content_lint_passes_on_the_built_in_skills() {
    let output = stepwise(&["content", "lint", "--seeds", "3"], "");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains(": 0 failures"), "{stdout}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
}

#[test]
fn content_lint_rejects_a_bad_seed_count() {
    let output = stepwise(&["content", "lint", "--seeds", "many"], "");
    assert!(!output.status.success());
}

/// Returns a skill file with 5 distinct questions, with or without a
/// `small_reason` line.
fn small_skill(reason: Option<&str>) -> String {
    let reason_line = reason
        .map(|reason| format!("small_reason = \"{reason}\"\n"))
        .unwrap_or_default();
    format!(
        r#"id = "alg.linear.solve-one-step"
title = "Solving one-step equations"
tier = "KS3"
strand = "algebra"
task = "solve"
unknowns = ["x"]
hints = ["a", "b", "c"]
{reason_line}
[[template]]
version = 1
difficulty = 1
params.r = {{ min = 2, max = 6 }}
derived = ["c = 2 * r"]
text = "Solve."
start = "2x = {{c}}"
answer = "x = {{r}}"
form = "isolated"
solution = ["x = {{r}}"]
"#
    )
}

fn catalogue_of(skill_file: &str, json: bool) -> Output {
    let dir = tempfile::tempdir().expect("temporary folder");
    let skills = dir.path().join("skills").join("algebra");
    std::fs::create_dir_all(&skills).expect("create folder");
    std::fs::write(skills.join("alg.linear.solve-one-step.toml"), skill_file).expect("write skill");
    let folder = dir.path().to_str().expect("UTF-8 path");
    let mut args = vec!["content", "catalogue", "--content", folder];
    if json {
        args.push("--json");
    }
    stepwise(&args, "")
}

#[test]
fn catalogue_shows_small_reason() {
    let reason = "only five whole answers fit";
    let table = catalogue_of(&small_skill(Some(reason)), false);
    assert_eq!(table.status.code(), Some(0), "{}", stderr(&table));
    let text = stdout(&table);
    assert!(
        text.contains(&format!("5 exact  (under 1,000: {reason})")),
        "{text}"
    );
    assert!(
        text.contains("under 1,000: 1 skills, 0 of them without a small_reason"),
        "{text}"
    );

    let json = catalogue_of(&small_skill(Some(reason)), true);
    assert_eq!(json.status.code(), Some(0), "{}", stderr(&json));
    let value: Value = serde_json::from_str(&stdout(&json)).expect("catalogue JSON");
    assert_eq!(value["skills"][0]["small_reason"], reason);
    assert_eq!(value["skills"][0]["count"], "5");
}

#[test]
fn catalogue_flags_small_skill_without_reason() {
    let table = catalogue_of(&small_skill(None), false);
    assert_eq!(table.status.code(), Some(0), "{}", stderr(&table));
    let text = stdout(&table);
    assert!(
        text.contains("(under 1,000, no small_reason given)"),
        "{text}"
    );
    assert!(
        text.contains("under 1,000: 1 skills, 1 of them without a small_reason"),
        "{text}"
    );
}

#[test]
fn catalogue_rejects_empty_small_reason() {
    let output = catalogue_of(&small_skill(Some(" ")), false);
    assert_clean_error(&output, "empty small_reason");
}

#[test]
fn pack_built_loaded_and_tampered() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("content.json");
    let file_arg = file.to_str().expect("UTF-8 path");
    let built = stepwise(&["pack", "--out", file_arg], "");
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(stdout(&built).contains("wrote "), "{}", stdout(&built));
    let text = std::fs::read_to_string(&file).expect("pack written");
    let pack: Value = serde_json::from_str(&text).expect("pack is JSON");
    let version = pack["manifest"]["version"].as_str().expect("version");
    assert!(stdout(&built).contains(version), "{}", stdout(&built));

    // The same content builds the same file: the version is no clock.
    let again = dir.path().join("again.json");
    let rebuilt = stepwise(&["pack", "--out", again.to_str().expect("UTF-8")], "");
    assert_eq!(rebuilt.status.code(), Some(0), "{}", stderr(&rebuilt));
    assert_eq!(std::fs::read_to_string(&again).expect("read"), text);

    let data = dir.path().join("data");
    let data_arg = data.to_str().expect("UTF-8 path");
    let practice = [
        "practice",
        "--data",
        data_arg,
        "--pack",
        file_arg,
        "--seed",
        "5",
        "--skill",
        "alg.linear.solve-two-step",
    ];
    let good = stepwise(&practice, ":quit\n");
    assert_eq!(good.status.code(), Some(0), "{}", stderr(&good));
    assert!(stdout(&good).contains("Question "), "{}", stdout(&good));

    // One changed character in one skill file.
    let target = "\"path\": \"algebra/alg.linear.solve-two-step.toml\",\n      \"text\": \"";
    let at = text.find(target).expect("skill file in the pack") + target.len();
    let mut tampered = text.clone();
    let changed = if &text[at..at + 1] == "#" { "%" } else { "#" };
    tampered.replace_range(at..at + 1, changed);
    std::fs::write(&file, &tampered).expect("write tampered pack");
    let bad = stepwise(&practice, ":quit\n");
    assert_clean_error(&bad, file_arg);
    let err = stderr(&bad);
    assert!(
        err.contains("algebra/alg.linear.solve-two-step.toml"),
        "{err}"
    );
    assert!(err.contains("SHA-256"), "{err}");

    std::fs::write(&file, "{").expect("write broken pack");
    let broken = stepwise(&practice, ":quit\n");
    assert_clean_error(&broken, "not valid pack JSON");

    let missing = dir.path().join("missing.json");
    let practice_missing = [
        "practice",
        "--data",
        data_arg,
        "--pack",
        missing.to_str().expect("UTF-8"),
    ];
    assert_clean_error(&stepwise(&practice_missing, ""), "failed to read");
}

#[test]
fn pack_from_a_content_folder() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let skills = dir.path().join("skills").join("algebra");
    std::fs::create_dir_all(&skills).expect("create folder");
    let source = stepwise_core::generate::builtin::SOURCES
        .iter()
        .find(|(path, _)| *path == "algebra/alg.linear.solve-two-step.toml")
        .expect("built-in skill")
        .1;
    std::fs::write(skills.join("alg.linear.solve-two-step.toml"), source).expect("write skill");
    let out = dir.path().join("one.json");
    let built = stepwise(
        &[
            "pack",
            "--content",
            dir.path().to_str().expect("UTF-8"),
            "--out",
            out.to_str().expect("UTF-8"),
        ],
        "",
    );
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(stdout(&built).contains(", 1 skills,"), "{}", stdout(&built));

    let empty = tempfile::tempdir().expect("temporary folder");
    std::fs::create_dir(empty.path().join("skills")).expect("create folder");
    let failed = stepwise(
        &[
            "pack",
            "--content",
            empty.path().to_str().expect("UTF-8"),
            "--out",
            out.to_str().expect("UTF-8"),
        ],
        "",
    );
    assert_clean_error(&failed, "no skill files found");
}

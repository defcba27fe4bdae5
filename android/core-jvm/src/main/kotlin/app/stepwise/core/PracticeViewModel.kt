// The practice screen's state: the question, the keyboard line, verdicts
// for every submitted line, hints and the worked example. Every decision is
// made by the Rust core; this class only moves values into a StateFlow.
package app.stepwise.core

import app.stepwise.ffi.Draft
import app.stepwise.ffi.HintRecord
import app.stepwise.ffi.KeyboardException
import app.stepwise.ffi.KeyboardKey
import app.stepwise.ffi.LineReport
import app.stepwise.ffi.MathsKeyboard
import app.stepwise.ffi.PracticeException
import app.stepwise.ffi.PracticeSession
import app.stepwise.ffi.QuestionRecord
import app.stepwise.ffi.SkillCatalogue
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** What the practice screen draws. */
data class PracticeState(
    val question: QuestionRecord,
    /** Verdicts of the submitted lines, without the question's own line. */
    val lines: List<LineReport>,
    /** The line being typed, with the cursor shown as `|`. */
    val editing: String,
    /** LaTeX of the line being typed, with `\square` in empty slots. */
    val editingLatex: String,
    val hint: HintRecord?,
    val workedExample: QuestionRecord?,
    val finished: Boolean,
    /** The last error to show, such as a key the line could not take. */
    val error: String?,
)

/** Drives one practice session; `onDraft` receives the state to save after each change. */
class PracticeViewModel private constructor(
    private val session: PracticeSession,
    private val onDraft: (Draft) -> Unit,
) {
    private val keyboard = MathsKeyboard()
    private val mutableState = MutableStateFlow(initialState())
    val state: StateFlow<PracticeState> = mutableState.asStateFlow()

    companion object {
        /** Starts a new question of `skillId`; `seed` picks the question. */
        fun start(catalogue: SkillCatalogue, skillId: String, seed: ULong, onDraft: (Draft) -> Unit = {}) =
            PracticeViewModel(PracticeSession.start(catalogue, skillId, seed), onDraft)

        fun resume(catalogue: SkillCatalogue, draft: Draft, onDraft: (Draft) -> Unit = {}) =
            PracticeViewModel(PracticeSession.resume(catalogue, draft), onDraft)
    }

    private fun initialState() = PracticeState(
        question = session.question(),
        lines = session.report().lines.drop(1),
        editing = "|",
        editingLatex = "",
        hint = null,
        workedExample = null,
        finished = session.isFinished(),
        error = null,
    )

    private fun refreshEditing(error: String? = null) {
        mutableState.value = mutableState.value.copy(
            editing = keyboard.textWithCursor(),
            editingLatex = keyboard.editingLatex("|", "[", "]"),
            error = error,
        )
    }

    fun press(key: KeyboardKey) {
        try {
            keyboard.press(key)
            refreshEditing()
        } catch (error: KeyboardException) {
            refreshEditing(error.message)
        }
    }

    /** Submits the keyboard's line, or `typed` when given (a hardware keyboard). */
    fun submit(typed: String? = null) {
        val line = typed ?: keyboard.text()
        try {
            val outcome = session.submit(line)
            keyboard.press(KeyboardKey.Clear)
            mutableState.value = mutableState.value.copy(
                lines = mutableState.value.lines + outcome.line,
                finished = outcome.finished,
                hint = null,
                error = null,
            )
            refreshEditing()
            onDraft(session.draft())
        } catch (error: PracticeException) {
            mutableState.value = mutableState.value.copy(error = error.message)
        }
    }

    fun hint() {
        mutableState.value = mutableState.value.copy(hint = session.nextHint())
        onDraft(session.draft())
    }

    fun showWorkedExample() {
        try {
            mutableState.value = mutableState.value.copy(workedExample = session.workedExample())
        } catch (error: PracticeException) {
            mutableState.value = mutableState.value.copy(error = error.message)
        }
    }

    fun draft(): Draft = session.draft()
}

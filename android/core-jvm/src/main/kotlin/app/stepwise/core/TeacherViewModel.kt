// The teacher screens: marking a class's working in one batch off the main
// thread, with progress and a cancel button, and the console backed by the
// server (classes, a class's summary, a student's working, comments, setting
// work, and a student's lines arriving live).
package app.stepwise.core

import app.stepwise.ffi.AssignmentCreated
import app.stepwise.ffi.AssignmentRequest
import app.stepwise.ffi.CancelToken
import app.stepwise.ffi.CheckCase
import app.stepwise.ffi.ClassRecord
import app.stepwise.ffi.ClassSummaryRecord
import app.stepwise.ffi.LiveEventRecord
import app.stepwise.ffi.LiveLineRecord
import app.stepwise.ffi.LiveListener
import app.stepwise.ffi.LiveWatch
import app.stepwise.ffi.MathsChecker
import app.stepwise.ffi.ProgressListener
import app.stepwise.ffi.RemoteException
import app.stepwise.ffi.Report
import app.stepwise.ffi.StudentWorkRecord
import app.stepwise.ffi.TaskException
import app.stepwise.ffi.TeacherConsole
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** What the marking screen draws. */
data class MarkingState(
    val done: ULong = 0UL,
    val total: ULong = 0UL,
    val running: Boolean = false,
    val reports: List<Report> = emptyList(),
    val error: String? = null,
)

/** The state that the console screens draw. */
data class ConsoleState(
    val classes: List<ClassRecord> = emptyList(),
    val summary: ClassSummaryRecord? = null,
    val work: StudentWorkRecord? = null,
    /** Lines received from the watched student, oldest first. */
    val live: List<LiveLineRecord> = emptyList(),
    val watching: Boolean = false,
    /** Set when the server dropped live lines; `openStudent` fetches them all. */
    val missedLines: Boolean = false,
    val loading: Boolean = false,
    val error: String? = null,
)

/** `console` is null on a device with no teacher account, where only marking works. */
class TeacherViewModel(private val checker: MathsChecker, private val console: TeacherConsole? = null) {
    private val mutableState = MutableStateFlow(MarkingState())
    val state: StateFlow<MarkingState> = mutableState.asStateFlow()

    private val mutableConsole = MutableStateFlow(ConsoleState())
    val consoleState: StateFlow<ConsoleState> = mutableConsole.asStateFlow()

    @Volatile
    private var cancel: CancelToken? = null

    @Volatile
    private var watch: LiveWatch? = null

    /** Checks every case; returns when done, cancelled or failed. */
    suspend fun mark(cases: List<CheckCase>) {
        val token = CancelToken()
        cancel = token
        mutableState.value = MarkingState(total = cases.size.toULong(), running = true)
        val listener = object : ProgressListener {
            override fun onProgress(done: ULong, total: ULong) {
                mutableState.value = mutableState.value.copy(done = done, total = total)
            }
        }
        mutableState.value = try {
            val reports = checker.checkBatch(cases, listener, token)
            mutableState.value.copy(running = false, reports = reports)
        } catch (error: TaskException) {
            mutableState.value.copy(running = false, error = error.message)
        } finally {
            cancel = null
        }
    }

    /** Stops the running batch at its next case. */
    fun cancel() {
        cancel?.cancel()
    }

    private suspend fun load(work: suspend (TeacherConsole, ConsoleState) -> ConsoleState) {
        val console = console ?: return
        mutableConsole.value = mutableConsole.value.copy(loading = true, error = null)
        mutableConsole.value = try {
            work(console, mutableConsole.value).copy(loading = false)
        } catch (error: RemoteException) {
            mutableConsole.value.copy(loading = false, error = error.message)
        }
    }

    suspend fun loadClasses() = load { console, state -> state.copy(classes = console.classes()) }

    suspend fun openClass(classId: String) = load { console, state ->
        state.copy(summary = console.classSummary(classId))
    }

    suspend fun openStudent(studentId: String) = load { console, state ->
        state.copy(work = console.studentWork(studentId), missedLines = false)
    }

    /** Comments on a line (counted from 0) of the open student's attempt, then reloads their working. */
    suspend fun comment(attemptId: String, lineIndex: UInt, text: String) = load { console, state ->
        console.comment(state.work?.studentId, attemptId, lineIndex, text)
        val work = state.work ?: return@load state
        state.copy(work = console.studentWork(work.studentId))
    }

    /** Sets work; returns what the server created, or null after an error shown in the state. */
    suspend fun assign(request: AssignmentRequest): AssignmentCreated? {
        var created: AssignmentCreated? = null
        load { console, state ->
            created = console.assign(request)
            state.copy(summary = console.classSummary(request.classId))
        }
        return created
    }

    /** Starts receiving a student's lines as they are typed, replacing any earlier watch. */
    fun watch(studentId: String) {
        val console = console ?: return
        stopWatching()
        val listener = object : LiveListener {
            override fun onEvent(event: LiveEventRecord) {
                val state = mutableConsole.value
                mutableConsole.value = when (event) {
                    is LiveEventRecord.Open -> state.copy(watching = true, live = emptyList())
                    is LiveEventRecord.Lagged -> state.copy(missedLines = true)
                    is LiveEventRecord.Line -> state.copy(live = state.live + event.line)
                    is LiveEventRecord.Ended -> state.copy(watching = false, error = event.reason)
                }
            }
        }
        watch = try {
            console.watch(studentId, listener)
        } catch (error: RemoteException) {
            mutableConsole.value = mutableConsole.value.copy(error = error.message)
            null
        }
    }

    fun stopWatching() {
        watch?.cancel()
        watch?.close()
        watch = null
        mutableConsole.value = mutableConsole.value.copy(watching = false)
    }
}

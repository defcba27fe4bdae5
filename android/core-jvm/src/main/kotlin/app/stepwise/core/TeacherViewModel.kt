// The teacher console: checks a class's working in one batch off the main
// thread, with progress and a cancel button.
package app.stepwise.core

import app.stepwise.ffi.CancelToken
import app.stepwise.ffi.CheckCase
import app.stepwise.ffi.MathsChecker
import app.stepwise.ffi.ProgressListener
import app.stepwise.ffi.Report
import app.stepwise.ffi.TaskException
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

class TeacherViewModel(private val checker: MathsChecker) {
    private val mutableState = MutableStateFlow(MarkingState())
    val state: StateFlow<MarkingState> = mutableState.asStateFlow()

    @Volatile
    private var cancel: CancelToken? = null

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
}

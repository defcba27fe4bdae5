// The parent screen: the linked children and one child's report, fetched
// from the server through the core's parent view.
package app.stepwise.core

import app.stepwise.ffi.ChildRecord
import app.stepwise.ffi.ParentReportRecord
import app.stepwise.ffi.ParentView
import app.stepwise.ffi.RemoteException
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** What the parent screen draws. */
data class ParentState(
    val children: List<ChildRecord> = emptyList(),
    val report: ParentReportRecord? = null,
    val loading: Boolean = false,
    val error: String? = null,
)

class ParentViewModel(private val view: ParentView) {
    private val mutableState = MutableStateFlow(ParentState())
    val state: StateFlow<ParentState> = mutableState.asStateFlow()

    private suspend fun load(work: suspend (ParentState) -> ParentState) {
        mutableState.value = mutableState.value.copy(loading = true, error = null)
        mutableState.value = try {
            work(mutableState.value).copy(loading = false)
        } catch (error: RemoteException) {
            mutableState.value.copy(loading = false, error = error.message)
        }
    }

    suspend fun loadChildren() = load { it.copy(children = view.children()) }

    /** Redeems the school's link code, then lists the children again. */
    suspend fun link(code: String) = load {
        view.linkChild(code)
        it.copy(children = view.children())
    }

    suspend fun select(studentId: String) = load { it.copy(report = view.report(studentId)) }
}

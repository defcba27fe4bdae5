// The profile picker and progress screen: the device's profiles, and for the
// unlocked one its progress per skill, what to practise next, the work set
// by teachers and the events waiting to sync. All of it is read from the
// core's store; this class only moves values into a StateFlow.
package app.stepwise.core

import app.stepwise.ffi.AppException
import app.stepwise.ffi.AssignmentRecord
import app.stepwise.ffi.NextItemRecord
import app.stepwise.ffi.ProfileRecord
import app.stepwise.ffi.SkillProgressRecord
import app.stepwise.ffi.StepwiseStore
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** What the progress screen draws. */
data class ProgressState(
    val profiles: List<ProfileRecord> = emptyList(),
    /** The unlocked profile's name; null shows the profile picker. */
    val unlocked: String? = null,
    val skills: List<SkillProgressRecord> = emptyList(),
    val next: List<NextItemRecord> = emptyList(),
    val assignments: List<AssignmentRecord> = emptyList(),
    val pendingEvents: ULong = 0UL,
    val error: String? = null,
)

class ProgressViewModel(private val store: StepwiseStore, private val suggestions: UInt = 5u) {
    private val mutableState = MutableStateFlow(ProgressState())
    val state: StateFlow<ProgressState> = mutableState.asStateFlow()

    init {
        refresh()
    }

    /** Reads everything again, such as after a practice session or a sync. */
    fun refresh() {
        mutableState.value = try {
            val profiles = store.profiles()
            when (val unlocked = store.unlockedProfile()) {
                null -> ProgressState(profiles = profiles)
                else -> ProgressState(
                    profiles = profiles,
                    unlocked = unlocked,
                    skills = store.progress(),
                    next = store.whatNext(suggestions),
                    assignments = store.assignments(),
                    pendingEvents = store.pendingEvents(),
                )
            }
        } catch (error: AppException) {
            mutableState.value.copy(error = error.message)
        }
    }

    /** Unlocks a profile; a wrong or missing PIN shows as the error. */
    fun unlock(name: String, pin: String?) {
        try {
            store.unlock(name, pin)
            refresh()
        } catch (error: AppException) {
            mutableState.value = mutableState.value.copy(error = error.message)
        }
    }

    fun addProfile(name: String, pin: String?) {
        try {
            store.addProfile(name, pin)
            refresh()
        } catch (error: AppException) {
            mutableState.value = mutableState.value.copy(error = error.message)
        }
    }

    fun lock() {
        store.lock()
        refresh()
    }
}

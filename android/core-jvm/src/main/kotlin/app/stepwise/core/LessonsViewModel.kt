// The lessons screen: skills grouped by strand, from the core's catalogue.
package app.stepwise.core

import app.stepwise.ffi.CatalogueException
import app.stepwise.ffi.SkillCatalogue
import app.stepwise.ffi.SkillSummary
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** What the lessons screen draws. */
data class LessonsState(
    /** Skills by strand, strands in catalogue order. */
    val strands: Map<String, List<SkillSummary>>,
    val selected: SkillSummary?,
    val error: String?,
)

class LessonsViewModel(private val catalogue: SkillCatalogue) {
    private val mutableState = MutableStateFlow(
        LessonsState(catalogue.skills().groupBy { it.strand }, selected = null, error = null),
    )
    val state: StateFlow<LessonsState> = mutableState.asStateFlow()

    fun select(skillId: String) {
        mutableState.value = try {
            mutableState.value.copy(selected = catalogue.skill(skillId), error = null)
        } catch (error: CatalogueException) {
            mutableState.value.copy(selected = null, error = error.message)
        }
    }
}

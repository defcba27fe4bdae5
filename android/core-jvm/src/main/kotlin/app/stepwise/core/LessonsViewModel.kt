// The lessons screen: skills grouped by strand, from the core's catalogue,
// and the download of a lesson's videos for offline use, with progress and
// a cancel button.
package app.stepwise.core

import app.stepwise.ffi.CacheException
import app.stepwise.ffi.CancelToken
import app.stepwise.ffi.CatalogueException
import app.stepwise.ffi.ContentLibrary
import app.stepwise.ffi.LessonAvailability
import app.stepwise.ffi.ProgressListener
import app.stepwise.ffi.SkillCatalogue
import app.stepwise.ffi.SkillSummary
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** A lesson download in progress or just ended. */
data class DownloadState(
    val lesson: String,
    val done: ULong = 0UL,
    val total: ULong = 0UL,
    val running: Boolean = true,
    val error: String? = null,
)

/** What the lessons screen draws. */
data class LessonsState(
    /** Skills by strand, strands in catalogue order. */
    val strands: Map<String, List<SkillSummary>>,
    val selected: SkillSummary?,
    val error: String?,
    /** Offline status of the lessons asked about, by lesson id. */
    val availability: Map<String, LessonAvailability> = emptyMap(),
    val download: DownloadState? = null,
)

/** `library` is null where the app has no content cache, as in some tests. */
class LessonsViewModel(private val catalogue: SkillCatalogue, private val library: ContentLibrary? = null) {
    private val mutableState = MutableStateFlow(
        LessonsState(catalogue.skills().groupBy { it.strand }, selected = null, error = null),
    )
    val state: StateFlow<LessonsState> = mutableState.asStateFlow()

    @Volatile
    private var cancel: CancelToken? = null

    fun select(skillId: String) {
        mutableState.value = try {
            mutableState.value.copy(selected = catalogue.skill(skillId), error = null)
        } catch (error: CatalogueException) {
            mutableState.value.copy(selected = null, error = error.message)
        }
    }

    /** Reads whether `lesson` can be used with no network. */
    fun checkAvailability(lesson: String) {
        val library = library ?: return
        mutableState.value = try {
            val availability = mutableState.value.availability + (lesson to library.availability(lesson))
            mutableState.value.copy(availability = availability)
        } catch (error: CacheException) {
            mutableState.value.copy(error = error.message)
        }
    }

    /** Downloads a lesson's missing files; returns when done, cancelled or failed. */
    suspend fun download(lesson: String) {
        val library = library ?: return
        val token = CancelToken()
        cancel = token
        mutableState.value = mutableState.value.copy(download = DownloadState(lesson))
        val listener = object : ProgressListener {
            override fun onProgress(done: ULong, total: ULong) {
                val current = mutableState.value
                mutableState.value = current.copy(download = current.download?.copy(done = done, total = total))
            }
        }
        val failure = try {
            library.downloadLesson(lesson, listener, token)
            null
        } catch (error: CacheException) {
            error.message
        } finally {
            cancel = null
        }
        val current = mutableState.value
        mutableState.value = current.copy(download = current.download?.copy(running = false, error = failure))
        checkAvailability(lesson)
    }

    /** Stops the running download; the bytes received are kept for the next try. */
    fun cancelDownload() {
        cancel?.cancel()
    }
}

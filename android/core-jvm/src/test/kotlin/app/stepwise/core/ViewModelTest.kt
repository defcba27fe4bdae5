// Drives the view models as the Compose screens will, against the real library.
package app.stepwise.core

import app.stepwise.ffi.CheckCase
import app.stepwise.ffi.CheckTask
import app.stepwise.ffi.Draft
import app.stepwise.ffi.FinalVerdict
import app.stepwise.ffi.KeyboardKey
import app.stepwise.ffi.MathsChecker
import app.stepwise.ffi.NextReasonRecord
import app.stepwise.ffi.RecordedPractice
import app.stepwise.ffi.SkillCatalogue
import app.stepwise.ffi.StepwiseStore
import app.stepwise.ffi.TaskKind
import app.stepwise.ffi.Verdict
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import java.nio.file.Files

class ViewModelTest {
    private val catalogue = SkillCatalogue.builtin()

    @Test
    fun practiceViewModelRunsQuestion() {
        val drafts = mutableListOf<Draft>()
        val model = PracticeViewModel.start(catalogue, "alg.linear.solve-two-step", 42u) { drafts.add(it) }
        val question = model.state.value.question
        assertFalse(model.state.value.finished)

        model.press(KeyboardKey.Letter("x"))
        model.press(KeyboardKey.Relation(app.stepwise.ffi.RelationSign.EQUAL))
        assertEquals("x = |", model.state.value.editing)
        model.press(KeyboardKey.Digit(99u))
        assertNotNull(model.state.value.error)
        model.press(KeyboardKey.Clear)
        assertNull(model.state.value.error)

        model.submit("")
        assertNotNull(model.state.value.error)

        model.hint()
        assertEquals(1.toUByte(), model.state.value.hint?.level)
        model.showWorkedExample()
        assertEquals(question.skillId, model.state.value.workedExample?.skillId)

        for (line in question.solution) {
            model.submit(line)
        }
        val state = model.state.value
        assertTrue(state.finished)
        assertEquals(question.solution.size, state.lines.size)
        assertTrue(state.lines.none { it.verdict == Verdict.WRONG })
        assertEquals(question.solution, drafts.last().lines)

        val resumed = PracticeViewModel.resume(catalogue, drafts.last())
        assertTrue(resumed.state.value.finished)
    }

    @Test
    fun lessonsViewModelGroupsSkills() {
        val model = LessonsViewModel(catalogue)
        val strands = model.state.value.strands
        assertTrue(strands.isNotEmpty())
        val skill = strands.values.first().first()
        model.select(skill.id)
        assertEquals(skill, model.state.value.selected)
        model.select("missing")
        assertNull(model.state.value.selected)
        assertNotNull(model.state.value.error)
    }

    @Test
    fun teacherViewModelMarksClass() = runBlocking {
        val model = TeacherViewModel(MathsChecker())
        val task = CheckTask(TaskKind.SOLVE, listOf("x"), null, null)
        val cases = List(6) { CheckCase(task, listOf("3x = 12", "x = ${3 + it % 2}")) }
        model.mark(cases)
        val state = model.state.value
        assertFalse(state.running)
        assertEquals(6UL, state.done)
        assertEquals(6, state.reports.size)
        assertEquals(FinalVerdict.INCORRECT, state.reports[0].finalAnswer.verdict)
        assertEquals(FinalVerdict.CORRECT, state.reports[1].finalAnswer.verdict)
        assertNull(state.error)
    }

    @Test
    fun progressViewModelFollowsProfile() {
        StepwiseStore.open(Files.createTempDirectory("stepwise-progress").toString()).use { store ->
            val model = ProgressViewModel(store, suggestions = 3u)
            assertTrue(model.state.value.profiles.isEmpty())
            assertNull(model.state.value.unlocked)

            model.addProfile("Ana", "2468")
            assertEquals(listOf("Ana"), model.state.value.profiles.map { it.name })
            model.unlock("Ana", "1111")
            assertNull(model.state.value.unlocked)
            assertTrue(model.state.value.error!!.contains("Ana"))
            model.unlock("Ana", "2468")
            assertEquals("Ana", model.state.value.unlocked)
            assertNull(model.state.value.error)
            assertEquals(3, model.state.value.next.size)
            assertTrue(model.state.value.next.all { it.reason is NextReasonRecord.New })

            RecordedPractice.start(store, "alg.linear.solve-two-step", 9UL, null).use { practice ->
                practice.question().solution.forEach { practice.submit(it) }
            }
            model.refresh()
            val skill = model.state.value.skills.single()
            assertEquals("alg.linear.solve-two-step", skill.skillId)
            assertEquals(1u, skill.correct)
            assertTrue(model.state.value.pendingEvents > 0UL)
            assertTrue(model.state.value.assignments.isEmpty())

            model.lock()
            assertNull(model.state.value.unlocked)
            assertTrue(model.state.value.skills.isEmpty())
        }
    }
}

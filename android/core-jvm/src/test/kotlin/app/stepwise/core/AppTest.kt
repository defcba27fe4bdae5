// The store object from Kotlin against a real database file: profiles and
// PINs, a practice session recorded into the store and resumed by a second
// store object, progress, what next, and calls from several threads.
package app.stepwise.core

import app.stepwise.ffi.AppException
import app.stepwise.ffi.AttemptStatusRecord
import app.stepwise.ffi.FinalVerdict
import app.stepwise.ffi.NextReasonRecord
import app.stepwise.ffi.RecordedPractice
import app.stepwise.ffi.StepwiseStore
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File
import java.nio.file.Files
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

class AppTest {
    private val skill = "alg.linear.solve-both-sides"

    private fun tempDir(): File = Files.createTempDirectory("stepwise-app").toFile()

    @Test
    fun profilesWithPins() {
        StepwiseStore.open(tempDir().path).use { app ->
            assertTrue(app.profiles().isEmpty())
            val ana = app.addProfile("Ana", "1234")
            assertEquals("Ana", ana.name)
            assertTrue(ana.hasPin)
            app.addProfile("Ben", null)
            assertEquals(listOf("Ana", "Ben"), app.profiles().map { it.name })

            val taken = assertThrows(AppException.ProfileExists::class.java) { app.addProfile("Ana", null) }
            assertTrue(taken.message!!.contains("Ana"))
            assertThrows(AppException.InvalidPin::class.java) { app.addProfile("Cat", "12") }
            assertThrows(AppException.InvalidProfileName::class.java) { app.addProfile("   ", null) }

            assertThrows(AppException.NoProfileUnlocked::class.java) { app.progress() }
            assertThrows(AppException.PinRequired::class.java) { app.unlock("Ana", null) }
            assertThrows(AppException.WrongPin::class.java) { app.unlock("Ana", "9999") }
            assertThrows(AppException.ProfileNotFound::class.java) { app.unlock("Zed", null) }
            assertNull(app.unlockedProfile())

            assertEquals("Ana", app.unlock("Ana", "1234").name)
            assertEquals("Ana", app.unlockedProfile())
            app.lock()
            assertNull(app.unlockedProfile())

            app.unlock("Ben", null)
            app.removeProfile("Ben")
            assertNull(app.unlockedProfile())
            assertEquals(listOf("Ana"), app.profiles().map { it.name })
            assertThrows(AppException.ProfileNotFound::class.java) { app.removeProfile("Ben") }
        }
    }

    @Test
    fun practiceRecordedAndResumedByNewApp() {
        val dir = tempDir()
        val (questionId, firstLine) = StepwiseStore.open(dir.path).use { app ->
            app.addProfile("Ana", null)
            app.unlock("Ana", null)
            assertNull(app.resumePractice())
            val started = RecordedPractice.start(app, skill, 11UL, null).use { practice ->
                val question = practice.question()
                val outcome = practice.submit(question.solution[0])
                assertFalse(outcome.finished)
                assertEquals(1.toUByte(), practice.nextHint().level)
                practice.savePending("x =", 3u)
                question.id to question.solution[0]
            }
            assertEquals(AttemptStatusRecord.IN_PROGRESS, app.recentAttempts(5u).single().status)
            assertTrue(app.pendingEvents() >= 3UL)
            started
        }

        // A second store object on the same folder, as after a restart.
        StepwiseStore.open(dir.path).use { app ->
            assertThrows(AppException.NoProfileUnlocked::class.java) { app.resumePractice() }
            app.unlock("Ana", null)
            val practice = app.resumePractice() ?: throw AssertionError("no draft to resume")
            practice.use {
                assertEquals(questionId, it.question().id)
                assertEquals(listOf(firstLine), it.lines())
                assertEquals(1.toUByte(), it.hintLevel())
                val pending = it.pendingLine()!!
                assertEquals("x =", pending.input)
                assertEquals(3u, pending.cursor)
                assertTrue(it.workedExample().text.isNotEmpty())

                val rest = it.question().solution.drop(1)
                val outcomes = rest.map { line -> it.submit(line) }
                assertTrue(outcomes.last().finished)
                assertEquals(FinalVerdict.CORRECT, it.report().finalAnswer.verdict)
                assertTrue(it.isFinished())
                assertThrows(AppException.Practice::class.java) { it.submit("x = 1") }
                assertThrows(AppException.Practice::class.java) { it.skip() }
                assertThrows(AppException.Storage::class.java) { it.savePending("late", 0u) }
            }
            val attempt = app.recentAttempts(5u).single()
            assertEquals(questionId, attempt.questionId)
            assertEquals(AttemptStatusRecord.CORRECT, attempt.status)
            assertEquals(FinalVerdict.CORRECT, attempt.finalVerdict)
            assertNotNull(attempt.finishedAtMs)
            assertNull(app.resumePractice())

            val progress = app.progress().single()
            assertEquals(skill, progress.skillId)
            assertEquals(1u, progress.attempts)
            assertEquals(1u, progress.correct)
            assertTrue(progress.mastery > 0.0)
            assertTrue(app.assignments().isEmpty())
        }
    }

    @Test
    fun skipAndNewStartPutDraftsAside() {
        StepwiseStore.open(tempDir().path).use { app ->
            app.addProfile("Ana", null)
            app.unlock("Ana", null)
            RecordedPractice.start(app, skill, 1UL, null).use { it.submit("x = 100") }
            RecordedPractice.start(app, skill, 2UL, "hw-1").use { it.skip() }
            val statuses = app.recentAttempts(10u).map { it.status }
            assertEquals(listOf(AttemptStatusRecord.SKIPPED, AttemptStatusRecord.ABANDONED), statuses)
            assertEquals("hw-1", app.recentAttempts(1u).single().assignmentId)
            val unknown = assertThrows(AppException.Practice::class.java) {
                RecordedPractice.start(app, "no.such.skill", 1UL, null)
            }
            assertTrue(unknown.message!!.contains("no.such.skill"))
            assertThrows(AppException.Practice::class.java) {
                RecordedPractice.start(app, skill, 3UL, null).use { it.submit("   ") }
            }
        }
    }

    @Test
    fun whatNextOffersNewSkillsThenWeakOnes() {
        StepwiseStore.open(tempDir().path).use { app ->
            app.addProfile("Ana", null)
            app.unlock("Ana", null)
            val fresh = app.whatNext(4u)
            assertEquals(4, fresh.size)
            assertTrue(fresh.all { it.reason is NextReasonRecord.New })

            RecordedPractice.start(app, skill, 5UL, null).use { it.skip() }
            val next = app.whatNext(10u)
            val mine = next.single { it.skillId == skill }
            assertTrue("a skipped skill is weak or due, got ${mine.reason}", mine.reason !is NextReasonRecord.New)
        }
    }

    @Test
    fun appServesSeveralThreads() {
        StepwiseStore.open(tempDir().path).use { app ->
            app.addProfile("Ana", null)
            app.unlock("Ana", null)
            val pool = Executors.newFixedThreadPool(4)
            try {
                val jobs = (1..8).map { seed ->
                    Callable {
                        // Each start puts the previous draft aside as
                        // abandoned, so at most one draft remains.
                        RecordedPractice.start(app, skill, seed.toULong(), null).use { practice ->
                            app.progress()
                            app.whatNext(3u)
                            practice.question().id
                        }
                    }
                }
                val ids = pool.invokeAll(jobs).map { it.get(60, TimeUnit.SECONDS) }
                assertEquals(8, ids.toSet().size)
            } finally {
                pool.shutdown()
            }
            assertEquals(8, app.recentAttempts(20u).size)
        }
    }
}


// Calls every exported object and function of the Rust library from Kotlin,
// through the generated bindings and JNA, against the real library.
package app.stepwise.core

import app.stepwise.ffi.CallbackException
import app.stepwise.ffi.CancelToken
import app.stepwise.ffi.CatalogueException
import app.stepwise.ffi.CheckCase
import app.stepwise.ffi.CheckTask
import app.stepwise.ffi.Draft
import app.stepwise.ffi.FinalVerdict
import app.stepwise.ffi.KeyboardException
import app.stepwise.ffi.KeyboardKey
import app.stepwise.ffi.LogLevel
import app.stepwise.ffi.LogSink
import app.stepwise.ffi.MathsChecker
import app.stepwise.ffi.MathsException
import app.stepwise.ffi.MathsKeyboard
import app.stepwise.ffi.PracticeException
import app.stepwise.ffi.PracticeSession
import app.stepwise.ffi.ProgressListener
import app.stepwise.ffi.RelationSign
import app.stepwise.ffi.Rounding
import app.stepwise.ffi.SkillCatalogue
import app.stepwise.ffi.TaskException
import app.stepwise.ffi.TaskKind
import app.stepwise.ffi.Verdict
import app.stepwise.ffi.configureLogging
import app.stepwise.ffi.libraryVersion
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.Test
import java.util.Collections
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

class LibraryTest {
    private val solve = CheckTask(TaskKind.SOLVE, listOf("x"), null, null)

    @Test
    fun versionMatchesManifest() {
        assertEquals("0.1.0", libraryVersion())
    }

    @Test
    fun catalogueListsSkills() {
        val catalogue = SkillCatalogue.builtin()
        val skills = catalogue.skills()
        assertTrue(skills.size >= 20)
        val first = catalogue.skill(skills[0].id)
        assertEquals(skills[0], first)
        assertTrue(first.tier in setOf("KS3", "F", "H", "A"))
        val missing = assertThrows(CatalogueException.NotFound::class.java) {
            catalogue.skill("no.such.skill")
        }
        assertEquals(
            "skill `no.such.skill` not found; check the id against the catalogue",
            missing.message,
        )
    }

    @Test
    fun checkerMarksEachLine() {
        MathsChecker().use { checker ->
            val report = checker.checkLines(solve, listOf("2x + 3 = 11", "2x = 8", "x = 4"))
            assertEquals(listOf(Verdict.START, Verdict.FOLLOWS, Verdict.FOLLOWS), report.lines.map { it.verdict })
            assertEquals(FinalVerdict.CORRECT, report.finalAnswer.verdict)

            val wrong = checker.checkLines(solve, listOf("2x + 3 = 11", "2x = 14"))
            assertEquals(Verdict.WRONG, wrong.lines[1].verdict)
            assertTrue(wrong.lines[1].feedback.isNotEmpty())

            val unreadable = checker.checkLines(solve, listOf("2x + 3 = 11", "2x = ("))
            assertEquals(Verdict.UNREADABLE, unreadable.lines[1].verdict)

            val rounded = CheckTask(TaskKind.EVALUATE, emptyList(), Rounding.DecimalPlaces(2u), null)
            val evaluated = checker.checkLines(rounded, listOf("1/3 + 1/4", "7/12", "0.58"))
            assertEquals(FinalVerdict.CORRECT, evaluated.finalAnswer.verdict)
        }
    }

    @Test
    fun checkerComparesAndFormats() {
        val checker = MathsChecker()
        assertTrue(checker.equivalent("2(x + 3)", "2x + 6"))
        assertFalse(checker.equivalent("(a + b)^2", "a^2 + b^2"))
        val error = assertThrows(MathsException.Unreadable::class.java) {
            checker.equivalent("2x + (", "1")
        }
        assertEquals(true, error.message?.matches(Regex("column [0-9]+: .+")))

        val forms = checker.displayForms("x^2 = 9")
        assertEquals("x^{2} = 9", forms.latex)
        assertTrue(forms.spoken.contains("squared"))
        assertThrows(MathsException::class.java) { checker.displayForms("= =") }
    }

    @Test
    fun keyboardBuildsLine() {
        val keyboard = MathsKeyboard()
        assertTrue(keyboard.isEmpty())
        keyboard.pressAll(
            listOf(
                KeyboardKey.Fraction, KeyboardKey.Letter("x"), KeyboardKey.Plus, KeyboardKey.Digit(1u),
                KeyboardKey.Down, KeyboardKey.Digit(2u), KeyboardKey.Right,
                KeyboardKey.Relation(RelationSign.EQUAL), KeyboardKey.Digit(3u),
            ),
        )
        assertEquals("(x + 1)/2 = 3", keyboard.text())
        assertEquals("(x + 1)/2 = 3|", keyboard.textWithCursor())
        assertEquals("\\frac{x + 1}{2} = 3", keyboard.latex())
        assertTrue(keyboard.spoken().contains("equals"))
        assertEquals("\\frac{x+1}{2}=3<>", keyboard.editingLatex("<>", "[", "]"))

        keyboard.press(KeyboardKey.SelectLeft)
        assertTrue(keyboard.hasSelection())
        keyboard.press(KeyboardKey.Digit(5u))
        assertEquals("(x + 1)/2 = 5", keyboard.text())

        assertThrows(KeyboardException.InvalidKey::class.java) { keyboard.press(KeyboardKey.Digit(12u)) }
        assertThrows(KeyboardException.InvalidKey::class.java) { keyboard.press(KeyboardKey.Letter("xy")) }
        keyboard.press(KeyboardKey.Clear)
        keyboard.press(KeyboardKey.Fraction)
        assertThrows(KeyboardException.Unreadable::class.java) { keyboard.latex() }
        repeat(7) { keyboard.press(KeyboardKey.SquareRoot) }
        assertThrows(KeyboardException.TooDeep::class.java) { keyboard.press(KeyboardKey.Fraction) }
    }

    @Test
    fun wholePracticeSession() {
        val catalogue = SkillCatalogue.builtin()
        val session = PracticeSession.startQuestion(catalogue, "alg.linear.solve-two-step/1/42")
        val question = session.question()
        assertEquals("alg.linear.solve-two-step/1/42", question.id)
        assertTrue(question.solution.isNotEmpty())

        // A slip first, then a hint, then the model solution.
        val slip = session.submit("x = 1000")
        assertFalse(slip.finished)
        val hint = session.nextHint()
        assertEquals(1.toUByte(), hint.level)
        assertTrue(hint.text.isNotEmpty())
        assertEquals(2.toUByte(), session.nextHint().level)
        assertEquals(3.toUByte(), session.nextHint().level)
        assertEquals(3.toUByte(), session.nextHint().level)
        assertEquals(3.toUByte(), session.hintLevel())

        val draft = session.draft()
        assertEquals(listOf("x = 1000"), draft.lines)
        val resumed = PracticeSession.resume(catalogue, draft)
        assertEquals(session.lines(), resumed.lines())

        var last = slip
        for (line in question.solution) {
            last = resumed.submit(line)
        }
        assertTrue(last.finished)
        assertEquals(FinalVerdict.CORRECT, last.finalAnswer.verdict)
        assertTrue(resumed.isFinished())
        assertEquals(question.solution.size + 2, resumed.report().lines.size)
        assertThrows(PracticeException.Finished::class.java) { resumed.submit("x = 4") }

        val example = resumed.workedExample()
        assertEquals(question.skillId, example.skillId)
    }

    @Test
    fun practiceErrors() {
        val catalogue = SkillCatalogue.builtin()
        assertThrows(PracticeException.QuestionUnavailable::class.java) {
            PracticeSession.start(catalogue, "no.such.skill", 1u)
        }
        assertThrows(PracticeException.QuestionUnavailable::class.java) {
            PracticeSession.startQuestion(catalogue, "not-an-id")
        }
        val session = PracticeSession.start(catalogue, catalogue.skills()[0].id, 3u)
        val empty = assertThrows(PracticeException.EmptyLine::class.java) { session.submit("  ") }
        assertEquals("the line is empty; type some working before submitting it", empty.message)
        assertThrows(PracticeException.InvalidDraft::class.java) {
            PracticeSession.resume(catalogue, Draft(session.question().id, emptyList(), 9u))
        }
    }

    private fun cases(count: Int) = List(count) {
        CheckCase(solve, listOf("2x + 3 = 11", "2x = 8", "x = ${it % 5}"))
    }

    @Test
    fun batchCheckReportsProgress() = runBlocking {
        val seen = Collections.synchronizedList(mutableListOf<ULong>())
        val listener = object : ProgressListener {
            override fun onProgress(done: ULong, total: ULong) {
                assertEquals(10UL, total)
                seen.add(done)
            }
        }
        val reports = MathsChecker().checkBatch(cases(10), listener, CancelToken())
        assertEquals(10, reports.size)
        assertEquals(FinalVerdict.CORRECT, reports[4].finalAnswer.verdict)
        assertEquals(FinalVerdict.INCORRECT, reports[0].finalAnswer.verdict)
        assertEquals((1UL..10UL).toList(), seen.toList())
        assertEquals(3, MathsChecker().checkBatch(cases(3), null, CancelToken()).size)
    }

    @Test
    fun batchCheckCancels() = runBlocking {
        val token = CancelToken()
        assertFalse(token.isCancelled())
        val listener = object : ProgressListener {
            override fun onProgress(done: ULong, total: ULong) {
                if (done == 2UL) token.cancel()
            }
        }
        assertThrows(TaskException.Cancelled::class.java) {
            runBlocking { MathsChecker().checkBatch(cases(50), listener, token) }
        }
        assertTrue(token.isCancelled())
    }

    @Test
    fun listenerExceptionBecomesError() = runBlocking {
        val failing = object : ProgressListener {
            override fun onProgress(done: ULong, total: ULong) {
                throw IllegalStateException("screen gone")
            }
        }
        val error = assertThrows(TaskException.ListenerFailed::class.java) {
            runBlocking { MathsChecker().checkBatch(cases(3), failing, CancelToken()) }
        }
        assertEquals(true, error.message?.contains("screen gone"))

        val declared = object : ProgressListener {
            override fun onProgress(done: ULong, total: ULong) {
                throw CallbackException.Failed("declared failure")
            }
        }
        val second = assertThrows(TaskException.ListenerFailed::class.java) {
            runBlocking { MathsChecker().checkBatch(cases(3), declared, CancelToken()) }
        }
        assertEquals(true, second.message?.contains("declared failure"))
    }

    @Test
    fun loggingReachesSink() = runBlocking {
        val received = Collections.synchronizedList(mutableListOf<String>())
        val sink = object : LogSink {
            override fun log(level: LogLevel, target: String, message: String) {
                received.add("$level $target $message")
            }
        }
        configureLogging(LogLevel.DEBUG, sink)
        assertTrue(received.any { it.startsWith("INFO") && it.contains("logging configured") })

        // A cancelled batch logs at debug level from a worker thread.
        val token = CancelToken()
        token.cancel()
        assertThrows(TaskException.Cancelled::class.java) {
            runBlocking { MathsChecker().checkBatch(cases(1), null, token) }
        }
        assertTrue(received.any { it.startsWith("DEBUG") && it.contains("batch check cancelled") })

        // At warn level the same event is dropped, and a failing sink is ignored.
        val failing = object : LogSink {
            override fun log(level: LogLevel, target: String, message: String) {
                throw IllegalStateException("sink broken")
            }
        }
        configureLogging(LogLevel.WARN, failing)
        configureLogging(LogLevel.WARN, sink)
        val before = received.size
        assertThrows(TaskException.Cancelled::class.java) {
            runBlocking { MathsChecker().checkBatch(cases(1), null, token) }
        }
        assertEquals(before, received.size)
    }

    @Test
    fun callsFromManyThreads() {
        val checker = MathsChecker()
        val keyboard = MathsKeyboard()
        val catalogue = SkillCatalogue.builtin()
        val pool = Executors.newFixedThreadPool(8)
        val results = (0 until 64).map { index ->
            pool.submit<Boolean> {
                keyboard.press(KeyboardKey.Digit((index % 10).toUByte()))
                val session = PracticeSession.start(catalogue, catalogue.skills()[index % 5].id, index.toULong())
                val report = checker.checkLines(solve, listOf("2x + 3 = 11", "x = 4"))
                session.question().id.isNotEmpty() && report.finalAnswer.verdict == FinalVerdict.CORRECT
            }
        }
        assertTrue(results.all { it.get(60, TimeUnit.SECONDS) })
        pool.shutdown()
        assertEquals(64, keyboard.text().length)
        assertNotNull(keyboard.textWithCursor())
    }
}

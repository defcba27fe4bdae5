// Sync, the teacher console and the parent view from Kotlin against a real
// stepwise-server that this test starts on loopback. The school's
// administration commands of the server binary create the users.
package app.stepwise.core

import app.stepwise.ffi.AccountRecord
import app.stepwise.ffi.AssignmentRequest
import app.stepwise.ffi.LiveEventRecord
import app.stepwise.ffi.LiveListener
import app.stepwise.ffi.NextReasonRecord
import app.stepwise.ffi.ParentView
import app.stepwise.ffi.RecordedPractice
import app.stepwise.ffi.RemoteException
import app.stepwise.ffi.SessionRecord
import app.stepwise.ffi.StepwiseStore
import app.stepwise.ffi.SyncAccount
import app.stepwise.ffi.TeacherConsole
import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.Test
import java.io.File
import java.nio.file.Files
import java.util.Properties
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/** A stepwise-server process with a school of one teacher, two students and two parents. */
object School {
    const val PASSWORD = "correct horse battery"
    private val binary = System.getProperty("stepwise.server")
        ?: error("set -Dstepwise.server to the stepwise-server binary (tests/kotlin.sh does)")
    private val data: File = Files.createTempDirectory("stepwise-server").toFile()

    lateinit var url: String
    lateinit var classId: String
    lateinit var ana: String
    lateinit var ben: String
    lateinit var linkCode: String
    lateinit var benLinkCode: String
    private var process: Process? = null

    private fun field(json: String, key: String): String =
        Regex("\"$key\"\\s*:\\s*\"([^\"]*)\"").find(json)?.groupValues?.get(1)
            ?: error("no `$key` in $json")

    /** Runs an administration command and returns the JSON it prints. */
    private fun admin(vararg args: String): String {
        val command = listOf(binary, "--data-dir", data.path) + args
        val process = ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start()
        val output = process.inputStream.bufferedReader().readText()
        assertEquals("stepwise-server ${args.toList()}", 0, process.waitFor())
        return output
    }

    private fun user(role: String, name: String, school: String): String =
        field(
            admin("user", "add", "--school", school, "--role", role, "--username", name, "--password", PASSWORD),
            "user_id",
        )

    fun start() {
        val school = field(admin("school", "create", "--name", "Hill School"), "school_id")
        val teacher = user("teacher", "ms.lee", school)
        ana = user("student", "ana", school)
        ben = user("student", "ben", school)
        user("parent", "ana.mum", school)
        user("parent", "ben.dad", school)
        classId = field(admin("class", "add", "--school", school, "--name", "9B", "--teacher", teacher), "class_id")
        for (student in listOf(ana, ben)) admin("class", "enrol", "--class", classId, "--student", student)
        linkCode = field(admin("parent", "link-code", "--student", ana), "code")
        benLinkCode = field(admin("parent", "link-code", "--student", ben), "code")

        val server = ProcessBuilder(binary, "--data-dir", data.path, "serve", "--listen", "127.0.0.1:0")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start()
        process = server
        val listening = server.inputStream.bufferedReader().readLine() ?: error("the server printed nothing")
        url = "http://" + field(listening, "listening")
    }

    fun stop() {
        process?.destroy()
        process?.waitFor(10, TimeUnit.SECONDS)
    }

    suspend fun login(username: String): SyncAccount {
        val account = SyncAccount(url)
        account.login(username, PASSWORD)
        return account
    }
}

/** Collects live events, and throws after each one when `failing` is set. */
class Events(private val failing: Boolean = false) : LiveListener {
    val queue = LinkedBlockingQueue<LiveEventRecord>()

    override fun onEvent(event: LiveEventRecord) {
        queue.add(event)
        if (failing) throw IllegalStateException("the teacher closed the screen")
    }

    fun next(): LiveEventRecord = queue.poll(15, TimeUnit.SECONDS) ?: throw AssertionError("no live event in 15 s")
}

/**
 * A vault in a properties file, standing in for the Android Keystore, which
 * the JVM does not have. Like the Keystore, it outlives the app's objects.
 */
class FileVault(private val file: File) : SessionVault {
    override fun save(session: SessionRecord) {
        val properties = Properties()
        properties["server"] = session.server
        properties["token"] = session.token
        properties["userId"] = session.account.userId
        properties["schoolId"] = session.account.schoolId
        properties["role"] = session.account.role
        properties["name"] = session.account.name
        file.outputStream().use { properties.store(it, null) }
    }

    override fun load(): SessionRecord? {
        if (!file.exists()) return null
        val properties = Properties()
        file.inputStream().use { properties.load(it) }
        val value = { key: String -> properties.getProperty(key) ?: error("no $key in $file") }
        return SessionRecord(
            value("server"),
            value("token"),
            AccountRecord(value("userId"), value("schoolId"), value("role"), value("name")),
        )
    }

    override fun clear() {
        file.delete()
    }
}

class ServerTest {
    companion object {
        @BeforeClass
        @JvmStatic
        fun startServer() = School.start()

        @AfterClass
        @JvmStatic
        fun stopServer() = School.stop()
    }

    private val skill = "alg.linear.solve-both-sides"

    @Test
    fun loginErrors(): Unit = runBlocking {
        assertThrows(RemoteException.InvalidServer::class.java) { SyncAccount("ftp://127.0.0.1") }
        val account = SyncAccount(School.url)
        assertNull(account.state().account)
        assertThrows(RemoteException.NotLoggedIn::class.java) { runBlocking { TeacherConsole(account).classes() } }
        assertThrows(RemoteException.NotLoggedIn::class.java) { runBlocking { account.logout() } }
        val refused = assertThrows(RemoteException::class.java) {
            runBlocking { account.login("ana", "wrong password") }
        }
        assertTrue("wrong password gave $refused", refused is RemoteException.Unauthenticated)
        assertThrows(RemoteException.Unreachable::class.java) {
            runBlocking { SyncAccount("http://127.0.0.1:1").login("ana", School.PASSWORD) }
        }
    }

    @Test
    fun wholeSchoolFlow(): Unit = runBlocking {
        // Ana practises on her phone before any sync.
        val app = StepwiseStore.open(Files.createTempDirectory("stepwise-ana").toString())
        app.addProfile("Ana", null)
        assertThrows(RemoteException.NotLoggedIn::class.java) {
            runBlocking { SyncAccount(School.url).syncNow(app) }
        }
        app.unlock("Ana", null)
        RecordedPractice.start(app, skill, 3UL, null).use { practice ->
            practice.submit("x = 12345")
            practice.skip()
        }

        val student = School.login("ana")
        assertEquals("student", student.state().account?.role)
        val teacher = School.login("ms.lee")
        val console = TeacherConsole(teacher)
        assertEquals(listOf("9B"), console.classes().map { it.name })

        val due = System.currentTimeMillis() + 7 * 86_400_000L
        val created = console.assign(
            AssignmentRequest(School.classId, emptyList(), "Homework 1", listOf(skill), 2u, emptyList(), due),
        )
        assertEquals(2u, created.students)

        // The teacher watches Ana live while her phone syncs.
        val events = Events()
        val watch = console.watch(School.ana, events)
        assertEquals(LiveEventRecord.Open, events.next())

        val first = student.syncNow(app)
        assertTrue(first.eventsSent > 0UL)
        assertEquals(first.eventsSent, first.eventsAcknowledged)
        assertTrue(first.eventsRejected.isEmpty())
        assertEquals(1UL, first.assignmentsReceived)
        assertEquals(0UL, app.pendingEvents())
        assertEquals(first.cursor, student.state().cursor)
        assertNotNull(student.state().lastSyncMs)
        val homework = app.assignments().single()
        assertEquals("Homework 1", homework.title)
        assertEquals(created.assignmentId, homework.id)
        val next = app.whatNext(3u).first().reason
        assertTrue("first suggestion is $next", next is NextReasonRecord.Assignment)

        val live = events.next()
        assertTrue("expected a line, got $live", live is LiveEventRecord.Line)
        assertEquals("x = 12345", (live as LiveEventRecord.Line).line.input)
        watch.cancel()
        repeat(50) { if (!watch.isFinished()) Thread.sleep(100) }
        assertTrue(watch.isFinished())

        // The teacher reads the class and Ana's working, and comments.
        val summary = console.classSummary(School.classId)
        assertEquals(2, summary.students.size)
        assertEquals(1u, summary.students.single { it.studentId == School.ana }.attempts)
        val work = console.studentWork(School.ana)
        val attempt = work.attempts.single()
        assertEquals("x = 12345", attempt.lines.single().input)
        // A skipped attempt reports the checker's last final verdict.
        assertEquals("incorrect", attempt.outcome)
        console.comment(School.ana, attempt.attemptId, 0u, "Check the sign when you move 3x.")
        val missing = assertThrows(RemoteException.Refused::class.java) {
            runBlocking { console.comment(null, "no-such-attempt", 0u, "hello") }
        }
        assertTrue(missing.message!!.isNotEmpty())

        val second = student.syncNow(app)
        assertEquals(0UL, second.eventsSent)
        assertEquals("Check the sign when you move 3x.", second.comments.single().text)

        // A student may not use the teacher's requests.
        val forbidden = assertThrows(RemoteException.Refused::class.java) {
            runBlocking { TeacherConsole(student).classSummary(School.classId) }
        }
        assertTrue(forbidden.message!!, forbidden.message!!.contains("403"))

        // Ana's mum links her account and reads the report.
        val parent = ParentView(School.login("ana.mum"))
        assertEquals(School.ana, parent.linkChild(School.linkCode).studentId)
        assertEquals(listOf(School.ana), parent.children().map { it.studentId })
        val report = parent.report(School.ana)
        assertEquals(1u, report.attempts)
        assertEquals(0u, report.correct)
        assertEquals("Homework 1", report.due.single().title)
        assertEquals("x = 12345", report.recentMistakes.single().input)
        assertThrows(RemoteException.Refused::class.java) { runBlocking { parent.report(School.ben) } }

        // Several threads read through one console at once.
        val pool = Executors.newFixedThreadPool(4)
        try {
            val jobs = (1..8).map { Callable { runBlocking { console.classSummary(School.classId).name } } }
            assertEquals(List(8) { "9B" }, pool.invokeAll(jobs).map { it.get(60, TimeUnit.SECONDS) })
        } finally {
            pool.shutdown()
        }

        teacher.logout()
        assertNull(teacher.state().account)
        assertThrows(RemoteException.NotLoggedIn::class.java) { runBlocking { console.classes() } }
        app.close()
    }

    @Test
    fun sessionSurvivesRestart(): Unit = runBlocking {
        val console = TeacherConsole(School.login("ms.lee"))
        console.assign(
            AssignmentRequest(School.classId, listOf(School.ben), "Before restart", listOf(skill), 1u, emptyList(), null),
        )
        val dataDir = Files.createTempDirectory("stepwise-ben").toString()
        val vaultFile = File(Files.createTempDirectory("stepwise-vault").toFile(), "session.properties")

        // First run: Ben logs in, practises and syncs twice; the teacher
        // comments on his line in between.
        var app = StepwiseStore.open(dataDir)
        app.addProfile("Ben", null)
        app.unlock("Ben", null)
        var session = SyncSession(School.url, FileVault(vaultFile))
        assertNull(session.account)
        val saved = session.login("ben", School.PASSWORD)
        assertEquals(School.ben, saved.account.userId)
        assertTrue(vaultFile.exists())
        RecordedPractice.start(app, skill, 17UL, null).use { practice ->
            practice.submit("x = 4242")
            practice.skip()
        }
        val first = session.sync(app)
        assertTrue(first.eventsSent > 0UL)
        assertEquals(0UL, app.pendingEvents())
        assertTrue(app.assignments().any { it.title == "Before restart" })
        val attempt = console.studentWork(School.ben).attempts.single { it.lines.any { line -> line.input == "x = 4242" } }
        console.comment(null, attempt.attemptId, 0u, "Nearly: check the constant.")
        val second = session.sync(app)
        assertEquals(0UL, second.eventsSent)
        assertEquals(0UL, second.assignmentsReceived)
        assertEquals("Nearly: check the constant.", second.comments.single().text)
        app.close()

        // The app restarts: every object is new, and only the data folder
        // and the vault are left. No login, and nothing comes twice.
        console.assign(
            AssignmentRequest(School.classId, listOf(School.ben), "After restart", listOf(skill), 1u, emptyList(), null),
        )
        app = StepwiseStore.open(dataDir)
        app.unlock("Ben", null)
        session = SyncSession(School.url, FileVault(vaultFile))
        val restored = session.account ?: throw AssertionError("the saved session was not restored")
        assertEquals(School.ben, restored.state().account?.userId)
        assertEquals(saved, restored.session())
        assertEquals("Nearly: check the constant.", app.comments().single().text)
        val third = session.sync(app)
        assertEquals(0UL, third.eventsSent)
        assertEquals(0UL, third.eventsAcknowledged)
        assertEquals(1UL, third.assignmentsReceived)
        assertTrue(third.comments.isEmpty())
        assertTrue(third.cursor > second.cursor)
        assertEquals(setOf("Before restart", "After restart"), app.assignments().map { it.title }.filter { it.endsWith("restart") }.toSet())
        assertEquals(1, app.comments().size)

        // A logout elsewhere revokes the token: the next sync asks for a new
        // login and the saved session is gone.
        SyncAccount.restore(saved).logout()
        val revoked = SyncAccount.restore(saved)
        assertThrows(RemoteException.SessionExpired::class.java) { runBlocking { ParentView(revoked).children() } }
        assertNull(revoked.session())
        assertThrows(RemoteException.SessionExpired::class.java) { runBlocking { session.sync(app) } }
        assertNull(session.account)
        assertTrue(!vaultFile.exists())
        assertNull(SyncSession(School.url, FileVault(vaultFile)).account)

        // A new login works again, and logout clears the vault.
        session.login("ben", School.PASSWORD)
        assertEquals(0UL, session.sync(app).eventsSent)
        session.logout()
        assertNull(session.account)
        assertTrue(!vaultFile.exists())
        assertThrows(RemoteException.NotLoggedIn::class.java) { runBlocking { session.sync(app) } }
        app.close()
    }

    @Test
    fun throwingLiveListenerEndsWatch(): Unit = runBlocking {
        val console = TeacherConsole(School.login("ms.lee"))
        val events = Events(failing = true)
        val watch = console.watch(School.ben, events)
        assertEquals(LiveEventRecord.Open, events.next())
        val ended = events.next()
        assertTrue("expected the end, got $ended", ended is LiveEventRecord.Ended)
        assertTrue((ended as LiveEventRecord.Ended).reason.contains("the teacher closed the screen"))
        repeat(50) { if (!watch.isFinished()) Thread.sleep(100) }
        assertTrue(watch.isFinished())
    }

    @Test
    fun consoleAndParentViewModels(): Unit = runBlocking {
        val teacher = TeacherViewModel(app.stepwise.ffi.MathsChecker(), TeacherConsole(School.login("ms.lee")))
        teacher.loadClasses()
        assertEquals(listOf("9B"), teacher.consoleState.value.classes.map { it.name })
        teacher.openClass(School.classId)
        assertEquals(2, teacher.consoleState.value.summary!!.students.size)
        teacher.openStudent(School.ben)
        assertEquals(School.ben, teacher.consoleState.value.work!!.studentId)
        teacher.openClass("no-such-class")
        assertNotNull(teacher.consoleState.value.error)

        val created = teacher.assign(
            AssignmentRequest(School.classId, listOf(School.ben), "Ben only", listOf(skill), 1u, emptyList(), null),
        )
        assertEquals(1u, created!!.students)
        assertNull(teacher.consoleState.value.error)

        teacher.watch(School.ben)
        repeat(100) { if (!teacher.consoleState.value.watching) Thread.sleep(100) }
        assertTrue(teacher.consoleState.value.watching)
        teacher.stopWatching()
        assertTrue(!teacher.consoleState.value.watching)

        val parent = ParentViewModel(ParentView(School.login("ben.dad")))
        parent.loadChildren()
        assertNull(parent.state.value.error)
        assertTrue(parent.state.value.children.isEmpty())
        parent.link("not-a-code")
        assertNotNull(parent.state.value.error)
        parent.link(School.benLinkCode)
        assertEquals(listOf(School.ben), parent.state.value.children.map { it.studentId })
        parent.select(School.ben)
        assertEquals("Ben only", parent.state.value.report!!.due.single().title)
        assertTrue(!parent.state.value.loading)
    }
}

// The content cache from Kotlin, downloading from a loopback HTTP server
// that this test starts: progress, offline status, eviction, a throwing
// progress listener, cancellation and resuming with a range request.
package app.stepwise.core

import app.stepwise.ffi.CacheException
import app.stepwise.ffi.CancelToken
import app.stepwise.ffi.ContentLibrary
import app.stepwise.ffi.LessonAvailability
import app.stepwise.ffi.ProgressListener
import com.sun.net.httpserver.HttpServer
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import java.io.File
import java.net.InetSocketAddress
import java.nio.file.Files
import java.security.MessageDigest
import java.util.Collections
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlin.random.Random

/** Serves files from memory with `Range: bytes=N-` support. */
class RangeServer {
    val files = Collections.synchronizedMap(mutableMapOf<String, ByteArray>())

    /** Range headers received, as `path range`. */
    val ranges: MutableList<String> = Collections.synchronizedList(mutableListOf())

    /** Paths whose body stops half-way until [release] is counted down. */
    val stalled: MutableSet<String> = Collections.synchronizedSet(mutableSetOf())
    val release = CountDownLatch(1)

    private val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
    val url: String get() = "http://127.0.0.1:${server.address.port}"

    init {
        server.executor = java.util.concurrent.Executors.newCachedThreadPool()
        server.createContext("/") { exchange ->
            exchange.use {
                val path = exchange.requestURI.path
                val body = files[path]
                if (body == null) {
                    exchange.sendResponseHeaders(404, -1)
                    return@use
                }
                val range = exchange.requestHeaders.getFirst("Range")
                var from = 0
                if (range != null) {
                    ranges.add("$path $range")
                    from = range.removePrefix("bytes=").removeSuffix("-").toInt()
                    exchange.responseHeaders.add("Content-Range", "bytes $from-${body.size - 1}/${body.size}")
                    exchange.sendResponseHeaders(206, (body.size - from).toLong())
                } else {
                    exchange.sendResponseHeaders(200, body.size.toLong())
                }
                val out = exchange.responseBody
                if (path in stalled && from == 0) {
                    val half = body.size / 2
                    out.write(body, 0, half)
                    out.flush()
                    release.await(60, TimeUnit.SECONDS)
                    out.write(body, half, body.size - half)
                } else {
                    out.write(body, from, body.size - from)
                }
            }
        }
        server.start()
    }

    fun stop() {
        release.countDown()
        server.stop(0)
    }
}

fun sha256(bytes: ByteArray): String =
    MessageDigest.getInstance("SHA-256").digest(bytes).joinToString("") { "%02x".format(it) }

class ContentTest {
    private lateinit var server: RangeServer
    private val video = Random(7).nextBytes(300_000)
    private val captions = "WEBVTT\n\n00:00.000 --> 00:02.000\nSolve for x\n".toByteArray()

    private fun tempDir(): File = Files.createTempDirectory("stepwise-cache").toFile()

    private fun item(key: String, path: String, bytes: ByteArray, hash: String = sha256(bytes)) =
        """{"key":"$key","url":"$path","sha256":"$hash","size":${bytes.size}}"""

    @Before
    fun startServer() {
        server = RangeServer()
        server.files["/media/linear.mp4"] = video
        server.files["/media/linear.vtt"] = captions
        server.files["/manifest.json"] = """{"lessons":[
            {"id":"alg.linear","title":"Linear equations","items":[
                ${item("linear/video", "media/linear.mp4", video)},
                ${item("linear/captions", "media/linear.vtt", captions)}]},
            {"id":"alg.captions","items":[${item("linear/captions", "media/linear.vtt", captions)}]}
        ]}""".toByteArray()
    }

    @After
    fun stopServer() = server.stop()

    @Test
    fun lessonDownloadsWithProgress(): Unit = runBlocking {
        ContentLibrary.open(tempDir().path, 10_000_000UL).use { library ->
            assertEquals(listOf("alg.linear", "alg.captions"), library.fetchManifest("${server.url}/manifest.json"))
            val missing = library.availability("alg.linear") as LessonAvailability.Missing
            assertEquals(setOf("linear/video", "linear/captions"), missing.keys.toSet())
            assertEquals(LessonAvailability.UnknownLesson, library.availability("geo.none"))

            val reports = Collections.synchronizedList(mutableListOf<Pair<ULong, ULong>>())
            val listener = object : ProgressListener {
                override fun onProgress(done: ULong, total: ULong) {
                    reports.add(done to total)
                }
            }
            // Two lessons at once from two coroutines; the cache takes them in turn.
            listOf("alg.linear", "alg.captions")
                .map { lesson -> async { library.downloadLesson(lesson, listener, CancelToken()) } }
                .awaitAll()

            assertEquals(LessonAvailability.Available, library.availability("alg.linear"))
            assertEquals(LessonAvailability.Available, library.availability("alg.captions"))
            assertTrue(reports.contains(video.size.toULong() to video.size.toULong()))
            assertTrue(reports.all { (done, total) -> done <= total })
            assertArrayEquals(video, File(library.openItem("linear/video")).readBytes())
            assertEquals((video.size + captions.size).toULong(), library.usedBytes())
            assertTrue(library.items().all { it.complete })

            library.setPins(listOf("linear/video"))
            assertTrue(library.items().single { it.key == "linear/video" }.pinned)
            library.evict("linear/video")
            assertEquals(
                LessonAvailability.Missing(listOf("linear/video")),
                library.availability("alg.linear"),
            )
            assertThrows(CacheException.NotAvailable::class.java) { library.openItem("linear/video") }
            assertThrows(CacheException.NotAvailable::class.java) { library.evict("no/such/item") }

            library.downloadItem("alg.linear", "linear/video", null, CancelToken())
            assertEquals(LessonAvailability.Available, library.availability("alg.linear"))

            val unknown = assertThrows(CacheException.UnknownLesson::class.java) {
                runBlocking { library.downloadLesson("geo.none", null, CancelToken()) }
            }
            assertTrue(unknown.message!!.contains("geo.none"))
        }
    }

    @Test
    fun badManifestsAndFilesAreRejected(): Unit = runBlocking {
        ContentLibrary.open(tempDir().path, 10_000_000UL).use { library ->
            assertThrows(CacheException.InvalidManifest::class.java) { library.registerManifest("{\"lessons\": 3}") }
            val wrongHash = "0".repeat(64)
            val lessons = library.registerManifest(
                """{"lessons":[{"id":"bad","items":[${item("bad/video", "${server.url}/media/linear.mp4", video, wrongHash)}]},
                    {"id":"gone","items":[${item("gone/video", "${server.url}/media/none.mp4", video)}]}]}""",
            )
            assertEquals(listOf("bad", "gone"), lessons)
            val corrupt = assertThrows(CacheException.Corrupt::class.java) {
                runBlocking { library.downloadLesson("bad", null, CancelToken()) }
            }
            assertTrue(corrupt.message!!.contains(wrongHash))
            val notFound = assertThrows(CacheException.Network::class.java) {
                runBlocking { library.downloadLesson("gone", null, CancelToken()) }
            }
            assertTrue(notFound.message!!.contains("404"))
            assertThrows(CacheException.Network::class.java) {
                runBlocking { library.fetchManifest("http://127.0.0.1:1/manifest.json") }
            }
        }
        ContentLibrary.open(tempDir().path, 1_000UL).use { small ->
            small.fetchManifest("${server.url}/manifest.json")
            assertThrows(CacheException.NoRoom::class.java) {
                runBlocking { small.downloadLesson("alg.linear", null, CancelToken()) }
            }
        }
    }

    @Test
    fun throwingListenerStopsDownload(): Unit = runBlocking {
        ContentLibrary.open(tempDir().path, 10_000_000UL).use { library ->
            library.fetchManifest("${server.url}/manifest.json")
            val listener = object : ProgressListener {
                override fun onProgress(done: ULong, total: ULong) {
                    throw IllegalStateException("the screen is gone")
                }
            }
            val failed = assertThrows(CacheException.ListenerFailed::class.java) {
                runBlocking { library.downloadItem("alg.linear", "linear/video", listener, CancelToken()) }
            }
            assertTrue(failed.message!!, failed.message!!.contains("the screen is gone"))
            assertFalse(library.items().single { it.key == "linear/video" }.complete)
        }
    }

    @Test
    fun cancelledDownloadResumesWithRange(): Unit = runBlocking {
        server.stalled.add("/media/linear.mp4")
        ContentLibrary.open(tempDir().path, 10_000_000UL).use { library ->
            library.fetchManifest("${server.url}/manifest.json")
            val token = CancelToken()
            val started = CountDownLatch(1)
            val listener = object : ProgressListener {
                override fun onProgress(done: ULong, total: ULong) {
                    if (done >= (video.size / 2).toULong()) started.countDown()
                }
            }
            val download = async(kotlinx.coroutines.Dispatchers.IO) {
                runCatching { library.downloadItem("alg.linear", "linear/video", listener, token) }
            }
            assertTrue("half the file never arrived", started.await(30, TimeUnit.SECONDS))
            token.cancel()
            assertTrue(token.isCancelled())
            val outcome = download.await().exceptionOrNull()
            assertTrue("expected a cancellation, got $outcome", outcome is CacheException.Cancelled)
            val partial = library.items().single { it.key == "linear/video" }
            assertFalse(partial.complete)
            assertTrue("partial bytes ${partial.partialBytes}", partial.partialBytes > 0UL)

            server.release.countDown()
            library.downloadItem("alg.linear", "linear/video", null, CancelToken())
            assertArrayEquals(video, File(library.openItem("linear/video")).readBytes())
            val resumed = server.ranges.single()
            assertTrue(resumed, resumed.startsWith("/media/linear.mp4 bytes="))
            assertTrue(resumed, resumed.substringAfter("bytes=").removeSuffix("-").toInt() > 0)
        }
    }

    @Test
    fun lessonsViewModelDownloads(): Unit = runBlocking {
        ContentLibrary.open(tempDir().path, 10_000_000UL).use { library ->
            library.fetchManifest("${server.url}/manifest.json")
            val model = LessonsViewModel(app.stepwise.ffi.SkillCatalogue.builtin(), library)
            model.checkAvailability("alg.linear")
            assertTrue(model.state.value.availability["alg.linear"] is LessonAvailability.Missing)
            model.download("alg.linear")
            val download = model.state.value.download!!
            assertFalse(download.running)
            assertEquals(null, download.error)
            assertEquals(download.total, download.done)
            assertEquals(LessonAvailability.Available, model.state.value.availability["alg.linear"])

            model.download("geo.none")
            assertTrue(model.state.value.download!!.error!!.contains("geo.none"))
        }
    }
}

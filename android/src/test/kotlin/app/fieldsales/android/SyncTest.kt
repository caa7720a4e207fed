// Sync through the Kotlin bindings against a real fieldsales-server that `cargo xtask test`
// starts on 127.0.0.1 (FIELDSALES_TEST_SERVER) with tenant FIELDSALES_TEST_TENANT, team
// `north` and the reps `ann`, `bob`, `cho` and `dan` (at most five devices each). Run outside
// the harness, these tests are skipped. A third device, the `fieldsales` CLI
// (FIELDSALES_TEST_CLI), merges customers, which the bindings do not offer.
package app.fieldsales.android

import app.fieldsales.core.ConflictFound
import app.fieldsales.core.CustomerPatch
import app.fieldsales.core.Login
import app.fieldsales.core.NetworkKind
import app.fieldsales.core.RecordKind
import app.fieldsales.core.RejectedEdit
import app.fieldsales.core.SyncFailure
import app.fieldsales.core.SyncProgress
import app.fieldsales.core.SyncReport
import app.fieldsales.core.SyncTrigger
import app.fieldsales.core.UploadState
import app.fieldsales.core.Visibility
import app.fieldsales.ffi.FieldSales
import app.fieldsales.ffi.FieldSalesConfig
import app.fieldsales.ffi.FieldSalesException
import app.fieldsales.ffi.NewCustomer
import app.fieldsales.ffi.NewTask
import app.fieldsales.ffi.StoreEvent
import app.fieldsales.ffi.StoreListener
import app.fieldsales.ffi.SyncListener
import java.awt.image.BufferedImage
import java.io.File
import java.nio.file.Path
import java.util.concurrent.CountDownLatch
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicReference
import javax.imageio.ImageIO
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

class SyncTest {
    @TempDir
    lateinit var dir: Path

    private val server: String? = System.getenv("FIELDSALES_TEST_SERVER")
    private val tenant: String = System.getenv("FIELDSALES_TEST_TENANT") ?: "kotlin"
    private val cli: String? = System.getenv("FIELDSALES_TEST_CLI")

    /** Skipped outside the harness; under it (`FIELDSALES_TEST_HARNESS`) a missing server fails. */
    @BeforeEach
    fun needsServer() {
        if (System.getenv("FIELDSALES_TEST_HARNESS") != null) {
            assertTrue(server != null, "cargo xtask test gave the sync suite no server")
        }
        assumeTrue(server != null, "no test server (run through cargo xtask test)")
    }

    private fun login(user: String, password: String = "$user-secret-1") =
        Login(serverUrl = server!!, tenant = tenant, username = user, password = password)

    /** A phone of [user]: its own data directory, first sign-in through the suspend constructor. */
    private suspend fun phone(user: String, device: String = user): FieldSales =
        FieldSales.signIn(dir.resolve(device).toString(), FieldSalesConfig(userId = ""), login(user))

    @Test
    fun `a customer created by one rep reaches the other rep's phone through suspend sync`() = runBlocking<Unit> {
        phone("ann").use { ann ->
            phone("bob").use { bob ->
                val id = ann.customers().create(
                    NewCustomer(name = "北京小米", phones = listOf("138 1234 5678"), visibility = Visibility.TEAM),
                )
                assertEquals(1L, ann.pendingChanges())
                val sent = ann.sync().sync()
                assertTrue(sent.sent >= 1uL, "the server acknowledged the change: $sent")
                assertEquals(0uL, sent.pending)
                assertEquals(0L, ann.pendingChanges())

                val received = bob.sync().sync()
                assertTrue(received.received >= 1uL, "bob received the customer: $received")
                assertEquals(0uL, received.purged, "a record bob may see is not purged: $received")
                assertEquals(0uL, received.skipped, "every received record was readable: $received")
                assertEquals(listOf(id), bob.search().customers("bjxm", 10).map { it.id })
                assertEquals("北京小米", bob.customers().get(id).name)

                val status = bob.sync().status()
                assertTrue(status.signedIn)
                assertEquals(received.cursor, status.cursor)
                assertEquals(null, status.lastError)
                assertEquals(emptyList(), bob.sync().rejected())
            }
        }
    }

    /** Every event [store]'s listeners hear, queued (listeners run on the store's event thread). */
    private fun heard(store: FieldSales): Pair<AutoCloseable, LinkedBlockingQueue<StoreEvent>> {
        val queue = LinkedBlockingQueue<StoreEvent>()
        val subscription = store.subscribe(object : StoreListener {
            override fun onChange(event: StoreEvent) {
                queue.add(event)
            }
        })
        return subscription to queue
    }

    /** The first queued event that [matches], waiting at most ten seconds for it. */
    private fun LinkedBlockingQueue<StoreEvent>.awaitEvent(matches: (StoreEvent) -> Boolean): StoreEvent {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (true) {
            val left = deadline - System.nanoTime()
            val event = assertNotNull(poll(maxOf(left, 0), TimeUnit.NANOSECONDS), "no matching change event arrived")
            if (matches(event)) return event
        }
    }

    /** Runs the `fieldsales` CLI on its own data directory as [user]; returns its JSON output. */
    private fun cli(user: String, vararg args: String): String {
        val command = listOf(cli!!, "--data-dir", dir.resolve("cli-$user").toString(), "--json") + args
        val process = ProcessBuilder(command)
            .redirectErrorStream(true)
            .apply { environment()["FIELDSALES_PASSWORD"] = "$user-secret-1" }
            .start()
        val output = process.inputStream.bufferedReader().readText()
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the CLI finished")
        assertEquals(0, process.exitValue(), "fieldsales ${args.joinToString(" ")}: $output")
        return output
    }

    @Test
    fun `a customer that arrives by sync reaches a StoreListener`() = runBlocking<Unit> {
        phone("cho").use { cho ->
            phone("bob").use { bob ->
                val (subscription, events) = heard(bob)
                subscription.use {
                    val id = cho.customers().create(NewCustomer(name = "深圳大疆", visibility = Visibility.TEAM))
                    cho.sync().sync()
                    bob.sync().sync()
                    val event = events.awaitEvent { it.kind == RecordKind.CUSTOMER && id in it.ids }
                    assertEquals(RecordKind.CUSTOMER, event.kind)
                    assertEquals("深圳大疆", bob.customers().get(id).name)
                }
            }
        }
    }

    @Test
    fun `a survivor touched only by merge settling reaches a StoreListener`() = runBlocking<Unit> {
        if (System.getenv("FIELDSALES_TEST_HARNESS") != null) {
            assertTrue(cli != null, "cargo xtask test gave the sync suite no CLI")
        }
        assumeTrue(cli != null, "no fieldsales CLI (run through cargo xtask test)")
        phone("cho").use { cho ->
            phone("bob").use { bob ->
                val survivor = cho.customers().create(
                    NewCustomer(name = "北京华信软件技术有限公司", phones = listOf("138 1234 5678"), visibility = Visibility.TEAM),
                )
                val merged = cho.customers().create(NewCustomer(name = "华信软件", visibility = Visibility.TEAM))
                cho.sync().sync()
                bob.sync().sync()
                // Bob, offline, adds a phone to the copy that Dan merges away on his own device.
                bob.customers().edit(merged, CustomerPatch(addPhones = listOf("010-6234 5678")))
                cli("dan", "login", "--server", server!!, "--tenant", tenant, "--username", "dan")
                cli("dan", "sync")
                cli("dan", "merge", survivor, merged)
                cli("dan", "sync")
                cho.sync().sync()

                val (subscription, events) = heard(cho)
                subscription.use {
                    // Events come in commit order: once this write is heard, the merge's are past.
                    val marker = cho.tasks().create(NewTask(title = "marker"))
                    events.awaitEvent { it.kind == RecordKind.TASK && marker in it.ids }

                    bob.sync().sync()
                    cho.sync().sync()
                    // Cho's answer holds only Bob's edit to the merged-away customer; settling it
                    // carries the phone to the survivor, and that write is announced.
                    events.awaitEvent { it.kind == RecordKind.CUSTOMER && survivor in it.ids }
                    assertEquals(2, cho.customers().get(survivor).phones.size, "the late phone was carried")
                }
            }
        }
    }

    @Test
    fun `sign-in reports the server's user and team, and login again keeps the same store`() = runBlocking<Unit> {
        phone("ann").use { ann ->
            assertTrue(ann.userId().isNotEmpty())
            val kept = ann.customers().use { it.create(NewCustomer(name = "登录前的客户")) }
            val before = ann.customers().use { it.count() }
            val session = ann.sync().login(login("ann"))
            assertEquals(ann.userId(), session.userId)
            assertTrue(session.teamId != null, "ann is in team north")
            assertTrue(session.expiresAt != null)
            // The same store: what was written before the second login is still there, unsynced.
            assertEquals("登录前的客户", ann.customers().use { it.get(kept).name })
            assertEquals(before, ann.customers().use { it.count() })
            assertTrue(ann.pendingChanges() > 0, "the unsynced write is still queued")
        }
    }

    @Test
    fun `a wrong password is an Unauthorized exception that names no password`() = runBlocking<Unit> {
        val e = assertFailsWith<FieldSalesException.Unauthorized> {
            FieldSales.signIn(dir.resolve("x").toString(), FieldSalesConfig(userId = ""), login("ann", "wrong-password"))
        }
        assertFalse(e.detail.contains("wrong-password"))
        phone("ann").use { ann ->
            assertFailsWith<FieldSalesException.Unauthorized> { ann.sync().login(login("ann", "wrong-password")) }
        }
    }

    @Test
    fun `an unreachable server is a Network exception`() = runBlocking<Unit> {
        phone("ann").use { ann ->
            val dead = Login(serverUrl = "http://127.0.0.1:9", tenant = tenant, username = "ann", password = "ann-secret-1")
            assertFailsWith<FieldSalesException.Network> { ann.sync().login(dead) }
        }
    }

    @Test
    fun `the auto-sync listener hears started and completed after connectivity and syncNow`() = runBlocking<Unit> {
        phone("ann").use { ann ->
            val started = CountDownLatch(1)
            val completed = CountDownLatch(1)
            val report = AtomicReference<SyncReport>()
            // Called on the engine's thread, hence the latches.
            val listener = object : SyncListener {
                override fun started(trigger: SyncTrigger) = started.countDown()
                override fun progress(progress: SyncProgress) {}
                override fun completed(report: SyncReport) {
                    completedWith(report)
                }
                override fun conflictFound(conflict: ConflictFound) {}
                override fun rejected(edit: RejectedEdit) {}
                override fun failed(failure: SyncFailure) {}
                private fun completedWith(r: SyncReport) {
                    report.compareAndSet(null, r)
                    completed.countDown()
                }
            }
            ann.customers().create(NewCustomer(name = "上海华为", visibility = Visibility.TEAM))
            ann.sync().startAutoSync(listener).use { auto ->
                auto.connectivityChanged(true)
                auto.syncNow()
                assertTrue(started.await(20, TimeUnit.SECONDS), "started arrived")
                assertTrue(completed.await(20, TimeUnit.SECONDS), "completed arrived")
                assertTrue(auto.isRunning())
                auto.stop()
                assertFalse(auto.isRunning())
            }
            assertTrue(report.get().sent >= 1uL, "the customer went up: ${report.get()}")
            assertEquals(0L, ann.pendingChanges())
        }
    }

    @Test
    fun `the auto-sync Flow emits Started then Completed and stops with the collector`() = runBlocking<Unit> {
        phone("bob").use { bob ->
            val done = withTimeout(20_000) {
                bob.sync().autoSyncEvents { auto ->
                    auto.connectivityChanged(true)
                    auto.syncNow()
                }.filterIsInstance<SyncEvent.Completed>().first()
            }
            assertEquals(0uL, done.report.pending)
        }
    }

    /** A camera-sized JPEG written by the JVM's own encoder (a gradient, [seed] apart). */
    private fun cameraPhoto(name: String, seed: Int): File {
        val image = BufferedImage(2400, 1800, BufferedImage.TYPE_INT_RGB)
        for (y in 0 until 1800) for (x in 0 until 2400) {
            image.setRGB(x, y, ((x / 10 xor seed) and 0xFF shl 16) or ((y / 8) and 0xFF shl 8) or (seed and 0xFF))
        }
        val file = dir.resolve(name).toFile()
        ImageIO.write(image, "jpg", file)
        return file
    }

    @Test
    fun `a photo attached offline by suspend call reaches a teammate as a thumbnail then whole`() = runBlocking<Unit> {
        phone("cho").use { cho ->
            phone("dan").use { dan ->
                val customer = cho.customers().create(NewCustomer(name = "照片商店", visibility = Visibility.TEAM))
                val visit = cho.visits().checkIn(customer, null, null)
                val photo = cho.media().attachToVisit(visit.id, cameraPhoto("shop.jpg", 7).absolutePath)
                assertEquals(1920u, photo.width, "shrunk on the phone: $photo")
                val listed = cho.media().list(visit.id)
                assertEquals(listOf(photo.hash), listed.map { it.hash })
                assertEquals(UploadState.QUEUED, listed.single().state)
                assertEquals(2uL, cho.media().queue().queued, "the photo and its thumbnail wait")

                cho.sync().setMediaUnmeteredOnly(true)
                val held = cho.sync().sync()
                assertTrue(held.mediaWaitingForUnmetered, "on mobile data the photos wait: $held")
                assertEquals(0uL, held.mediaUploaded)
                cho.sync().setNetwork(NetworkKind.UNMETERED)
                val sent = cho.sync().sync()
                assertEquals(2uL, sent.mediaUploaded, "on Wi-Fi they go: $sent")

                val received = dan.sync().sync()
                assertEquals(1uL, received.mediaDownloaded, "the thumbnail comes with the sync: $received")
                assertEquals(photo.thumbnail, dan.visits().get(visit.id).photoThumbnails[photo.hash])
                assertTrue(dan.media().localFile(photo.thumbnail) != null)
                assertEquals(null, dan.media().localFile(photo.hash), "the full photo comes on demand")
                val full = File(dan.media().fetch(photo.hash)).readBytes()
                assertTrue(full.contentEquals(File(cho.media().localFile(photo.hash)!!).readBytes()))
            }
        }
    }

    @Test
    fun `a HEIC file is refused as a Validation on the image and nothing is attached`() = runBlocking<Unit> {
        phone("cho").use { cho ->
            val customer = cho.customers().create(NewCustomer(name = "苹果手机店"))
            val visit = cho.visits().checkIn(customer, null, null)
            val heic = dir.resolve("IMG_0001.HEIC").toFile()
            heic.writeBytes(byteArrayOf(0, 0, 0, 0x18) + "ftypheic".toByteArray() + ByteArray(64))
            val refused = assertFailsWith<FieldSalesException.Validation> {
                cho.media().attachToVisit(visit.id, heic.absolutePath)
            }
            assertEquals("image", refused.field)
            assertEquals(emptyList(), cho.media().list(visit.id))
        }
    }
}

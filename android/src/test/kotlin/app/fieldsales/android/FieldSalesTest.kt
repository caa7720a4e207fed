// The Kotlin bindings on the host JVM, against the freshly built libfieldsales_ffi: what a
// mobile developer relies on, asserted on values, not just on calls returning.
package app.fieldsales.android

import app.fieldsales.core.Address
import app.fieldsales.core.Channel
import app.fieldsales.core.ContactInput
import app.fieldsales.core.CustomerPatch
import app.fieldsales.core.FieldValue
import app.fieldsales.core.FindingKind
import app.fieldsales.core.Fix
import app.fieldsales.core.IncomingChanges
import app.fieldsales.core.RecordKind
import app.fieldsales.core.Verdict
import app.fieldsales.ffi.CheckOut
import app.fieldsales.ffi.FieldSales
import app.fieldsales.ffi.FieldSalesConfig
import app.fieldsales.ffi.FieldSalesException
import app.fieldsales.ffi.NewCustomer
import app.fieldsales.ffi.NewQuickLog
import app.fieldsales.ffi.StoreEvent
import java.io.File
import java.nio.file.Path
import java.time.Instant
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel as EventChannel
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

class FieldSalesTest {
    @TempDir
    lateinit var dir: Path

    private fun open(user: String = "rep-1", sub: String = "device"): FieldSales =
        FieldSales.open(dir.resolve(sub).toString(), FieldSalesConfig(userId = user, teamId = "north"))

    @Test
    fun `a store opened in a temp dir keeps customers after close and reopen`() {
        val id = open().use { store ->
            store.customers().use { it.create(NewCustomer(name = "北京小米", phones = listOf("138 1234 5678"))) }
        }
        open().use { store ->
            val customer = store.customers().get(id)
            assertEquals("北京小米", customer.name)
            assertEquals("+8613812345678", customer.phones.single().e164)
            assertEquals("rep-1", customer.owner)
            assertEquals("north", customer.team)
            assertNull(customer.mergedInto, "a customer nobody merged is not merged into another")
        }
    }

    @Test
    fun `an object used after close fails cleanly instead of crashing the JVM`() {
        val store = open()
        val customers = store.customers()
        store.close()
        // The area holds the store open on the Rust side: it still works.
        assertEquals(0L, customers.count())
        customers.close()
        assertFailsWith<IllegalStateException> { customers.count() }
    }

    @Test
    fun `customers are created and edited field by field`() = open().use { store ->
        val customers = store.customers()
        val id = customers.create(NewCustomer(name = "上海华为", phones = listOf("021-6123 4567"), tags = listOf("vip")))
        val edited = customers.edit(id, CustomerPatch(legalName = "上海华为技术有限公司", addTags = listOf("tender"), removeTags = listOf("vip")))
        assertEquals("上海华为", edited.name)
        assertEquals("上海华为技术有限公司", edited.legalName)
        assertEquals(listOf("tender"), edited.tags)
        val contactId = customers.addContact(id, ContactInput(name = "王经理", phone = "13900001111"))
        val withContact = customers.get(id)
        assertEquals("+8613900001111", withContact.contacts.single { it.id == contactId }.phone)
        assertEquals(listOf("上海华为"), customers.list(10, 0).map { it.name })
        assertEquals(1L, customers.count())
    }

    @Test
    fun `a quick-log with pain points and a next action becomes a follow-up task`() = open().use { store ->
        val customerId = store.customers().create(NewCustomer(name = "北京小米", phones = listOf("138 1234 5678")))
        val logged = store.quickLog().log(
            NewQuickLog(
                channel = Channel.CALL,
                phone = "13812345678",
                durationS = 95,
                painPoints = listOf("价格太高", "交付慢"),
                nextAction = "发报价单",
            ),
        )
        assertFalse(logged.newLead)
        assertEquals(customerId, logged.entry.customerId)
        assertEquals(setOf("价格太高", "交付慢"), logged.entry.painPoints.toSet())
        val taskId = assertNotNull(logged.entry.taskId)
        val task = store.tasks().get(taskId)
        assertEquals("发报价单", task.title)
        assertEquals(customerId, task.customerId)
        assertEquals(logged.entry.id, task.sourceId)
        assertFalse(task.done)
        assertEquals(listOf(taskId), store.tasks().forCustomer(customerId).map { it.id })
        assertTrue(store.tasks().complete(taskId).done)
        assertEquals(listOf(RecordKind.QUICK_LOG, RecordKind.TASK), store.customers().timeline(customerId).map { it.kind })
    }

    @Test
    fun `a quick-log from an unknown number creates a lead that data health reports`() = runBlocking {
        open().use { store ->
            val logged = store.quickLog().log(NewQuickLog(channel = Channel.CALL, phone = "13700000000"))
            assertTrue(logged.newLead)
            assertEquals("", store.customers().get(logged.entry.customerId).name)
            val report = store.health().report()
            assertEquals(1L, report.counts[FindingKind.MISSING_NAME])
            assertEquals(logged.entry.customerId, report.findings.first { it.kind == FindingKind.MISSING_NAME }.customerId)
        }
    }

    @Test
    fun `a check-in at the customer's door is verified and the check-out's next action becomes a task`() = open().use { store ->
        val id = store.customers().create(NewCustomer(name = "北京小米", address = Address(text = "海淀区", lat = 39.9847, lon = 116.3055)))
        val visits = store.visits()
        val atDoor = visits.checkIn(id, null, Fix(lat = 39.9848, lon = 116.3056, accuracyM = 10.0))
        assertEquals(Verdict.VERIFIED, atDoor.checkIn!!.verdict)
        assertTrue(atDoor.checkIn!!.distanceM!! < 50.0)
        val elsewhere = visits.checkIn(id, null, Fix(lat = 39.90, lon = 116.40))
        assertEquals(Verdict.OUT_OF_RANGE, elsewhere.checkIn!!.verdict)
        val out = visits.checkOut(atDoor.id, CheckOut(notes = "谈了价格", painPoints = listOf("价格太高"), nextAction = "寄样品"))
        assertEquals("谈了价格", out.notes)
        assertTrue(out.checkOut != null)
        val task = store.tasks().get(assertNotNull(out.taskId))
        assertEquals("寄样品", task.title)
        assertEquals(atDoor.id, task.sourceId)
    }

    @Test
    fun `search finds a Chinese name by characters, pinyin initials and phone digits`() = open().use { store ->
        val xiaomi = store.customers().create(NewCustomer(name = "北京小米", phones = listOf("138 1234 5678")))
        store.customers().create(NewCustomer(name = "上海华为", phones = listOf("021-6123 4567")))
        val search = store.search()
        assertEquals(listOf(xiaomi), search.customers("北京小米", 10).map { it.id })
        assertEquals(listOf(xiaomi), search.customers("bjxm", 10).map { it.id })
        assertEquals(listOf(xiaomi), search.customers("5678", 10).map { it.id })
        assertEquals(emptyList(), search.customers("", 10))
    }

    @Test
    fun `a refused value arrives as a Kotlin exception with field and reason, and nothing is stored`() = open().use { store ->
        val e = assertFailsWith<FieldSalesException.Validation> {
            store.customers().create(NewCustomer(name = "坏号码", phones = listOf("12345")))
        }
        assertEquals("phones", e.field)
        assertTrue(e.reason.isNotBlank())
        assertTrue(e.message!!.contains("phones"))
        assertEquals(0L, store.customers().count())

        val limit = assertFailsWith<FieldSalesException.Validation> { store.customers().list(-1, 0) }
        assertEquals("limit", limit.field)

        val missing = assertFailsWith<FieldSalesException.NotFound> { store.customers().get("not-an-id") }
        assertEquals("customer", missing.kind)
    }

    @Test
    fun `bad input from the app is an exception, never a crash`() = runBlocking {
        open().use { store ->
            val id = store.customers().create(NewCustomer(name = "北京小米"))
            val farFuture = assertFailsWith<FieldSalesException.Validation> {
                store.quickLog().log(NewQuickLog(channel = Channel.CALL, customerId = id, due = Instant.MAX))
            }
            assertEquals("due", farFuture.field)
            val garbage = assertFailsWith<FieldSalesException.Validation> {
                store.changes().apply(listOf(IncomingChanges(id, RecordKind.CUSTOMER, listOf(byteArrayOf(1, 2, 3)))))
            }
            assertEquals("changes", garbage.field)
            // Still alive and unchanged.
            assertEquals("北京小米", store.customers().get(id).name)
        }
        val noUser = assertFailsWith<FieldSalesException.Validation> {
            FieldSales.open(dir.resolve("x").toString(), FieldSalesConfig(userId = " "))
        }
        assertEquals("user_id", noUser.field)
        val badZone = assertFailsWith<FieldSalesException.Validation> {
            FieldSales.open(dir.resolve("x").toString(), FieldSalesConfig(userId = "rep-1", utcOffsetMinutes = Int.MAX_VALUE))
        }
        assertEquals("utc_offset_minutes", badZone.field)
    }

    @Test
    fun `a bulk import is a suspend call and names a refused row by position`() = runBlocking {
        open().use { store ->
            val ids = store.customers().createMany((1..50).map { NewCustomer(name = "客户$it") })
            assertEquals(50, ids.toSet().size)
            val e = assertFailsWith<FieldSalesException.Validation> {
                store.customers().createMany(listOf(NewCustomer(name = "好"), NewCustomer(name = "坏", phones = listOf("1"))))
            }
            assertEquals("[1].phones", e.field)
            assertEquals(50L, store.customers().count())
        }
    }

    @Test
    fun `concurrent edits on two devices surface as a conflict that can be resolved`() = runBlocking {
        open(user = "rep-a", sub = "a").use { a ->
            open(user = "rep-b", sub = "b").use { b ->
                val id = a.customers().create(NewCustomer(name = "北京小米"))
                exchange(a, b)
                assertEquals("北京小米", b.customers().get(id).name)

                a.customers().edit(id, CustomerPatch(name = "北京小米科技"))
                b.customers().edit(id, CustomerPatch(name = "小米（北京）"))
                exchange(a, b)
                exchange(b, a)

                val conflicts = a.conflicts().list()
                val record = conflicts.single()
                assertEquals(id, record.recordId)
                assertEquals(RecordKind.CUSTOMER, record.kind)
                val name = record.fields.single { it.field == "name" }
                assertEquals(
                    setOf("北京小米科技", "小米（北京）"),
                    name.values.map { (it.value as FieldValue.Text).value }.toSet(),
                )
                assertEquals(setOf("rep-a", "rep-b"), name.values.mapNotNull { it.writtenBy }.toSet())

                a.conflicts().resolve(id, "name", FieldValue.Text("小米（北京）"))
                assertEquals(emptyList(), a.conflicts().list())
                assertEquals("小米（北京）", a.customers().get(id).name)

                // Resolving with a value that is not a candidate is refused as a conflict.
                val stale = assertFailsWith<FieldSalesException.Conflict> {
                    b.conflicts().resolve(id, "name", FieldValue.Text("别的名字"))
                }
                assertEquals("name", stale.field)

                exchange(a, b)
                assertEquals("小米（北京）", b.customers().get(id).name)
                assertEquals(emptyList(), b.conflicts().list())
            }
        }
    }

    @Test
    fun `change events arrive as a Flow and stop when the collector is cancelled`() = runBlocking {
        open().use { store ->
            val received = EventChannel<StoreEvent>(EventChannel.UNLIMITED)
            val job = launch(Dispatchers.Unconfined) {
                store.events(RecordKind.CUSTOMER).collect { received.send(it) }
            }
            val id = store.customers().create(NewCustomer(name = "北京小米"))
            store.tasks().create(app.fieldsales.ffi.NewTask(title = "not a customer event"))
            val event = withTimeout(5_000) { received.receive() }
            assertEquals(RecordKind.CUSTOMER, event.kind)
            assertEquals(listOf(id), event.ids)
            job.cancel()
            job.join()
            store.customers().create(NewCustomer(name = "上海华为"))
            assertTrue(received.tryReceive().isFailure)
        }
    }

    @Test
    fun `openStore puts each user's database under the app files directory`() {
        val files = dir.toFile()
        openStore(files, userId = "rep-9").use { store ->
            assertEquals("rep-9", store.userId())
            store.customers().create(NewCustomer(name = "北京小米"))
            assertEquals(1L, store.pendingChanges())
        }
        assertTrue(File(files, "fieldsales").listFiles()!!.any { it.name.startsWith("user-rep-9") })
    }

    /** Sends every outbox change of [from] to [to], grouped by record, as sync would. */
    private suspend fun exchange(from: FieldSales, to: FieldSales) {
        val batch = from.changes().outbox(10_000)
            .groupBy { it.docId to it.kind }
            .map { (key, changes) -> IncomingChanges(key.first, key.second, changes.map { it.change }) }
        to.changes().apply(batch)
    }
}

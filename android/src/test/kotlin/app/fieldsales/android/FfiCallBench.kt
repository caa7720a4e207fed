// The Kotlin half of `cargo xtask bench ffi_call`: one quick-log through the bindings, per
// call, and a 5 MB byte array across the boundary. Not part of the test suite (the pom
// excludes it); xtask runs it against the release library and compares with the same
// workload called from Rust. It writes its figures as JSON to -Dfieldsales.bench.out.
package app.fieldsales.android

import app.fieldsales.core.Channel
import app.fieldsales.core.Durability
import app.fieldsales.ffi.FieldSales
import app.fieldsales.ffi.FieldSalesConfig
import app.fieldsales.ffi.NewCustomer
import app.fieldsales.ffi.NewQuickLog
import app.fieldsales.ffi.diagnosticsEchoBytes
import app.fieldsales.ffi.diagnosticsReceiveBytes
import java.io.File
import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals

class FfiCallBench {
    private companion object {
        // Keep in step with xtask/src/bench/ffi_call.rs, which runs the same workload in Rust.
        const val CUSTOMERS = 200
        const val WARMUP = 200
        const val WRITES = 2_000
        const val EMPTY_CALLS = 100_000
        const val BYTES = 5 * 1024 * 1024
        const val BYTE_ROUNDS = 30
    }

    @Test
    fun measure() {
        val dir = Files.createTempDirectory("ffi_call")
        val figures = linkedMapOf<String, Double>()
        val config = FieldSalesConfig(userId = "bench-rep", teamId = "team-1", durability = Durability.APP_CRASH)
        FieldSales.open(dir.toString(), config).use { store ->
            val phones = (0 until CUSTOMERS).map { "138%08d".format(it) }
            runBlocking {
                store.customers().createMany(phones.mapIndexed { i, p -> NewCustomer(name = "客户$i", phones = listOf(p)) })
            }
            val quickLog = store.quickLog()
            val samples = LongArray(WRITES)
            for (i in 0 until WARMUP + WRITES) {
                val input = NewQuickLog(
                    channel = Channel.CALL,
                    phone = phones[i % CUSTOMERS],
                    durationS = 60L + i % 600,
                    painPoints = listOf("价格太高", "交付慢"),
                    nextAction = "发报价单",
                )
                val start = System.nanoTime()
                quickLog.log(input)
                val took = System.nanoTime() - start
                if (i >= WARMUP) samples[i - WARMUP] = took
            }
            figures["kotlin_quicklog_p50_us"] = percentile(samples, 50.0)
            figures["kotlin_quicklog_p99_us"] = percentile(samples, 99.0)
        }
        dir.toFile().deleteRecursively()

        val empty = ByteArray(0)
        repeat(10_000) { diagnosticsReceiveBytes(empty) }
        val start = System.nanoTime()
        repeat(EMPTY_CALLS) { diagnosticsReceiveBytes(empty) }
        figures["kotlin_empty_call_us"] = (System.nanoTime() - start) / 1e3 / EMPTY_CALLS

        val data = ByteArray(BYTES) { it.toByte() }
        val into = LongArray(BYTE_ROUNDS)
        val both = LongArray(BYTE_ROUNDS)
        repeat(3) { assertEquals(BYTES.toULong(), diagnosticsReceiveBytes(data)) }
        for (i in 0 until BYTE_ROUNDS) {
            var t = System.nanoTime()
            diagnosticsReceiveBytes(data)
            into[i] = System.nanoTime() - t
            t = System.nanoTime()
            val back = diagnosticsEchoBytes(data)
            both[i] = System.nanoTime() - t
            assertEquals(BYTES, back.size)
        }
        figures["kotlin_5mb_into_rust_ms"] = percentile(into, 50.0) / 1e3
        figures["kotlin_5mb_round_trip_ms"] = percentile(both, 50.0) / 1e3

        val out = File(System.getProperty("fieldsales.bench.out"))
        out.parentFile.mkdirs()
        out.writeText(figures.entries.joinToString(",\n  ", "{\n  ", "\n}\n") { (k, v) -> "\"$k\": $v" })
    }

    /** Nearest-rank percentile of nanosecond samples, in microseconds. */
    private fun percentile(samples: LongArray, p: Double): Double {
        val sorted = samples.sorted()
        val rank = Math.ceil(p / 100.0 * sorted.size).toInt().coerceIn(1, sorted.size)
        return sorted[rank - 1] / 1e3
    }
}

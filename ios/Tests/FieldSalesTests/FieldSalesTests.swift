// The Swift bindings, mirroring the Kotlin host-JVM suite. Runs with `swift test` on a Mac
// after ./build-xcframework.sh; on Linux `cargo xtask test` only checks that it parses.
import XCTest
@testable import FieldSales

final class FieldSalesTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private func open(_ user: String = "rep-1", device: String = "device") throws -> FieldSales {
        try FieldSales.open(
            dataDir: dir.appendingPathComponent(device).path,
            config: FieldSalesConfig(userId: user, teamId: "north"))
    }

    func testCustomersSurviveReopeningTheStore() throws {
        var id = ""
        do {
            let store = try open()
            id = try store.customers().create(input: NewCustomer(name: "北京小米", phones: ["138 1234 5678"]))
        }
        let store = try open()
        let customer = try store.customers().get(id: id)
        XCTAssertEqual(customer.name, "北京小米")
        XCTAssertEqual(customer.phones.map(\.e164), ["+8613812345678"])
        XCTAssertNil(customer.mergedInto)
    }

    func testCustomersAreCreatedAndEditedFieldByField() throws {
        let customers = try open().customers()
        let id = try customers.create(input: NewCustomer(name: "上海华为", tags: ["vip"]))
        let edited = try customers.edit(
            id: id, patch: CustomerPatch(legalName: "上海华为技术有限公司", addTags: ["tender"], removeTags: ["vip"]))
        XCTAssertEqual(edited.legalName, "上海华为技术有限公司")
        XCTAssertEqual(edited.tags, ["tender"])
        XCTAssertEqual(try customers.count(), 1)
    }

    func testAQuickLogWithANextActionBecomesAFollowUpTask() throws {
        let store = try open()
        let customerId = try store.customers().create(input: NewCustomer(name: "北京小米", phones: ["138 1234 5678"]))
        let logged = try store.quickLog().log(input: NewQuickLog(
            channel: .call, durationS: 95, phone: "13812345678",
            painPoints: ["价格太高", "交付慢"], nextAction: "发报价单"))
        XCTAssertFalse(logged.newLead)
        XCTAssertEqual(logged.entry.customerId, customerId)
        let taskId = try XCTUnwrap(logged.entry.taskId)
        let task = try store.tasks().get(id: taskId)
        XCTAssertEqual(task.title, "发报价单")
        XCTAssertEqual(task.sourceId, logged.entry.id)
        XCTAssertTrue(try store.tasks().complete(id: taskId).done)
    }

    func testAnUnknownNumberBecomesALeadReportedByDataHealth() async throws {
        let store = try open()
        let logged = try store.quickLog().log(input: NewQuickLog(channel: .call, phone: "13700000000"))
        XCTAssertTrue(logged.newLead)
        let report = try await store.health().report()
        XCTAssertEqual(report.counts[.missingName], 1)
    }

    func testSearchFindsAChineseNameByCharactersInitialsAndPhoneDigits() throws {
        let store = try open()
        let xiaomi = try store.customers().create(input: NewCustomer(name: "北京小米", phones: ["138 1234 5678"]))
        _ = try store.customers().create(input: NewCustomer(name: "上海华为", phones: ["021-6123 4567"]))
        for query in ["北京小米", "bjxm", "5678"] {
            XCTAssertEqual(try store.search().customers(query: query, limit: 10).map(\.id), [xiaomi], query)
        }
        XCTAssertTrue(try store.search().customers(query: "", limit: 10).isEmpty)
    }

    func testARefusedValueThrowsWithFieldAndReason() throws {
        let store = try open()
        XCTAssertThrowsError(try store.customers().create(input: NewCustomer(name: "坏号码", phones: ["12345"]))) { error in
            guard case let FieldSalesError.Validation(field, reason) = error else {
                return XCTFail("expected Validation, got \(error)")
            }
            XCTAssertEqual(field, "phones")
            XCTAssertFalse(reason.isEmpty)
        }
        XCTAssertEqual(try store.customers().count(), 0)
        XCTAssertThrowsError(try store.customers().get(id: "not-an-id")) { error in
            guard case let FieldSalesError.NotFound(kind, _) = error else {
                return XCTFail("expected NotFound, got \(error)")
            }
            XCTAssertEqual(kind, "customer")
        }
    }

    func testConcurrentEditsOnTwoDevicesAreListedAndResolved() async throws {
        let a = try open("rep-a", device: "a")
        let b = try open("rep-b", device: "b")
        let id = try a.customers().create(input: NewCustomer(name: "北京小米"))
        try await exchange(from: a, to: b)
        _ = try a.customers().edit(id: id, patch: CustomerPatch(name: "北京小米科技"))
        _ = try b.customers().edit(id: id, patch: CustomerPatch(name: "小米（北京）"))
        try await exchange(from: a, to: b)
        try await exchange(from: b, to: a)

        let conflicts = try a.conflicts().list()
        XCTAssertEqual(conflicts.count, 1)
        let name = try XCTUnwrap(conflicts[0].fields.first { $0.field == "name" })
        let texts = Set(name.values.compactMap { value -> String? in
            if case let .text(text) = value.value { return text }
            return nil
        })
        XCTAssertEqual(texts, ["北京小米科技", "小米（北京）"])

        try a.conflicts().resolve(id: id, field: "name", value: .text(value: "小米（北京）"))
        XCTAssertTrue(try a.conflicts().list().isEmpty)
        XCTAssertEqual(try a.customers().get(id: id).name, "小米（北京）")
    }

    func testChangeEventsArriveAsAnAsyncStream() async throws {
        let store = try open()
        let events = store.events([.customer])
        let id = try store.customers().create(input: NewCustomer(name: "北京小米"))
        var iterator = events.makeAsyncIterator()
        let event = await iterator.next()
        XCTAssertEqual(event?.kind, .customer)
        XCTAssertEqual(event?.ids, [id])
    }

    /// Sends every outbox change of `from` to `to`, grouped by record, as sync would.
    private func exchange(from: FieldSales, to: FieldSales) async throws {
        let outbox = try from.changes().outbox(limit: 10_000)
        var grouped: [String: (RecordKind, [Data])] = [:]
        for change in outbox {
            grouped[change.docId, default: (change.kind, [])].1.append(change.change)
        }
        let batch = grouped.map { IncomingChanges(docId: $0.key, kind: $0.value.0, changes: $0.value.1) }
        try await to.changes().apply(batch: batch)
    }
}

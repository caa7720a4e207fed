// Sync through the Swift bindings against a running fieldsales-server, mirroring the Kotlin
// SyncTest: set FIELDSALES_TEST_SERVER (and FIELDSALES_TEST_TENANT, with team `north` and the
// reps `ann` and `bob`) before `swift test`; without it the tests are skipped. On Linux
// `cargo xtask test` only checks that this file parses.
import XCTest
@testable import FieldSales

final class SyncTests: XCTestCase {
    private var dir: URL!
    private var server: String!
    private var tenant = "swift"

    override func setUpWithError() throws {
        let env = ProcessInfo.processInfo.environment
        guard let url = env["FIELDSALES_TEST_SERVER"] else {
            throw XCTSkip("no test server: set FIELDSALES_TEST_SERVER")
        }
        server = url
        tenant = env["FIELDSALES_TEST_TENANT"] ?? tenant
        dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    private func login(_ user: String, password: String? = nil) -> Login {
        Login(serverUrl: server, tenant: tenant, username: user, password: password ?? "\(user)-secret-1")
    }

    private func phone(_ user: String) async throws -> FieldSales {
        try await FieldSales.signIn(
            dataDir: dir.appendingPathComponent(user).path,
            config: FieldSalesConfig(userId: ""),
            login: login(user))
    }

    func testACustomerCreatedByOneRepReachesTheOtherRepThroughSync() async throws {
        let ann = try await phone("ann")
        let bob = try await phone("bob")
        let id = try ann.customers().create(
            input: NewCustomer(name: "北京小米", phones: ["138 1234 5678"], visibility: .team))
        let sent = try await ann.sync().sync()
        XCTAssertGreaterThanOrEqual(sent.sent, 1)
        XCTAssertEqual(sent.pending, 0)
        let received = try await bob.sync().sync()
        XCTAssertGreaterThanOrEqual(received.received, 1)
        XCTAssertEqual(received.purged, 0)
        XCTAssertEqual(received.skipped, 0)
        XCTAssertEqual(try bob.search().customers(query: "bjxm", limit: 10).map(\.id), [id])
        XCTAssertTrue(try bob.sync().status().signedIn)
    }

    func testAWrongPasswordIsUnauthorized() async throws {
        do {
            _ = try await FieldSales.signIn(
                dataDir: dir.appendingPathComponent("x").path,
                config: FieldSalesConfig(userId: ""),
                login: login("ann", password: "wrong-password"))
            XCTFail("signed in with a wrong password")
        } catch FieldSalesError.Unauthorized(let detail) {
            XCTAssertFalse(detail.contains("wrong-password"))
        }
    }

    func testTheAutoSyncStreamYieldsStartedThenCompleted() async throws {
        let ann = try await phone("ann")
        _ = try ann.customers().create(input: NewCustomer(name: "上海华为", visibility: .team))
        var sawStarted = false
        for await event in ann.sync().autoSyncEvents(onStart: { auto in
            auto.connectivityChanged(online: true)
            auto.syncNow()
        }) {
            if case .started = event { sawStarted = true }
            if case .completed(let report) = event {
                XCTAssertGreaterThanOrEqual(report.sent, 1)
                break
            }
        }
        XCTAssertTrue(sawStarted)
    }
}

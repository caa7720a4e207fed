"""The Python bindings, the same scenarios as the Kotlin suite: support staff script data fixes
with this module, so it must behave exactly like the apps' bindings."""

import asyncio
import queue
from collections import defaultdict
from datetime import datetime, timezone

import pytest

from fieldsales_core import (
    Channel,
    CustomerPatch,
    FieldValue,
    FindingKind,
    IncomingChanges,
    RecordKind,
)
from fieldsales_ffi import (
    FieldSales,
    FieldSalesConfig,
    FieldSalesError,
    NewCustomer,
    NewQuickLog,
    StoreListener,
    diagnostics_echo_bytes,
)


def exchange(source, target):
    """Sends every outbox change of `source` to `target`, grouped by record, as sync would."""
    grouped = defaultdict(list)
    for change in source.changes().outbox(10_000):
        grouped[(change.doc_id, change.kind)].append(change.change)
    batch = [IncomingChanges(doc_id=d, kind=k, changes=c) for (d, k), c in grouped.items()]
    asyncio.run(target.changes().apply(batch))


def test_customers_survive_closing_and_reopening_the_store(tmp_path):
    config = FieldSalesConfig(user_id="rep-1")
    store = FieldSales.open(str(tmp_path), config)
    customer_id = store.customers().create(NewCustomer(name="北京小米", phones=["138 1234 5678"]))
    del store  # frees the native store at once (CPython reference counting)
    again = FieldSales.open(str(tmp_path), config)
    customer = again.customers().get(customer_id)
    assert customer.name == "北京小米"
    assert [p.e164 for p in customer.phones] == ["+8613812345678"]
    assert customer.merged_into is None


def test_customers_are_created_and_edited_field_by_field(store):
    customers = store.customers()
    cid = customers.create(NewCustomer(name="上海华为", tags=["vip"]))
    edited = customers.edit(cid, CustomerPatch(legal_name="上海华为技术有限公司", add_tags=["tender"], remove_tags=["vip"]))
    assert edited.name == "上海华为"
    assert edited.legal_name == "上海华为技术有限公司"
    assert edited.tags == ["tender"]
    assert customers.count() == 1


def test_a_quick_log_with_a_next_action_becomes_a_follow_up_task(store):
    cid = store.customers().create(NewCustomer(name="北京小米", phones=["138 1234 5678"]))
    logged = store.quick_log().log(
        NewQuickLog(channel=Channel.CALL, phone="13812345678", duration_s=95, pain_points=["价格太高", "交付慢"], next_action="发报价单")
    )
    assert not logged.new_lead
    assert logged.entry.customer_id == cid
    assert set(logged.entry.pain_points) == {"价格太高", "交付慢"}
    task = store.tasks().get(logged.entry.task_id)
    assert task.title == "发报价单"
    assert task.customer_id == cid
    assert task.source_id == logged.entry.id
    assert not task.done
    assert store.tasks().complete(task.id).done


def test_an_unknown_number_becomes_a_lead_reported_by_data_health(store):
    logged = store.quick_log().log(NewQuickLog(channel=Channel.CALL, phone="13700000000"))
    assert logged.new_lead
    report = asyncio.run(store.health().report())
    assert report.counts[FindingKind.MISSING_NAME] == 1


def test_search_finds_a_chinese_name_by_characters_initials_and_phone_digits(store):
    xiaomi = store.customers().create(NewCustomer(name="北京小米", phones=["138 1234 5678"]))
    store.customers().create(NewCustomer(name="上海华为", phones=["021-6123 4567"]))
    search = store.search()
    for query in ["北京小米", "bjxm", "5678"]:
        assert [hit.id for hit in search.customers(query, 10)] == [xiaomi], query
    assert search.customers("", 10) == []


def test_a_refused_value_raises_with_field_and_reason_and_stores_nothing(store):
    with pytest.raises(FieldSalesError.Validation) as refused:
        store.customers().create(NewCustomer(name="坏号码", phones=["12345"]))
    assert refused.value.field == "phones"
    assert refused.value.reason
    assert store.customers().count() == 0
    with pytest.raises(FieldSalesError.NotFound) as missing:
        store.customers().get("not-an-id")
    assert missing.value.kind == "customer"


def test_bad_input_is_an_exception_never_a_crash(store):
    cid = store.customers().create(NewCustomer(name="北京小米"))
    with pytest.raises(FieldSalesError.Validation) as limit:
        store.customers().list(-5, 0)
    assert limit.value.field == "limit"
    with pytest.raises(FieldSalesError.Validation) as garbage:
        asyncio.run(store.changes().apply([IncomingChanges(doc_id=cid, kind=RecordKind.CUSTOMER, changes=[b"\x01\x02"])]))
    assert garbage.value.field == "changes"
    with pytest.raises(FieldSalesError.Validation) as early:
        store.quick_log().log(NewQuickLog(channel=Channel.CALL, customer_id=cid, at=datetime(2026, 1, 2, tzinfo=timezone.utc), due=datetime(2026, 1, 1, tzinfo=timezone.utc)))
    assert early.value.field == "due"
    assert store.customers().get(cid).name == "北京小米"


def test_a_bad_configuration_is_refused_with_its_field(tmp_path):
    with pytest.raises(FieldSalesError.Validation) as no_user:
        FieldSales.open(str(tmp_path), FieldSalesConfig(user_id=" "))
    assert no_user.value.field == "user_id"
    with pytest.raises(FieldSalesError.Validation) as bad_zone:
        FieldSales.open(str(tmp_path), FieldSalesConfig(user_id="rep-1", utc_offset_minutes=2**31 - 1))
    assert bad_zone.value.field == "utc_offset_minutes"


def test_a_bulk_import_names_a_refused_row_by_position(store):
    ids = asyncio.run(store.customers().create_many([NewCustomer(name=f"客户{i}") for i in range(20)]))
    assert len(set(ids)) == 20
    with pytest.raises(FieldSalesError.Validation) as refused:
        asyncio.run(store.customers().create_many([NewCustomer(name="好"), NewCustomer(name="坏", phones=["1"])]))
    assert refused.value.field == "[1].phones"
    assert store.customers().count() == 20


def test_concurrent_edits_on_two_devices_are_listed_and_resolved(open_store):
    a, b = open_store("rep-a", "a"), open_store("rep-b", "b")
    cid = a.customers().create(NewCustomer(name="北京小米"))
    exchange(a, b)
    a.customers().edit(cid, CustomerPatch(name="北京小米科技"))
    b.customers().edit(cid, CustomerPatch(name="小米（北京）"))
    exchange(a, b)
    exchange(b, a)
    [record] = a.conflicts().list()
    assert record.record_id == cid
    name = next(f for f in record.fields if f.field == "name")
    assert {v.value.value for v in name.values} == {"北京小米科技", "小米（北京）"}
    a.conflicts().resolve(cid, "name", FieldValue.TEXT(value="小米（北京）"))
    assert a.conflicts().list() == []
    assert a.customers().get(cid).name == "小米（北京）"
    exchange(a, b)
    assert b.conflicts().list() == []


def test_listeners_hear_about_writes(store):
    class Recorder(StoreListener):
        def __init__(self):
            self.events = queue.Queue()

        def on_change(self, event):
            self.events.put((event.kind, event.ids))

    # Listeners are called on the store's event thread, after the write returned.
    recorder = Recorder()
    subscription = store.subscribe(recorder)
    cid = store.customers().create(NewCustomer(name="北京小米"))
    assert recorder.events.get(timeout=10) == (RecordKind.CUSTOMER, [cid])
    subscription.cancel()
    # A listener still subscribed hears the next write; by then the cancelled one would have.
    witness = Recorder()
    kept = store.subscribe(witness)
    other = store.customers().create(NewCustomer(name="上海华为"))
    assert witness.events.get(timeout=10) == (RecordKind.CUSTOMER, [other])
    kept.cancel()
    assert recorder.events.empty()


def test_bytes_cross_the_boundary_unchanged():
    data = bytes(range(256)) * 1000
    assert diagnostics_echo_bytes(data) == data


def write_png(path, width, height):
    """A gradient PNG made with the standard library (what a gallery pick can hand over)."""
    import struct
    import zlib

    def chunk(tag, data):
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    rows = b"".join(
        b"\x00" + bytes((x * 255 // width, y * 255 // height, 90) [i % 3] for x in range(width) for i in range(3))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    path.write_bytes(png)
    return str(path)


def test_a_photo_from_the_gallery_is_attached_to_a_visit_and_queued(store, tmp_path):
    customer_id = store.customers().create(NewCustomer(name="图库商店"))
    visit = store.visits().check_in(customer_id, None, None)
    media = store.media()
    photo = asyncio.run(media.attach_to_visit(visit.id, write_png(tmp_path / "shelf.png", 640, 480)))
    assert (photo.width, photo.height) == (640, 480), "a small photo is never enlarged"
    assert len(photo.hash) == 64 and photo.thumbnail != photo.hash
    listed = asyncio.run(media.list(visit.id))
    assert [m.hash for m in listed] == [photo.hash]
    waiting = asyncio.run(media.queue())
    assert waiting.queued == 2 and waiting.failures == []
    assert listed[0].attempts == 0 and listed[0].failure is None
    stored = asyncio.run(media.local_file(photo.hash))
    assert stored is not None and open(stored, "rb").read(3) == b"\xff\xd8\xff", "stored as JPEG"
    assert store.visits().get(visit.id).photo_thumbnails == {photo.hash: photo.thumbnail}


def test_a_heic_file_is_refused_with_the_field_and_nothing_is_attached(store, tmp_path):
    customer_id = store.customers().create(NewCustomer(name="苹果手机店"))
    visit = store.visits().check_in(customer_id, None, None)
    heic = tmp_path / "IMG_0001.HEIC"
    heic.write_bytes(b"\x00\x00\x00\x18ftypheic" + bytes(64))
    with pytest.raises(FieldSalesError.Validation) as refused:
        asyncio.run(store.media().attach_to_visit(visit.id, str(heic)))
    assert refused.value.field == "image"
    assert asyncio.run(store.media().list(visit.id)) == []

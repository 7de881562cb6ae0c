"""The batch writer: rows wait until the flush, an update follows its table's inserts, kept rows round-trip."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, select, update

from bzr_workflow.projections.batch import BatchWriter, Kept

META = MetaData()
ITEMS = Table("items", META, Column("code", String(8), primary_key=True), Column("n", Integer))
NOTES = Table("notes", META, Column("ref", String(8), primary_key=True),
              Column("other", String(8), unique=True), Column("tags", Text), Column("n", Integer))


def writer_on(conn: object) -> BatchWriter:
    writer = BatchWriter([Kept(NOTES, "ref", ("tags", "n"), {"tags": False}, index="other")])
    writer.begin(conn, keep=False)  # type: ignore[arg-type]
    return writer


def test_inserts_wait_for_the_flush_and_an_update_sends_its_tables_inserts_first() -> None:
    engine = create_engine("sqlite://")
    META.create_all(engine)
    with engine.begin() as conn:
        writer = writer_on(conn)
        writer.insert(ITEMS, {"code": "a", "n": 1})
        assert conn.execute(select(ITEMS)).all() == []
        writer.write(update(ITEMS).where(ITEMS.c.code == "a").values(n=2))
        writer.insert(ITEMS, {"code": "b", "n": 3})
        writer.flush()
        assert sorted(conn.execute(select(ITEMS)).all()) == [("a", 2), ("b", 3)]


def test_kept_rows_are_inserted_then_updated_and_found_again_by_their_index() -> None:
    engine = create_engine("sqlite://")
    META.create_all(engine)
    with engine.begin() as conn:
        writer = writer_on(conn)
        writer.add(NOTES, {"ref": "r1", "other": "x1", "tags": ["甲"], "n": 1})
        writer.flush()
        writer.begin(conn, keep=False)
        writer.row_by(NOTES, "x1", write=True)["tags"].append("乙")
        writer.flush()
        assert conn.execute(select(NOTES)).all() == [("r1", "x1", '["甲", "乙"]', 1)]
        writer.begin(conn, keep=False)
        assert writer.load(NOTES, "other", ["x1"]) == ["r1"] and writer.held(NOTES, "x1")

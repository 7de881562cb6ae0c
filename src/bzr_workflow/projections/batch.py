"""Buffers view rows for one batch and writes them with one executemany per table; knows nothing of events."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Result, Table, bindparam, insert, select, update

_Prepared = tuple[str, list[str], Any, list[tuple[int, Any]], bool]
_PREPARED: dict[tuple[Any, ...], _Prepared] = {}
_STATEMENTS: dict[tuple[Any, ...], Any] = {}  # made once per process, so their ids key _PREPARED


def insert_of(table: Table) -> Any:
    key = ("insert", table)
    if key not in _STATEMENTS:
        _STATEMENTS[key] = insert(table)
    return _STATEMENTS[key]


def update_of(table: Table, key: str, columns: tuple[str, ...]) -> Any:
    """UPDATE table SET each column WHERE key matches, all as `b_` parameters."""
    cache = ("update", table, key, columns)
    if cache not in _STATEMENTS:
        _STATEMENTS[cache] = update(table).where(table.c[key] == bindparam(f"b_{key}")) \
            .values({c: bindparam(f"b_{c}") for c in columns})
    return _STATEMENTS[cache]


def _through(processors: list[tuple[int, Any]], row: Sequence[Any]) -> list[Any]:
    """A row's values, each at a position in `processors` through its type's processor (a
    bind processor on the way in, a result processor on the way out)."""
    values = list(row)
    for i, fn in processors:
        values[i] = fn(values[i])
    return values


def executemany(conn: Connection, statement: Any, rows: list[dict[str, Any]]) -> None:
    """One executemany of a Core statement, compiled once per dialect and column set and sent
    through the driver: SQLAlchemy's own path spends more per row than the database does.
    `statement` must live as long as the process (the cache is keyed by its id)."""
    sql, names, get, processors, positional = _prepared(conn, statement, tuple(rows[0]))
    params: list[Any] = []
    for row in rows:
        values = get(row)
        if processors:  # types the driver does not take as they are (SQLite's datetimes)
            values = tuple(_through(processors, values))
        params.append(values if positional else dict(zip(names, values)))
    conn.exec_driver_sql(sql, params)


def insert_values(conn: Connection, table: Table, columns: tuple[str, ...],
                  rows: Sequence[Sequence[Any]]) -> None:
    """An executemany of INSERTs of rows given as values in the order of `columns` (no dict a
    row): sent to the driver as they are where its parameters are positional in that order."""
    send_values(conn, insert_of(table), columns, rows)


def send_values(conn: Connection, statement: Any, columns: tuple[str, ...],
                rows: Sequence[Sequence[Any]]) -> None:
    """An executemany of `statement` with rows given as the values of its parameters named in
    `columns`, in that order: sent to the driver as tuples where its parameters are positional
    in that order (each value through its type's processor, if it has one)."""
    sql, names, _, processors, positional = _prepared(conn, statement, columns)
    if positional and tuple(names) == columns:
        if processors:
            rows = [tuple(_through(processors, row)) for row in rows]
        conn.exec_driver_sql(sql, rows if isinstance(rows, list) else list(rows))
        return
    executemany(conn, statement, [dict(zip(columns, row)) for row in rows])


def _prepared(conn: Connection, statement: Any, keys: tuple[str, ...]) -> _Prepared:
    """`_prepare`'s answer, made once per statement, dialect and parameter names."""
    key = (id(statement), conn.dialect.name, keys)
    prepared = _PREPARED.get(key)
    if prepared is None:
        prepared = _PREPARED[key] = _prepare(conn, statement, keys)
    return prepared


def _prepare(conn: Connection, statement: Any, keys: tuple[str, ...]) -> _Prepared:
    compiled = statement.compile(dialect=conn.dialect, column_keys=list(keys))
    names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
    processors = [(i, compiled.binds[n].type.bind_processor(conn.dialect))
                  for i, n in enumerate(names)]
    get = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    return (compiled.string, names, get, [(i, fn) for i, fn in processors if fn],
            compiled.positional)


_SELECTED: dict[tuple[Table, str], tuple[str, list[str], list[tuple[int, Any]]]] = {}


def _selected(conn: Connection, table: Table) -> tuple[str, list[str], list[tuple[int, Any]]]:
    """SELECT of every column of the table, as SQLAlchemy writes it for this dialect; the
    columns' names, and the result processors of those that have one (what a Row would apply:
    SQLite's datetimes and booleans)."""
    key = (table, conn.dialect.name)
    if key not in _SELECTED:
        dialect = conn.dialect
        processors = [(i, c.type.dialect_impl(dialect).result_processor(dialect, None))
                      for i, c in enumerate(table.c)]
        _SELECTED[key] = (str(select(table).compile(dialect=dialect)), [c.name for c in table.c],
                          [(i, fn) for i, fn in processors if fn])
    return _SELECTED[key]


class Kept:
    """The rows of one table that a batch changes again and again (cases, appraisals): held by
    key in memory, read once, written once per batch as inserts of new rows and updates of the
    `mutable` columns of changed ones. `json` columns are held decoded (value: ASCII-escaped
    when stored); `index` names a second unique column rows can be found by."""

    def __init__(self, table: Table, key: str, mutable: Sequence[str],
                 json_columns: Mapping[str, bool], index: str | None = None) -> None:
        self.table, self.key, self.mutable = table, key, tuple(mutable)
        self.json, self.index = dict(json_columns), index
        self.rows: dict[str, dict[str, Any]] = {}
        self.by_index: dict[str, str] = {}
        self.new: set[str] = set()
        self.dirty: set[str] = set()
        self.insert, self.update = insert_of(table), update_of(table, key, self.mutable)
        self.update_keys = tuple(f"b_{c}" for c in self.mutable) + (f"b_{key}",)

    def clear(self) -> None:
        self.rows.clear()
        self.by_index.clear()

    def hold(self, row: dict[str, Any]) -> str:
        key = row[self.key]
        self.rows[key] = row
        if self.index:
            self.by_index[row[self.index]] = key
        return str(key)

    def decoded(self, found: Any) -> dict[str, Any]:
        row: dict[str, Any] = found._asdict()
        for column in self.json:
            row[column] = json.loads(row[column])
        return row

    def encoded(self, column: str, value: Any) -> Any:
        """A JSON column's value as the table stores it (text); any other as it is."""
        ascii_only = self.json.get(column)
        return value if ascii_only is None else json.dumps(value, ensure_ascii=ascii_only)

    def stored(self, row: dict[str, Any]) -> dict[str, Any]:
        out = dict(row)
        for column in self.json:
            out[column] = self.encoded(column, row[column])
        return out

    def write(self, conn: Connection) -> None:
        if self.new:
            executemany(conn, self.insert, [self.stored(self.rows[k]) for k in self.new])
        dirty = self.dirty - self.new
        if dirty:  # each row's mutable columns, then its key: the UPDATE's parameters
            rows, encoded, values = self.rows, self.encoded, []
            for k in dirty:
                row = rows[k]
                values.append(tuple([encoded(c, row[c]) for c in self.mutable] + [k]))
            send_values(conn, self.update, self.update_keys, values)
        self.new.clear()
        self.dirty.clear()


class BatchWriter:
    """Writes one batch of view rows through the caller's connection; never commits itself.

    Plain inserts wait per table; an update or delete first sends what waits for its table, so
    the order of changes to a table holds. Kept rows live across batches of one catch-up while
    the caller says they are still valid, and at most `limit` of a table."""

    def __init__(self, kept: Iterable[Kept], limit: int = 4_000) -> None:
        self.conn: Connection = None  # type: ignore[assignment]  # set by begin()
        self.kept = {k.table: k for k in kept}
        self.limit = limit
        self._inserts: dict[Table, list[dict[str, Any]]] = {}

    def begin(self, conn: Connection, keep: bool) -> None:
        """Starts a batch; kept rows are dropped unless `keep` and within the limit."""
        if not keep or any(len(k.rows) > self.limit for k in self.kept.values()):
            for k in self.kept.values():
                k.clear()
        self.conn = conn

    # -- plain rows ----------------------------------------------------------------------

    def insert(self, table: Table, row: dict[str, Any]) -> None:
        self._inserts.setdefault(table, []).append(row)

    def write(self, statement: Any) -> None:
        """An update or delete, after the inserts waiting for its table."""
        self._send_inserts(statement.table)
        self.conn.execute(statement)

    def read(self, statement: Any) -> Result[Any]:
        """A query; it sees every write sent so far (`write` sends its table's inserts)."""
        return self.conn.execute(statement)

    def _send_inserts(self, table: Table) -> None:
        rows = self._inserts.pop(table, None)
        if rows:
            executemany(self.conn, insert_of(table), rows)

    # -- kept rows -----------------------------------------------------------------------

    def rows(self, table: Table) -> dict[str, dict[str, Any]]:
        return self.kept[table].rows

    def add(self, table: Table, row: dict[str, Any]) -> None:
        """A new row, inserted at the flush."""
        kept = self.kept[table]
        kept.new.add(kept.hold(row))

    def row(self, table: Table, key: str, write: bool = False) -> dict[str, Any]:
        """The row with this key, read from the table if not held; `write` marks it changed."""
        kept = self.kept[table]
        if key not in kept.rows:
            found = self.conn.execute(select(table).where(table.c[kept.key] == key)).one()
            kept.hold(kept.decoded(found))
        if write:
            kept.dirty.add(key)
        return kept.rows[key]

    def row_by(self, table: Table, value: str, write: bool = False) -> dict[str, Any]:
        """The row whose index column holds `value`."""
        kept = self.kept[table]
        assert kept.index
        key = kept.by_index.get(value)
        if key is None:
            found = self.conn.execute(select(table).where(table.c[kept.index] == value)).one()
            key = kept.hold(kept.decoded(found))
        return self.row(table, key, write)

    def held(self, table: Table, value: str) -> bool:
        return value in self.kept[table].by_index

    def load(self, table: Table, column: str, values: Sequence[str]) -> list[str]:
        """Reads, 500 at a time, the rows whose `column` is one of `values`; their keys."""
        kept, keys = self.kept[table], []
        if self.conn.dialect.paramstyle == "qmark":  # SQLite: through the driver, no Row a row
            sql, names, processors = _selected(self.conn, table)
            codes = [(i, name) for i, name in enumerate(names) if name in kept.json]
            for chunk in range(0, len(values), 500):
                part = values[chunk:chunk + 500]
                where = f" WHERE {table.name}.{column} IN ({', '.join('?' * len(part))})"
                for found in self.conn.exec_driver_sql(sql + where, tuple(part)):
                    row = _through(processors, found)
                    for i, name in codes:
                        row[i] = json.loads(row[i])
                    keys.append(kept.hold(dict(zip(names, row))))
            return keys
        for chunk in range(0, len(values), 500):
            for found in self.conn.execute(
                    select(table).where(table.c[column].in_(values[chunk:chunk + 500]))):
                keys.append(kept.hold(kept.decoded(found)))
        return keys

    def flush(self) -> None:
        """Sends every waiting row; the caller commits."""
        for table in list(self._inserts):
            self._send_inserts(table)
        for kept in self.kept.values():
            kept.write(self.conn)

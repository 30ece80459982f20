"""Build the serving database on Apache Spark: `python -m threatscape build --engine spark --from LAKE --db OUT`.

For data beyond one machine (threatscape/lake.py describes a lake). Spark reads the lake's incidents and computes
every summary table the DuckDB build derives (build.FIRST and build.DERIVED), from the same queries: each
queries/derive_*.sql is transpiled from DuckDB's SQL to Spark's by SQLGlot, with the few rewrites in _rewrite,
never a second hand-written copy. Spark writes each summary as Parquet in a work folder; DuckDB then assembles the
serving database file: the incident table from the lake (as `build --from` does), and each summary from Spark's
Parquet sorted as the DuckDB build stores it (the ORDER BY of its query), so that the app's block skipping works
the same whichever engine built it.

The sector taxonomy and the TLP levels travel to Spark as small tables (broadcast by its planner); no Python
function runs per row. `--master` takes local[*] (the default), spark://host:7077 or sc://host (Spark Connect);
with a cluster, the lake and the work folder (`--work`) must be paths the cluster and this machine both see (a
shared file system).
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

from . import build, lake, sql

log = logging.getLogger(__name__)
DEFAULT_MASTER = "local[*]"
DRIVER_MEMORY = os.environ.get("THREATSCAPE_SPARK_DRIVER_MEMORY", "2g")  # the driver holds plans, not data
# The summaries in the order they are derived: each reads the incidents and those before it.
SUMMARIES = build.FIRST + tuple(name for chain in build.DERIVED for name in chain)


class SparkBuildError(RuntimeError):
    """Spark could not be started or a summary could not be computed; the message says which, in one line."""


# ------------------------------------------------------------------------------------------------------------------
# One source of SQL: DuckDB's derive queries, transpiled
# ------------------------------------------------------------------------------------------------------------------

@functools.cache
def spark_sql(name: str) -> str:
    """The SELECT of queries/<name>.sql (an INSERT INTO a summary table) in Spark's SQL."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql.text(name), read="duckdb")
    if not isinstance(tree, exp.Insert):
        raise ValueError(f"{name}: expected an INSERT INTO a summary table")
    select = tree.expression
    if tree.args.get("with") is not None:  # WITH ... INSERT INTO t SELECT: the CTEs belong to the SELECT
        select.set("with", tree.args["with"])
    select.set("order", None)  # the stored order is DuckDB's business (assemble); Spark need not sort
    select = select.transform(_rewrite)
    return select.sql(dialect="spark")


def _rewrite(node):
    """SPARK_REWRITES: where DuckDB's SQL and Spark's differ beyond what SQLGlot translates."""
    from sqlglot import exp

    # Unsigned integers (sector masks, TLP levels): Spark has none; the masks use 30 of 64 bits (taxonomy.py).
    if isinstance(node, exp.DataType) and node.this in (exp.DataType.Type.UBIGINT, exp.DataType.Type.UINT,
                                                       exp.DataType.Type.UTINYINT, exp.DataType.Type.USMALLINT):
        return exp.DataType.build("BIGINT")
    # A character of a string, text[i] in DuckDB: SUBSTRING in Spark (SQLGlot reads it as an array index, which it
    # keeps 0-based).
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
        index = node.expressions[0]
        if isinstance(index, exp.Literal) and not index.is_string:
            return exp.Substring(this=node.this, start=exp.Literal.number(int(index.this) + 1),
                                 length=exp.Literal.number(1))
    # bitstring_agg(position, lo, hi): a BIT of hi - lo + 1 bits, leftmost first. Spark has no such type: it ORs the
    # bits into 64-bit words (an array of BIGINT, the leftmost bit first), which assemble() writes as DuckDB's BIT
    # (bit_words); NULL, as in DuckDB, when no row has a position (a group of incidents none of which names a
    # victim country). Spark writing the bits out as text itself took four fifths of actor_month's time.
    if isinstance(node, exp.Anonymous) and node.name.lower() == "bitstring_agg":
        position, lo, hi = (e.transform(_rewrite) for e in node.expressions)
        low, bits = int(lo.name), int(hi.name) - int(lo.name) + 1
        at = f"({position.sql('spark')} - {low})"
        words = ", ".join(f"BIT_OR(IF({at} DIV 64 = {w}, SHIFTLEFT(CAST(1 AS BIGINT), 63 - {at} % 64), "
                          f"CAST(0 AS BIGINT)))" for w in range((bits + 63) // 64))
        return sqlglot_parse(f"IF(COUNT({at}) = 0, NULL, ARRAY({words}))")
    # list(DISTINCT x ORDER BY x) FILTER (WHERE x IS NOT NULL): the sorted set, NULL when there is none.
    if isinstance(node, exp.Filter) and isinstance(node.this, exp.ArrayAgg):
        inner = node.this.this
        inner = inner.this if isinstance(inner, exp.Order) else inner
        if isinstance(inner, exp.Distinct):
            value = inner.expressions[0].sql("spark")
            return sqlglot_parse(f"IF(SIZE(COLLECT_SET({value})) = 0, NULL, ARRAY_SORT(COLLECT_SET({value})))")
    return node


def sqlglot_parse(text: str):
    import sqlglot

    return sqlglot.parse_one(text, read="spark")


def bit_words(name: str) -> dict[int, int]:
    """{select position: bits} of each bitstring_agg(position, lo, hi) that queries/<name>.sql selects: the columns
    Spark writes as 64-bit words (_rewrite) for assemble() to write as BIT of that many bits."""
    import sqlglot
    from sqlglot import exp

    select = sqlglot.parse_one(sql.text(name), read="duckdb").expression
    found = {}
    for i, item in enumerate(select.expressions):
        item = item.this if isinstance(item, exp.Alias) else item
        if isinstance(item, exp.Anonymous) and item.name.lower() == "bitstring_agg":
            _position, lo, hi = item.expressions
            found[i] = int(hi.name) - int(lo.name) + 1
    return found


def stored_order(name: str) -> str:
    """The ORDER BY of queries/<name>.sql in DuckDB's SQL ('' when it has none): how the summary is stored."""
    import sqlglot

    from sqlglot import exp

    order = sqlglot.parse_one(sql.text(name), read="duckdb").expression.args.get("order")
    if order is None:
        return ""
    # By the summary's own column names: the query's table qualifiers (m.sector_mask) name nothing there.
    order = order.transform(lambda n: exp.column(n.name) if isinstance(n, exp.Column) and n.table else n)
    return order.sql(dialect="duckdb")


def target_table(name: str) -> str:
    import sqlglot

    return sqlglot.parse_one(sql.text(name), read="duckdb").this.name


# ------------------------------------------------------------------------------------------------------------------
# The build
# ------------------------------------------------------------------------------------------------------------------

def shuffle_partitions(incidents: int) -> int:
    """Spark's partitions for a summary's grouping: 8 (four tasks per core here) up to 32 million incidents, then one
    per 4 million (25 at 100 million), so that a task's share fits the driver's memory without spilling much."""
    return max(8, incidents // 4_000_000)


def session(master: str = DEFAULT_MASTER, partitions: int = 8):
    """A Spark session for the build (`master`: local[*], spark://host:port, or sc://host for Spark Connect)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkBuildError("pyspark is not installed: pip install -r requirements-test.txt (or pyspark "
                              "itself); Spark also needs Java 17 (apt-get install openjdk-17-jre-headless)") from None
    builder = SparkSession.builder.appName("threatscape-build")
    if master.startswith("sc://"):
        builder = builder.remote(master)
    else:
        if not os.environ.get("THREATSCAPE_SPARK_LOG"):
            quiet = f"-Dlog4j2.configurationFile={Path(__file__).with_name('spark-log4j2.properties')}"
            builder = builder.config("spark.driver.extraJavaOptions", quiet)
        builder = (builder.master(master).config("spark.driver.memory", DRIVER_MEMORY)
                   .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                   .config("spark.sql.shuffle.partitions", str(partitions))
                   # A lake has a folder per month: list them here, not in a Spark job of a task per folder.
                   .config("spark.sql.sources.parallelPartitionDiscovery.threshold", "100000")
                   .config("spark.sql.session.timeZone", "UTC"))
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)  # a failed query: our one line says it
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - Java missing, a cluster that does not answer: one line
        raise SparkBuildError(f"Spark did not start ({master}): {_one_line(exc)}") from None
    if not master.startswith("sc://"):
        spark.sparkContext.setLogLevel("ERROR")
    return spark


def compute_summaries(spark, folder: Path, work: Path) -> None:
    """Spark: read the lake, compute every summary (SUMMARIES, in order) and write each as Parquet in its folder of
    `work` (_summary_folder). A summary Spark finished (its folder's _SUCCESS marker) in an earlier, interrupted
    build of the same lake with the same queries is read, not computed again."""
    # Only the columns the summaries read, read from the lake by each query that reads them: Parquet's columns are
    # Spark's cheapest store, and Spark's cache would hold a whole partition in memory (at 100 million incidents,
    # more than a 2 GB driver has).
    incidents = (spark.read.option("basePath", str(folder / lake.INCIDENTS))
                 .parquet(str(folder / lake.INCIDENTS / "year=*" / "month=*"))
                 .select("occurred_on", "date_precision", "actor_id", "sector_mask", "victim_country", "campaign",
                         "tlp")
                 .withColumn("sector_mask", _bigint("sector_mask")))
    incidents.createOrReplaceTempView("incident")
    sectors = spark.read.parquet(str(folder / "sector.parquet"))
    for column in ("sector_id", "rollup_mask"):
        sectors = sectors.withColumn(column, _bigint(column))
    sectors.createOrReplaceTempView("sector")
    columns, levels = _schema_facts()
    spark.createDataFrame(levels, "tlp string, tlp_max bigint").createOrReplaceTempView("tlp_level")
    kept = [name for name in SUMMARIES if _finished(work, name)]
    if kept:
        log.warning("Resuming an interrupted build: %d of %d summaries kept from %s", len(kept), len(SUMMARIES), work)
    for name in SUMMARIES:
        out = _summary_folder(work, name)
        if name not in kept:
            t0 = time.perf_counter()
            try:
                frame = spark.sql(spark_sql(name))
                frame.toDF(*[f"c{i}" for i in range(len(frame.columns))]).write.mode("overwrite").parquet(str(out))
            except Exception as exc:  # noqa: BLE001 - which summary, in one line
                raise SparkBuildError(f"{name}: {_one_line(exc)}") from None
            log.info("spark: %s in %.1f s", name, time.perf_counter() - t0)
        # Later summaries read this one as Spark wrote it (not its plan again), by the table's column names.
        table = target_table(name)
        spark.read.parquet(str(out)).toDF(*columns[table]).createOrReplaceTempView(table)


def _schema_facts() -> tuple[dict[str, list[str]], list[tuple]]:
    """From the schema (queries/schema.sql): each summary table's column names, and the rows of tlp_level (each
    marking with every level at or above it), which Spark receives as a small table."""
    with duckdb.connect() as con:
        build.init_schema(con)
        columns = {t: [c for (c, *_rest) in con.execute(f"DESCRIBE {t}").fetchall()]  # names from SUMMARIES
                   for t in map(target_table, SUMMARIES)}
        return columns, con.execute("SELECT tlp, tlp_max FROM tlp_level").fetchall()


def _one_line(exc: BaseException) -> str:
    """What went wrong, from an error Spark raised: the first line that says it (a Java error's message comes after
    py4j's 'An error occurred while calling o91.parquet.')."""
    for line in str(exc).splitlines():
        line = line.strip().lstrip(": ").strip()
        if line and not line.startswith("An error occurred while calling"):
            return line[:300]
    return type(exc).__name__


def _bigint(column: str):
    from pyspark.sql import functions as F

    return F.col(column).cast("bigint")


def assemble(con: duckdb.DuckDBPyConnection, work: Path) -> None:
    """DuckDB: each summary from Spark's Parquet into its table, stored in the order its derive query gives."""
    for name in SUMMARIES:
        table = target_table(name)
        columns = [c for (c, *_rest) in con.execute(f"DESCRIBE {table}").fetchall()]  # table names: SUMMARIES
        bits = bit_words(name)
        # Spark's 64-bit words of a bitstring (leftmost bit first): each word's 64 bits, the first `bits` of them.
        named = ", ".join((f"substring(array_to_string(list_transform(c{i}, lambda w: w::BIT::VARCHAR), ''), 1, "
                           f"{bits[i]})::BIT" if i in bits else f"c{i}") + f" AS {c}" for i, c in enumerate(columns))
        order = stored_order(name)
        con.execute(f"INSERT INTO {table} SELECT * FROM (SELECT {named} FROM read_parquet($files)) {order}",
                    {"files": str(_summary_folder(work, name) / "*.parquet")})


def build_database(folder: str | os.PathLike, db: str | os.PathLike, *, master: str = DEFAULT_MASTER,
                   work_dir: str | os.PathLike | None = None) -> str:
    """Build the serving database `db` from the lake in `folder` with Spark computing the summaries; returns its
    content version (the same as `build --engine duckdb` gives for the same lake). What Spark's JVM prints goes to a
    log file, removed when the build succeeds and named in the error when it fails."""
    folder = Path(folder)
    manifest = lake.read_manifest(folder)
    work = work_folder(folder, work_dir)
    lock = _lock(work)
    log_fd, log_path = tempfile.mkstemp(prefix="threatscape-spark-", suffix=".log")
    built = False
    try:
        try:
            size = manifest.get("incidents") if isinstance(manifest.get("incidents"), int) else 0
            # The JVM starts now, its stderr on the log file.
            spark = _quietly(log_fd, session, master, shuffle_partitions(size))
            on_ctrl_c = _stop_on_ctrl_c(work, log_path)
            try:
                compute_summaries(spark, folder, work)
            finally:
                on_ctrl_c()
                spark.stop()
        except SparkBuildError as exc:
            raise SparkBuildError(f"{exc} (Spark's log: {log_path}){_kept(work)}") from None
        os.unlink(log_path)
        with build.new_database(db) as con:
            lake.load_tables(con, folder)
            version = build.finish(con, kind=manifest["kind"], description=manifest["description"],
                                   alias_map_version=manifest["alias_map_version"],
                                   derive=lambda c: assemble(c, work))
        built = True
        return version
    except BaseException as exc:
        if not isinstance(exc, SparkBuildError) and _kept(work):  # the assembly failed
            log.warning("Stopped%s", _kept(work))
        raise
    finally:
        os.close(log_fd)
        if built or not _kept(work):
            shutil.rmtree(work, ignore_errors=True)
        lock.close()


def work_folder(folder: Path, work_dir: str | os.PathLike | None) -> Path:
    """Where Spark writes this build's summaries: a folder in `work_dir` (default: the temporary folder) named by
    the lake (its manifest and files), so that the same build started again after an interruption (a machine
    restarted, a killed job, a cluster that went away) finds the summaries Spark finished and computes only the
    rest. It is removed when the build succeeds. Each summary's folder is named by its query and those before it
    (_summary_folder), so a summary computed by other queries is never taken for this build's."""
    digest = hashlib.sha256((folder / lake.MANIFEST).read_bytes())
    for path in sorted(folder.rglob("*.parquet")):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    work = Path(work_dir or tempfile.gettempdir()) / f"threatscape-spark-{digest.hexdigest()[:16]}"
    work.mkdir(parents=True, exist_ok=True)
    return work


def _summary_folder(work: Path, name: str) -> Path:
    """work/<name>-<digest of the Spark SQL of this summary and of every summary before it, which it may read>."""
    digest = hashlib.sha256()
    for before in SUMMARIES[:SUMMARIES.index(name) + 1]:
        digest.update(spark_sql(before).encode())
    return work / f"{name}-{digest.hexdigest()[:12]}"


def _finished(work: Path, name: str) -> bool:
    return (_summary_folder(work, name) / "_SUCCESS").exists()


def _lock(work: Path):
    """An exclusive lock on the work folder for this build: two builds of the same lake into one folder would
    overwrite each other's summaries."""
    handle = open(work / ".lock", "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise SparkBuildError(f"{work}: another build of the same lake is writing there; wait for it to end") from None
    return handle


def _stop_on_ctrl_c(work: Path, log_path: str):
    """While Spark computes, Ctrl-C ends the build at once with one line (PySpark's own handler cancels the jobs
    through a connection that is busy waiting for them, and prints py4j's tracebacks): Spark's JVM ends with this
    process, and the summaries it finished stay for the same command to resume from. Returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(_signum, _frame):
        print(f"build: interrupted{_kept(work)}", file=sys.stderr, flush=True)
        with contextlib.suppress(OSError):
            os.unlink(log_path)
        os._exit(130)

    previous = signal.signal(signal.SIGINT, stop)
    return lambda: signal.signal(signal.SIGINT, previous)


def _kept(work: Path) -> str:
    done = sum(1 for name in SUMMARIES if _finished(work, name))
    if not done:
        return ""
    return (f"; the {done} of {len(SUMMARIES)} summaries Spark finished are kept in {work}, and the same command "
            "computes only the rest")


def _quietly(fd: int, start, *args):
    """start(*args) with this process's stderr on `fd`: a process it starts (Spark's JVM) keeps writing there."""
    saved = os.dup(2)
    try:
        os.dup2(fd, 2)
        return start(*args)
    finally:
        os.dup2(saved, 2)
        os.close(saved)

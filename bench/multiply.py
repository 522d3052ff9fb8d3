"""Make a large database fast: copy a seeded database's published suppliers in SQL until it holds
N published ones (`locator seed` writes ~20-100 profiles a second on the shared machine).

    createdb -T bench_10k bench_100k        # a copy of a database seeded with `locator seed`
    python bench/multiply.py postgresql://postgres@127.0.0.1/bench_100k 100000
    LOCATOR_DATABASE_URL=... locator reindex

Copy k of a supplier gets " k" after its name, "-ck" after its slug and a made-up company number
("ZZ" and six digits), with its accreditations and case studies; everything else (text,
services, CPV codes, regions, dates) is the original's. So the index holds each demo profile
about ten times over: term statistics like the demo's, and ten times the hits for each query.
"""

from __future__ import annotations

import sys

import psycopg


def columns(cur, table: str) -> list[str]:
    cur.execute("select column_name from information_schema.columns where table_name = %s "
                "order by ordinal_position", (table,))
    return [name for (name,) in cur.fetchall()]


def select_list(names: list[str], replace: dict[str, str], source: str) -> str:
    return ", ".join(replace.get(name, f"{source}.{name}") for name in names)


def multiply(url: str, target: int) -> int:
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from suppliers where status = 'published'")
        (published,) = cur.fetchone()
        cur.execute(
            "create temp table copies as select s.id as old_id, k, "
            "nextval('suppliers_id_seq') as new_id from suppliers s, "
            "generate_series(1, %s) k where s.status = 'published' order by k, s.id limit %s",
            (target // max(published, 1) + 1, max(0, target - published)))
        suppliers = columns(cur, "suppliers")
        cur.execute(
            f"insert into suppliers ({', '.join(suppliers)}) select " + select_list(suppliers, {
                "id": "c.new_id", "owner_id": "null",
                "name": "left(s.name || ' ' || c.k, 200)",
                "name_key": "left(s.name_key || ' ' || c.k, 200)",
                "slug": "left(s.slug, 95) || '-c' || c.k",
                "companies_house_number": "'ZZ' || lpad(c.new_id::text, 6, '0')",
            }, "s") + " from copies c join suppliers s on s.id = c.old_id")
        copied = cur.rowcount
        for table in ("accreditations", "case_studies"):
            names = [n for n in columns(cur, table) if n != "id"]
            cur.execute(f"insert into {table} ({', '.join(names)}) select "
                        + select_list(names, {"supplier_id": "c.new_id"}, "t")
                        + f" from copies c join {table} t on t.supplier_id = c.old_id")
        conn.commit()
        return copied


if __name__ == "__main__":
    print(f"copied {multiply(sys.argv[1], int(sys.argv[2]))} suppliers")

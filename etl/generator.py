"""Synthetic DMS bronze data for the SaaS source: a full load of six months of history, then CDC
batches with updates, deletes, re-inserts, a replayed file and a small share of invalid records.

Deterministic for a seed (one ``random.Random``, fixed dates, gzip without timestamps), so that
tests, benchmarks and demos see the same data. Volumes follow the contract's scale-1 row counts.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from etl.bronze import write_file
from etl.contract import tables

HISTORY_START = datetime(2025, 5, 1)
HISTORY_END = datetime(2025, 11, 1)  # six months
LOAD_TIME = datetime(2025, 11, 1, 2, 0, 0)
LOAD_FILE_ROWS = 100_000
CENT = Decimal("0.01")

FIRST_NAMES = ["Ava", "Liam", "Mia", "Noah", "Zoe", "Omar", "Ines", "Kenji", "Lena", "Raj", "Sara", "Tom"]
LAST_NAMES = ["Smith", "Garcia", "Okafor", "Müller", "Rossi", "Kim", "Dubois", "Silva", "Novak", "Haddad"]
CATEGORIES = [
    "Electronics",
    " electronics ",
    "ELECTRONICS",
    "Home  Garden",
    "home garden",
    "Toys",
    "Books",
    "Sports   Outdoors",
]
COUNTRIES = ["US", "GB", "DE", "FR", "IN", "BR", "JP", "NL"]
PLANS = {"basic": Decimal("29.00"), "pro": Decimal("99.00"), "enterprise": Decimal("499.00")}
ORDER_STATUSES = (
    (["completed"] * 70) + (["cancelled"] * 12) + (["refunded"] * 8) + (["pending"] * 5) + (["processing"] * 5)
)


def _ts(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _dms(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


@dataclass
class Source:
    """The source database's rows by table (lists in column order), as the generator evolves it."""

    rows: dict[str, dict[int, list[Any]]] = field(default_factory=dict)
    deleted: dict[str, dict[int, list[Any]]] = field(default_factory=dict)
    max_key: dict[str, int] = field(default_factory=dict)

    def put(self, table: str, row: list[Any]) -> None:
        self.rows.setdefault(table, {})[row[0]] = row
        self.max_key[table] = max(self.max_key.get(table, 0), row[0])


class Generator:
    def __init__(self, scale: float, seed: int):
        self.scale, self.random, self.source = scale, random.Random(seed), Source()

    def count(self, table: str) -> int:
        if table == "core_tenant":  # keep the data multi-tenant even at tiny scales
            return max(4, round(tables()[table].rows * self.scale))
        return max(1, round(tables()[table].rows * self.scale))

    def moment(self, start: datetime = HISTORY_START, end: datetime = HISTORY_END, growth: float = 1.6) -> datetime:
        """A time in [start, end) with growth over time and more activity on weekdays and evenings."""
        span = (end - start).total_seconds()
        while True:
            fraction = self.random.random() ** (1 / growth)  # later times likelier: the business grows
            moment = start + timedelta(seconds=fraction * span)
            weight = (0.7 if moment.weekday() >= 5 else 1.0) * (1.3 if 17 <= moment.hour <= 22 else 1.0)
            if self.random.random() < weight / 1.3:
                return moment.replace(microsecond=0)

    # --- history --------------------------------------------------------------------------------

    def history(self) -> None:
        r = self.random
        tenants = self.count("core_tenant")
        weights = [1 / (i + 1) ** 0.9 for i in range(tenants)]  # tenants of very different sizes
        for tid in range(1, tenants + 1):
            created = HISTORY_START - timedelta(days=r.randint(30, 700))
            settings = {
                "plan_type": r.choice(["starter", "growth", "enterprise"]),
                "currency": "USD",
                "timezone": r.choice(["UTC", "Europe/Paris", "America/New_York"]),
            }
            self.source.put(
                "core_tenant",
                [
                    tid,
                    f"Tenant {tid}",
                    f"tenant-{tid}",
                    None if tid % 3 == 0 else f"t{tid}.example.com",
                    "t" if tid != tenants or tenants == 1 else "f",
                    json.dumps(settings),
                    _ts(created),
                    _ts(created),
                ],
            )
        customer_tenant = {}
        self.signed_up: dict[int, datetime] = {}
        for cid in range(1, self.count("core_customer") + 1):
            tid = r.choices(range(1, tenants + 1), weights)[0]
            customer_tenant[cid] = tid
            first, last = r.choice(FIRST_NAMES), r.choice(LAST_NAMES)
            email = r.choice(
                [
                    f"{first}.{last}{cid}@Example.com",
                    f"  {first.lower()}{cid}@mail.example.org ",
                    f"{first}{cid}@EXAMPLE.NET",
                    "n/a" if cid % 97 == 0 else f"{last}{cid}@corp.example.io",
                ]
            )
            phone = r.choice(
                [
                    "+44 20 7946 0958",
                    "(555) 123-4567",
                    "0044 20 7946 0958",
                    "555-0100",
                    "+1 415 555 2671",
                    None,
                    "12345",
                ]
            )
            created = self.moment(HISTORY_START - timedelta(days=60), HISTORY_END - timedelta(days=7))
            self.signed_up[cid] = created
            self.source.put(
                "core_customer",
                [
                    cid,
                    tid,
                    email,
                    first,
                    last,
                    phone,
                    r.choice([None, "Acme", "Globex", "Initech"]),
                    r.choice(["enterprise", "smb", "smb", "consumer", "consumer"]),
                    r.choice(COUNTRIES),
                    _ts(created),
                    _ts(created),
                ],
            )
        products_by_tenant: dict[int, list[int]] = {}
        for pid in range(1, self.count("core_product") + 1):
            tid = r.choices(range(1, tenants + 1), weights)[0]
            products_by_tenant.setdefault(tid, []).append(pid)
            price = Decimal(r.randint(500, 50_000)) / 100
            cost = (price * Decimal(r.uniform(0.3, 0.8))).quantize(CENT)
            name = (
                r.choice([f"Product {pid}", f'Deluxe "{pid}", large', f"Item {pid}\nsecond line"])
                if pid % 50 == 0
                else f"Product {pid}"
            )
            created = HISTORY_START - timedelta(days=r.randint(1, 90))
            self.source.put(
                "core_product",
                [
                    pid,
                    tid,
                    f"SKU-{pid:06d}",
                    name,
                    r.choice(CATEGORIES),
                    _money(price),
                    _money(cost),
                    r.randint(0, 500),
                    "t" if r.random() > 0.05 else "f",
                    _ts(created),
                    _ts(created),
                ],
            )
        customers_by_tenant: dict[int, list[int]] = {}
        for cid, tid in customer_tenant.items():
            customers_by_tenant.setdefault(tid, []).append(cid)
        self._orders(customers_by_tenant, products_by_tenant)
        self._events(customers_by_tenant, products_by_tenant, weights)
        self._subscriptions_and_invoices(customer_tenant)

    def _orders(self, customers_by_tenant: dict[int, list[int]], products_by_tenant: dict[int, list[int]]) -> None:
        r, products = self.random, self.source.rows["core_product"]
        tenants = [t for t in customers_by_tenant if t in products_by_tenant]
        sizes = [len(customers_by_tenant[t]) for t in tenants]
        item_id = 0
        items_per_order = self.count("core_orderitem") / self.count("core_order")
        for oid in range(1, self.count("core_order") + 1):
            tid = r.choices(tenants, sizes)[0]
            cid = r.choice(customers_by_tenant[tid])
            when = self.moment(
                max(HISTORY_START, self.signed_up[cid]), growth=1.0
            )  # after sign-up; sign-ups already grow
            subtotal = Decimal(0)
            for _ in range(max(1, round(r.gauss(items_per_order, 1.2)))):
                item_id += 1
                pid = r.choice(products_by_tenant[tid])
                unit = Decimal(products[pid][5])
                quantity = r.choice([1, 1, 1, 2, 2, 3, 4])
                subtotal += unit * quantity
                self.source.put(
                    "core_orderitem", [item_id, oid, pid, quantity, _money(unit), _money(unit * quantity), _ts(when)]
                )
            tax = (subtotal * Decimal("0.08")).quantize(CENT, rounding=ROUND_HALF_UP)
            discount = (
                (subtotal * Decimal("0.10")).quantize(CENT, rounding=ROUND_HALF_UP) if r.random() < 0.15 else Decimal(0)
            )
            total = subtotal + tax - discount
            self.source.put(
                "core_order",
                [
                    oid,
                    tid,
                    cid,
                    f"ORD-{oid:07d}",
                    r.choice(ORDER_STATUSES),
                    _money(subtotal),
                    _money(tax),
                    _money(discount),
                    _money(total),
                    "USD",
                    _ts(when),
                    _ts(when),
                    _ts(when),
                ],
            )

    def _events(
        self, customers_by_tenant: dict[int, list[int]], products_by_tenant: dict[int, list[int]], weights: list[float]
    ) -> None:
        r = self.random
        tenants = [t for t in customers_by_tenant if t in products_by_tenant]
        target, event_id, session = self.count("core_event"), 0, 0
        while event_id < target:
            session += 1
            tid = r.choices(tenants, [weights[t - 1] for t in tenants])[0]
            customer = r.choice(customers_by_tenant[tid]) if r.random() < 0.7 else None
            start = self.moment()
            # Funnel: most sessions start with a page view; each later step is reached less often.
            steps = ["page_view"] if r.random() < 0.92 else [r.choice(["login", "signup"])]
            for step, chance in (
                ("product_view", 0.6),
                ("add_to_cart", 0.45),
                ("checkout_start", 0.6),
                ("purchase", 0.7),
            ):
                if r.random() >= chance:
                    break
                steps.append(step)
            steps += ["page_view"] * r.randint(0, 3)
            for offset, kind in enumerate(steps):
                if event_id >= target:
                    break
                event_id += 1
                when = start + timedelta(seconds=offset * r.randint(5, 120))
                properties = {"url": f"/p/{r.randint(1, 300)}", "duration_ms": r.randint(200, 9000)}
                if kind in ("product_view", "add_to_cart"):
                    properties["product_id"] = r.choice(products_by_tenant[tid])
                self.source.put(
                    "core_event",
                    [
                        event_id,
                        tid,
                        customer,
                        f"s-{session:08d}",
                        kind,
                        json.dumps(properties) if r.random() > 0.02 else None,
                        _ts(when),
                        _ts(when),
                    ],
                )

    def _subscriptions_and_invoices(self, customer_tenant: dict[int, int]) -> None:
        r = self.random
        customers = list(customer_tenant)
        invoice_id = 0
        invoices_target = self.count("core_invoice")
        for sid in range(1, self.count("core_subscription") + 1):
            cid = r.choice(customers)
            plan = r.choice(["basic", "basic", "pro", "pro", "enterprise"])
            annual = r.random() < 0.2
            price = PLANS[plan] * (10 if annual else 1)
            started = self.moment(max(HISTORY_START - timedelta(days=30), self.signed_up[cid]))
            status, canceled = "active", None
            roll = r.random()
            if roll < 0.10 and started > HISTORY_END - timedelta(days=30):
                status = "trialing"
            elif roll < 0.35:
                status, canceled = "canceled", started + timedelta(days=r.randint(10, 150))
                if canceled >= HISTORY_END:
                    status, canceled = "active", None
            elif roll < 0.40:
                status = "past_due"
            period = timedelta(days=365 if annual else 30)
            period_end = started + period
            while period_end < HISTORY_END and (canceled is None or period_end < canceled):
                period_end += period
            self.source.put(
                "core_subscription",
                [
                    sid,
                    customer_tenant[cid],
                    cid,
                    plan,
                    "annual" if annual else "monthly",
                    _money(price),
                    status,
                    _ts(started),
                    _ts(canceled) if canceled else None,
                    _ts(period_end),
                    _ts(started),
                    _ts(started),
                ],
            )
            issued = started
            while (
                issued < min(HISTORY_END, canceled or HISTORY_END)
                and invoice_id < invoices_target
                and status != "trialing"
            ):
                invoice_id += 1
                self._invoice(invoice_id, customer_tenant[cid], cid, sid, price, issued)
                issued += period
        while invoice_id < invoices_target:  # one-off invoices
            invoice_id += 1
            cid = r.choice(customers)
            self._invoice(
                invoice_id, customer_tenant[cid], cid, None, Decimal(r.randint(1000, 90_000)) / 100, self.moment()
            )

    def _invoice(self, iid: int, tid: int, cid: int, sid: int | None, amount: Decimal, issued: datetime) -> None:
        r = self.random
        due = issued + timedelta(days=30)
        status = r.choices(["paid", "open", "void", "draft", "uncollectible"], [75, 15, 5, 3, 2])[0]
        if status == "paid" and due > HISTORY_END:
            status = "open"
        paid = issued + timedelta(days=r.randint(1, 40)) if status == "paid" else None
        self.source.put(
            "core_invoice",
            [
                iid,
                tid,
                cid,
                sid,
                f"INV-{iid:07d}",
                _money(amount),
                status,
                _ts(issued),
                _ts(due),
                _ts(paid) if paid else None,
                _ts(issued),
                _ts(issued),
            ],
        )

    # --- files ----------------------------------------------------------------------------------

    def write_load(self, out: Path) -> dict[str, int]:
        written = {}
        for table in tables():
            rows = [self.source.rows.get(table, {})[k] for k in sorted(self.source.rows.get(table, {}))]
            written[table] = len(rows)
            for part, start in enumerate(range(0, max(len(rows), 1), LOAD_FILE_ROWS), start=1):
                chunk = rows[start : start + LOAD_FILE_ROWS]
                records = [["I", _dms(LOAD_TIME + timedelta(microseconds=i)), *row] for i, row in enumerate(chunk)]
                write_file(out, table, f"LOAD{part:08d}.csv.gz", records)
        return written

    def write_cdc_batch(self, out: Path, batch: int, share: float = 0.01) -> dict[str, int]:
        """One CDC file per table: ~``share`` of the rows changed, deleted or re-inserted, plus invalid records."""
        r = self.random
        when = LOAD_TIME + timedelta(hours=batch)
        name = when.strftime("%Y%m%d-%H%M%S") + f"{batch % 1000:03d}.csv.gz"
        counts = {}
        for table, spec in tables().items():
            rows = self.source.rows.get(table, {})
            changes: list[list[Any]] = []
            clock = when - timedelta(minutes=30)

            def stamp() -> str:
                nonlocal clock
                clock += timedelta(microseconds=r.randint(0, 3000))  # ties happen: the position decides
                return _dms(clock)

            for key in r.sample(sorted(rows), k=min(len(rows), max(1, int(len(rows) * share)))):
                roll = r.random()
                if roll < 0.75:
                    row = self._updated(table, list(rows[key]), when)
                    rows[key] = row
                    changes.append(["U", stamp(), *row])
                elif roll < 0.9:
                    self.source.deleted.setdefault(table, {})[key] = rows.pop(key)
                    changes.append(
                        ["D", stamp(), key, *([""] * (len(spec.columns) - 1))]
                    )  # a delete carries the key only
                else:  # a brand-new row
                    row = list(rows[key])
                    row[0] = self.source.max_key[table] + 1
                    self.source.put(table, row)
                    changes.append(["I", stamp(), *row])
            deleted = self.source.deleted.get(table, {})
            for key in sorted(deleted)[:2]:  # deleted in an earlier batch, inserted again now
                if r.random() < 0.5:
                    rows[key] = deleted.pop(key)
                    changes.append(["I", stamp(), *rows[key]])
            changes += self._invalid(table, len(spec.columns), stamp)
            write_file(out, table, name, changes)
            counts[table] = len(changes)
        return counts

    def _updated(self, table: str, row: list[Any], when: datetime) -> list[Any]:
        r = self.random
        if table == "core_order":
            row[4] = r.choice(["completed", "completed", "cancelled", "refunded"])
        elif table == "core_customer":
            row[2] = f"  Updated.{row[0]}@Example.COM "
        elif table == "core_product":
            row[5] = _money(Decimal(row[5]) * Decimal("1.05"))
        elif table == "core_subscription" and row[6] in ("active", "past_due"):
            row[6], row[8] = "canceled", _ts(when - timedelta(hours=1))
        elif table == "core_invoice" and row[6] == "open":
            row[6], row[9] = "paid", _ts(when - timedelta(hours=2))
        if table != "core_orderitem" and table != "core_event":
            row[-1] = _ts(when)
        return row

    def _invalid(self, table: str, columns: int, stamp: Callable[[], str]) -> list[list[Any]]:
        """A small share of records the contract quarantines: one of each kind per batch and table."""
        r = self.random
        key = 10_000_000 + r.randint(0, 999_999)
        filler = ["x"] * (columns - 1)
        template = list(r.choice(list(self.source.rows[table].values())))
        template[0] = key
        bad_type = list(template)
        bad_type[-1] = "2025-02-30 10:00:00"  # no such date
        missing = list(template)
        missing[1] = None  # every table's second column is non-nullable
        records: list[list[Any]] = [
            ["I", stamp(), key, *filler[:-1]],  # wrong number of fields
            ["X", stamp(), key, *filler],  # bad Op
            ["U", "yesterday", key, *filler],  # unparseable dms_timestamp
            ["U", stamp(), "abc", *filler],  # unparseable primary key
            ["I", stamp(), *bad_type],
            ["I", stamp(), *missing],
        ]
        rule_breaker = list(template)
        if table == "core_product":
            rule_breaker[5] = "-1.00"
        elif table == "core_orderitem":
            rule_breaker[3] = 0
        elif table == "core_order":
            rule_breaker[8] = _money(Decimal(rule_breaker[8]) + 5)
        else:
            return records
        return [*records, ["U", stamp(), *rule_breaker]]


def generate(out: Path, scale: float = 1.0, seed: int = 7, cdc_batches: int = 0) -> dict[str, Any]:
    """Write the full load, then ``cdc_batches`` CDC batches (with two or more, a replay of the first)."""
    generator = Generator(scale, seed)
    generator.history()
    summary: dict[str, Any] = {"load": generator.write_load(out), "cdc": []}
    for batch in range(1, cdc_batches + 1):
        summary["cdc"].append(generator.write_cdc_batch(out, batch))
    if cdc_batches >= 2:
        _replay(out)
        summary["replayed"] = True
    return summary


def _replay(out: Path) -> None:
    """DMS sometimes writes a batch again under a new name: copy the first CDC file of each table."""
    replay_name = (LOAD_TIME + timedelta(days=2)).strftime("%Y%m%d-%H%M%S") + "999.csv.gz"
    for table in tables():
        directory = out / "dms" / "public" / table
        cdc = sorted(directory.glob("2*.csv.gz"))
        if cdc:
            (directory / replay_name).write_bytes(cdc[0].read_bytes())

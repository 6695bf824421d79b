"""What ``/metrics`` exposes, in Prometheus' text format (the official ``prometheus-client``).

Two kinds of figures:

- **counted in this process** as things happen: Telegram updates handled and the handler's
  latency per flow, outbox deliveries and failures, PDF render time. They start at zero with
  the process (Prometheus' ``rate()`` copes with restarts);
- **read from the database** on each scrape (:meth:`Metrics.set_snapshot`): the outbox queue
  depth and the age of its oldest row, acceptance requests by channel and outcome, pending
  actions by what blocks them. Both instances (active and standby) report the same values.

The process has one :data:`METRICS`; tests may build their own :class:`Metrics`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

# The classic text format every Prometheus version (and most agents) reads.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
# Handler latency: most replies take tens of milliseconds, a PDF or a slow database seconds.
_HANDLER_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_PDF_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)


@dataclass(frozen=True)
class Snapshot:
    """The database's side of the metrics at one moment."""

    outbox_pending: int = 0
    outbox_oldest_age_seconds: float = 0.0
    acceptances: Mapping[tuple[str, str], int] = field(default_factory=dict)  # channel, outcome
    pending_actions: Mapping[str, int] = field(default_factory=dict)  # blocker (or "ready")


class Metrics:
    """The collectors, registered in a registry of their own (no process/GC noise from the
    default registry's collectors, and tests can build a fresh one)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter(
            "contractbot_updates_handled",
            "Telegram updates handled, by flow and outcome (ok or error).",
            ["flow", "outcome"],
            registry=r,
        )
        self.handler_seconds = Histogram(
            "contractbot_handler_seconds",
            "Time a handler took to answer an update, by flow.",
            ["flow"],
            buckets=_HANDLER_BUCKETS,
            registry=r,
        )
        self.deliveries = Counter(
            "contractbot_notifications_delivered",
            "Notifications the outbox delivered, by kind.",
            ["kind"],
            registry=r,
        )
        self.delivery_failures = Counter(
            "contractbot_notifications_failed",
            "Notifications the outbox gave up on (rejected or out of attempts), by kind.",
            ["kind"],
            registry=r,
        )
        self.pdf_seconds = Histogram(
            "contractbot_pdf_render_seconds",
            "WeasyPrint render time of a PDF not found in the cache, by document.",
            ["document"],
            buckets=_PDF_BUCKETS,
            registry=r,
        )
        self.outbox_pending = Gauge(
            "contractbot_outbox_pending", "Notifications waiting to be sent.", registry=r
        )
        self.outbox_oldest = Gauge(
            "contractbot_outbox_oldest_age_seconds",
            "Age of the oldest notification waiting to be sent (0 when none waits).",
            registry=r,
        )
        self.acceptances = Gauge(
            "contractbot_acceptances",
            "Acceptance requests in the database, by channel and outcome.",
            ["channel", "outcome"],
            registry=r,
        )
        self.pending_actions = Gauge(
            "contractbot_pending_actions",
            "Pending actions by what blocks finalizing them ('ready': nothing); an action "
            "with two blockers counts under both.",
            ["blocker"],
            registry=r,
        )
        self.scrape_errors = Counter(
            "contractbot_metrics_database_errors",
            "Scrapes whose database figures could not be read (the last values are kept).",
            registry=r,
        )

    def set_snapshot(self, snap: Snapshot) -> None:
        self.outbox_pending.set(snap.outbox_pending)
        self.outbox_oldest.set(snap.outbox_oldest_age_seconds)
        self.acceptances.clear()
        for (channel, outcome), count in snap.acceptances.items():
            self.acceptances.labels(channel, outcome).set(count)
        self.pending_actions.clear()
        for blocker, count in snap.pending_actions.items():
            self.pending_actions.labels(blocker).set(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)


METRICS = Metrics()

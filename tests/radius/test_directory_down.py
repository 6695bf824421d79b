"""A RADIUS database that cannot be reached is reported as RadiusUnavailable (the job waits
and retries), never as a crash of the network loop."""

from __future__ import annotations

import socket

import pytest

from bot.radius.directory import SqlRadiusDirectory, radius_engine
from bot.services.network import RadiusUnavailable


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends


async def test_a_server_that_refuses_connections_is_unavailable() -> None:
    engine = radius_engine(f"postgresql://radius@127.0.0.1:{closed_port()}/radius")
    directory = SqlRadiusDirectory(engine)
    try:
        with pytest.raises(RadiusUnavailable):
            await directory.apply("maria", "g1", (), frozenset({"g1"}))
        with pytest.raises(RadiusUnavailable):
            await directory.session("maria")
    finally:
        await engine.dispose()

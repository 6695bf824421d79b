"""A NAS stand-in on 127.0.0.1: receives CoA and Disconnect requests (RFC 5176) with its shared
secret, records what arrived, and answers ACK, NAK or nothing, as the test sets."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from pyrad import packet

from bot.radius.coa import load_dictionary


@dataclass
class Received:
    kind: str  # "coa" or "disconnect"
    attributes: dict[str, list[Any]]
    authentic: bool  # the Request Authenticator matched our secret


@dataclass
class NasStandIn(asyncio.DatagramProtocol):
    secret: str
    coa: str = "ack"  # "ack", "nak" or "silent"
    disconnect: str = "ack"
    received: list[Received] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self.dictionary = load_dictionary()
        self.transport: asyncio.DatagramTransport | None = None

    async def start(self) -> NasStandIn:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: self, local_addr=("127.0.0.1", 0)
        )
        self.transport = transport
        self.port = transport.get_extra_info("sockname")[1]
        return self

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        request = packet.CoAPacket(secret=self.secret.encode(), dict=self.dictionary, packet=data)
        coa = request.code == packet.CoARequest
        attributes = {str(k): list(request[k]) for k in request.keys()}  # noqa: SIM118 - pyrad decodes names in keys()
        authentic = bool(request.VerifyCoARequest())
        self.received.append(Received("coa" if coa else "disconnect", attributes, authentic))
        if not authentic:
            return  # a NAS drops requests signed with another secret
        behaviour = self.coa if coa else self.disconnect
        if behaviour == "silent":
            return
        reply = request.CreateReply()
        if coa:
            reply.code = packet.CoAACK if behaviour == "ack" else packet.CoANAK
        else:
            reply.code = packet.DisconnectACK if behaviour == "ack" else packet.DisconnectNAK
        assert self.transport is not None
        self.transport.sendto(reply.ReplyPacket(), addr)

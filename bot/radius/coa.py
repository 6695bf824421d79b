"""RFC 5176 Change-of-Authorization and Disconnect requests with pyrad.

pyrad's client is blocking (one UDP exchange with its own timeout and retransmissions), so each
request runs in a worker thread. The NAS's shared secret goes into the packet and nowhere else.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from pyrad import packet
from pyrad.client import Client, Timeout
from pyrad.dictionary import Dictionary

from bot.domain.network import Nas, ReplyAttribute, Session
from bot.services.network import Answer

log = logging.getLogger(__name__)

DICTIONARY = Path(__file__).with_name("dictionary")
_INTEGER_TYPES = {"integer", "short", "byte", "integer64", "signed"}


def load_dictionary() -> Dictionary:
    return Dictionary(str(DICTIONARY))


class PyradCoaSender:
    """Implements :class:`bot.services.network.CoaSender`."""

    def __init__(self, *, timeout: float = 3.0, retries: int = 2) -> None:
        self.dictionary = load_dictionary()
        self.timeout = timeout
        self.retries = retries

    async def change(
        self, nas: Nas, login: str, session: Session, attributes: tuple[ReplyAttribute, ...]
    ) -> Answer:
        return await asyncio.to_thread(
            self._send, nas, packet.CoARequest, login, session, attributes
        )

    async def disconnect(self, nas: Nas, login: str, session: Session) -> Answer:
        return await asyncio.to_thread(
            self._send, nas, packet.DisconnectRequest, login, session, ()
        )

    def _send(
        self,
        nas: Nas,
        code: int,
        login: str,
        session: Session,
        attributes: tuple[ReplyAttribute, ...],
    ) -> Answer:
        client = Client(
            server=nas.address,
            coaport=nas.coa_port,
            secret=nas.secret.encode(),
            dict=self.dictionary,
            retries=self.retries,
            timeout=self.timeout,
        )
        request = client.CreateCoAPacket(code=code)
        request["User-Name"] = login
        if session.session_id:
            request["Acct-Session-Id"] = session.session_id
        if session.framed_ip:
            request["Framed-IP-Address"] = session.framed_ip
        for attribute in attributes:
            self._add(request, attribute)
        try:
            reply = client.SendPacket(request)
        except Timeout:
            return Answer.TIMEOUT
        except OSError as exc:
            log.warning("CoA to NAS %s failed: %s", nas.name, type(exc).__name__)
            return Answer.TIMEOUT
        if reply.code in (packet.CoAACK, packet.DisconnectACK):
            return Answer.ACK
        return Answer.NAK

    def _add(self, request: Any, attribute: ReplyAttribute) -> None:
        known = self.dictionary.attributes.get(attribute.name)
        if known is None:
            log.info(
                "attribute %s is not in bot/radius/dictionary; left out of the CoA", attribute.name
            )
            return
        try:
            value: str | int = attribute.value
            if known.type in _INTEGER_TYPES:
                value = int(attribute.value)
            request[attribute.name] = value
        except (TypeError, ValueError):
            log.warning("attribute %s does not fit its RADIUS type; left out", attribute.name)

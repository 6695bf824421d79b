"""FreeRADIUS's standard SQL schema (``mods-config/sql/main/*/schema.sql``), the columns the bot
reads or writes. The tables are the provider's: the bot never creates or drops them."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table

metadata = MetaData()


def _attributes(name: str, owner: str) -> Table:
    """The four attribute tables share one shape: an owner (user or group), attribute, op, value."""
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column(owner, String(64)),
        Column("attribute", String(64)),
        Column("op", String(2)),
        Column("value", String(253)),
    )


radgroupreply = _attributes("radgroupreply", "groupname")

radusergroup = Table(
    "radusergroup",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64)),
    Column("groupname", String(64)),
    Column("priority", Integer),
)

radcheck = _attributes("radcheck", "username")
radreply = _attributes("radreply", "username")

radacct = Table(
    "radacct",
    metadata,
    Column("radacctid", Integer, primary_key=True),
    Column("acctsessionid", String(64)),
    Column("username", String(64)),
    Column("nasipaddress", String(15)),
    Column("framedipaddress", String(15)),
    Column("acctstarttime", DateTime),
    Column("acctstoptime", DateTime),
)

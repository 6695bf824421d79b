"""Telegram flows, one module each: states, thin callbacks, pure keyboard builders, build().

Imports form a tree (checked by ``tests/unit/test_conversation_imports.py``): ``limits``
(Telegram's size limits) imports nothing; ``base`` is the glue every flow uses (context type,
keyboards, show/ack/tell, guards) and imports only ``limits``; ``screens`` holds what several
flows open (menu, contract and action cards, the Ações menu, search results, stray text) and
imports only those two; the flows (menu, clients, actions, documents, tickets, staff_admin,
acceptance, plan_update) import these and never each other, except actions → documents for
the PDFs after finalizing.
"""

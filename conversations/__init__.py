"""Telegram flows, one module each: states, thin callbacks, pure keyboard builders, build().

Imports form a tree (checked by ``tests/unit/test_conversation_imports.py``): ``base`` is the
glue every flow uses (context type, keyboards, show/ack/tell, guards) and imports no flow;
``screens`` holds what several flows open (menu, contract and action cards, the Ações menu,
search results, stray text) and imports only ``base``; the flows (menu, clients, actions,
documents, tickets, staff_admin, acceptance, plan_update) import those two and never each
other, except actions → documents for the PDFs after finalizing.
"""

"""The plan-update wizard (tutorial steps 3–7), one message edited in place.

``steps`` declares the wizard as a table (``navigation`` walks it), ``screens`` draws each step
(the ticket section's in ``ticket_screens``), ``codec`` owns the buttons' data and ``flow``
turns the table into the ConversationHandler. The draft and the
state live in the database (``conversations.persistence``), so a restart keeps the place.
"""

from conversations.plan_update.flow import build, handlers

__all__ = ["build", "handlers"]

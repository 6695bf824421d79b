"""The wizard's own button labels (catalog texts, not data) fit a phone as they are.

Screens cut any label longer than ``MAX_LABEL`` with "…" so that names from the database
(plans, services, templates) never overflow. That is fine for data, whose details are in the
message text; a fixed label cut in the middle ("Use the default descrip…") is a text to
shorten in the catalog. Labels that get the ✅ mark when chosen must fit with the mark.
"""

from __future__ import annotations

import pytest

from bot.i18n import t
from conversations.plan_update.screens import MAX_LABEL

MARK = "✅ "
LOCK = "🔒 "

# Labels shown with ✅ when they are the current choice.
MARKED = [
    "wizard.channel_no",
    "wizard.channel_telegram",
    "wizard.channel_web",
    "wizard.channel_in_person",
    "wizard.loyalty_keep",
    "wizard.split_main",
    "wizard.split_proportional",
    "wizard.split_manual",
    "ui.yes",
    "ui.no",
    "wizard.assignee_queue",
    "priority.low",
    "priority.normal",
    "priority.high",
    "priority.urgent",
]
PLAIN = [
    "wizard.value_keep",
    "wizard.value_type",
    "ui.continue",
    "wizard.change_type",
    "wizard.change_department",
    "wizard.change_assignee",
    "wizard.change_priority",
    "wizard.change_description",
    "wizard.description_default",
    "wizard.gate_acceptance_off",
    "wizard.gate_ticket_on",
    "wizard.gate_ticket_off",
    "wizard.finish",
    "wizard.edit",
    "wizard.section_1",
    "wizard.section_2",
    "wizard.section_3",
    "wizard.edit_gates",
    "ui.back",
    "ui.cancel",
]


def shown(key: str, locale: str) -> list[str]:
    label = t(key, locale)
    if key in MARKED:
        return [label, MARK + label]
    if key == "wizard.gate_acceptance_on":
        return [label, LOCK + label]  # locked by a new loyalty term
    return [label]


@pytest.mark.parametrize("locale", ["pt_BR", "en"])
def test_fixed_button_labels_fit_without_being_cut(locale: str) -> None:
    too_long = [
        f"{text!r} ({len(text)})"
        for key in [*MARKED, *PLAIN, "wizard.gate_acceptance_on"]
        for text in shown(key, locale)
        if len(text) > MAX_LABEL
    ]
    assert too_long == [], f"{locale}: labels cut on the buttons: {too_long}"


@pytest.mark.parametrize("locale", ["pt_BR", "en"])
def test_the_value_confirmation_button_fits_with_a_large_value(locale: str) -> None:
    label = t("wizard.confirm_value", locale, value="R$\u00a099.999,99")
    assert len(label) <= MAX_LABEL, label

"""The code's strings are English: the English catalog translates each to itself.

Run by `make update-catalogs`, after the catalogs are updated from messages.pot.
"""
from pathlib import Path

from babel.messages.pofile import read_po, write_po

path = Path(__file__).resolve().parents[1] / "coop" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
with open(path, "rb") as f:
    catalog = read_po(f, locale="en")
for message in catalog:
    if message.id:
        message.string = message.id
        message.flags.discard("fuzzy")
with open(path, "wb") as f:
    write_po(f, catalog, width=100, omit_header=False)

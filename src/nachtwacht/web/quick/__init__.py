"""Quick morning entry, offline use and reminders (issue #14 items 1, 2 and 3).

``usual``        "like usual" values from the person's recent nights.
``drinks``       caffeine in cups and glasses of common drinks, converted to mg.
``idempotency``  one entry per browser-made key, so a night sent twice is stored once.
``choices``      the tap targets (chips, 5-minute time pickers) of the quick forms.
``reminders``    morning/evening reminders by e-mail and Web Push (item 3).
See docs/quick-entry.md.
"""

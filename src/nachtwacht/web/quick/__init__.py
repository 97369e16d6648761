"""Quick morning entry and offline use (issue #14 items 1 and 2).

``usual``        "like usual" values from the person's recent nights.
``drinks``       caffeine in cups and glasses of common drinks, converted to mg.
``idempotency``  one entry per browser-made key, so a night sent twice is stored once.
``choices``      the tap targets (chips, 5-minute time pickers) of the quick form.
"""

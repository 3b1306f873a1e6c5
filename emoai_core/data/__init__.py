"""Data versions: read a source (`sources`), normalise and store it content-addressed (`pull`,
`versions`), describe it (`stats`) and check it (`checks`).

May import: base, model (the label set).
"""

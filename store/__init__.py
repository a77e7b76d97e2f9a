"""The store: nextcall's data, the import contract and the rules over them.

Nothing here imports Textual; the app reads the store through `queries` and
receives read models from `views`.
"""

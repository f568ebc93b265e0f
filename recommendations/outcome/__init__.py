"""Outcome documents: the agreed text of a consultation as a Word document for the regional
GCM review, compiled per language and stored as numbered versions.

``models`` holds the stored documents and the parts people write; ``content`` assembles a
consultation's outcome in one language as plain data; ``word`` turns that data into a .docx
(``chart`` draws its participation chart); ``operations`` holds the rules (compile, mark final,
write the parts); ``views`` and ``forms`` are the pages.
"""

"""The knowledge base: models, Markdown, publishing, import/export and the editor admin."""

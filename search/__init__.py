"""Search: text analysis, index documents, backends, queries and the indexer consumer."""

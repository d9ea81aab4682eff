"""Signal receivers of the content app (connected in ContentConfig.ready)."""

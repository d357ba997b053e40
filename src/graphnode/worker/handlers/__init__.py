"""One handler per result task type, each persisting through the storage ports."""

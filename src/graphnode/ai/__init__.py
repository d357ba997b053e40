"""AI service: the graph pipeline, from parsed conversations to a named, laid-out graph."""

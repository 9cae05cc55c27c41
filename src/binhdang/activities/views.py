"""Pages of this section."""

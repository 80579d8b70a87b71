"""Template tags of Keel's pages."""

"""Recordings -> report: readers, the corpus of checked objects, and its renderings."""

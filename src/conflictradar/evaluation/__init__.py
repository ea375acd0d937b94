"""Accuracy measurement against gold files (shared/eval/README.md describes formats and conventions)."""

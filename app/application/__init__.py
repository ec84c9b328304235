"""The application layer: one module per use case; no Flask, no click."""

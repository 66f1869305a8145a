"""Tests of the Docker runtime: pure translation, the backend on a real engine, interop."""

"""Seizure pages. Thin: parse, call an action or a selector, render."""

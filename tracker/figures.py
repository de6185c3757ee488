"""Figures: numbers that count people moving, people present, or territory held. (stub)"""
from __future__ import annotations


def find_figures(norm, published, lang):
    return []


def detect_publisher(text, lang):
    return None

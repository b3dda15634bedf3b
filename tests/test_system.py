"""helpers.system: CPU counts, start method, GIL."""

from __future__ import annotations

import multiprocessing as mp
import os

from helpers import system


def test_cpu_counts_are_consistent() -> None:
    counts = system.cpu_counts()
    assert counts.logical == (os.cpu_count() or 1)
    assert 1 <= counts.usable <= counts.logical
    assert counts.physical is None or 1 <= counts.physical <= counts.logical


def test_start_method_is_the_one_multiprocessing_uses() -> None:
    assert system.start_method() == mp.get_start_method()
    assert system.start_method() in mp.get_all_start_methods()


def test_gil_is_enabled_on_a_normal_build() -> None:
    is_enabled = getattr(__import__("sys"), "_is_gil_enabled", lambda: True)
    assert system.gil_enabled() == is_enabled()


def test_describe_machine_names_each_count() -> None:
    text = system.describe_machine()
    for label in ("logical CPUs:", "physical cores:", "usable by this process:", "GIL enabled:"):
        assert label in text

"""Durations as people read them in logs and command output: "45 s", "32 min", "5 h 10 min", "2 days 3 h"."""

from __future__ import annotations

from datetime import timedelta

__all__ = ["human_duration"]


def human_duration(delta: timedelta) -> str:
    """``delta`` in its two largest units, rounded to the second ("1 h 5 min", not "1:05:00.418")."""
    seconds = max(0, round(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min" + (f" {seconds} s" if seconds and minutes < 10 else "")
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    days, hours = divmod(hours, 24)
    return f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")

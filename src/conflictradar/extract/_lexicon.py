"""Loads the language data under ``extract/data`` (YAML files, each with a header naming its sources)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ..schema import SUB_EVENT_TYPES


def load_data(name: str) -> Any:
    """Parse one YAML file of this package's ``data`` folder."""
    text = resources.files(__package__).joinpath("data", name).read_text("utf-8")
    return yaml.safe_load(text)


@dataclass(frozen=True)
class Trigger:
    sub_event_type: str
    priority: int
    words: tuple[str, ...]


@lru_cache(maxsize=1)
def triggers() -> tuple[Trigger, ...]:
    result = []
    for entry in load_data("triggers.yaml"):
        sub = entry["sub_event_type"]
        if sub not in SUB_EVENT_TYPES:
            raise ValueError(f"triggers.yaml: unknown sub_event_type {sub!r}")
        for phrase in entry["phrases"]:
            result.append(Trigger(sub, int(entry["priority"]), tuple(str(phrase).lower().split())))
    return tuple(result)


@dataclass(frozen=True)
class ActorEntry:
    name: str
    type: str
    aliases: tuple[str, ...]
    case_sensitive: tuple[str, ...]


@lru_cache(maxsize=1)
def actors() -> tuple[ActorEntry, ...]:
    return tuple(
        ActorEntry(
            name=e["name"],
            type=e["type"],
            aliases=tuple(a.lower() for a in e.get("aliases", [])),
            case_sensitive=tuple(e.get("case_sensitive") or []),
        )
        for e in load_data("actors.yaml")
    )


@dataclass(frozen=True)
class NumberWords:
    units: dict[str, int]
    scales: dict[str, int]
    vague: dict[str, tuple[int, int, int] | None]


@lru_cache(maxsize=1)
def number_words() -> NumberWords:
    data = load_data("numbers.yaml")
    vague = {k: (tuple(v) if v is not None else None) for k, v in data["vague"].items()}
    return NumberWords(units=dict(data["units"]), scales=dict(data["scales"]), vague=vague)  # type: ignore[arg-type]

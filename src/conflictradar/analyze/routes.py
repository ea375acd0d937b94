"""HTTP routes of the analyze stage (``GET /trends``, ``GET /alerts``), mounted by the API app."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["analyze"])

"""Stage 6, analyze: merge reports of one event into canonical events, and watch series for escalation."""

"""Every turn is logged: question, passages and scores, prompt id, mode, model, latency.

The log is the raw material the evaluation set grows from; feedback joins it by turn id.
"""

from __future__ import annotations

import json
import time

from coach.db import Database
from coach.types import Answer


class TurnLog:
    def __init__(self, db: Database, model: str) -> None:
        self.db = db
        self.model = model

    def record(
        self, question: str, answer: Answer, user: str = "", conversation_id: str | None = None
    ) -> int:
        passages = [
            {
                "id": p.id,
                "source": p.chunk.source,
                "score": round(p.score, 6),
                "dense": round(p.dense, 6),
                "bm25": round(p.bm25, 6),
            }
            for p in answer.passages
        ]
        with self.db.transaction() as db:
            cur = db.execute(
                "INSERT INTO turns (ts, question, query, answer, passages, prompt, mode, model, "
                'refused, latency_ms, "user", conversation_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) '
                "RETURNING id",
                (
                    time.time(),
                    question,
                    answer.query,
                    answer.answer,
                    json.dumps(passages),
                    answer.prompt,
                    answer.mode,
                    self.model,
                    int(answer.refused),
                    answer.latency_ms,
                    user,
                    conversation_id,
                ),
            )
            turn_id = cur.fetchone()[0]
        return int(turn_id)

    def recent(self, limit: int = 20, user: str | None = None) -> list[dict]:
        where, params = ('WHERE "user" = ?', (user, limit)) if user is not None else ("", (limit,))
        rows = self.db.query(
            'SELECT id, ts, "user", conversation_id, question, query, passages, prompt, mode, '
            f"model, refused, latency_ms FROM turns {where} ORDER BY id DESC LIMIT ?",
            params,
        )
        for r in rows:
            r["passages"] = json.loads(r["passages"])
        return rows

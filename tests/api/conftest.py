"""Fixtures for the API tests: a small knowledge base with branches, and keys to read it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from api.services import apikey_create
from tests.factories import HQ_VARIABLES, OPERATOR, BranchFactory, make_article, make_override

GD_HOTLINE, SC_HOTLINE = "020-12345678", "028-87654321"
GD_MATERIALS = "广东另需：医保结算单原件。"

# Articles of the knowledge base fixture, by what makes them special.
CLAIMS = "KB-100001"  # GD replaces its 办理材料 section; the body uses {{ branch.hotline }}
INTERNAL = "KB-100002"  # internal staff only
COUNTER_ONLY = "KB-100003"  # channels: counter
HIDDEN_IN_SC = "KB-100004"  # SC hides it
NOT_YET = "KB-100005"  # effective from 2099


@pytest.fixture
def kb(db: None) -> dict[str, object]:
    """HQ → GD → GD-SZ, and HQ → SC, with five articles (see the constants above)."""
    hq = BranchFactory(code="HQ", name="总公司", parent=None, variables=HQ_VARIABLES)
    gd = BranchFactory(code="GD", name="广东分公司", parent=hq, variables={"hotline": GD_HOTLINE})
    sz = BranchFactory(code="GD-SZ", name="深圳分公司", parent=gd, variables={})
    sc = BranchFactory(code="SC", name="四川分公司", parent=hq, variables={"hotline": SC_HOTLINE})
    make_article(key=CLAIMS, products=[], tags=["理赔材料", "医疗险"])
    make_override(CLAIMS, "GD", sections={"办理材料": {"mode": "replace", "body": GD_MATERIALS}})
    make_article(
        key=INTERNAL,
        title="内部：理赔调查授权流程",
        audience="internal",
        channels=["agent"],
        category="理赔/调查",
    )
    make_article(
        key=COUNTER_ONLY, title="柜面如何办理保单借款？", channels=["counter"], category="保全"
    )
    make_article(key=HIDDEN_IN_SC, title="异地就医备案怎么办？")
    make_override(HIDDEN_IN_SC, "SC", hidden=True)
    make_article(key=NOT_YET, title="2099年新规", effective_from="2099-01-01")
    return {"HQ": hq, "GD": gd, "GD-SZ": sz, "SC": sc}


@pytest.fixture
def issue(db: None) -> Callable[..., str]:
    """Make an API key (every scope, every branch by default) and return the key itself."""
    made = iter(range(1, 1000))

    def make(**options: Any) -> str:
        options.setdefault("scopes", ["read", "search", "changes", "feedback"])
        name = options.pop("name", f"client-{next(made)}")
        return apikey_create(actor=OPERATOR, name=name, **options).secret

    return make


@dataclass
class Api:
    """An HTTP client of /api/v1/ holding one key."""

    key: str | None = None
    client: Client | None = None

    def __post_init__(self) -> None:
        self.client = self.client or Client()

    def headers(self, **extra: str) -> dict[str, str]:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.key}"} if self.key else {}
        return {**headers, **extra}

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(f"/api/v1/{path}", params or {}, **self.headers(**headers))

    def post(self, path: str, body: Any, **headers: str) -> Any:
        return self.client.post(
            f"/api/v1/{path}",
            body if isinstance(body, (str, bytes)) else json.dumps(body),
            content_type="application/json",
            **self.headers(**headers),
        )


@pytest.fixture
def api(kb: dict, issue: Callable[..., str]) -> Api:
    """A client with an unrestricted key (public articles, every scope)."""
    return Api(issue())

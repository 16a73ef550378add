"""Errors as `application/problem+json` (RFC 9457), Russian first, English second.

Every refusal the gateway makes is a `Problem`: `raise Problem(403, "...", "...")` in a route,
and the handlers installed by `install_handlers` turn FastAPI's own errors (validation, 404,
405), the domains' own refusals (a contract's revert, `TransactionReverted`, named by its custom
error; a refused exchange step, `ExchangeError`) and any unexpected exception into the same
shape. Domain code never raises `Problem`: it knows nothing of HTTP.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from node.accounts.passkeys import PasskeyError
from node.chain.client import TransactionReverted
from node.exchange.service import ExchangeError
from node.notices.store import NoticeError

log = logging.getLogger("coop.api")

PROBLEM_JSON = "application/problem+json"

#: Titles of the HTTP statuses the gateway answers with.
TITLES: dict[int, str] = {
    400: "Неверный запрос / Bad request",
    401: "Нужен вход / Authentication required",
    403: "Нет права / Forbidden",
    404: "Не найдено / Not found",
    405: "Метод не поддерживается / Method not allowed",
    409: "Конфликт / Conflict",
    410: "Удалено / Gone",
    413: "Слишком большой запрос / Request too large",
    415: "Неподдерживаемый формат / Unsupported media type",
    422: "Неверные данные / Unprocessable content",
    429: "Слишком много запросов / Too many requests",
    500: "Внутренняя ошибка / Internal error",
    502: "Ошибка блокчейна / Chain error",
    503: "Сервис недоступен / Service unavailable",
}


class ProblemDetail(BaseModel):
    """RFC 9457 problem details, with the custom error of a refused transaction when known."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    error: str | None = None
    """The contract's custom error name (`MembershipInvalidSignature`), when a call reverted."""
    errors: list[dict[str, Any]] | None = None
    """Field errors of a request that failed validation."""


class Problem(Exception):
    """Raise in a route to answer with problem details."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        error: str | None = None,
        headers: dict[str, str] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or TITLES.get(status, "Ошибка / Error")
        self.error = error
        self.headers = headers
        self.errors = errors


def problem_response(
    status: int,
    detail: str | None,
    *,
    title: str | None = None,
    instance: str | None = None,
    error: str | None = None,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    body = ProblemDetail(
        title=title or TITLES.get(status, "Ошибка / Error"),
        status=status,
        detail=detail,
        instance=instance,
        error=error,
        errors=errors,
    )
    return JSONResponse(
        status_code=status,
        content=body.model_dump(exclude_none=True),
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def reverted_problem(exc: TransactionReverted) -> Problem:
    """A refused transaction: 422 with the contract's reason in Russian and English (the custom
    error explained, `node/api/contract_errors.py`), its name and arguments."""
    from node.api.contract_errors import explain

    args = ", ".join(str(a) for a in exc.error_args)
    ru, en = explain(exc.error)
    en = en.replace("`", "").rstrip(".") if en else None
    return Problem(
        422,
        f"Контракт отклонил действие: {ru or exc.error} ({exc.error}({args})) / "
        f"The contract refused the action: {en or exc.error} ({exc.error}({args}))",
        title="Действие отклонено / Action refused",
        error=exc.error,
    )


def _json_safe(errors: list[Any]) -> list[dict[str, Any]]:
    safe: list[dict[str, Any]] = []
    for item in errors:
        if isinstance(item, dict):
            safe.append(
                {
                    "loc": [str(p) for p in item.get("loc", ())],
                    "msg": str(item.get("msg", "")),
                    "type": str(item.get("type", "")),
                }
            )
    return safe


def install_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(
            exc.status,
            exc.detail,
            title=exc.title,
            instance=request.url.path,
            error=exc.error,
            headers=exc.headers,
            errors=exc.errors,
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else None
        if exc.status_code == 404 and detail == "Not Found":
            detail = "Нет такого ресурса / No such resource"
        elif exc.status_code == 405:
            detail = "Метод не поддерживается для этого пути / Method not allowed for this path"
        return problem_response(
            exc.status_code,
            detail,
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = _json_safe(list(exc.errors()))
        first = errors[0] if errors else {"loc": [], "msg": ""}
        where = ".".join(first["loc"])
        return problem_response(
            422,
            f"Неверное поле {where}: {first['msg']} / Invalid field {where}: {first['msg']}",
            instance=request.url.path,
            errors=errors,
        )

    async def on_reverted(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, TransactionReverted)
        problem = reverted_problem(exc)
        return problem_response(
            problem.status,
            problem.detail,
            title=problem.title,
            instance=request.url.path,
            error=problem.error,
        )

    async def on_exchange(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ExchangeError)
        return problem_response(exc.status, exc.detail, instance=request.url.path)

    async def on_notice(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, NoticeError)
        return problem_response(exc.status, str(exc), instance=request.url.path)

    async def on_passkey(request: Request, exc: Exception) -> JSONResponse:
        # A refused passkey ceremony or assertion: nothing was stored or relayed.
        assert isinstance(exc, PasskeyError)
        return problem_response(422, str(exc), instance=request.url.path)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            500,
            "Непредвиденная ошибка шлюза / Unexpected gateway error",
            instance=request.url.path,
        )

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(TransactionReverted, on_reverted)
    app.add_exception_handler(ExchangeError, on_exchange)
    app.add_exception_handler(NoticeError, on_notice)
    app.add_exception_handler(PasskeyError, on_passkey)
    app.add_exception_handler(Exception, on_unexpected)


#: `responses=` entries for routes: the problem shapes they may answer with.
def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"model": ProblemDetail, "description": TITLES.get(status, "Error")}
        for status in statuses
    }

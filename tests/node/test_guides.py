"""The user guides in docs/guide/ stay true to the software they describe.

- Russian and English hold the same guides, each with the same sections.
- Every `coop ...` command a guide shows exists: its words name real (sub)commands, its options
  are options of that command, and `coop <words> --help` exits 0 in a real process.
- Every HTTP route a guide names (`GET /members/{address}`) is a route of the gateway.
- Every relative link resolves to a file (and a `#fragment` to a heading of that file).
- The portal's page and button labels the guides name still exist in the portal.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE_DIR = ROOT / "docs" / "guide"
LANGUAGES = ("ru", "en")
COOP = str(Path(sys.executable).parent / "coop")

_FENCE = re.compile(r"^[ \t]*```.*?^[ \t]*```[ \t]*$", re.S | re.M)
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_INLINE_CODE = re.compile(r"`([^`]+)`")
_ROUTE = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE) (/[^\s`,;)]*)")


def guide_names(language: str) -> list[str]:
    return sorted(p.name for p in (GUIDE_DIR / language).glob("*.md"))


def guide_files() -> list[Path]:
    return [GUIDE_DIR / "README.md"] + [
        GUIDE_DIR / lang / name for lang in LANGUAGES for name in guide_names(lang)
    ]


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _relative_or_abs(path: Path) -> str:
    try:
        return _relative(path)
    except ValueError:
        return str(path)


def prose(text: str) -> str:
    """The text without fenced code blocks."""
    return _FENCE.sub("", text)


def sections(text: str) -> list[str]:
    return [line for line in prose(text).splitlines() if line.startswith("## ")]


# -- the same guides in both languages --------------------------------------------------------


def test_both_languages_hold_the_same_guides() -> None:
    ru, en = guide_names("ru"), guide_names("en")
    assert len(ru) >= 4, f"expected the four guides in docs/guide/ru, found {ru}"
    assert ru == en


@pytest.mark.parametrize("name", guide_names("ru"))
def test_guide_has_the_same_sections_in_both_languages(name: str) -> None:
    ru = (GUIDE_DIR / "ru" / name).read_text(encoding="utf-8")
    en = (GUIDE_DIR / "en" / name).read_text(encoding="utf-8")
    for text in (ru, en):
        titles = [line for line in prose(text).splitlines() if line.startswith("# ")]
        assert len(titles) == 1, f"{name}: one title expected, found {titles}"
    assert sections(ru), f"{name} has no sections"
    assert len(sections(ru)) == len(sections(en)), (
        f"{name}: ru has {len(sections(ru))} sections, en {len(sections(en))}:\n"
        + "\n".join([*sections(ru), "--", *sections(en)])
    )


def test_index_and_readme_link_every_guide() -> None:
    index = (GUIDE_DIR / "README.md").read_text(encoding="utf-8")
    targets = set(_LINK.findall(index))
    for lang in LANGUAGES:
        for name in guide_names(lang):
            assert f"{lang}/{name}" in targets, f"docs/guide/README.md does not link {lang}/{name}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/guide/README.md" in _LINK.findall(readme)


# -- commands ---------------------------------------------------------------------------------


def shown_commands(text: str) -> list[str]:
    """Every `coop ...` command a guide shows: code-block lines and inline code spans."""
    found: list[str] = []
    for block in _FENCE.findall(text):
        for line in block.splitlines()[1:-1]:
            line = line.strip().removeprefix("$ ")
            if line == "coop" or line.startswith("coop "):
                found.append(line)
    for span in _INLINE_CODE.findall(prose(text)):
        span = " ".join(span.split())
        if span == "coop" or span.startswith("coop "):
            found.append(span)
    return found


def _option_names(command: click.Command, ctx: click.Context) -> set[str]:
    names = set(ctx.help_option_names)
    for param in command.get_params(ctx):
        if isinstance(param, click.Option):
            names.update(param.opts, param.secondary_opts)
    return names


def resolve(command_line: str) -> tuple[str, ...]:
    """The (sub)command path of a shown command; raises AssertionError on an unknown word or
    option."""
    from node.cli import main

    words = shlex.split(command_line)
    assert words[0] == "coop", command_line
    command: click.Command = main
    path: list[str] = []
    expect_subcommand = True
    for word in words[1:]:
        ctx = click.Context(command, info_name="coop")
        if word.startswith("-") and word != "-":
            option = word.split("=", 1)[0]
            assert option in _option_names(command, ctx), (
                f"`{command_line}`: `coop {' '.join(path)}` has no option {option}"
            )
            continue
        if isinstance(command, click.Group) and expect_subcommand:
            sub = command.get_command(ctx, word)
            assert sub is not None, f"`{command_line}`: no command `coop {' '.join([*path, word])}`"
            command = sub
            path.append(word)
            continue
        expect_subcommand = False  # an argument or an option's value
    return tuple(path)


@cache
def _all_commands() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in guide_files():
        out[_relative(path)] = shown_commands(path.read_text(encoding="utf-8"))
    return out


def test_guides_show_the_main_commands() -> None:
    """Guards the extraction itself: the guides do show these commands."""
    paths = {resolve(c) for commands in _all_commands().values() for c in commands}
    for expected in (
        ("run",),
        ("deploy",),
        ("serve",),
        ("index",),
        ("audit",),
        ("clearing", "run"),
    ):
        assert expected in paths, f"no guide shows `coop {' '.join(expected)}`"


def test_resolve_refuses_unknown_commands_and_options() -> None:
    with pytest.raises(AssertionError, match="no command"):
        resolve("coop audits")
    with pytest.raises(AssertionError, match="no command"):
        resolve("coop clearing settle")
    with pytest.raises(AssertionError, match="has no option --jsn"):
        resolve("coop audit --jsn")
    assert resolve("coop deploy --rpc-url https://x --key 0x1 cooperative.yaml") == ("deploy",)


def test_every_shown_command_exists() -> None:
    paths: dict[tuple[str, ...], str] = {}
    problems: list[str] = []
    for where, commands in _all_commands().items():
        for line in commands:
            try:
                paths.setdefault(resolve(line), where)
            except AssertionError as exc:
                problems.append(f"{where}: {exc}")
    assert not problems, "\n".join(problems)
    for path, where in sorted(paths.items()):
        proc = subprocess.run(
            [COOP, *path, "--help"], capture_output=True, text=True, timeout=120, cwd=ROOT
        )
        assert proc.returncode == 0, (
            f"{where}: `coop {' '.join(path)} --help` exited {proc.returncode}:\n{proc.stderr}"
        )
        assert "Usage: coop" in proc.stdout


# -- HTTP routes ------------------------------------------------------------------------------


@cache
def gateway_routes() -> frozenset[tuple[str, str]]:
    """(method, path template) of every route the gateway's routers declare."""
    from fastapi.routing import APIRoute

    import node.api.routes as routes_pkg

    out: set[tuple[str, str]] = set()
    for info in pkgutil.iter_modules(routes_pkg.__path__):
        module = importlib.import_module(f"node.api.routes.{info.name}")
        router = getattr(module, "router", None)
        if router is None:
            continue
        for route in router.routes:
            if isinstance(route, APIRoute):
                out.update((method, route.path) for method in route.methods or ())
    return frozenset(out)


def _segments(path: str) -> list[str]:
    return ["{}" if s.startswith("{") and s.endswith("}") else s for s in path.split("/")]


def route_exists(method: str, path: str) -> bool:
    wanted = _segments(path.rstrip("."))
    return any(m == method and _segments(p) == wanted for m, p in gateway_routes())


def test_route_matching_is_strict() -> None:
    assert route_exists("GET", "/members/{адрес}")
    assert route_exists("POST", "/meetings/{id}/ballots/typed-data")
    assert not route_exists("DELETE", "/meetings/{id}/ballots/typed-data")
    assert not route_exists("POST", "/meetings/{id}/close")


def test_every_named_route_exists() -> None:
    named = 0
    problems: list[str] = []
    for path in guide_files():
        for method, route in _ROUTE.findall(path.read_text(encoding="utf-8")):
            named += 1
            if not route_exists(method, route):
                problems.append(f"{_relative(path)}: {method} {route} is not a gateway route")
    assert named >= 20, f"only {named} routes found in the guides: is the pattern broken?"
    assert not problems, "\n".join(problems)


# -- links ------------------------------------------------------------------------------------


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.lstrip("#").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = prose(path.read_text(encoding="utf-8"))
    return {_slug(line) for line in text.splitlines() if line.startswith("#")}


def broken_links(path: Path) -> list[str]:
    problems: list[str] = []
    for target in _LINK.findall(prose(path.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # http(s), mailto; in-page anchors
        file_part, _, fragment = target.partition("#")
        resolved = (path.parent / file_part).resolve()
        if not resolved.exists():
            problems.append(f"{_relative_or_abs(path)}: {target} does not exist")
        elif fragment and resolved.suffix == ".md" and fragment not in _anchors(resolved):
            problems.append(f"{_relative_or_abs(path)}: {target}: no heading #{fragment}")
    return problems


def test_link_checker_sees_broken_links(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\n## Two words\n", encoding="utf-8")
    page = tmp_path / "b.md"
    page.write_text(
        "[ok](a.md) [ok](a.md#two-words) [web](https://example.org) [bad](c.md) "
        "[bad anchor](a.md#three)\n```\n[in code](ignored.md)\n```\n",
        encoding="utf-8",
    )
    assert broken_links(page) == [
        f"{_relative_or_abs(page)}: c.md does not exist",
        f"{_relative_or_abs(page)}: a.md#three: no heading #three",
    ]


def test_every_relative_link_resolves() -> None:
    problems = [p for path in [*guide_files(), ROOT / "README.md"] for p in broken_links(path)]
    assert not problems, "\n".join(problems)


# -- portal labels ----------------------------------------------------------------------------

#: Labels of the portal (node/portal/static/i18n.js) that the guides name as pages and buttons.
PORTAL_LABELS = (
    "Главная",
    "Моё членство",
    "Вступить",
    "ВРЕ",
    "Биржа",
    "Собрания",
    "Совет",
    "Фонд",
    "Имущество",
    "Реестры",
    "Проверка",
    "Проверить документ",
    "Подключить кошелёк",
    "Войти",
    "Сформировать заявление",
    "Открыть документ",
    "Подписать и отправить",
    "Перевести ВРЕ",
    "Выставить счёт",
    "Счета мне к акцепту",
    "Акцептовать",
    "Взаимозачёты",
    "Мой бюллетень",
    "Подписать бюллетень",
    "Итоги",
    "Голосовать «за»",
    "Голосовать «против»",
    "Подписать протокол",
    "Исполнить",
    "Выгрузить CSV",
    "Обязательства ВРЕ",
    "Решения совета",
    "Запустить проверку зеркала",
)


def test_portal_labels_named_in_the_guides_exist() -> None:
    i18n = (ROOT / "node" / "portal" / "static" / "i18n.js").read_text(encoding="utf-8")
    portal = set(re.findall(r'^\s+\w+: "([^"]+)",?$', i18n, re.M))
    guides = "\n".join(
        (GUIDE_DIR / lang / name).read_text(encoding="utf-8")
        for lang in LANGUAGES
        for name in guide_names(lang)
    )
    missing = [label for label in PORTAL_LABELS if label not in portal]
    assert not missing, f"the portal no longer has these labels the guides name: {missing}"
    unnamed = [label for label in PORTAL_LABELS if f"«{label}»" not in guides]
    assert not unnamed, f"labels listed here but named in no guide: {unnamed}"

"""The portal in real headless Chromium (Debian's `/usr/bin/chromium`, driven by Playwright's
Python package; no browser download) against the real stack of `tests/api/conftest.py`: anvil,
a governed cooperative, the indexer and uvicorn serving the gateway with the portal at `/`.

The wallet is a test double of an EIP-1193 provider only on the page side: `window.ethereum`
forwards every request to `BrowserWallet.handle` (exposed with `page.expose_function`), which signs
with an eth-account key made in the test and sends transactions to anvil.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from eth_account.messages import encode_defunct, encode_typed_data
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Request,
    ViewportSize,
    sync_playwright,
)

from tests.api.conftest import Api, api  # noqa: F401  (the real stack, one per session)

CHROMIUM = os.environ.get("COOP_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}

INIT_SCRIPT = """
(() => {
  if (!window.coopBrowserWallet) return;
  const listeners = {};
  window.ethereum = {
    isCoopBrowserWallet: true,
    async request({ method, params }) {
      const json = JSON.stringify(params ?? []);
      const answer = JSON.parse(await window.coopBrowserWallet(method, json));
      if (answer.error) {
        const e = new Error(answer.error.message);
        e.code = answer.error.code;
        throw e;
      }
      return answer.result;
    },
    on(name, fn) { (listeners[name] ??= []).push(fn); },
    removeListener(name, fn) { listeners[name] = (listeners[name] ?? []).filter((f) => f !== fn); },
  };
})();
"""

SIGNING = {"personal_sign", "eth_signTypedData_v4", "eth_sendTransaction"}


@dataclass
class BrowserWallet:
    """What a wallet extension does, for one account: sign, send to the chain, say no."""

    api: Api
    account: LocalAccount
    chain_id: int = 0
    """The chain the wallet says it is on (0: the real one)."""
    reject: set[str] = field(default_factory=set)
    """Methods the "user" rejects (EIP-1193 error 4001)."""
    calls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.chain_id = self.chain_id or self.api.chain.chain_id

    def handle(self, method: str, params_json: str) -> str:
        self.calls.append(method)
        try:
            result = self._handle(method, json.loads(params_json))
            return json.dumps({"result": result})
        except WalletRefusal as exc:
            return json.dumps({"error": {"code": exc.code, "message": str(exc)}})

    def _handle(self, method: str, params: list[Any]) -> Any:
        w3 = self.api.chain.w3
        if method in self.reject:
            raise WalletRefusal(4001, "User rejected the request.")
        if method in SIGNING and self.chain_id != self.api.chain.chain_id:
            raise WalletRefusal(4901, "The wallet is on another chain")
        match method:
            case "eth_requestAccounts" | "eth_accounts":
                return [self.account.address]
            case "eth_chainId":
                return hex(self.chain_id)
            case "wallet_switchEthereumChain":
                wanted = int(params[0]["chainId"], 16)
                if wanted != self.api.chain.chain_id:
                    raise WalletRefusal(4902, "Unrecognized chain ID")
                self.chain_id = wanted
                return None
            case "personal_sign":
                message, address = params
                assert address.lower() == self.account.address.lower()
                signed = self.account.sign_message(encode_defunct(hexstr=message))
                return signed.signature.to_0x_hex()
            case "eth_signTypedData_v4":
                address, typed = params
                assert address.lower() == self.account.address.lower()
                data = json.loads(typed)
                signed = self.account.sign_message(encode_typed_data(full_message=data))
                return signed.signature.to_0x_hex()
            case "eth_sendTransaction":
                tx = params[0]
                assert tx["from"].lower() == self.account.address.lower()
                out: dict[str, Any] = {
                    "to": tx["to"],
                    "data": tx["data"],
                    "value": int(tx.get("value", "0x0"), 16),
                    "gas": int(tx["gas"], 16),
                    "nonce": w3.eth.get_transaction_count(self.account.address, "pending"),
                    "chainId": self.chain_id,
                }
                if "maxFeePerGas" in tx:
                    out["maxFeePerGas"] = int(tx["maxFeePerGas"], 16)
                    out["maxPriorityFeePerGas"] = int(tx["maxPriorityFeePerGas"], 16)
                else:
                    out["gasPrice"] = int(tx.get("gasPrice") or hex(w3.eth.gas_price), 16)
                raw = self.account.sign_transaction(out).raw_transaction
                return w3.eth.send_raw_transaction(raw).to_0x_hex()
            case "eth_call":
                call = params[0]
                return w3.eth.call({"to": call["to"], "data": call["data"]}).to_0x_hex()
            case "eth_getTransactionReceipt":
                try:
                    r = w3.eth.get_transaction_receipt(HexBytes(params[0]))
                except Exception:  # not mined yet
                    return None
                return {
                    "transactionHash": r["transactionHash"].to_0x_hex(),
                    "blockNumber": hex(r["blockNumber"]),
                    "status": hex(r["status"]),
                }
        raise WalletRefusal(4200, f"Unsupported method {method}")


class WalletRefusal(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Portal:
    """The browser and the running stack; `open` gives a page with (or without) a wallet."""

    api: Api
    browser: Browser
    contexts: list[BrowserContext] = field(default_factory=list)
    requests: list[tuple[str, str, bytes | None]] = field(default_factory=list)
    """(method, url, body) of every request the pages made (tests may clear it)."""
    all_urls: set[str] = field(default_factory=set)
    """Every URL any page asked for, never cleared."""

    def open(
        self,
        wallet: BrowserWallet | None,
        *,
        lang: str = "ru",
        viewport: ViewportSize | None = None,
        route: str = "home",
    ) -> Page:
        context = self.browser.new_context(
            viewport=viewport or DESKTOP, locale="ru-RU", accept_downloads=True
        )
        self.contexts.append(context)

        def seen(r: Request) -> None:
            self.requests.append((r.method, r.url, r.post_data_buffer))
            self.all_urls.add(r.url)

        context.on("request", seen)
        page = context.new_page()
        if wallet is not None:
            page.expose_function("coopBrowserWallet", wallet.handle)
        page.add_init_script(INIT_SCRIPT)
        page.add_init_script(  # the language a person chose first; the switch then keeps its own
            "if (!sessionStorage.getItem('coop.test')) { sessionStorage.setItem('coop.test', '1');"
            f" localStorage.setItem('coop.lang', {json.dumps(lang)}); }}"
        )
        page.goto(f"{self.api.base_url}/#/{route}")
        page.wait_for_selector("body[data-ready='1']")
        return page

    def sign_in(self, page: Page) -> None:
        page.click("#sign-in")
        page.wait_for_selector("[data-testid=who]")

    def go(self, page: Page, route: str) -> None:
        """Follow a hash route and wait until every part of the page has loaded."""
        page.evaluate(
            "r => { if (location.hash !== r) location.hash = r;"
            " else window.dispatchEvent(new HashChangeEvent('hashchange')); }",
            f"#/{route}",
        )
        page.wait_for_function(
            "r => document.getElementById('main').dataset.page === r.split('?')[0]"
            " && !document.querySelector('.lazy')",
            arg=route,
        )


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def portal(api: Api, playwright_instance: Playwright, chromium_path: str) -> Iterator[Portal]:  # noqa: F811
    browser = playwright_instance.chromium.launch(
        executable_path=chromium_path, headless=True, args=["--no-sandbox"]
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    portal = Portal(api, browser)
    try:
        yield portal
    finally:
        for c in portal.contexts:
            c.close()
        browser.close()


def screenshot(page: Page, name: str) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

// Any EIP-1193 wallet (window.ethereum): accounts, chain check, Sign-In with Ethereum,
// EIP-712 signatures and the member's own transactions. The gateway never sees a key.

import { post, sleep } from "./api.js";
import { t } from "./i18n.js";
import * as passkey from "./passkey.js";

export class WalletError extends Error {
  constructor(kind, message, extra = {}) {
    super(message);
    this.kind = kind; // no_wallet | wrong_chain | rejected | wallet
    Object.assign(this, extra);
  }
}

export function provider() {
  const eth = globalThis.ethereum;
  if (!eth || typeof eth.request !== "function") {
    throw new WalletError("no_wallet", t("err_no_wallet"));
  }
  return eth;
}

export function hasWallet() {
  return Boolean(globalThis.ethereum && typeof globalThis.ethereum.request === "function");
}

/** One wallet call; a user's refusal (EIP-1193 code 4001) becomes a clear message. */
export async function call(method, params = []) {
  const eth = provider();
  try {
    return await eth.request({ method, params });
  } catch (e) {
    if (e?.code === 4001) throw new WalletError("rejected", t("err_rejected"));
    if (e instanceof WalletError) throw e;
    throw new WalletError("wallet", t("err_wallet", { detail: e?.message ?? String(e) }), { code: e?.code });
  }
}

export async function connect() {
  const accounts = await call("eth_requestAccounts");
  if (!accounts?.length) throw new WalletError("wallet", t("err_wallet", { detail: "no account" }));
  return accounts[0];
}

export async function chainId() {
  return Number.parseInt(await call("eth_chainId"), 16);
}

/** Throw a "wrong chain" error unless the wallet is on `want` (a passkey session has no
 * wallet: the gateway sends its acts on the cooperative's chain). */
export async function requireChain(want) {
  if (passkey.isPasskeySession()) return;
  const got = await chainId();
  if (got !== Number(want)) {
    throw new WalletError("wrong_chain", t("err_wrong_chain", { got, want }), { got, want });
  }
}

export async function switchChain(want) {
  await call("wallet_switchEthereumChain", [{ chainId: `0x${Number(want).toString(16)}` }]);
}

function utf8Hex(text) {
  return "0x" + Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Sign-In with Ethereum: the gateway's EIP-4361 message, personal_sign, a session token.
 * `onMessage(nonce)` runs before the wallet is asked (the page explains the request then). */
export async function signIn(address, onMessage = () => {}) {
  const nonce = await post("/auth/nonce", { address });
  const { message } = nonce;
  onMessage(nonce);
  const signature = await call("personal_sign", [utf8Hex(message), address]);
  return post("/auth/verify", { message, signature });
}

/** An EIP-712 payload from a `.../typed-data` route, signed by the wallet (no ETH needed), or
 * by the passkey in a passkey session. */
export async function signTyped(address, typedData) {
  if (passkey.isPasskeySession()) return passkey.signTyped(address, typedData);
  return call("eth_signTypedData_v4", [address, JSON.stringify(typedData)]);
}

const hex = (v) => (v === null || v === undefined ? undefined : `0x${BigInt(v).toString(16)}`);

/** Send a transaction from a `.../tx` route with the member's wallet (the member pays the gas). */
export async function sendTransaction(tx) {
  const params = {
    from: tx.from,
    to: tx.to,
    data: tx.data,
    value: hex(tx.value ?? 0),
    gas: hex(tx.gas),
  };
  if (tx.maxFeePerGas != null) {
    params.maxFeePerGas = hex(tx.maxFeePerGas);
    params.maxPriorityFeePerGas = hex(tx.maxPriorityFeePerGas ?? 0);
  } else if (tx.gasPrice != null) {
    params.gasPrice = hex(tx.gasPrice);
  }
  for (const k of Object.keys(params)) if (params[k] === undefined) delete params[k];
  return call("eth_sendTransaction", [params]);
}

export async function waitReceipt(hash, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const receipt = await call("eth_getTransactionReceipt", [hash]);
    if (receipt) return receipt;
    if (Date.now() > deadline) throw new WalletError("wallet", t("err_wallet", { detail: "timeout" }));
    await sleep(300);
  }
}

/** `decimals()` of an ERC-20-like token, read through the wallet's node (eth_call). */
export async function tokenDecimals(token) {
  const answer = await call("eth_call", [{ to: token, data: "0x313ce567" }, "latest"]);
  const value = Number.parseInt(answer, 16);
  if (!Number.isInteger(value) || value < 0 || value > 36) throw new WalletError("wallet", t("err_wallet", { detail: "decimals" }));
  return value;
}

/** Call `onChange(kind)` when the wallet switches account or chain (EIP-1193 events). */
export function watch(onChange) {
  const eth = globalThis.ethereum;
  if (!eth || typeof eth.on !== "function") return;
  eth.on("accountsChanged", (accounts) => onChange("account", accounts?.[0] ?? null));
  eth.on("chainChanged", (id) => onChange("chain", Number.parseInt(id, 16)));
}

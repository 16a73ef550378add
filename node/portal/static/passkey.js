// Passkeys (WebAuthn, navigator.credentials): join, sign in and sign acts without a crypto
// wallet. The member's address is their passkey account (a contract the passkey controls);
// every act is signed by the passkey on this device, the gateway checks the assertion and
// relays it (the cooperative pays the gas). Pages call the same functions as for a wallet
// (wallet.js `signTyped`, ui.js `sendPrepared`), which come here for a passkey session.

import { post, trackRelay } from "./api.js";
import { addTexts, t } from "./i18n.js";

addTexts(
  {
    passkey_sign_in: "Войти с ключом доступа",
    passkey_create: "Создать ключ доступа",
    passkey_unsupported: "Этот браузер не поддерживает ключи доступа (WebAuthn). Откройте портал в современном браузере телефона или компьютера.",
    passkey_rejected: "Запрос ключа доступа отменён. Ничего не отправлено.",
    passkey_failed: "Ключ доступа не сработал: {detail}",
    passkey_create_note: "Ключ доступа — отпечаток пальца, лицо или ПИН-код вашего телефона или компьютера. Кошелёк и криптовалюта не нужны: кооператив оплачивает отправку ваших действий.",
    passkey_title: "Ключи доступа",
    passkey_intro: "Вашим счётом управляют ключи доступа ниже. Добавьте второй (например, ноутбук), чтобы не потерять доступ с телефоном. Если потеряны все, совет восстановит членство решением.",
    passkey_add: "Добавить ключ доступа",
    passkey_label: "Название",
    passkey_added: "Ключ доступа добавлен.",
    passkey_confirm: "Подтвердить ключом, который уже есть",
    passkey_confirm_note: "Новый ключ создан на этом устройстве. Подтвердите его добавление ключом доступа, который уже управляет счётом (например, на телефоне).",
    passkey_active: "действует",
    passkey_pending: "ожидает добавления",
    passkey_created_at: "Создан",
  },
  {
    passkey_sign_in: "Sign in with a passkey",
    passkey_create: "Create a passkey",
    passkey_unsupported: "This browser does not support passkeys (WebAuthn). Open the portal in a current browser on your phone or computer.",
    passkey_rejected: "The passkey request was cancelled. Nothing was sent.",
    passkey_failed: "The passkey did not work: {detail}",
    passkey_create_note: "A passkey is the fingerprint, face or PIN of your phone or computer. No wallet and no cryptocurrency needed: the cooperative pays for sending your acts.",
    passkey_title: "Passkeys",
    passkey_intro: "These passkeys control your account. Add a second one (a laptop, say) so that losing the phone does not lock you out. If all are lost, the council restores your membership by a decision.",
    passkey_add: "Add a passkey",
    passkey_label: "Name",
    passkey_added: "Passkey added.",
    passkey_confirm: "Confirm with a passkey you already have",
    passkey_confirm_note: "The new passkey was made on this device. Confirm adding it with a passkey that already controls the account (on your phone, say).",
    passkey_active: "active",
    passkey_pending: "waiting to be added",
    passkey_created_at: "Created",
  },
);

const KIND_KEY = "coop.signer";

export class PasskeyError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind; // no_passkey | rejected | passkey
  }
}

/** Whether the session was opened with a passkey (then acts are signed by a passkey). */
export function isPasskeySession() {
  return sessionStorage.getItem(KIND_KEY) === "passkey";
}

export function setSessionKind(kind) {
  if (kind) sessionStorage.setItem(KIND_KEY, kind);
  else sessionStorage.removeItem(KIND_KEY);
}

export function supported() {
  return Boolean(globalThis.PublicKeyCredential && navigator.credentials?.create);
}

const toBytes = (b64url) => {
  const b64 = b64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(b64url.length / 4) * 4, "=");
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
};
const toB64url = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function creationOptions(o) {
  return {
    ...o,
    challenge: toBytes(o.challenge),
    user: { ...o.user, id: toBytes(o.user.id) },
    excludeCredentials: (o.excludeCredentials ?? []).map((c) => ({ ...c, id: toBytes(c.id) })),
  };
}

function requestOptions(o) {
  return {
    ...o,
    challenge: toBytes(o.challenge),
    allowCredentials: (o.allowCredentials ?? []).map((c) => ({ ...c, id: toBytes(c.id) })),
  };
}

async function ceremony(fn) {
  if (!supported()) throw new PasskeyError("no_passkey", t("passkey_unsupported"));
  try {
    return await fn();
  } catch (e) {
    if (e?.name === "NotAllowedError" || e?.name === "AbortError") throw new PasskeyError("rejected", t("passkey_rejected"));
    throw new PasskeyError("passkey", t("passkey_failed", { detail: e?.message ?? String(e) }));
  }
}

async function create(options) {
  const cred = await ceremony(() => navigator.credentials.create({ publicKey: creationOptions(options) }));
  return {
    id: cred.id,
    rawId: toB64url(cred.rawId),
    type: cred.type,
    response: {
      clientDataJSON: toB64url(cred.response.clientDataJSON),
      attestationObject: toB64url(cred.response.attestationObject),
      transports: cred.response.getTransports?.() ?? [],
    },
    clientExtensionResults: cred.getClientExtensionResults?.() ?? {},
  };
}

async function assert(options) {
  const cred = await ceremony(() => navigator.credentials.get({ publicKey: requestOptions(options) }));
  const r = cred.response;
  return {
    id: cred.id,
    rawId: toB64url(cred.rawId),
    type: cred.type,
    response: {
      clientDataJSON: toB64url(r.clientDataJSON),
      authenticatorData: toB64url(r.authenticatorData),
      signature: toB64url(r.signature),
      userHandle: r.userHandle ? toB64url(r.userHandle) : undefined,
    },
    clientExtensionResults: cred.getClientExtensionResults?.() ?? {},
  };
}

/** A new passkey and a new account: the answer is a session, as Sign-In with Ethereum's. */
export async function register(name) {
  const options = await post("/passkeys/registration/options", name ? { name } : {});
  const credential = await create(options);
  const answer = await post("/passkeys/registration", { credential });
  return answer.session;
}

/** Sign in with a passkey this device (or a synced one) holds. */
export async function signIn() {
  const options = await post("/passkeys/sign-in/options", {});
  const credential = await assert(options);
  return post("/passkeys/sign-in", { credential });
}

/** An EIP-712 payload signed by the passkey account: the same role as a wallet's
 * `eth_signTypedData_v4` (the gateway checks the assertion and encodes it for ERC-1271). */
export async function signTyped(_address, typedData) {
  const { options } = await post("/passkeys/signature/options", { typed_data: typedData });
  const credential = await assert(options);
  const { signature } = await post("/passkeys/signature", { typed_data: typedData, credential });
  return signature;
}

/** A transaction from a `.../tx` route, made by the account itself (`execute`), relayed by the
 * gateway: the passkey signs, nobody pays but the cooperative. Follows it like a relay. */
export async function execute(tx, p) {
  const call = { to: tx.to, value: String(BigInt(tx.value ?? 0)), data: tx.data ?? "0x" };
  const { typed_data: typed } = await post("/passkeys/execute/typed-data", call);
  const signature = await signTyped(null, typed);
  p?.step("signed");
  const relay = await post("/passkeys/execute", {
    ...call,
    nonce: String(typed.message.nonce),
    deadline: String(typed.message.deadline),
    signature,
  });
  p?.step("sent");
  return trackRelay(relay.id, (status) => ["mined", "indexed"].includes(status) && p?.step(status));
}

/** One more passkey for the account, made on this device (step 1 of 2); the answer's `call`
 * is then signed by a passkey the account already has (`execute`, step 2): until then the new
 * passkey signs nothing. */
export async function registerAnother(label) {
  const options = await post("/passkeys/mine/registration/options", {});
  const credential = await create(options);
  return post("/passkeys/mine/registration", { credential, label: label || null });
}

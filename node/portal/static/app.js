// The portal's shell: session state, the language switch, navigation by role and hash routes
// (`/#/units`), so nothing collides with the gateway's API paths.

import { get, post, scope, setScope, setToken, token } from "./api.js";
import { lang, setLang, shortAddress, t } from "./i18n.js";
import { errorBox, h } from "./ui.js";
import * as wallet from "./wallet.js";
import * as passkey from "./passkey.js";
import { cooperativeSwitcher } from "./switcher.js";

import * as home from "./pages/home.js";
import * as membership from "./pages/membership.js";
import * as apply from "./pages/apply.js";
import * as units from "./pages/units.js";
import * as exchange from "./pages/exchange.js";
import * as meetings from "./pages/meetings.js";
import * as proxies from "./pages/proxies.js";
import * as council from "./pages/council.js";
import * as work from "./pages/work.js";
import * as fund from "./pages/fund.js";
import * as labour from "./pages/labour.js";
import * as programs from "./pages/programs.js";
import * as registers from "./pages/registers.js";
import * as audit from "./pages/audit.js";
import * as bank from "./pages/bank.js";
import * as verify from "./pages/verify.js";
import * as notices from "./pages/notices.js";
import * as passkeys from "./pages/passkeys.js";
import * as branches from "./pages/branches.js";

const ADDRESS_KEY = "coop.address";

// route -> page module, nav label, roles that see it in the menu (null: everyone)
const ROUTES = [
  ["home", home, "nav_home", null],
  ["membership", membership, "nav_membership", ["signed"]],
  ["apply", apply, "nav_apply", ["outsider", "applicant"]],
  ["units", units, "nav_units", ["member"]],
  ["exchange", exchange, "nav_exchange", ["member", "auditor", "council", "chair"]],
  ["meetings", meetings, "nav_meetings", ["member", "auditor", "council", "chair"]],
  ["proxies", proxies, "proxy_nav", ["member"]],
  ["council", council, "nav_council", ["council", "chair"]],
  ["work", work, "nav_work", ["council", "chair", "cashier", "verifier", "auditor", "member"]],
  ["fund", fund, "nav_fund", ["member", "auditor"]],
  ["property", fund, "nav_property", ["member", "auditor"]],
  ["labour", labour, "nav_labour", ["member", "auditor", "council", "chair"]],
  ["programs", programs, "programs_nav", ["member", "auditor"]],
  ["registers", registers, "nav_registers", ["auditor", "council", "chair"]],
  ["audit", audit, "nav_audit", ["auditor", "council", "chair"]],
  ["bank", bank, "nav_bank", ["cashier", "auditor", "council", "chair"]],
  ["verify", verify, "nav_verify", null],
  ["notices", notices, "notices_nav", ["signed"]],
  ["passkeys", passkeys, "nav_passkeys", ["passkey"]],
  ["branches", branches, "nav_branches", ["member", "auditor", "council", "chair"]],
];

const state = {
  address: sessionStorage.getItem(ADDRESS_KEY),
  roles: [],
  chainId: null,
  coop: null,
  mine: [],
};

function has(...roles) {
  return roles.some((r) => {
    if (r === "signed") return Boolean(state.address && token());
    if (r === "passkey") return Boolean(state.address && token()) && passkey.isPasskeySession();
    if (r === "outsider") {
      return Boolean(state.address && token()) && !["member", "auditor", "council", "chair"].some((x) => state.roles.includes(x));
    }
    return state.roles.includes(r);
  });
}

const ctx = {
  state,
  has,
  rerender: () => render(),
  signIn: (box) => signIn(box),
  refreshSession: async () => {
    await loadSession();
    render();
  },
  // New roles (e.g. after an admission) without re-rendering the page in view.
  updateSession: async () => {
    await loadSession();
    renderSession();
    renderNav(currentRoute()[0]);
  },
};

async function loadSession() {
  if (!token()) {
    state.roles = [];
    return;
  }
  try {
    const me = await get("/auth/me");
    state.address = me.address;
    state.roles = me.roles;
    await loadMine();
  } catch {
    setToken(null);
    state.roles = [];
  }
}

/** The cooperatives of the node's network this person is a member of (the switcher). */
async function loadMine() {
  state.mine = (await get("/network/me").catch(() => ({ data: [] }))).data;
}

async function signIn(box) {
  try {
    const address = await wallet.connect();
    await wallet.requireChain(state.chainId);
    // The wallet shows the EIP-4361 message in English (the standard allows ASCII only):
    // say here, in the page's language, what is being signed and that it costs nothing.
    const session = await wallet.signIn(address, (nonce) =>
      box.replaceChildren(h("p", { class: "muted sign-in-note", "data-testid": "sign-in-note" }, t("sign_in_note", { domain: nonce.domain }))),
    );
    box.replaceChildren();
    setToken(session.token);
    passkey.setSessionKind("wallet");
    sessionStorage.setItem(ADDRESS_KEY, session.address);
    state.address = session.address;
    state.roles = session.roles;
    await loadMine();
    render();
  } catch (e) {
    box.replaceChildren(errorBox(e, ctx));
  }
}

/** Sign in (or, with `create`, join) with a passkey: the same session as the wallet's. */
async function passkeySignIn(box, create = false) {
  try {
    if (create) box.replaceChildren(h("p", { class: "muted sign-in-note", "data-testid": "passkey-note" }, t("passkey_create_note")));
    const session = create ? await passkey.register() : await passkey.signIn();
    box.replaceChildren();
    setToken(session.token);
    passkey.setSessionKind("passkey");
    sessionStorage.setItem(ADDRESS_KEY, session.address);
    state.address = session.address;
    state.roles = session.roles;
    await loadMine();
    render();
  } catch (e) {
    box.replaceChildren(errorBox(e, ctx));
  }
}

async function signOut() {
  // Revoke the session on the gateway too (best effort: the token is dropped here anyway).
  await post("/auth/logout").catch(() => {});
  setToken(null);
  sessionStorage.removeItem(ADDRESS_KEY);
  passkey.setSessionKind(null);
  state.address = null;
  state.roles = [];
  state.mine = [];
  location.hash = "#/home";
  render();
}

function renderSession() {
  const el = document.getElementById("session");
  if (state.address && token()) {
    const roles = state.roles.length ? state.roles.map((r) => t(`role_${r}`)).join(", ") : t("no_roles");
    const current = scope() || state.coop?.slug;
    const several = state.mine.length > 1 || state.mine.some((c) => c.slug !== current);
    el.replaceChildren(
      ...(several ? [cooperativeSwitcher(state.mine, current, switchCooperative)] : []),
      h("span", { class: "who", title: state.address, "data-testid": "who" }, shortAddress(state.address)),
      h("span", { class: "roles", "data-testid": "roles" }, roles),
      h("button", { type: "button", class: "link-button", onclick: signOut }, t("sign_out")),
    );
  } else {
    const out = h("div", { class: "session-msg" });
    const buttons = [h("button", { type: "button", id: "sign-in", onclick: () => signIn(out) }, t("sign_in"))];
    if (passkey.supported()) {
      buttons.push(
        h("button", { type: "button", id: "passkey-sign-in", onclick: () => passkeySignIn(out) }, t("passkey_sign_in")),
        h("button", { type: "button", id: "passkey-create", class: "link-button", onclick: () => passkeySignIn(out, true) }, t("passkey_create")),
      );
    }
    el.replaceChildren(...buttons, out);
  }
}

/** Work with another cooperative of the network: the API's `/c/{slug}` prefix, the same
 * session, that cooperative's roles. */
async function switchCooperative(slug) {
  setScope(slug);
  try {
    state.coop = await get("/cooperative");
  } catch (e) {
    setScope("");
    state.coop = await get("/cooperative").catch(() => null);
  }
  await loadSession();
  location.hash = "#/home";
  render();
}

function currentRoute() {
  const name = location.hash.replace(/^#\/?/, "").split("?")[0] || "home";
  return ROUTES.find((r) => r[0] === name) ?? ROUTES[0];
}

function renderNav(active) {
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("nav"));
  const items = ROUTES.filter(([, , , roles]) => roles === null || has(...roles)).map(([name, , label]) =>
    h(
      "li",
      {},
      h(
        "a",
        {
          href: `#/${name}`,
          "aria-current": name === active ? "page" : null,
          // The page in view again: read it afresh.
          onclick: () => name === active && setTimeout(render, 0),
        },
        t(label),
      ),
    ),
  );
  nav.replaceChildren(h("ul", {}, items));
}

function render() {
  document.documentElement.lang = lang();
  document.title = `${state.coop?.details?.name ?? t("title")} · Coopnode`;
  document.getElementById("skip").textContent = t("skip");
  const langButton = document.getElementById("lang");
  langButton.textContent = t("lang_switch");
  langButton.setAttribute("aria-label", t("lang_switch_label"));
  document.getElementById("coop-name").textContent = state.coop?.details?.name ?? t("title");
  const [name, page] = currentRoute();
  renderSession();
  renderNav(name);
  const main = document.getElementById("main");
  let view;
  try {
    view = page.render(ctx, name);
  } catch (e) {
    view = errorBox(e, ctx);
  }
  main.replaceChildren(view);
  main.dataset.page = name;
}

async function start() {
  document.getElementById("lang").addEventListener("click", () => {
    setLang(lang() === "ru" ? "en" : "ru");
    render();
  });
  window.addEventListener("hashchange", () => {
    render();
    document.getElementById("main").focus();
  });
  // Another account or chain in the wallet: this session is no longer the wallet's.
  wallet.watch((kind, value) => {
    if (passkey.isPasskeySession()) return;
    if (kind === "account" && state.address && value?.toLowerCase() !== state.address.toLowerCase()) signOut();
    else render();
  });
  // Opened at a cooperative's own address (`/c/{slug}/`): work with that cooperative.
  const opened = location.pathname.match(/^\/c\/([^/]+)\//);
  if (opened) setScope(decodeURIComponent(opened[1]));
  try {
    state.coop = await get("/cooperative").catch((e) => {
      if (!scope()) throw e;
      setScope(""); // a cooperative this node no longer serves: back to the default one
      return get("/cooperative");
    });
    state.chainId = state.coop.chain_id;
  } catch (e) {
    document.getElementById("main").replaceChildren(errorBox(e));
  }
  await loadSession();
  render();
  document.body.dataset.ready = "1";
}

start();

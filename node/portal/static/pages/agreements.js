// The membership agreements in force (the simple electronic signature agreement, the personal
// data consent): read each, accept it by signing its hash (EIP-712, no ETH). Until every one is
// accepted the gateway relays nothing else of the account (an application included), so the
// join page shows this block before the application can be signed.

import { apiPath, get, post, trackRelay } from "../api.js";
import { t } from "../i18n.js";
import { errorBox, h, message } from "../ui.js";
import { signTyped } from "../wallet.js";

function openDocument(sha256) {
  return async (ev) => {
    ev.preventDefault();
    const r = await fetch(apiPath(`/documents/${sha256}`), { headers: { Authorization: `Bearer ${sessionStorage.getItem("coop.session")}` } });
    const blob = await r.blob();
    window.open(URL.createObjectURL(blob), "_blank", "noopener");
  };
}

// A block listing the agreements the signed-in account has not accepted; `onAllAccepted` runs
// at once when there are none, or when the last one is accepted.
export async function agreementsBlock(ctx, onAllAccepted) {
  const box = h("div", { class: "agreements", id: "agreements" });
  const status = await get("/agreements");
  const pending = status.current.filter((a) => !a.accepted);
  if (!pending.length) {
    onAllAccepted();
    return box;
  }
  let remaining = pending.length;
  box.append(message("info", t("agreements_required")));
  for (const a of pending) {
    const open = h("a", { href: "#", class: "open-agreement" }, `${a.title} (${t("agreement_version", { version: a.version })})`);
    open.addEventListener("click", openDocument(a.sha256));
    const outcome = h("span", { "aria-live": "polite" });
    const button = h("button", { type: "button", class: "accept-agreement", "data-kind": a.kind }, t("accept_agreement"));
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const payload = await post(a.sign);
        const signature = await signTyped(ctx.state.address, payload.typed_data);
        const relay = await post(`/documents/${a.sha256}/signatures`, { signer: ctx.state.address, signature });
        await trackRelay(relay.id, () => {});
        outcome.replaceChildren(message("ok", t("agreement_accepted")));
        button.remove();
        remaining -= 1;
        if (remaining === 0) onAllAccepted();
      } catch (e) {
        outcome.replaceChildren(errorBox(e, ctx));
        button.disabled = false;
      }
    });
    box.append(h("p", {}, open, " ", h("span", { class: "mono" }, a.sha256.slice(0, 16) + "…"), " ", button, outcome));
  }
  return box;
}

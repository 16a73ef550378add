// The exchange: offers (catalogue: my cooperative or the whole union), my orders (in ВРЕ or in
// the payment token; between cooperatives of a union, decided by the councils), delivery acts.

import { get, post } from "../api.js";
import { fmtAmount, fmtTime, shortAddress, stateText, t } from "../i18n.js";
import { errorBox, field, h, lazy, message, runner, section, sendPrepared, sendTx, signAndRelay, stage, table } from "../ui.js";
import { paymentToken } from "./fund.js";
import { docLink } from "./meetings.js";
import { needSignIn } from "./membership.js";

/** The payment token of token-priced orders (the fund's token; 18 decimals without a fund). */
let TOKEN = { symbol: "", decimals: 18 };

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  return h("div", { class: "page" }, h("h1", {}, t("nav_exchange")), lazy(() => load(ctx), ctx));
}

async function load(ctx) {
  TOKEN = (await paymentToken().catch(() => null)) ?? { symbol: t("currency_token"), decimals: 18 };
  const q = field("offer-q", t("filter"), { type: "search", autocomplete: "off" });
  const scope = h(
    "select",
    { id: "offer-scope", name: "offer-scope" },
    h("option", { value: "cooperative" }, t("scope_coop")),
    h("option", { value: "union" }, t("scope_union")),
  );
  const scopeField = h("div", { class: "field" }, h("label", { for: "offer-scope" }, t("scope")), scope);
  const offersBox = h("div", {});
  const home = ctx.state.coop?.contracts?.charter;
  const showOffers = async () => {
    const offers = await get("/offers", { q: q.input.value.trim() || undefined, scope: scope.value, limit: 200 });
    const union = scope.value === "union";
    offersBox.replaceChildren(
      table(
        [
          { key: "id", label: "№" },
          { key: "title", label: t("title_col") },
          { key: "category", label: "Категория / category" },
          {
            key: "price",
            label: t("price"),
            render: (o) =>
              [`${fmtAmount(o.price, 18)} ВРЕ / ${o.unit}`, o.token_price ? ` · ${fmtAmount(o.token_price, TOKEN.decimals)} ${TOKEN.symbol}` : ""].join(""),
          },
          { key: "supplier", label: t("supplier"), render: (o) => h("span", { class: "mono", title: o.supplier }, shortAddress(o.supplier)) },
          union
            ? {
                key: "cooperative",
                label: t("cooperative_col"),
                render: (o) => (same(o.cooperative, home) ? t("scope_coop") : h("span", { class: "mono", title: o.cooperative }, shortAddress(o.cooperative))),
              }
            : null,
          { key: "o", label: t("order"), render: (o) => (ctx.has("member") ? orderForm(ctx, o) : t("none")) },
        ].filter(Boolean),
        offers.data,
        { testid: "offers" },
      ),
    );
    offersBox.dataset.scope = scope.value;
  };
  const search = h("form", { role: "search", class: "inline-form", id: "offer-search" }, q, scopeField, h("button", { type: "submit" }, t("filter")));
  const onSearch = () => showOffers().catch((e) => offersBox.replaceChildren(errorBox(e, ctx)));
  search.addEventListener("submit", (ev) => {
    ev.preventDefault();
    onSearch();
  });
  scope.addEventListener("change", onSearch);
  await showOffers();
  const orders = await get("/orders", { limit: 200 });
  const columns = [
    { key: "id", label: "№" },
    { key: "offer_id", label: t("offers") },
    { key: "quantity", label: t("quantity") },
    {
      key: "total",
      label: t("amount"),
      render: (o) => (o.currency === "token" ? `${fmtAmount(o.token_total, TOKEN.decimals)} ${TOKEN.symbol}` : `${fmtAmount(o.total, 18)} ВРЕ`),
    },
    { key: "status", label: t("status"), render: orderStatus },
    { key: "buyer", label: t("buyer"), render: (o) => shortAddress(o.buyer) },
    { key: "supplier", label: t("supplier"), render: (o) => shortAddress(o.supplier) },
    { key: "updated_at", label: t("date"), render: (o) => fmtTime(o.updated_at) },
  ];
  return h(
    "div",
    {},
    section(t("offers"), search, offersBox),
    section(t("orders"), table([...columns, { key: "a", label: "", render: (o) => orderActions(ctx, o) }], orders.data, { testid: "orders" })),
    section(
      t("delivery_acts"),
      table(
        [
          { key: "id", label: "№" },
          { key: "act_sha256", label: t("sha256"), render: (o) => docLink(`0x${o.act_sha256}`) },
          { key: "act_signed", label: t("signers"), render: (o) => (o.act_signed ? t("yes") : t("no")) },
        ],
        orders.data.filter((o) => o.act_sha256),
        { testid: "acts" },
      ),
    ),
  );
}

function orderForm(ctx, offer) {
  const id = `qty-${offer.id}`;
  const out = h("div", { class: "outcome" });
  const qty = h("input", { id, type: "number", min: 1, value: 1, inputmode: "numeric", class: "narrow" });
  // An offer with a token price may be paid in the payment token instead of ВРЕ.
  const currency = offer.token_price
    ? h(
        "select",
        { id: `cur-${offer.id}`, class: "narrow" },
        h("option", { value: "units" }, t("currency_units")),
        h("option", { value: "token" }, TOKEN.symbol || t("currency_token")),
      )
    : null;
  const form = h(
    "form",
    { class: "inline-form" },
    h("label", { for: id, class: "sr-only" }, t("quantity")),
    qty,
    currency ? [h("label", { for: `cur-${offer.id}`, class: "sr-only" }, t("currency")), currency] : null,
    h("button", { type: "submit" }, t("order")),
    out,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const n = Number.parseInt(qty.value, 10);
    if (!Number.isSafeInteger(n) || n < 1) {
      out.replaceChildren(message("error", t("quantity")));
      return;
    }
    try {
      const order = await post("/orders", { offer_id: offer.id, quantity: n, currency: currency?.value ?? "units" });
      out.replaceChildren(message("ok", `№ ${order.id}: ${stateText(order.status)}`, order.buyer_cooperative ? ` · ${t("union_order")}` : ""));
    } catch (e) {
      out.replaceChildren(errorBox(e, ctx));
    }
  });
  return form;
}

const same = (a, b) => a?.toLowerCase() === b?.toLowerCase();

/** What the signed-in party may do with an order now: confirm (and send the ВРЕ invoice),
 * decline, cancel, or anchor and sign the delivery act (gasless signature). */
function orderActions(ctx, o) {
  if (ctx.has("auditor")) return t("none");
  const me = ctx.state.address;
  const supplier = same(o.supplier, me);
  const buyer = same(o.buyer, me);
  const out = h("div", { class: "outcome" });
  const extra = h("div", {});
  const act = (label, attrs, fn) => {
    const b = h("button", { type: "button", ...attrs }, label);
    b.addEventListener("click", async () => {
      b.disabled = true;
      if (!(await runner(out)(fn))) b.disabled = false;
    });
    return b;
  };
  const buttons = [];
  if (supplier && o.status === "requested") {
    buttons.push(
      act(t("order_confirm"), { "data-confirm": o.id }, async (p) => {
        const c = await post(`/orders/${o.id}/confirmation`);
        p.step("signed");
        if (c.invoice) await sendPrepared(ctx, c.invoice.transaction, p);
        else p.step("indexed");
        // Between cooperatives of a union the council invoices, by a decision: its draft.
        if (c.proposal) extra.replaceChildren(proposalBox(ctx, c.proposal));
      }),
      act(t("order_decline"), { "data-decline": o.id }, async (p) => {
        await post(`/orders/${o.id}/decline`);
        p.step("indexed");
      }),
    );
  }
  if (buyer && ["requested", "confirmed"].includes(o.status)) {
    buttons.push(
      act(t("order_cancel"), { "data-cancel": o.id }, async (p) => {
        await post(`/orders/${o.id}/cancel`);
        p.step("indexed");
      }),
    );
  }
  // A union order: this cooperative's council decides the next step (invoice the buyer's
  // cooperative; accept the invoice: delivery received; pay it). The draft decision comes from
  // the gateway; a council member puts it to the vote.
  const home = ctx.state.coop?.contracts?.charter;
  const unionStep =
    o.buyer_cooperative && ctx.has("council", "chair")
      ? o.status === "confirmed" && same(o.cooperative, home)
        ? "invoice"
        : o.status === "invoiced" && same(o.buyer_cooperative, home)
          ? "acceptance"
          : o.status === "delivered" && same(o.buyer_cooperative, home)
            ? "payment"
            : null
      : null;
  if (unionStep) {
    const b = h("button", { type: "button", "data-union": `${unionStep}-${o.id}` }, t(`union_${unionStep}`));
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        extra.replaceChildren(proposalBox(ctx, await post(`/orders/${o.id}/union/${unionStep}`)));
      } catch (e) {
        extra.replaceChildren(errorBox(e, ctx));
        b.disabled = false;
      }
    });
    buttons.push(b);
  }
  if (buyer && o.currency === "token" && o.status === "confirmed" && !o.token_payment_tx) {
    buttons.push(
      act(t("order_pay_token"), { "data-pay": o.id }, async (p) => {
        // The wallet's ERC-20 transfer to the supplier, then the order records it (checked on chain).
        const receipt = await sendTx(ctx, `/orders/${o.id}/payment/tx`, {}, stage(p, 1, 2, t("stage_transfer")));
        const last = stage(p, 2, 2, t("stage_record"));
        last.step("mined");
        await post(`/orders/${o.id}/payment`, { tx_hash: receipt.transactionHash });
        last.step("indexed");
      }),
    );
  }
  if ((supplier || buyer) && ["invoiced", "delivered"].includes(o.status) && !o.act_signed) {
    buttons.push(
      act(t("sign_act"), { "data-act": o.id }, async (p) => {
        const a = await post(`/orders/${o.id}/act`);
        if (a.anchor) await sendPrepared(ctx, a.anchor.transaction, { step() {} });
        return signAndRelay(ctx, a.sign_at, {}, (signature) => post(`/documents/${a.act_sha256}/signatures`, { signer: me, signature }), p);
      }),
    );
  }
  const waiting = o.buyer_cooperative && o.status === "confirmed" ? message("info", t("union_waiting")) : null;
  if (waiting) waiting.dataset.testid = "union-waiting";
  return buttons.length || waiting ? h("div", { class: "actions" }, waiting, buttons, out, extra) : t("none");
}

function orderStatus(o) {
  const parts = [stateText(o.status)];
  if (o.currency === "token" && o.token_payment_tx) parts.push(t("token_paid"));
  if (o.buyer_cooperative) parts.push(t("union_order"));
  return parts.join(" · ");
}

/** A union order's confirmation: the council decision that invoices the buyer's cooperative.
 * A council member may put it to the vote here; everyone sees what it is and where it goes. */
function proposalBox(ctx, proposal) {
  const council = ctx.has("council", "chair");
  const hash = proposal.document_hash.startsWith("0x") ? proposal.document_hash : `0x${proposal.document_hash}`;
  const out = h("div", { class: "outcome" });
  const propose = council
    ? h(
        "button",
        {
          type: "button",
          "data-propose-union": hash,
          onclick: async (ev) => {
            ev.currentTarget.disabled = true;
            await runner(out)((p) => sendTx(ctx, "/council/items/tx", { document_hash: hash, actions: proposal.actions }, p));
          },
        },
        t("propose_to_council"),
      )
    : null;
  return h(
    "div",
    { class: "proposal", "data-testid": "union-proposal" },
    message("info", t(council ? "union_proposal_council" : "union_proposal_member")),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("decision_document")),
      h("dd", {}, docLink(hash)),
      h("dt", {}, t("cooperative_col")),
      h("dd", { class: "mono", title: proposal.cooperative }, shortAddress(proposal.cooperative)),
      proposal.description ? [h("dt", {}, t("proposal_summary")), h("dd", {}, proposal.description)] : null,
    ),
    h("p", {}, propose, " ", h("a", { href: "#/council" }, t("open_council"))),
    out,
  );
}

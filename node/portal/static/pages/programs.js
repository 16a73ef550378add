// Target programs (целевые программы): the programs with their own balances, my part in each,
// joining by signing the terms (relayed, no gas), contributing and leaving with my part.

import { get, post } from "../api.js";
import { addTexts, fmtAmount, parseAmount, shortAddress, t } from "../i18n.js";
import { asOf, field, h, lazy, message, runner, section, sendTx, signAndRelay, stage, table } from "../ui.js";
import { needSignIn } from "./membership.js";

addTexts(
  {
    programs_nav: "Целевые программы",
    programs_title: "Целевые программы",
    programs_intro:
      "Программа — общая цель (совместная покупка, дом, автомобиль) со своим балансом, отдельным от других программ и фондов. Вступая, вы подписываете её условия; тратит средства только совет своим решением. Ваша доля — ваши единицы программы, умноженные на её баланс и делённые на все единицы (с округлением вниз); выходя, вы получаете ровно её.",
    programs_none: "Программ пока нет.",
    programs_purpose: "Цель",
    programs_balance: "Баланс",
    programs_members: "Участников",
    programs_status: "Статус",
    programs_terms: "Условия",
    programs_my_part: "Моя доля",
    programs_join: "Вступить (подписать условия)",
    programs_leave: "Выйти с долей",
    programs_contribute: "Внести",
    programs_amount: "Сумма",
    programs_open: "открыта",
    programs_closed: "закрыта",
    programs_stage_approve: "Разрешение на списание",
  },
  {
    programs_nav: "Target programs",
    programs_title: "Target programs",
    programs_intro:
      "A program is a shared purpose (a joint purchase, a house, a car) with its own balance, kept apart from other programs and funds. To join you sign its terms; only a council decision spends its money. Your part is your program units times its balance over all units (rounded down); when you leave you are paid exactly that.",
    programs_none: "No programs yet.",
    programs_purpose: "Purpose",
    programs_balance: "Balance",
    programs_members: "Members",
    programs_status: "Status",
    programs_terms: "Terms",
    programs_my_part: "My part",
    programs_join: "Join (sign the terms)",
    programs_leave: "Leave with my part",
    programs_contribute: "Contribute",
    programs_amount: "Amount",
    programs_open: "open",
    programs_closed: "closed",
    programs_stage_approve: "Allow the collection",
  },
);

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  return h(
    "div",
    { class: "page" },
    h("h1", {}, t("programs_title")),
    h("p", { class: "muted" }, t("programs_intro")),
    lazy(() => load(ctx), ctx),
  );
}

async function load(ctx) {
  const [programs, mine, token] = await Promise.all([get("/programs"), get("/programs/mine"), get("/fund/token").catch(() => ({ symbol: "", decimals: 18 }))]);
  const parts = new Map(mine.data.map((m) => [m.program_id, m]));
  const money = (v) => `${fmtAmount(v, token.decimals)} ${token.symbol}`;
  const root = h("div", {});
  if (!programs.data.length) root.append(message("info", t("programs_none")));
  else
    root.append(
      table(
        [
          { key: "program_id", label: "№" },
          { key: "purpose", label: t("programs_purpose") },
          { key: "balance", label: t("programs_balance"), render: (p) => money(p.balance) },
          { key: "members", label: t("programs_members") },
          { key: "status", label: t("programs_status"), render: (p) => t(`programs_${p.status}`) },
          {
            key: "terms",
            label: t("programs_terms"),
            render: (p) => h("a", { href: `#/verify?sha256=${p.terms.replace(/^0x/, "")}`, class: "mono" }, shortAddress(p.terms)),
          },
          { key: "part", label: t("programs_my_part"), render: (p) => (parts.has(p.program_id) ? money(parts.get(p.program_id).part) : "—") },
        ],
        programs.data,
        { testid: "programs" },
      ),
    );
  for (const p of programs.data) root.append(actions(ctx, p, parts.get(p.program_id), token));
  root.append(asOf(programs));
  return root;
}

function actions(ctx, program, mine, token) {
  const id = program.program_id;
  const out = h("div", { class: "outcome" });
  if (!ctx.has("member")) return h("div", {});
  if (!mine) {
    if (program.status !== "open") return h("div", {});
    const join = h("button", { type: "button", id: `program-join-${id}` }, t("programs_join"));
    join.addEventListener("click", () =>
      runner(out)((p) =>
        signAndRelay(ctx, `/programs/${id}/join/typed-data`, {}, (signature, payload) => post(`/programs/${id}/join`, { deadline: payload.typed_data.message.deadline, signature }), p),
      ),
    );
    return section(`№ ${id} · ${program.purpose}`, join, out);
  }
  const amount = field(`program-amount-${id}`, `${t("programs_amount")}, ${token.symbol}`, { required: true, inputmode: "decimal", autocomplete: "off" });
  const form = h("form", { id: `program-contribute-${id}`, class: "inline-form", novalidate: true }, amount, h("button", { type: "submit" }, t("programs_contribute")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    let units;
    try {
      units = parseAmount(amount.input.value, token.decimals);
    } catch (e) {
      out.replaceChildren(message("error", e.message));
      return;
    }
    await runner(out)(async (p) => {
      await sendTx(ctx, "/programs/approval/tx", { amount: units.toString() }, stage(p, 1, 2, t("programs_stage_approve")));
      return sendTx(ctx, `/programs/${id}/contributions/tx`, { amount: units.toString() }, stage(p, 2, 2, t("programs_contribute")));
    });
  });
  const leave = h("button", { type: "button", id: `program-leave-${id}` }, t("programs_leave"));
  leave.addEventListener("click", () => runner(out)((p) => sendTx(ctx, `/programs/${id}/leave/tx`, {}, p)));
  return section(`№ ${id} · ${program.purpose}`, program.status === "open" ? form : null, leave, out);
}

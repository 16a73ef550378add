// The cashier's screen: import a bank statement, see what each payment pays (and what waits
// in the queue, with the reason), confirm the proposals and record them on chain with one
// transaction signed by the cashier's own wallet.

import { ApiError, apiPath, get, post, put, token } from "../api.js";
import { addTexts, t } from "../i18n.js";
import { errorBox, field, h, lazy, message, runner, section, sendPrepared, table } from "../ui.js";
import { needSignIn } from "./membership.js";

addTexts(
  {
    bank_orders: "Платёжные поручения",
    bank_orders_help:
      "Поручения на возврат паевых взносов при выходе, выплаты и займы по решениям совета. Реквизиты получателя — из заявления о выходе, иначе счёт, с которого пайщик платил.",
    bank_orders_issue: "Сформировать поручения по долгам",
    bank_orders_issued: "Новых поручений: {n}.",
    bank_orders_skipped: "Нет реквизитов для возврата: {list}.",
    bank_ours: "Реквизиты кооператива (плательщик)",
    bank_ours_name: "Наименование",
    bank_ours_inn: "ИНН",
    bank_ours_account: "Расчётный счёт",
    bank_ours_bik: "БИК банка",
    bank_orders_file: "Скачать файл для банка (1С «Клиент-банк»)",
    bank_order_no: "№",
    bank_order_kind: "Вид",
    bank_order_payee: "Получатель",
    bank_order_status: "Состояние",
    bank_close: "Закрыть оплаченные в цепочке",
    bank_close_help: "Поручения, оплату которых показала выписка, закрываются на цепочке одной транзакцией кассира.",
    bank_books: "Книги и отчёты",
    bank_ledger: "Пересобрать книги из цепочки и выписок",
    bank_ledger_done: "Проводок: {n}.",
    bank_report: "Отчёт",
    bank_report_osv: "Оборотно-сальдовая ведомость",
    bank_report_register: "Реестр пайщиков",
    bank_report_funds: "Остатки фондов",
    bank_report_member: "Движения пайщика",
    bank_report_1c: "Проводки для загрузки в 1С",
    bank_from: "С",
    bank_to: "По",
    bank_member: "Пайщик (адрес, для движений)",
    bank_format: "Формат",
    bank_download: "Скачать",
    bank_loans: "Займы фонда взаимопомощи в рублях",
    bank_loans_totals: "Рубли фонда: взносы {c}, выдано {l}, возвращено {r}, к возврату {o}, на счёте {cash}.",
    bank_loan_principal: "Сумма",
    bank_loan_repaid: "Возвращено",
    bank_loan_outstanding: "Остаток",
    bank_loan_due: "Срок",
    bank_loan_state: "Состояние",
    bank_loan_ref: "Ссылка для возврата",
    bank_loan_approved: "одобрен, не выдан",
    bank_loan_outstanding_state: "выдан",
    bank_loan_overdue: "просрочен",
    bank_loan_repaid_state: "возвращён",
    bank_refund: "Реквизиты для возврата паевого взноса",
    bank_refund_help:
      "При выходе из кооператива паевой взнос возвращается на этот счёт. Реквизиты хранятся зашифрованными на узле; в цепочку они не попадают.",
    bank_refund_name: "Получатель (ФИО или наименование)",
    bank_refund_account: "Счёт получателя (20 цифр)",
    bank_refund_bik: "БИК банка получателя",
    bank_refund_inn: "ИНН получателя (необязательно)",
    bank_refund_save: "Сохранить реквизиты",
    bank_refund_saved: "Реквизиты сохранены. Их отпечаток SHA-256: {sha}",
  },
  {
    bank_orders: "Payment orders",
    bank_orders_help:
      "Orders refunding shares on exit, payouts and loans by council decisions. The payee's details come from the exit application, else the account the member paid from.",
    bank_orders_issue: "Create orders for amounts owed",
    bank_orders_issued: "New orders: {n}.",
    bank_orders_skipped: "No refund details for: {list}.",
    bank_ours: "The cooperative's account (payer)",
    bank_ours_name: "Name",
    bank_ours_inn: "ИНН",
    bank_ours_account: "Account",
    bank_ours_bik: "Bank БИК",
    bank_orders_file: "Download the file for the bank (1C Client-Bank)",
    bank_order_no: "No.",
    bank_order_kind: "Kind",
    bank_order_payee: "Payee",
    bank_order_status: "Status",
    bank_close: "Close paid orders on chain",
    bank_close_help: "Orders a statement shows paid are closed on chain in one transaction of the cashier.",
    bank_books: "Books and reports",
    bank_ledger: "Rebuild the books from the chain and the statements",
    bank_ledger_done: "Entries: {n}.",
    bank_report: "Report",
    bank_report_osv: "Trial balance (ОСВ)",
    bank_report_register: "Register of members",
    bank_report_funds: "Fund balances",
    bank_report_member: "Movements of a member",
    bank_report_1c: "Entries for 1C",
    bank_from: "From",
    bank_to: "To",
    bank_member: "Member (address, for movements)",
    bank_format: "Format",
    bank_download: "Download",
    bank_loans: "Mutual-aid fund loans in rubles",
    bank_loans_totals: "The fund's rubles: contributed {c}, lent {l}, repaid {r}, outstanding {o}, on the account {cash}.",
    bank_loan_principal: "Amount",
    bank_loan_repaid: "Repaid",
    bank_loan_outstanding: "Outstanding",
    bank_loan_due: "Due",
    bank_loan_state: "State",
    bank_loan_ref: "Reference to repay",
    bank_loan_approved: "approved, not paid out",
    bank_loan_outstanding_state: "outstanding",
    bank_loan_overdue: "overdue",
    bank_loan_repaid_state: "repaid",
    bank_refund: "Bank details for the refund of shares",
    bank_refund_help:
      "When you leave the cooperative, your shares are refunded to this account. The details are stored encrypted on the node, never on chain.",
    bank_refund_name: "Recipient (full name or organisation)",
    bank_refund_account: "Recipient's account (20 digits)",
    bank_refund_bik: "Recipient's bank БИК",
    bank_refund_inn: "Recipient's ИНН (optional)",
    bank_refund_save: "Save the details",
    bank_refund_saved: "Details saved. Their SHA-256 fingerprint: {sha}",
  },
);

/** A file from the gateway (a report, the 1C orders) saved by the browser. */
async function fetchFile(method, path, { query, body } = {}) {
  const url = new URL(apiPath(path), location.origin);
  for (const [k, v] of Object.entries(query ?? {})) if (v) url.searchParams.set(k, v);
  const headers = { Authorization: `Bearer ${token()}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? "file";
  const blob = await response.blob();
  const a = h("a", { href: URL.createObjectURL(blob), download: name, "data-testid": "bank-download" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  return name;
}

const OURS_KEY = "coop.bank.ours";

async function upload(file) {
  const response = await fetch(new URL(apiPath("/bank/statements"), location.origin), {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/octet-stream", Authorization: `Bearer ${token()}` },
    body: await file.arrayBuffer(),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

const COLUMNS = [
  { key: "booked", label: () => t("bank_date") },
  { key: "amount", label: () => t("bank_amount") },
  { key: "payer_name", label: () => t("bank_payer") },
  { key: "purpose", label: () => t("bank_purpose") },
];

function columns(extra) {
  return [...COLUMNS.map((c) => ({ ...c, label: c.label() })), ...extra];
}

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  if (!ctx.has("cashier")) {
    if (!ctx.has("auditor", "council", "chair")) return h("div", { class: "page" }, message("error", t("bank_cashier_only")));
    // Readers of the books: the reports and the fund's ruble loans, nothing to change.
    return h("div", { class: "page" }, h("h1", {}, t("nav_bank")), booksSection(ctx), rubleLoansSection(ctx));
  }
  const status = h("div", { "aria-live": "polite", id: "bank-status" });
  const proposed = h("div", { id: "bank-proposed" });
  const queued = h("div", { id: "bank-queued" });
  const run = h("div", {});

  async function refresh() {
    try {
      const [p, q] = await Promise.all([get("/bank/lines", { status: "proposed" }), get("/bank/lines", { status: "queued" })]);
      const boxes = new Map();
      proposed.replaceChildren(
        table(
          columns([
            { key: "match", label: t("bank_pays"), render: (x) => `${x.match_purpose} ${x.match_account}` },
            {
              key: "pick",
              label: t("bank_confirm"),
              render: (x) => {
                const box = h("input", { type: "checkbox", checked: true, "aria-label": `${t("bank_confirm")} ${x.id}` });
                boxes.set(x.id, box);
                return box;
              },
            },
          ]),
          p,
          { testid: "bank-proposed" },
        ),
        p.length
          ? h(
              "button",
              {
                type: "button",
                id: "bank-confirm",
                onclick: () =>
                  runner(run)(async (progress) => {
                    const ids = [...boxes].filter(([, b]) => b.checked).map(([id]) => id);
                    const { transaction } = await post("/bank/confirm", { ids });
                    progress.step("signed");
                    const receipt = await sendPrepared(ctx, transaction, progress);
                    await post("/bank/sync");
                    await refresh();
                    return receipt;
                  }),
              },
              t("bank_confirm_all"),
            )
          : h("p", { class: "muted" }, t("bank_nothing")),
      );
      queued.replaceChildren(
        table(columns([{ key: "reason", label: t("bank_reason") }]), q, { testid: "bank-queued" }),
      );
    } catch (e) {
      status.replaceChildren(errorBox(e, ctx));
    }
  }

  const input = h("input", { type: "file", id: "bank-file", accept: ".txt,.xml" });
  const importButton = h("button", {
    type: "button",
    id: "bank-import",
    onclick: async () => {
      if (!input.files?.length) return;
      importButton.disabled = true;
      try {
        const r = await upload(input.files[0]);
        const m = await post("/bank/match");
        status.replaceChildren(
          message(
            "ok",
            r.already_imported ? t("bank_already") : t("bank_imported", { n: r.new_lines, p: m.proposed, q: m.queued }),
          ),
        );
        await refresh();
      } catch (e) {
        status.replaceChildren(errorBox(e, ctx));
      } finally {
        importButton.disabled = false;
      }
    },
  }, t("bank_import"));

  refresh();
  return h(
    "div",
    { class: "page" },
    h("h1", {}, t("nav_bank")),
    section(t("bank_statement"), h("label", { for: "bank-file" }, t("bank_file")), input, importButton, status),
    section(t("bank_proposed"), proposed, run),
    section(t("bank_queue"), queued),
    ordersSection(ctx),
    booksSection(ctx),
    rubleLoansSection(ctx),
  );
}

function ordersSection(ctx) {
  const list = h("div", { id: "bank-orders" });
  const status = h("div", { "aria-live": "polite", id: "bank-orders-status" });
  const run = h("div", {});
  const saved = JSON.parse(localStorage.getItem(OURS_KEY) ?? "{}");
  const ours = {
    name: field("bank-ours-name", t("bank_ours_name"), { value: saved.name ?? "" }),
    inn: field("bank-ours-inn", t("bank_ours_inn"), { value: saved.inn ?? "", inputmode: "numeric" }),
    account: field("bank-ours-account", t("bank_ours_account"), { value: saved.account ?? "", inputmode: "numeric" }),
    bik: field("bank-ours-bik", t("bank_ours_bik"), { value: saved.bik ?? "", inputmode: "numeric" }),
  };
  const say = (kind, text) => status.replaceChildren(message(kind, text));

  async function refresh() {
    try {
      const rows = await get("/bank/orders");
      list.replaceChildren(
        table(
          [
            { key: "number", label: t("bank_order_no") },
            { key: "kind", label: t("bank_order_kind") },
            { key: "amount", label: t("bank_amount") },
            { key: "payee", label: t("bank_order_payee"), render: (x) => `${x.payee_name} · ${x.payee_account} · ${x.payee_bik}` },
            { key: "status", label: t("bank_order_status") },
          ],
          rows,
          { testid: "bank-orders" },
        ),
      );
    } catch (e) {
      status.replaceChildren(errorBox(e, ctx));
    }
  }

  const issue = h(
    "button",
    {
      type: "button",
      id: "bank-orders-issue",
      onclick: async () => {
        try {
          const r = await post("/bank/orders");
          say("ok", [t("bank_orders_issued", { n: r.created.length }), r.skipped.length ? ` ${t("bank_orders_skipped", { list: r.skipped.join(", ") })}` : ""].join(""));
          await refresh();
        } catch (e) {
          status.replaceChildren(errorBox(e, ctx));
        }
      },
    },
    t("bank_orders_issue"),
  );
  const download = h(
    "button",
    {
      type: "button",
      id: "bank-orders-file",
      onclick: async () => {
        const body = Object.fromEntries(Object.entries(ours).map(([k, f]) => [k, f.input.value.trim()]));
        localStorage.setItem(OURS_KEY, JSON.stringify(body));
        try {
          const name = await fetchFile("POST", "/bank/orders/file", { body });
          say("ok", `✓ ${name}`);
        } catch (e) {
          status.replaceChildren(errorBox(e, ctx));
        }
      },
    },
    t("bank_orders_file"),
  );
  const close = h(
    "button",
    {
      type: "button",
      id: "bank-close",
      onclick: () =>
        runner(run)(async (progress) => {
          await post("/bank/match");
          const { transaction } = await post("/bank/close");
          progress.step("signed");
          const receipt = await sendPrepared(ctx, transaction, progress);
          await post("/bank/sync");
          await refresh();
          return receipt;
        }),
    },
    t("bank_close"),
  );
  refresh();
  return section(
    t("bank_orders"),
    h("p", { class: "muted" }, t("bank_orders_help")),
    list,
    issue,
    h("fieldset", {}, h("legend", {}, t("bank_ours")), ...Object.values(ours)),
    download,
    h("p", { class: "muted" }, t("bank_close_help")),
    close,
    status,
    run,
  );
}

/** The books' reports (cashier, auditor, council, chair) and, for the cashier, the rebuild. */
function booksSection(ctx) {
  const status = h("div", { "aria-live": "polite", id: "bank-books-status" });
  const year = new Date().getFullYear();
  const kind = h(
    "select",
    { id: "bank-report-kind" },
    ["osv", "register", "funds", "member", "1c"].map((k) => h("option", { value: k }, t(`bank_report_${k}`))),
  );
  const from = field("bank-from", t("bank_from"), { type: "date", value: `${year}-01-01` });
  const to = field("bank-to", t("bank_to"), { type: "date", value: `${year}-12-31` });
  const member = field("bank-member", t("bank_member"), { placeholder: "0x…" });
  const format = h("select", { id: "bank-format" }, h("option", { value: "xlsx" }, "XLSX"), h("option", { value: "csv" }, "CSV"));
  const download = h(
    "button",
    {
      type: "button",
      id: "bank-report",
      onclick: async () => {
        try {
          const name = await fetchFile("GET", `/bank/reports/${kind.value}`, {
            query: { from: from.input.value, to: to.input.value, format: format.value, member: member.input.value.trim() },
          });
          status.replaceChildren(message("ok", `✓ ${name}`));
        } catch (e) {
          status.replaceChildren(errorBox(e, ctx));
        }
      },
    },
    t("bank_download"),
  );
  const rebuild = ctx.has("cashier")
    ? h(
        "button",
        {
          type: "button",
          id: "bank-ledger",
          onclick: async () => {
            try {
              const r = await post("/bank/ledger");
              status.replaceChildren(message("ok", t("bank_ledger_done", { n: r.entries })));
            } catch (e) {
              status.replaceChildren(errorBox(e, ctx));
            }
          },
        },
        t("bank_ledger"),
      )
    : null;
  return section(
    t("bank_books"),
    rebuild,
    h("div", { class: "field" }, h("label", { for: "bank-report-kind" }, t("bank_report")), kind),
    from,
    to,
    member,
    h("div", { class: "field" }, h("label", { for: "bank-format" }, t("bank_format")), format),
    download,
    status,
  );
}

const LOAN_STATE = {
  approved: "bank_loan_approved",
  outstanding: "bank_loan_outstanding_state",
  overdue: "bank_loan_overdue",
  repaid: "bank_loan_repaid_state",
};

/** The fund's ruble loans: one's own for a member, all for the cashier, council, auditors. */
export function rubleLoansSection(ctx) {
  return lazy(async () => {
    const book = await get("/bank/loans").catch((e) => (e.status === 503 ? null : Promise.reject(e)));
    if (!book) return h("div", {});
    const x = book.totals;
    return section(
      t("bank_loans"),
      h("p", { "data-testid": "bank-fund-rubles" }, t("bank_loans_totals", { c: x.contributed, l: x.lent, r: x.repaid, o: x.outstanding, cash: x.cash })),
      table(
        [
          { key: "loan_id", label: t("bank_order_no") },
          { key: "borrower", label: t("bank_member") },
          { key: "principal", label: t("bank_loan_principal") },
          { key: "repaid", label: t("bank_loan_repaid") },
          { key: "outstanding", label: t("bank_loan_outstanding") },
          { key: "due", label: t("bank_loan_due") },
          { key: "state", label: t("bank_loan_state"), render: (l) => t(LOAN_STATE[l.state] ?? l.state) },
          { key: "reference", label: t("bank_loan_ref"), render: (l) => (l.reference ? h("code", {}, l.reference) : "") },
        ],
        book.loans,
        { testid: "bank-ruble-loans" },
      ),
    );
  }, ctx);
}

/** For a member: the bank details the share refund on exit is paid to (sealed on the node). */
export function refundSection(ctx) {
  const status = h("div", { "aria-live": "polite", id: "bank-refund-status" });
  const fields = {
    name: field("bank-refund-name", t("bank_refund_name"), { autocomplete: "name" }),
    account: field("bank-refund-account", t("bank_refund_account"), { inputmode: "numeric", maxlength: 20 }),
    bik: field("bank-refund-bik", t("bank_refund_bik"), { inputmode: "numeric", maxlength: 9 }),
    inn: field("bank-refund-inn", t("bank_refund_inn"), { inputmode: "numeric", maxlength: 12 }),
  };
  get("/bank/refund-details")
    .then((r) => {
      for (const [k, f] of Object.entries(fields)) f.input.value = r[k] ?? "";
    })
    .catch(() => {});
  const save = h(
    "button",
    {
      type: "button",
      id: "bank-refund-save",
      onclick: async () => {
        const body = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.input.value.trim()]));
        try {
          const r = await put("/bank/refund-details", body);
          status.replaceChildren(message("ok", t("bank_refund_saved", { sha: r.sha256 })));
        } catch (e) {
          status.replaceChildren(errorBox(e, ctx));
        }
      },
    },
    t("bank_refund_save"),
  );
  return section(t("bank_refund"), h("p", { class: "muted" }, t("bank_refund_help")), ...Object.values(fields), save, status);
}

/** For every member: what to write in a bank transfer's purpose (shown on the membership page). */
export function referencesSection(ctx) {
  return lazy(async () => {
    const r = await get("/bank/references");
    if (!r.index) return h("div", {});
    return section(
      t("bank_references"),
      h("p", { class: "muted" }, t("bank_references_hint")),
      table(
        [
          { key: "code", label: t("bank_pays"), render: (x) => t(`bank_code_${x.code}`) },
          { key: "reference", label: t("bank_reference"), render: (x) => h("code", { "data-testid": `ref-${x.code}` }, x.reference) },
        ],
        r.references,
        { testid: "bank-references" },
      ),
    );
  }, ctx);
}

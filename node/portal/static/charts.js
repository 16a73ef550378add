// Pictures as inline SVG drawn by our own code: step lines over time, bars, and the graph of
// obligations between members (before and after a clearing). Every picture has a title and a
// text description for screen readers.

const NS = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function frame(title, width, height) {
  const id = `c-${Math.random().toString(36).slice(2, 8)}`;
  return s(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": id, class: "chart", preserveAspectRatio: "xMidYMid meet" },
    s("title", { id }, title),
  );
}

/** Step lines over time. series: [{label, points: [[t, y]...], cls}], y as numbers (counts,
 * or amounts already scaled for drawing only). */
export function stepChart(title, series, { width = 640, height = 260, format = String, formatX = null } = {}) {
  const svg = frame(title, width, height);
  const pad = { l: 56, r: 16, t: 16, b: 56 };
  const all = series.flatMap((x) => x.points);
  if (!all.length) return svg;
  const t0 = Math.min(...all.map((p) => p[0]));
  let t1 = Math.max(...all.map((p) => p[0]));
  if (t1 === t0) t1 = t0 + 1;
  const ymax = Math.max(1, ...all.map((p) => p[1]));
  const x = (t) => pad.l + ((t - t0) / (t1 - t0)) * (width - pad.l - pad.r);
  const y = (v) => height - pad.b - (v / ymax) * (height - pad.t - pad.b);
  svg.append(s("line", { x1: pad.l, y1: y(0), x2: width - pad.r, y2: y(0), class: "axis" }));
  svg.append(s("line", { x1: pad.l, y1: pad.t, x2: pad.l, y2: y(0), class: "axis" }));
  for (const frac of [0.5, 1]) {
    svg.append(s("text", { x: pad.l - 6, y: y(ymax * frac) + 4, "text-anchor": "end", class: "tick" }, format(ymax * frac)));
  }
  if (formatX) {
    svg.append(s("text", { x: pad.l, y: y(0) + 16, class: "tick" }, formatX(t0)));
    svg.append(s("text", { x: width - pad.r, y: y(0) + 16, "text-anchor": "end", class: "tick" }, formatX(t1)));
  }
  series.forEach((ser, i) => {
    if (!ser.points.length) return;
    let d = `M ${x(ser.points[0][0])} ${y(ser.points[0][1])}`;
    for (let k = 1; k < ser.points.length; k++) {
      d += ` H ${x(ser.points[k][0])} V ${y(ser.points[k][1])}`;
    }
    d += ` H ${width - pad.r}`;
    svg.append(s("path", { d, class: `series series-${i}` }));
    svg.append(s("rect", { x: pad.l + i * 200, y: height - 18, width: 12, height: 12, class: `swatch series-${i}` }));
    svg.append(s("text", { x: pad.l + i * 200 + 18, y: height - 8, class: "legend" }, ser.label));
  });
  return svg;
}

/** Horizontal bars, positive and negative around a zero line. bars: [{label, value, text}]. */
export function barChart(title, bars, { width = 640 } = {}) {
  const row = 26;
  const height = Math.max(60, bars.length * row + 20);
  const svg = frame(title, width, height);
  const labelW = 120;
  const max = Math.max(1e-9, ...bars.map((b) => Math.abs(b.value)));
  const mid = labelW + (width - labelW - 16) / 2;
  const half = (width - labelW - 16) / 2 - 70;
  svg.append(s("line", { x1: mid, y1: 4, x2: mid, y2: height - 4, class: "axis" }));
  bars.forEach((b, i) => {
    const yy = 10 + i * row;
    const w = (Math.abs(b.value) / max) * half;
    const x0 = b.value >= 0 ? mid : mid - w;
    svg.append(s("text", { x: 4, y: yy + 14, class: "legend" }, b.label));
    svg.append(s("rect", { x: x0, y: yy, width: Math.max(1, w), height: row - 8, class: b.value >= 0 ? "bar-pos" : "bar-neg" }));
    svg.append(
      s("text", { x: b.value >= 0 ? mid + w + 4 : mid - w - 4, y: yy + 14, "text-anchor": b.value >= 0 ? "start" : "end", class: "tick" }, b.text),
    );
  });
  return svg;
}

/** Members on a circle, an arrow debtor -> creditor per open obligation, thicker for more. */
export function obligationGraph(title, nodes, edges, { width = 320, height = 300, label = (n) => n } = {}) {
  const svg = frame(title, width, height);
  const id = `arrow-${Math.random().toString(36).slice(2, 8)}`;
  svg.append(
    s("defs", {}, s("marker", { id, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" }, s("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" }))),
  );
  const cx = width / 2;
  const cy = height / 2;
  const r = Math.min(width, height) / 2 - 40;
  const pos = new Map();
  nodes.forEach((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, nodes.length) - Math.PI / 2;
    pos.set(n, [cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  });
  const max = Math.max(1e-9, ...edges.map((e) => e.value));
  for (const e of edges) {
    const [x1, y1] = pos.get(e.from) ?? [cx, cy];
    const [x2, y2] = pos.get(e.to) ?? [cx, cy];
    const len = Math.hypot(x2 - x1, y2 - y1) || 1;
    const k = 14 / len;
    svg.append(
      s("line", {
        x1: x1 + (x2 - x1) * k,
        y1: y1 + (y2 - y1) * k,
        x2: x2 - (x2 - x1) * k,
        y2: y2 - (y2 - y1) * k,
        "stroke-width": 1 + 4 * (e.value / max),
        class: "edge",
        "marker-end": `url(#${id})`,
      }),
    );
  }
  for (const n of nodes) {
    const [x, y] = pos.get(n);
    svg.append(s("circle", { cx: x, cy: y, r: 12, class: "node" }));
    svg.append(s("text", { x, y: y + (y < cy ? -16 : 26), "text-anchor": "middle", class: "tick" }, label(n)));
  }
  return svg;
}

/* The inner loops of the clearing engine (node/clearing/engine.py), for int64 amounts.
 *
 * A line-by-line port of engine._shortest_cycles (shortest cycle per edge by a two-sided
 * breadth-first search), engine._decompose_cycles (the short-cycle walk, for what the
 * search's work bounds leave) and engine._pack_chunks (packing cycles into chunks), plus the
 * JSON text of a plan: the same algorithm and the same output as the Python code, which
 * stays the reference (and is used when this file cannot be compiled, or for amounts beyond
 * int64). The Python docstrings explain the method; comments here only map the C onto them.
 *
 * Built on first use by node/clearing/_native.py (cc -O2 -shared) and called through ctypes.
 * Every array is owned by the caller except the outputs of coop_plan_chunks, which the
 * caller frees with coop_free.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int64_t i64;

/* A growable int64 array. */
typedef struct {
    i64 *data;
    i64 len, cap;
} vec;

static int vec_push(vec *v, i64 x) {
    if (v->len == v->cap) {
        i64 cap = v->cap ? 2 * v->cap : 1024;
        i64 *data = realloc(v->data, (size_t)cap * sizeof(i64));
        if (!data) return -1;
        v->data = data;
        v->cap = cap;
    }
    v->data[v->len++] = x;
    return 0;
}

/* _pack_chunks's state: the current chunk as edge -> amount (cur_amt, 0 = absent) plus the
 * list of its edges in insertion order. */
typedef struct {
    const i64 *ids;
    i64 max_per_chunk;
    i64 *cur_amt;
    i64 *cur_list;
    i64 count;
    vec chunk_ptr, out_ids, out_amounts;
} packer;

static int cmp_i64(const void *a, const void *b) {
    i64 x = *(const i64 *)a, y = *(const i64 *)b;
    return (x > y) - (x < y);
}

static int flush(packer *p) {
    /* edges are numbered in id order: sorting by edge sorts by id */
    qsort(p->cur_list, (size_t)p->count, sizeof(i64), cmp_i64);
    for (i64 i = 0; i < p->count; i++) {
        i64 e = p->cur_list[i];
        if (vec_push(&p->out_ids, p->ids[e]) || vec_push(&p->out_amounts, p->cur_amt[e]))
            return -1;
        p->cur_amt[e] = 0;
    }
    p->count = 0;
    return vec_push(&p->chunk_ptr, p->out_ids.len);
}

/* One cycle (original edges, distinct) cleared by `amount`, as _pack_chunks takes it. */
static int pack_cycle(packer *p, const i64 *cycle, i64 len, i64 amount) {
    i64 before = p->count;
    for (i64 i = 0; i < len; i++) {
        i64 e = cycle[i];
        if (!p->cur_amt[e]) p->cur_list[p->count++] = e;
        p->cur_amt[e] += amount;
    }
    if (p->count > p->max_per_chunk && before) {
        /* does not fit: take it back out (new entries drop to zero) and start a new chunk */
        for (i64 i = 0; i < len; i++) p->cur_amt[cycle[i]] -= amount;
        p->count = before;
        if (flush(p)) return -1;
        for (i64 i = 0; i < len; i++) {
            p->cur_list[p->count++] = cycle[i];
            p->cur_amt[cycle[i]] = amount;
        }
    }
    if (p->count >= p->max_per_chunk) return flush(p);
    return 0;
}

/* CSR adjacency of the edges with flow, in edge order (the Python lists out / inn). */
static int build_adj(i64 n, i64 m, const i64 *ends, const i64 *flow, i64 **start_out,
                     i64 **adj_out) {
    i64 *start = calloc((size_t)n + 1, sizeof(i64));
    i64 *fill = malloc(((size_t)n + 1) * sizeof(i64));
    i64 *adj = malloc(((size_t)m + 1) * sizeof(i64));
    if (!start || !fill || !adj) {
        free(start), free(fill), free(adj);
        return -1;
    }
    for (i64 e = 0; e < m; e++)
        if (flow[e] > 0) start[ends[e] + 1]++;
    for (i64 v = 0; v < n; v++) start[v + 1] += start[v];
    memcpy(fill, start, ((size_t)n + 1) * sizeof(i64));
    for (i64 e = 0; e < m; e++)
        if (flow[e] > 0) adj[fill[ends[e]]++] = e;
    free(fill);
    *start_out = start;
    *adj_out = adj;
    return 0;
}

/* Expand a cycle of super-edges into original edges (chain_ptr/chain_edges) and pack it. */
static int emit(packer *p, const i64 *cycle, i64 len, i64 amount, const i64 *chain_ptr,
                const i64 *chain_edges, vec *scratch) {
    scratch->len = 0;
    for (i64 i = 0; i < len; i++)
        for (i64 j = chain_ptr[cycle[i]]; j < chain_ptr[cycle[i] + 1]; j++)
            if (vec_push(scratch, chain_edges[j])) return -1;
    return pack_cycle(p, scratch->data, scratch->len, amount);
}

/* engine._shortest_cycles before the walk: for every edge e0 in order, while it has flow
 * left, the shortest cycle through it by a two-sided breadth-first search over the edges
 * with flow left (adjacency lists compacted as they are scanned), cancelled and packed.
 * Same levels, same scan order, same ties, same bounds as the Python code. Updates
 * `remaining`; the walk decomposes what is left. Returns 0, -1 (memory), -2 (not a
 * circulation). */
static int shortest_cycles(packer *p, i64 n, i64 m, const i64 *tails, const i64 *heads,
                           i64 *remaining, const i64 *chain_ptr, const i64 *chain_edges,
                           vec *scratch, i64 search_limit, i64 search_per_edge,
                           i64 search_base) {
    int rc = -1;
    i64 *out_start = NULL, *out_adj = NULL, *in_start = NULL, *in_adj = NULL;
    i64 *out_len = malloc(((size_t)n + 1) * sizeof(i64));
    i64 *in_len = malloc(((size_t)n + 1) * sizeof(i64));
    i64 *fseen = malloc(((size_t)n + 1) * sizeof(i64));
    i64 *bseen = malloc(((size_t)n + 1) * sizeof(i64));
    i64 *fedge = malloc(((size_t)n + 1) * sizeof(i64));
    i64 *bedge = malloc(((size_t)n + 1) * sizeof(i64));
    i64 *fdist = malloc(((size_t)n + 1) * sizeof(i64));
    i64 *bdist = malloc(((size_t)n + 1) * sizeof(i64));
    i64 *fq = malloc(((size_t)n + 1) * sizeof(i64));
    i64 *bq = malloc(((size_t)n + 1) * sizeof(i64));
    i64 *cycle = malloc(((size_t)n + 2) * sizeof(i64));
    if (!out_len || !in_len || !fseen || !bseen || !fedge || !bedge || !fdist || !bdist ||
        !fq || !bq || !cycle)
        goto done;
    if (build_adj(n, m, tails, remaining, &out_start, &out_adj)) goto done;
    if (build_adj(n, m, heads, remaining, &in_start, &in_adj)) goto done;
    for (i64 v = 0; v < n; v++) {
        out_len[v] = out_start[v + 1] - out_start[v];
        in_len[v] = in_start[v + 1] - in_start[v];
        fseen[v] = bseen[v] = -1;
    }
    i64 total_limit = search_per_edge * m + search_base, work = 0, sid = 0;
    for (i64 e0 = 0; e0 < m; e0++) {
        while (remaining[e0] > 0 && work <= total_limit) {
            i64 u = heads[e0], t = tails[e0];
            fseen[u] = sid, fedge[u] = -1, fdist[u] = 0;
            bseen[t] = sid, bedge[t] = -1, bdist[t] = 0;
            fq[0] = u, bq[0] = t;
            i64 f_lo = 0, f_hi = 1, b_lo = 0, b_hi = 1, scanned = 0;
            i64 best = (i64)1 << 62, meet_f = -1, meet_b = -1, meet_e = -1;
            while (meet_e < 0 && scanned <= search_limit) {
                i64 f_end = f_hi, b_end = b_hi;
                if (f_lo == f_end || b_lo == b_end) {
                    rc = -2;
                    goto done;
                }
                if (f_end - f_lo <= b_end - b_lo) {
                    for (i64 i = f_lo; i < f_end; i++) {
                        if (scanned > search_limit || meet_e >= 0) break;
                        i64 v = fq[i], *adj = out_adj + out_start[v], len = out_len[v], w = 0;
                        scanned += len;
                        for (i64 j = 0; j < len; j++) {
                            i64 e = adj[j];
                            if (!remaining[e]) continue;
                            adj[w++] = e;
                            i64 y = heads[e];
                            if (bseen[y] == sid) {
                                if (fdist[v] + bdist[y] < best)
                                    best = fdist[v] + bdist[y], meet_f = v, meet_b = y,
                                    meet_e = e;
                            } else if (fseen[y] != sid) {
                                fseen[y] = sid, fedge[y] = e, fdist[y] = fdist[v] + 1;
                                fq[f_hi++] = y;
                            }
                        }
                        out_len[v] = w;
                    }
                    f_lo = f_end;
                } else {
                    for (i64 i = b_lo; i < b_end; i++) {
                        if (scanned > search_limit || meet_e >= 0) break;
                        i64 v = bq[i], *adj = in_adj + in_start[v], len = in_len[v], w = 0;
                        scanned += len;
                        for (i64 j = 0; j < len; j++) {
                            i64 e = adj[j];
                            if (!remaining[e]) continue;
                            adj[w++] = e;
                            i64 x = tails[e];
                            if (fseen[x] == sid) {
                                if (fdist[x] + bdist[v] < best)
                                    best = fdist[x] + bdist[v], meet_f = x, meet_b = v,
                                    meet_e = e;
                            } else if (bseen[x] != sid) {
                                bseen[x] = sid, bedge[x] = e, bdist[x] = bdist[v] + 1;
                                bq[b_hi++] = x;
                            }
                        }
                        in_len[v] = w;
                    }
                    b_lo = b_end;
                }
            }
            sid++;
            work += scanned;
            if (meet_e < 0) break; /* too far: leave this edge to the walk */
            /* e0, the path u -> meet_f, meet_e, the path meet_b -> t */
            i64 len = 1 + fdist[meet_f];
            cycle[0] = e0;
            for (i64 x = meet_f, k = len - 1; fedge[x] >= 0; x = tails[fedge[x]], k--)
                cycle[k] = fedge[x];
            cycle[len++] = meet_e;
            for (i64 x = meet_b; bedge[x] >= 0; x = heads[bedge[x]]) cycle[len++] = bedge[x];
            i64 amount = remaining[cycle[0]];
            for (i64 j = 1; j < len; j++)
                if (remaining[cycle[j]] < amount) amount = remaining[cycle[j]];
            for (i64 j = 0; j < len; j++) remaining[cycle[j]] -= amount;
            if (emit(p, cycle, len, amount, chain_ptr, chain_edges, scratch)) goto done;
        }
    }
    rc = 0;
done:
    free(out_start), free(out_adj), free(in_start), free(in_adj), free(out_len), free(in_len);
    free(fseen), free(bseen), free(fedge), free(bedge), free(fdist), free(bdist), free(fq);
    free(bq), free(cycle);
    return rc;
}

/* The plan's chunks: the closed loops first (loop_ptr/loop_edges, each cleared by
 * loop_amounts), then the cycles of the walk over the reduced graph (n nodes, m super-edges
 * tails/heads carrying flow), expanded onto original edges (m_orig of them, ids in id
 * order). Outputs: chunk k is entries chunk_ptr[k]..chunk_ptr[k+1]-1 of ids/amounts.
 * Returns 0, -1 when out of memory, -2 when the flow is not a circulation. */
int coop_plan_chunks(i64 n, i64 m, const i64 *tails, const i64 *heads, const i64 *flow,
                     const i64 *chain_ptr, const i64 *chain_edges, i64 n_loops,
                     const i64 *loop_ptr, const i64 *loop_edges, const i64 *loop_amounts,
                     i64 m_orig, const i64 *ids, i64 max_per_chunk, i64 window, i64 scan_limit,
                     i64 search_limit, i64 search_per_edge, i64 search_base,
                     i64 *n_chunks_out, i64 **chunk_ptr_out, i64 *n_entries_out,
                     i64 **ids_out, i64 **amounts_out) {
    int rc = -1;
    packer p = {0};
    vec scratch = {0};
    i64 *remaining = NULL, *out_start = NULL, *out_adj = NULL, *in_start = NULL,
        *in_adj = NULL, *out_from = NULL, *in_from = NULL, *pos = NULL, *near_edge = NULL,
        *pnodes = NULL, *pedges = NULL, *cycle = NULL;
    p.ids = ids;
    p.max_per_chunk = max_per_chunk;
    p.cur_amt = calloc((size_t)m_orig + 1, sizeof(i64));
    p.cur_list = malloc(((size_t)m_orig + 1) * sizeof(i64));
    if (!p.cur_amt || !p.cur_list || vec_push(&p.chunk_ptr, 0)) goto done;

    for (i64 k = 0; k < n_loops; k++)
        if (pack_cycle(&p, loop_edges + loop_ptr[k], loop_ptr[k + 1] - loop_ptr[k],
                       loop_amounts[k]))
            goto done;

    remaining = malloc(((size_t)m + 1) * sizeof(i64));
    out_from = calloc((size_t)n + 1, sizeof(i64));
    in_from = calloc((size_t)n + 1, sizeof(i64));
    pos = malloc(((size_t)n + 1) * sizeof(i64));
    near_edge = malloc(((size_t)n + 1) * sizeof(i64));
    /* the path lives in pnodes/pedges[h..t); it is a simple path (at most n nodes), and
     * when its window reaches the end of the buffer it is moved back to the front */
    i64 cap = 2 * n + 4;
    pnodes = malloc((size_t)cap * sizeof(i64));
    pedges = malloc((size_t)cap * sizeof(i64));
    cycle = malloc(((size_t)n + 2) * sizeof(i64));
    if (!remaining || !out_from || !in_from || !pos || !near_edge || !pnodes || !pedges ||
        !cycle)
        goto done;
    if (m) memcpy(remaining, flow, (size_t)m * sizeof(i64));
    rc = shortest_cycles(&p, n, m, tails, heads, remaining, chain_ptr, chain_edges, &scratch,
                         search_limit, search_per_edge, search_base);
    if (rc) goto done;
    rc = -1;
    /* the walk decomposes what the searches left */
    if (build_adj(n, m, tails, remaining, &out_start, &out_adj)) goto done;
    if (build_adj(n, m, heads, remaining, &in_start, &in_adj)) goto done;
    for (i64 v = 0; v < n; v++) {
        out_from[v] = out_start[v];
        in_from[v] = in_start[v];
        pos[v] = -1;
        near_edge[v] = -1;
    }
    i64 end = 0, recent16 = 0, span = window;
    for (i64 s = 0; s < n; s++) {
        for (;;) {
            i64 k = out_from[s];
            while (k < out_start[s + 1] && !remaining[out_adj[k]]) k++;
            out_from[s] = k;
            if (k == out_start[s + 1]) break; /* s has no flow left */
            i64 base = end, h = 0, t = 1;    /* path: nodes pnodes[h..t), edges [h..t-1) */
            pnodes[0] = s;
            pos[s] = base;
            end = base + 1;
            {
                i64 a = in_from[s], b = in_from[s] + scan_limit;
                if (b > in_start[s + 1]) b = in_start[s + 1];
                for (i64 j = a; j < b; j++)
                    if (remaining[in_adj[j]]) near_edge[tails[in_adj[j]]] = in_adj[j];
            }
            i64 since = 0;
            for (;;) {
                i64 v = pnodes[t - 1];
                i64 reach = since < span ? span : since;
                i64 lo = end - reach > base ? end - reach : base;
                i64 best_len = (i64)1 << 62, best_at = -1, best_e = -1, best_f = -1, step = -1;
                i64 k0 = out_from[v], deg_end = out_start[v + 1];
                i64 k1 = k0 + scan_limit < deg_end ? k0 + scan_limit : deg_end;
                int dirty = 0;
                for (i64 j = k0; j < k1; j++) {
                    i64 e = out_adj[j];
                    if (!remaining[e]) {
                        dirty = 1;
                        continue;
                    }
                    i64 y = heads[e], i = pos[y];
                    if (i >= 0) {
                        if (end - i < best_len) best_len = end - i, best_at = i, best_e = e,
                                                best_f = -1;
                        continue;
                    }
                    if (step < 0) step = e;
                    i64 f = near_edge[y];
                    if (f >= 0) {
                        i64 q = pos[heads[f]];
                        if (q >= lo && end - q + 1 < best_len && remaining[f])
                            best_len = end - q + 1, best_at = q, best_e = e, best_f = f;
                    }
                }
                if (dirty) {
                    /* live edges move to the end of the window, in order; dry ones drop */
                    i64 w = k1;
                    for (i64 j = k1 - 1; j >= k0; j--)
                        if (remaining[out_adj[j]]) out_adj[--w] = out_adj[j];
                    out_from[v] = w;
                    if (best_e < 0 && step < 0 && k1 < deg_end) continue;
                }
                if (best_e < 0 || (best_f < 0 && best_at < lo && step >= 0)) {
                    if (step < 0) {
                        if (t - h > 1) {
                            rc = -2;
                            goto done;
                        }
                        break; /* the walk's first node has no flow left */
                    }
                    i64 w = heads[step];
                    if (t + 1 >= cap) { /* move the path back to the front of the buffer */
                        memmove(pnodes, pnodes + h, (size_t)(t - h) * sizeof(i64));
                        memmove(pedges, pedges + h, (size_t)(t - h) * sizeof(i64));
                        t -= h;
                        h = 0;
                    }
                    pos[w] = end;
                    pedges[t - 1] = step;
                    pnodes[t++] = w;
                    i64 a = in_from[w], b = in_from[w] + scan_limit;
                    if (b > in_start[w + 1]) b = in_start[w + 1];
                    int dirty_in = 0;
                    for (i64 j = a; j < b; j++) {
                        i64 e = in_adj[j];
                        if (remaining[e])
                            near_edge[tails[e]] = e;
                        else
                            dirty_in = 1;
                    }
                    if (dirty_in) {
                        i64 q = b;
                        for (i64 j = b - 1; j >= a; j--)
                            if (remaining[in_adj[j]]) in_adj[--q] = in_adj[j];
                        in_from[w] = q;
                    }
                    end++;
                    since++;
                    reach = since < span ? span : since;
                    if (t - h > reach + 1) {
                        i64 drop = t - h - reach - 1;
                        for (i64 j = h; j < h + drop; j++) pos[pnodes[j]] = -1;
                        h += drop;
                        base += drop;
                    }
                    continue;
                }
                i64 at = best_at - base; /* index on the path */
                i64 len = 0;
                for (i64 j = h + at; j < t - 1; j++) cycle[len++] = pedges[j];
                cycle[len++] = best_e;
                if (best_f >= 0) cycle[len++] = best_f;
                i64 amount = remaining[cycle[0]];
                for (i64 j = 1; j < len; j++)
                    if (remaining[cycle[j]] < amount) amount = remaining[cycle[j]];
                for (i64 j = 0; j < len; j++) remaining[cycle[j]] -= amount;
                recent16 += len - (recent16 >> 4);
                span = window > (recent16 >> 3) ? window : (recent16 >> 3);
                if (emit(&p, cycle, len, amount, chain_ptr, chain_edges, &scratch)) goto done;
                since = 0;
                i64 n_path = t - h - 1, first = at;
                while (first < n_path && remaining[pedges[h + first]]) first++;
                if (first < n_path) {
                    i64 last = n_path - 1;
                    while (remaining[pedges[h + last]]) last--;
                    if (n_path - last - 1 > first) { /* keep the suffix: re-root there */
                        i64 drop = last + 1;
                        for (i64 j = h; j < h + drop; j++) pos[pnodes[j]] = -1;
                        h += drop;
                        base += drop;
                    } else {
                        for (i64 j = h + first + 1; j < t; j++) pos[pnodes[j]] = -1;
                        t = h + first + 1;
                        end = base + (t - h);
                    }
                }
            }
            pos[pnodes[h]] = -1;
        }
    }
    if (p.count && flush(&p)) goto done;
    rc = 0;
done:
    free(remaining), free(out_start), free(out_adj), free(in_start), free(in_adj);
    free(out_from), free(in_from), free(pos), free(near_edge), free(pnodes), free(pedges);
    free(cycle), free(scratch.data), free(p.cur_amt), free(p.cur_list);
    if (rc) {
        free(p.chunk_ptr.data), free(p.out_ids.data), free(p.out_amounts.data);
        return rc;
    }
    *n_chunks_out = p.chunk_ptr.len - 1;
    *chunk_ptr_out = p.chunk_ptr.data;
    *n_entries_out = p.out_ids.len;
    *ids_out = p.out_ids.data;
    *amounts_out = p.out_amounts.data;
    return 0;
}

void coop_free(void *ptr) { free(ptr); }

/* Decimal digits of x (>= 0) written backwards ending at `end`; returns the start. */
static char *put_int(char *end, i64 x) {
    do {
        *--end = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    return end;
}

static char *put_entry(char *out, i64 id, i64 amount) {
    char buf[48];
    char *b = buf + sizeof buf, *a;
    a = put_int(b, amount);
    static const char head[] = "{\"id\":", mid[] = ",\"amount\":";
    memcpy(out, head, 6);
    out += 6;
    char buf2[24];
    char *c = put_int(buf2 + sizeof buf2, id);
    memcpy(out, c, (size_t)(buf2 + sizeof buf2 - c));
    out += buf2 + sizeof buf2 - c;
    memcpy(out, mid, 10);
    out += 10;
    memcpy(out, a, (size_t)(b - a));
    out += b - a;
    *out++ = '}';
    return out;
}

/* The "[{...},...]" lists of io.plan_to_json for the settlements and the chunks, into
 * `out` (the caller sizes it: 64 bytes per entry and 4 per list are enough). Returns the
 * number of bytes written. Layout matches io._entries_json and plan_to_json exactly. */
i64 coop_entries_json(i64 n_lists, const i64 *ptr, const i64 *ids, const i64 *amounts,
                      const char *sep, char *out) {
    char *o = out;
    size_t sep_len = strlen(sep);
    for (i64 k = 0; k < n_lists; k++) {
        if (k) {
            memcpy(o, sep, sep_len);
            o += sep_len;
        }
        *o++ = '[';
        for (i64 j = ptr[k]; j < ptr[k + 1]; j++) {
            if (j > ptr[k]) *o++ = ',';
            o = put_entry(o, ids[j], amounts[j]);
        }
        *o++ = ']';
    }
    return o - out;
}

/* engine._strong_components: component id per node (Tarjan's algorithm, iterative), into
 * comp. The same numbering as the Python code. Returns 0, or -1 when out of memory. */
int coop_strong_components(i64 n, i64 m, const i64 *tails, const i64 *heads, i64 *comp) {
    int rc = -1;
    i64 *start = NULL, *adj = NULL, *index = NULL, *low = NULL, *stack = NULL, *work = NULL,
        *child = NULL;
    char *on_stack = NULL;
    i64 *ones = malloc(((size_t)m + 1) * sizeof(i64));
    if (!ones) return -1;
    for (i64 e = 0; e < m; e++) ones[e] = 1;
    /* out-neighbours in edge order (build_adj lists edges; map them to heads below) */
    if (build_adj(n, m, tails, ones, &start, &adj)) goto done;
    for (i64 j = 0; j < m; j++) adj[j] = heads[adj[j]];
    index = malloc(((size_t)n + 1) * sizeof(i64));
    low = malloc(((size_t)n + 1) * sizeof(i64));
    stack = malloc(((size_t)n + 1) * sizeof(i64));
    work = malloc(((size_t)n + 1) * sizeof(i64));
    child = malloc(((size_t)n + 1) * sizeof(i64));
    on_stack = calloc((size_t)n + 1, 1);
    if (!index || !low || !stack || !work || !child || !on_stack) goto done;
    for (i64 v = 0; v < n; v++) index[v] = -1, comp[v] = -1;
    i64 counter = 0, n_comp = 0, sp = 0;
    for (i64 root = 0; root < n; root++) {
        if (index[root] >= 0) continue;
        index[root] = low[root] = counter++;
        stack[sp++] = root;
        on_stack[root] = 1;
        i64 wp = 0;
        work[wp] = root;
        child[wp++] = 0;
        while (wp) {
            i64 v = work[wp - 1], i = child[wp - 1];
            if (i < start[v + 1] - start[v]) {
                child[wp - 1] = i + 1;
                i64 w = adj[start[v] + i];
                if (index[w] < 0) {
                    index[w] = low[w] = counter++;
                    stack[sp++] = w;
                    on_stack[w] = 1;
                    work[wp] = w;
                    child[wp++] = 0;
                } else if (on_stack[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            wp--;
            if (wp && low[v] < low[work[wp - 1]]) low[work[wp - 1]] = low[v];
            if (low[v] == index[v]) {
                for (;;) {
                    i64 w = stack[--sp];
                    on_stack[w] = 0;
                    comp[w] = n_comp;
                    if (w == v) break;
                }
                n_comp++;
            }
        }
    }
    rc = 0;
done:
    free(ones), free(start), free(adj), free(index), free(low), free(stack), free(work);
    free(child), free(on_stack);
    return rc;
}

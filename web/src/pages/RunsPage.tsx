/**
 * Runs: every run, server-side paged into a virtualised table (only the visible rows exist in the
 * DOM), filtered by the `mlloop runs --where` query language with its errors shown inline, columns
 * chosen by the user, statuses refreshed while runs are running.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { getJson, qs } from "../api";
import { fmtAny, fmtTime, shortId } from "../format";
import { Link, navigate, type Location } from "../router";
import { StatusBadge } from "../components/common";

interface RunRow {
  id: string;
  experiment: string;
  parentId: string | null;
  status: string;
  createdAt: number;
  name: string | null;
  values: Record<string, unknown>;
}

interface RunsResponse {
  total: number;
  offset: number;
  columns: string[];
  runs: RunRow[];
}

const PAGE = 100;
const ROW_H = 30;
export const DEFAULT_COLUMNS = "metrics.dev.f1,metrics.dev.accuracy,metrics.test.f1";

interface Query {
  where: string;
  sort: string;
  columns: string;
}

function keyOf(q: Query): string {
  return JSON.stringify([q.where, q.sort, q.columns]);
}

export function RunsPage({ loc }: { loc: Location }) {
  const [whereInput, setWhereInput] = useState(loc.query.get("where") ?? "");
  const [columnsInput, setColumnsInput] = useState(loc.query.get("columns") ?? DEFAULT_COLUMNS);
  const [query, setQuery] = useState<Query>({
    where: loc.query.get("where") ?? "",
    sort: loc.query.get("sort") ?? "",
    columns: loc.query.get("columns") ?? DEFAULT_COLUMNS,
  });
  const [total, setTotal] = useState<number | null>(null);
  const [columns, setColumns] = useState<string[]>([]);
  const [pages, setPages] = useState<Map<number, RunRow[]>>(new Map());
  const [error, setError] = useState<{ field: "where" | "columns" | "sort"; message: string } | null>(null);
  const [rendered, setRendered] = useState<string>("");
  const [selected, setSelected] = useState<string[]>([]);
  const inflight = useRef<AbortController | null>(null);
  const pageRequests = useRef(new Set<number>());
  const scrollRef = useRef<HTMLDivElement>(null);

  const url = useCallback(
    (q: Query, offset: number) =>
      `/api/runs${qs({ where: q.where, sort: q.sort, columns: q.columns, limit: PAGE, offset })}`,
    [],
  );

  // a new query: the first page replaces everything (a stale answer is aborted, never shown)
  useEffect(() => {
    inflight.current?.abort();
    const ctl = new AbortController();
    inflight.current = ctl;
    pageRequests.current = new Set([0]);
    getJson<RunsResponse>(url(query, 0), ctl.signal).then(
      (res) => {
        setError(null);
        setTotal(res.total);
        setColumns(res.columns);
        setPages(new Map([[0, res.runs]]));
        setRendered(keyOf(query));
        scrollRef.current?.scrollTo({ top: 0 });
      },
      (e: Error) => {
        if (ctl.signal.aborted) return;
        const field = /^--columns/.test(e.message) ? "columns" : /^--sort/.test(e.message) ? "sort" : "where";
        setError({ field, message: e.message });
        setRendered(keyOf(query));
      },
    );
    const search = qs({
      where: query.where,
      sort: query.sort,
      columns: query.columns === DEFAULT_COLUMNS ? "" : query.columns,
    });
    if (window.location.search !== search) navigate(`/runs${search}`, true);
    return () => ctl.abort();
  }, [query, url]);

  const count = total ?? 0;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_H,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();

  // fetch the pages the visible rows fall on
  useEffect(() => {
    const needed = new Set(items.map((i) => Math.floor(i.index / PAGE)));
    for (const p of needed) {
      if (pages.has(p) || pageRequests.current.has(p)) continue;
      pageRequests.current.add(p);
      const q = query;
      getJson<RunsResponse>(url(q, p * PAGE)).then(
        (res) => {
          if (keyOf(q) !== keyOf(query)) return;
          setPages((m) => new Map(m).set(p, res.runs));
        },
        () => pageRequests.current.delete(p),
      );
    }
  }, [items, pages, query, url]);

  // live status: while any loaded run is running, reload the loaded pages every 3 s
  const anyRunning = useMemo(
    () => [...pages.values()].some((rows) => rows.some((r) => r.status === "running")),
    [pages],
  );
  useEffect(() => {
    if (!anyRunning) return;
    const q = query;
    const t = setInterval(() => {
      for (const p of pages.keys()) {
        getJson<RunsResponse>(url(q, p * PAGE)).then(
          (res) => {
            setTotal(res.total);
            setPages((m) => new Map(m).set(p, res.runs));
          },
          () => {},
        );
      }
    }, 3000);
    return () => clearInterval(t);
  }, [anyRunning, pages, query, url]);

  const rowAt = (index: number): RunRow | undefined => pages.get(Math.floor(index / PAGE))?.[index % PAGE];

  const sortBy = (field: string): void => {
    const [cur, dir] = query.sort.split(":");
    const next = cur === field ? (dir === "desc" ? `${field}` : `${field}:desc`) : `${field}:desc`;
    setQuery((q) => ({ ...q, sort: next }));
  };
  const sortMark = (field: string): string => {
    const [cur, dir] = query.sort.split(":");
    return cur === field ? (dir === "desc" ? " ▼" : " ▲") : "";
  };

  const toggle = (id: string): void => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));

  const fixed = [
    { key: "id", label: "run", width: 120 },
    { key: "experiment", label: "experiment", width: 150 },
    { key: "status", label: "status", width: 90 },
    { key: "created", label: "created", width: 160 },
    { key: "name", label: "name", width: 220 },
  ];
  const template = `32px ${fixed.map((f) => `${f.width}px`).join(" ")} ${columns.map(() => "130px").join(" ")}`;

  return (
    <div className="runs-page">
      <div className="toolbar">
        <label className="grow">
          <span>where</span>
          <input
            id="runs-where"
            className={error?.field === "where" ? "invalid" : ""}
            value={whereInput}
            spellCheck={false}
            placeholder="e.g. spec.model.C >= 1 AND metrics.dev.f1 > 0.9   ·   tags.owner ~ /^ann/i   ·   status = running"
            onChange={(e) => {
              setWhereInput(e.target.value);
              setQuery((q) => ({ ...q, where: e.target.value }));
            }}
          />
        </label>
        <label>
          <span>columns</span>
          <input
            id="runs-columns"
            className={error?.field === "columns" ? "invalid" : ""}
            value={columnsInput}
            spellCheck={false}
            onChange={(e) => setColumnsInput(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") setQuery((q) => ({ ...q, columns: columnsInput }));
            }}
            onBlur={() => setQuery((q) => ({ ...q, columns: columnsInput }))}
          />
        </label>
        <button
          disabled={selected.length < 2}
          onClick={() => navigate(`/compare?runs=${selected.join(",")}`)}
          id="compare-selected"
        >
          compare {selected.length > 0 ? `(${selected.length})` : ""}
        </button>
      </div>
      {error !== null && (
        <pre className="error query-error" role="alert" id="runs-error">
          {error.message}
        </pre>
      )}
      <p className="muted" id="runs-count">
        {total === null ? "…" : `${total.toLocaleString("en")} run${total === 1 ? "" : "s"}`}
        {query.sort !== "" ? ` · sorted by ${query.sort}` : " · newest first"}
      </p>
      <div className="runs-table" role="table" data-rendered={rendered} data-total={total ?? ""}>
        <div className="runs-row runs-head" role="row" style={{ gridTemplateColumns: template }}>
          <span />
          {fixed.map((f) => (
            <button key={f.key} className="th" onClick={() => sortBy(f.key)}>
              {f.label}
              {sortMark(f.key)}
            </button>
          ))}
          {columns.map((c) => (
            <button key={c} className="th num" onClick={() => sortBy(c)} title={c}>
              {c.replace(/^metrics\./, "")}
              {sortMark(c)}
            </button>
          ))}
        </div>
        <div ref={scrollRef} className="runs-scroll" id="runs-scroll">
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {items.map((item) => {
              const r = rowAt(item.index);
              return (
                <div
                  key={item.key}
                  role="row"
                  className="runs-row"
                  data-run={r?.id}
                  style={{ gridTemplateColumns: template, transform: `translateY(${item.start}px)`, height: ROW_H }}
                >
                  {r === undefined ? (
                    <span className="muted">…</span>
                  ) : (
                    <>
                      <input
                        type="checkbox"
                        aria-label={`select ${r.id}`}
                        checked={selected.includes(r.id)}
                        onChange={() => toggle(r.id)}
                      />
                      <Link to={`/run/${r.id}`} className="mono">
                        {shortId(r.id)}
                      </Link>
                      <span className="ellipsis">{r.experiment}</span>
                      <span>
                        <StatusBadge status={r.status} />
                      </span>
                      <span className="mono">{fmtTime(r.createdAt)}</span>
                      <span className="ellipsis" title={r.name ?? ""}>
                        {r.name ?? ""}
                      </span>
                      {columns.map((c) => (
                        <span key={c} className="num mono">
                          {fmtAny(c, r.values[c])}
                        </span>
                      ))}
                    </>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}

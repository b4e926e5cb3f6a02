/** The dashboard shell: navigation and one page per URL. */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Link, useLocation } from "./router";
import { RunsPage } from "./pages/RunsPage";
import { RunPage } from "./pages/RunPage";
import { LineagePage } from "./pages/LineagePage";
import { ComparePage } from "./pages/ComparePage";
import { DiagnosePage } from "./pages/DiagnosePage";
import { LoopPage } from "./pages/LoopPage";
import { AttributePage } from "./pages/AttributePage";
import { SweepsPage } from "./pages/SweepsPage";
import "./styles.css";

const NAV = [
  { path: "/runs", label: "runs" },
  { path: "/lineage", label: "lineage" },
  { path: "/loop", label: "loop / ledger" },
  { path: "/compare", label: "compare" },
  { path: "/attribute", label: "attribute" },
  { path: "/sweeps", label: "sweeps" },
];

function App() {
  const loc = useLocation();
  const segments = loc.path.split("/").filter((s) => s !== "");
  const [page, arg] = [segments[0] ?? "runs", segments[1] ? decodeURIComponent(segments[1]) : null];
  let body;
  if (page === "run" && arg !== null) body = <RunPage key={arg} id={arg} />;
  else if (page === "diagnose" && arg !== null) body = <DiagnosePage key={arg} id={arg} />;
  else if (page === "lineage") body = <LineagePage loc={loc} />;
  else if (page === "compare") body = <ComparePage key={loc.query.toString()} loc={loc} />;
  else if (page === "attribute") body = <AttributePage loc={loc} />;
  else if (page === "loop") body = <LoopPage loc={loc} />;
  else if (page === "sweeps") body = <SweepsPage loc={loc} />;
  else body = <RunsPage loc={loc} />;
  return (
    <>
      <nav className="top">
        <Link to="/runs" className="brand">
          mlloop
        </Link>
        {NAV.map((n) => (
          <Link key={n.path} to={n.path} className={`/${page}` === n.path ? "active" : ""}>
            {n.label}
          </Link>
        ))}
      </nav>
      <main>{body}</main>
    </>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// The app shell: header, then the page the path names. Pages load on demand: the editor brings React Flow, the
// run page uPlot, and neither needs the other's.
import { lazy, Suspense } from "react";
import { Header } from "./Header";
import { Link, matchRoute, usePath } from "./router";

const EditorPage = lazy(() => import("./editor/EditorPage").then((m) => ({ default: m.EditorPage })));
const RunsPage = lazy(() => import("./runs/RunsPage").then((m) => ({ default: m.RunsPage })));
const RunPage = lazy(() => import("./runs/RunPage").then((m) => ({ default: m.RunPage })));

export function App() {
  const route = matchRoute(usePath());
  return (
    <div className={`app page-${route.page}`}>
      <Header route={route} />
      <main className="app-main">
        <Suspense fallback={<p className="empty-page muted">Loading…</p>}>
          {route.page === "editor" && <EditorPage />}
          {route.page === "runs" && <RunsPage />}
          {route.page === "run" && <RunPage key={route.id} id={route.id} />}
        </Suspense>
        {route.page === "missing" && (
          <div className="empty-page">
            <h1>Nothing here</h1>
            <p>
              This address is not a page of the playground. Go to the <Link to="/">editor</Link> or the{" "}
              <Link to="/runs">runs</Link>.
            </p>
          </div>
        )}
      </main>
    </div>
  );
}
